"""Worker processes that end with the process that started them.

A build's worker processes (a fleet's, or the training workers of one build)
must not outlive a parent killed with -9: they would go on training and
writing. :func:`die_with_parent`, called in a worker, has Linux send it SIGTERM
when its parent dies; the worker then unwinds (a model being written removes
its temporary directory) and exits.

>>> callable(die_with_parent)
True
"""

from __future__ import annotations

import os
import signal
import sys
import threading

#: Seconds a worker told to stop (its parent died) has to unwind before it exits.
_UNWIND_SECONDS = 2.0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """Unwind (a model being written cleans up its temporary directory), then exit.

    The pool catches the SystemExit of a running task and would wait for the
    next one, so a timer ends the process shortly after in any case.
    """
    timer = threading.Timer(_UNWIND_SECONDS, os._exit, args=(128 + signum,))
    timer.daemon = True
    timer.start()
    raise SystemExit(128 + signum)


def die_with_parent() -> None:
    """Ask Linux to SIGTERM this worker when the parent dies (e.g. killed with -9)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    parent = os.getppid()
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if os.getppid() != parent:  # the parent died before prctl took effect
        raise SystemExit(1)
