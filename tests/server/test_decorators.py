"""A worker computes at most CONCURRENT_REQUESTS requests at once; the others wait."""

from __future__ import annotations

import threading

import flask

from gordo.server import decorators


def test_requests_beyond_the_limit_wait_for_a_free_slot():
    gate, entered, lock = threading.Event(), threading.Semaphore(0), threading.Lock()
    inside = {"now": 0, "peak": 0}

    @decorators.extract_X_y
    def view():
        with lock:
            inside["now"] += 1
            inside["peak"] = max(inside["peak"], inside["now"])
        entered.release()
        gate.wait(timeout=10)
        with lock:
            inside["now"] -= 1
        return len(flask.g.X)

    app = flask.Flask(__name__)
    answers: list[int] = []

    def request() -> None:
        with app.test_request_context(json={"X": [[1.0, 2.0]]}):
            answers.append(view())

    threads = [threading.Thread(target=request) for _ in range(decorators.CONCURRENT_REQUESTS + 2)]
    for thread in threads:
        thread.start()
    for _ in range(decorators.CONCURRENT_REQUESTS):
        assert entered.acquire(timeout=10)
    assert not entered.acquire(timeout=0.1)  # the others wait for a slot
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert answers == [1] * len(threads) and inside["peak"] == decorators.CONCURRENT_REQUESTS
