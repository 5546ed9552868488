"""Progress of a fleet build: a rich bar on a terminal, one log line per machine otherwise.

On a terminal, log records (the parent's and those of worker processes forked
while the bar runs) are routed through the bar's console, so they print above
the bar instead of breaking it up.

>>> import io
>>> with Progress(2, stream=io.StringIO()) as p:
...     p.update("m-1", "built", 1.5)
...     p.update("m-2", "failed", 0.1)
>>> p.counts
{'built': 1, 'cached': 0, 'failed': 1}
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import multiprocessing
import sys
from collections.abc import Iterator
from typing import Any, TextIO

logger = logging.getLogger(__name__)


class Progress:
    """Counts finished machines and shows them; use it as a context manager.

    On a terminal ``stream`` a rich progress bar is drawn and logging goes
    through its console; otherwise each finished machine is logged.
    """

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.counts = {"built": 0, "cached": 0, "failed": 0}
        self._bar: Any = None
        self._task: Any = None
        self._stack = contextlib.ExitStack()

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def __enter__(self) -> Progress:
        if self.is_tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            console = Console(file=self.stream, force_terminal=True)
            self._bar = Bar(
                TextColumn("building"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}  {task.fields[last]}"),
                TimeElapsedColumn(),
                console=console,
            )
            self._task = self._bar.add_task("fleet", total=self.total, counts="", last="")
            self._stack.enter_context(self._bar)
            self._stack.enter_context(_logging_through(console))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def update(self, name: str, status: str, seconds: float) -> None:
        """Record that machine ``name`` finished with ``status`` after ``seconds``."""
        self.counts[status] += 1
        if self._bar is not None:
            counts = "  ".join(f"{key} {value}" for key, value in self.counts.items())
            self._bar.update(self._task, completed=self.done, counts=counts, last=name)
        else:
            logger.info("[%d/%d] %s: %s in %.2f s", self.done, self.total, name, status, seconds)


@contextlib.contextmanager
def _logging_through(console: Any) -> Iterator[None]:
    """Route the root logger's records, also from forked workers, to ``console``.

    The root logger's handlers are replaced by a handler putting records on a
    process-shared queue; a listener thread here prints them with rich. Workers
    started by spawn (the fleet's choice once JAX or another threaded framework is
    imported) do not inherit the handler: their records go to their own stderr.
    """
    from rich.logging import RichHandler

    root = logging.getLogger()
    saved = root.handlers[:]
    queue = multiprocessing.get_context("fork").Queue()
    listener = logging.handlers.QueueListener(
        queue, RichHandler(console=console, show_path=False), respect_handler_level=True
    )
    root.handlers = [logging.handlers.QueueHandler(queue)]
    listener.start()
    try:
        yield
    finally:
        root.handlers = saved
        listener.stop()
        queue.close()
