"""The JSON exceptions report a failed ``gordo build`` writes for Argo / Kubernetes.

Kubernetes shows the file as the container's termination message, which is cut
at 4096 bytes, so the report is kept under that size: the traceback is
shortened first (keeping its end, where the error is), then the message.

>>> import json, tempfile
>>> try:
...     raise FileNotFoundError("no such file: data.csv")
... except FileNotFoundError as exc:
...     with tempfile.NamedTemporaryFile("r", suffix=".json") as f:
...         report_exception(exc, f.name, ReportLevel.MESSAGE)
...         json.load(f)
{'exit_code': 30, 'type': 'FileNotFoundError', 'message': 'no such file: data.csv'}
"""

from __future__ import annotations

import enum
import json
import os
import traceback
from pathlib import Path

from gordo.exceptions import exit_code_for

#: Kubernetes' limit on a termination message.
MAX_REPORT_BYTES = 4096


class ReportLevel(enum.IntEnum):
    """How much of an exception goes into the report; each level adds to the one before."""

    EXIT_CODE = 0
    TYPE = 1
    MESSAGE = 2
    TRACEBACK = 3

    @classmethod
    def names(cls) -> list[str]:
        """``['EXIT_CODE', 'TYPE', 'MESSAGE', 'TRACEBACK']``."""
        return [level.name for level in cls]


def exception_report(
    exc: BaseException, level: ReportLevel, max_bytes: int = MAX_REPORT_BYTES
) -> dict[str, object]:
    """The report of ``exc`` at ``level`` as a dict whose JSON fits in ``max_bytes``.

    >>> report = exception_report(ValueError("x" * 10_000), ReportLevel.MESSAGE, max_bytes=200)
    >>> report["exit_code"], len(json.dumps(report)) <= 200
    (2, True)
    """
    report: dict[str, object] = {"exit_code": exit_code_for(exc)}
    if level >= ReportLevel.TYPE:
        report["type"] = type(exc).__name__
    if level >= ReportLevel.MESSAGE:
        report["message"] = str(exc)
    if level >= ReportLevel.TRACEBACK:
        report["traceback"] = "".join(traceback.format_exception(exc))
    for key, keep_end in (("traceback", True), ("message", False)):
        excess = len(json.dumps(report).encode("utf-8")) - max_bytes
        if excess > 0 and key in report:
            text = str(report[key])
            cut = max(len(text) - excess - 8, 0)
            report[key] = "..." + text[-cut:] if keep_end and cut else text[:cut] + "..."
    return report


def report_exception(
    exc: BaseException, path: os.PathLike | str, level: ReportLevel | str = ReportLevel.TRACEBACK
) -> None:
    """Write the report of ``exc`` to ``path`` as JSON (the directory is created if needed)."""
    if isinstance(level, str):
        level = ReportLevel[level.upper()]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(exception_report(exc, level)), encoding="utf-8")
