"""Checks and helpers for the directories a build writes to."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ensure_writable(output_dir: os.PathLike | str) -> Path:
    """Make sure a model can be written to ``output_dir``, before any training starts.

    Creates the parent directories and writes a probe file next to
    ``output_dir`` (where the atomic write puts its temporary directory).
    Raises :class:`PermissionError` naming ``output_dir`` if that fails.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ensure_writable(f"{tmp}/models/machine-1").name
    'machine-1'
    >>> ensure_writable("/proc/gordo-models/machine-1")
    Traceback (most recent call last):
    ...
    PermissionError: Output directory '/proc/gordo-models/machine-1' is not writable: ...
    """
    path = Path(output_dir).absolute()
    try:
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(f"{path} exists and is not a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".gordo-write-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PermissionError(f"Output directory '{output_dir}' is not writable: {reason}") from exc
    return path
