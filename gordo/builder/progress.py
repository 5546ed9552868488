"""Progress of a fleet build: a bar on a terminal, one log line per machine otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

logger = logging.getLogger(__name__)

_BAR_WIDTH = 30


class Progress:
    """Counts finished machines and shows them.

    On a terminal ``stream`` a single bar line is redrawn; otherwise each
    finished machine is logged.

    >>> import io
    >>> p = Progress(2, stream=io.StringIO())
    >>> p.update("m-1", "built", 1.5)
    >>> p.update("m-2", "failed", 0.1)
    >>> p.counts
    {'built': 1, 'cached': 0, 'failed': 1}
    """

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.counts = {"built": 0, "cached": 0, "failed": 0}
        self.started = time.perf_counter()

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def update(self, name: str, status: str, seconds: float) -> None:
        """Record that machine ``name`` finished with ``status`` after ``seconds``."""
        self.counts[status] += 1
        if self.is_tty:
            filled = round(_BAR_WIDTH * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (_BAR_WIDTH - filled)
            elapsed = time.perf_counter() - self.started
            line = (
                f"\r[{bar}] {self.done}/{self.total}  built {self.counts['built']}  "
                f"cached {self.counts['cached']}  failed {self.counts['failed']}  "
                f"{elapsed:.1f}s  {name}"
            )
            self.stream.write(line.ljust(100)[:120])
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            logger.info("[%d/%d] %s: %s in %.2f s", self.done, self.total, name, status, seconds)
