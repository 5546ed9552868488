"""Keeping a threaded server worker's heap small (glibc's malloc).

glibc gives each thread that allocates its own arena, up to eight per core,
and an arena keeps the memory it once held. A gunicorn ``gthread`` worker runs
requests on 8 threads, so after a few large requests each thread's arena holds
tens of MB that no later request reuses. Two arenas are enough for threads
that mostly wait for the GIL. On other C libraries these calls do nothing.

After a large request, :func:`trim` hands the freed pages back to the
system, so the worker's memory falls back to its working set.

>>> limit_arenas(2) in (True, False)
True
>>> trim() in (True, False)
True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

#: mallopt parameter number of M_ARENA_MAX in glibc's malloc.h
_M_ARENA_MAX = -8


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
