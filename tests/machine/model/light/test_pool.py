"""The training pool: trainings in forked workers, started costliest first, failures passed on."""

from __future__ import annotations

import math
import os

import pytest

from gordo.machine.model.light import pool


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def test_trainings_run_in_workers_and_give_their_results():
    with pool.training_pool(2):
        futures = [pool.submit(x, _pid_and_square, x) for x in range(4)]
        results = [pool.result(f) for f in futures]
    assert [r for _, r in results] == [0, 1, 4, 9]
    assert os.getpid() not in {pid for pid, _ in results}


def test_waiting_trainings_start_costliest_first(monkeypatch):
    with pool.training_pool(2) as training:
        started = []
        submit = training.executor.submit
        monkeypatch.setattr(
            training.executor, "submit", lambda fn, *a: started.append(a[0]) or submit(fn, *a)
        )
        futures = [pool.submit(cost, math.sqrt, cost) for cost in (1, 4, 3, 2)]
        assert started == []  # nothing starts before a result is needed
        assert pool.result(futures[0]) == 1.0
        assert started == [4, 3, 2, 1]


def test_a_failed_training_raises_its_error():
    with pool.training_pool(2), pytest.raises(ValueError, match="math domain error"):
        pool.result(pool.submit(1, math.sqrt, -1))


def test_a_failed_build_cancels_trainings_not_started():
    with pytest.raises(RuntimeError), pool.training_pool(2):
        future = pool.submit(1, math.sqrt, 4)
        raise RuntimeError("the build failed")
    assert future.cancelled()


def test_outside_a_pool_nothing_is_submitted():
    assert pool.submit(1, math.sqrt, 4) is None
    with pool.training_pool(1) as training:
        assert training is None and pool.submit(1, math.sqrt, 4) is None
