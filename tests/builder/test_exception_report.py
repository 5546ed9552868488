"""The exceptions report file: levels, exit codes, size limit."""

from __future__ import annotations

import json

import pytest

from gordo.builder.exception_report import (
    MAX_REPORT_BYTES,
    ReportLevel,
    exception_report,
    report_exception,
)
from gordo.exceptions import ConfigException, InsufficientDataError, ReporterException


def _raised(exc: Exception) -> Exception:
    try:
        raise exc
    except Exception as caught:
        return caught


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (InsufficientDataError("few rows"), 80),
        (ConfigException("bad key"), 100),
        (ReporterException("db down"), 90),
        (PermissionError("no"), 20),
        (KeyError("x"), 1),
    ],
)
def test_exit_codes(exc, code):
    assert exception_report(_raised(exc), ReportLevel.EXIT_CODE) == {"exit_code": code}


def test_traceback_level_and_file(tmp_path):
    path = tmp_path / "sub" / "exception.json"
    report_exception(_raised(ValueError("bad value")), path, "traceback")
    report = json.loads(path.read_text())
    assert report["type"] == "ValueError" and report["message"] == "bad value"
    assert "Traceback" in report["traceback"] and "bad value" in report["traceback"]


def test_long_reports_fit_a_termination_message():
    exc = _raised(ValueError("é" * 5000))
    report = exception_report(exc, ReportLevel.TRACEBACK)
    assert len(json.dumps(report).encode()) <= MAX_REPORT_BYTES
    assert report["exit_code"] == 2 and report["type"] == "ValueError"
    assert report["message"].endswith("...")


def test_level_names():
    assert ReportLevel.names() == ["EXIT_CODE", "TYPE", "MESSAGE", "TRACEBACK"]
