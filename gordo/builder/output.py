"""Checks and helpers for the directories a build writes to."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ensure_writable_directory(directory: os.PathLike | str, what: str = "Directory") -> Path:
    """Create ``directory`` (with parents) and check a file can be written in it.

    Raises :class:`PermissionError` naming the directory if not.

    >>> ensure_writable_directory("/proc/gordo-registry", "Registry directory")
    Traceback (most recent call last):
    ...
    PermissionError: Registry directory '/proc/gordo-registry' is not writable: ...
    """
    path = Path(directory).absolute()
    try:
        _probe(path)
    except OSError as exc:
        raise PermissionError(f"{what} '{directory}' is not writable: {_reason(exc)}") from exc
    return path


def _probe(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".gordo-write-probe-"):
        pass


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


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
    if path.exists() and not path.is_dir():
        raise PermissionError(
            f"Output directory '{output_dir}' is not writable: it exists and is not a directory"
        )
    try:
        _probe(path.parent)
    except OSError as exc:
        raise PermissionError(
            f"Output directory '{output_dir}' is not writable: {_reason(exc)}"
        ) from exc
    return path
