"""A worker computes at most CONCURRENT_REQUESTS requests at once; the others wait."""

from __future__ import annotations

import threading

from gordo.server.server import limit_concurrency


def test_requests_beyond_the_limit_wait_for_a_free_slot():
    gate, entered, lock = threading.Event(), threading.Semaphore(0), threading.Lock()
    inside = {"now": 0, "peak": 0}

    def app(environ, start_response):
        with lock:
            inside["now"] += 1
            inside["peak"] = max(inside["peak"], inside["now"])
        entered.release()
        gate.wait(timeout=10)
        with lock:
            inside["now"] -= 1
        return [b"ok"]

    limited = limit_concurrency(app, limit=2)
    answers: list = []
    threads = [threading.Thread(target=lambda: answers.append(limited({}, None))) for _ in range(4)]
    for thread in threads:
        thread.start()
    assert entered.acquire(timeout=10) and entered.acquire(timeout=10)
    assert not entered.acquire(timeout=0.1)  # the other two wait outside
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert answers == [[b"ok"]] * 4 and inside["peak"] == 2
