"""Keeping a threaded server worker's heap small, and its large requests fast (glibc's malloc).

glibc gives each thread that allocates its own arena, up to eight per core,
and an arena keeps the memory it once held. A gunicorn ``gthread`` worker runs
requests on 8 threads, so after a few large requests each thread's arena holds
tens of MB that no later request reuses. Two arenas are enough for threads
that mostly wait for the GIL. On other C libraries these calls do nothing.

By default glibc also maps blocks over 128 KiB to fresh pages and gives the
free top of a heap back at once, so every large request (10 000 rows: a few
MB per column block, body and answer) faulted its pages in again: a third of
its CPU time went to the kernel. :func:`reuse_large_blocks` keeps such blocks
in the heap, and :func:`trim_later` hands the freed pages back to the system
once the large requests have stopped for a moment.

>>> limit_arenas(2) in (True, False)
True
>>> trim() in (True, False)
True
>>> trim_later(0.0).join()
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
import time

#: mallopt parameter numbers in glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
#: glibc's largest mmap threshold on 64-bit systems (HEAP_MAX_SIZE / 2)
MAX_MMAP_THRESHOLD = 32 * 1024 * 1024


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "mallopt") else None


def limit_arenas(count: int) -> bool:
    """Let at most ``count`` malloc arenas exist in this process; True if applied.

    Threads started later share them; call it before the worker's threads start.
    """
    libc = _libc()
    return bool(libc and libc.mallopt(_M_ARENA_MAX, count) == 1)


def trim() -> bool:
    """Return the free memory of every arena to the system; True if any was returned."""
    libc = _libc()
    return bool(libc and hasattr(libc, "malloc_trim") and libc.malloc_trim(0) == 1)


def reuse_large_blocks(threshold: int = MAX_MMAP_THRESHOLD) -> bool:
    """Serve blocks up to ``threshold`` bytes from the heap and keep freed ones; True if applied.

    Freed memory then stays in the process for the next large request instead
    of being unmapped and faulted in again; :func:`trim_later` returns it.
    """
    libc = _libc()
    return bool(
        libc
        and libc.mallopt(_M_MMAP_THRESHOLD, threshold) == 1
        and libc.mallopt(_M_TRIM_THRESHOLD, 4 * threshold) == 1
    )


class _DeferredTrim:
    """One background thread that trims once no new request for it came for a while."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._due = 0.0
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float) -> threading.Thread:
        with self._changed:
            self._due = time.monotonic() + delay
            self._changed.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="gordo-trim", daemon=True)
                self._thread.start()
            return self._thread

    def _run(self) -> None:
        with self._changed:
            while (wait := self._due - time.monotonic()) > 0:
                self._changed.wait(wait)
            self._thread = None
        trim()


_DEFERRED = _DeferredTrim()


def trim_later(delay: float) -> threading.Thread:
    """Call :func:`trim` once ``delay`` seconds have passed without another ``trim_later``.

    Returns the thread that will trim. A burst of large requests pays for no
    page faults between them, and the worker still falls back to its working
    set after the burst.
    """
    return _DEFERRED.schedule(delay)
