"""The worker hands memory back after large requests, once they stop."""

from __future__ import annotations

from gordo.server import malloc, server
from tests.server.conftest import PROJECT


def test_memory_is_trimmed_after_a_large_request_once_answered(client, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(malloc, "trim_later", lambda delay: calls.append(f"trim in {delay} s"))
    monkeypatch.setattr(server, "TRIM_AFTER_BYTES", 1000)
    url = f"/gordo/v0/{PROJECT}/sk-model/prediction"
    small = client.post(url, json={"X": [1.0, 2.0, 3.0, 4.0]})
    small.close()
    assert small.status_code == 200 and calls == []
    large = client.post(url, json={"X": [[0.25, 0.5, 0.75, 1.0]] * 100})
    assert large.status_code == 200 and calls == []
    large.close()
    assert calls == [f"trim in {server.TRIM_DELAY} s"]


def test_a_burst_of_trim_requests_trims_once_after_the_last(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(malloc, "trim", lambda: calls.append("trim"))
    first = malloc.trim_later(60.0)
    assert malloc.trim_later(0.0) is first  # the pending trim is moved, not doubled
    first.join(timeout=5)
    assert calls == ["trim"]
