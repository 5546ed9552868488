"""The fleet build's progress: a rich bar on a terminal with log lines routed through it."""

from __future__ import annotations

import io
import logging
import multiprocessing

from gordo.builder.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _log_from_a_worker() -> None:
    logging.getLogger("gordo.builder.worker").info("worker says hello")


def test_a_terminal_gets_a_bar_and_the_workers_log_lines_above_it():
    stream = _Terminal()
    logging.getLogger().setLevel(logging.INFO)
    with Progress(2, stream=stream) as progress:
        worker = multiprocessing.get_context("fork").Process(target=_log_from_a_worker)
        worker.start()
        worker.join()
        progress.update("machine-a", "built", 0.5)
        progress.update("machine-b", "cached", 0.1)
    text = stream.getvalue()
    assert "2/2" in text and "cached 1" in text
    lines = text.splitlines()
    hello = [line for line in lines if "worker says hello" in line]
    assert hello, text
    assert all("2/2" not in line and "1/2" not in line for line in hello), "log line inside the bar"
    assert all(type(h).__name__ != "QueueHandler" for h in logging.getLogger().handlers)


def test_elsewhere_one_log_line_per_machine(caplog):
    caplog.set_level(logging.INFO, logger="gordo.builder.progress")
    with Progress(2, stream=io.StringIO()) as progress:
        progress.update("machine-a", "built", 1.5)
        progress.update("machine-b", "failed", 0.1)
    assert progress.counts == {"built": 1, "cached": 0, "failed": 1}
    assert "[2/2] machine-b: failed in 0.10 s" in caplog.text
