"""Training the dense networks of one build in worker processes, with the numbers of a serial build.

A full build fits one network per cross-validation fold and one on all the
rows; they do not depend on each other. Inside :func:`training_pool`, a light
Keras estimator whose network trains in numpy draws its random numbers at once
(in the order a serial build draws them, see
:func:`gordo.machine.model.dense_training.random_draws`) and hands the training
to a worker process; it waits for the result when something needs the fitted
model. So the fits of a build run side by side on the machine's cores and give
the same weights as one after another.

>>> with training_pool(1) as pool:
...     pool is None
True
"""

from __future__ import annotations

import contextlib
import contextvars
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any


class TrainingPool:
    """Worker processes, and the trainings submitted but not yet started.

    Trainings wait in this process until a result is asked for (or the pool
    closes), then all start, the costliest first: a build submits its small
    fold fits before the big final fit, and two workers finish sooner when the
    big one starts first.
    """

    def __init__(self, jobs: int) -> None:
        self.executor = ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker
        )
        self.waiting: list[tuple[float, Callable[..., Any], tuple, Future]] = []

    def submit(self, cost: float, fn: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        self.waiting.append((cost, fn, args, future))
        return future

    def start_waiting(self) -> None:
        """Start the waiting trainings, the costliest first."""
        waiting, self.waiting = self.waiting, []
        for _, fn, args, future in sorted(waiting, key=lambda job: -job[0]):
            _chain(self.executor.submit(fn, *args), future)


def _chain(source: Future, target: Future) -> None:
    """Give ``target`` the outcome of ``source`` when it has one."""

    def copy(done: Future) -> None:
        if done.cancelled():
            target.cancel()
        elif done.exception() is not None:
            target.set_exception(done.exception())
        else:
            target.set_result(done.result())

    source.add_done_callback(copy)


_current: contextvars.ContextVar[TrainingPool | None] = contextvars.ContextVar(
    "gordo_training_pool", default=None
)


def default_jobs() -> int:
    """Worker processes a single build uses: two if this process may run on two CPUs."""
    return min(2, len(os.sched_getaffinity(0)))


def _init_worker() -> None:
    """One compute thread per worker (the workers are the parallelism); die with the parent."""
    from threadpoolctl import threadpool_limits

    from gordo.util.children import die_with_parent

    die_with_parent()
    threadpool_limits(1)


@contextlib.contextmanager
def training_pool(jobs: int) -> Iterator[TrainingPool | None]:
    """Within the block, :func:`submit` trains in ``jobs`` forked worker processes (none if 1).

    Workers are forked when the first training starts, so they share the
    modules this process has imported; the block waits for them at its end.
    """
    if jobs < 2 or multiprocessing.current_process().daemon:  # a fleet worker: no children
        yield None
        return
    pool = TrainingPool(jobs)
    token = _current.set(pool)
    try:
        yield pool
    except BaseException:
        for *_, future in pool.waiting:  # the build failed: they will not be needed
            future.cancel()
        raise
    else:
        pool.start_waiting()
    finally:
        _current.reset(token)
        pool.executor.shutdown(wait=True, cancel_futures=True)


def submit(cost: float, fn: Callable[..., Any], *args: Any) -> Future | None:
    """``fn(*args)`` (``cost`` its relative work) to train in the current pool's workers, or
    None outside :func:`training_pool`."""
    pool = _current.get()
    return None if pool is None else pool.submit(cost, fn, *args)


def result(future: Future) -> Any:
    """The result of a submitted training: waiting trainings start, then this one is awaited."""
    pool = _current.get()
    if pool is not None:
        pool.start_waiting()
    return future.result()
