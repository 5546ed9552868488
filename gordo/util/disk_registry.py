"""A simple file-based key/value registry.

Each key is a file named after the key inside the registry directory, and the
file's content is the value. Writes are atomic (a temporary file in the same
directory renamed over the key), so concurrent writers of different keys never
interfere and a reader never sees a half-written value.

In the following example we use a temporary directory as the registry:

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmpdir:
...     write_key(tmpdir, "akey", "aval")
...     get_value(tmpdir, "akey")
'aval'
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import AnyStr

logger = logging.getLogger(__name__)


def _key_path(registry_dir: os.PathLike | str, key: str) -> Path:
    """The file holding ``key``; refuses keys that are not plain file names."""
    if (
        not isinstance(key, str)
        or key in ("", ".", "..")
        or "/" in key
        or "\0" in key
        or (os.altsep is not None and os.altsep in key)
        or os.sep in key
    ):
        raise ValueError(
            f"Registry key {key!r} in {os.fspath(registry_dir)!r} is not a valid file name"
        )
    return Path(registry_dir) / key


def write_key(registry_dir: os.PathLike | str, key: str, val: AnyStr) -> None:
    """Register ``key`` with value ``val``, creating ``registry_dir`` (and parents) if needed.

    ``key`` must be valid as a file name. ``val`` is text (stored as UTF-8) or bytes.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmpdir:
    ...     write_key(f"{tmpdir}/a/b", "k", "v1")
    ...     write_key(f"{tmpdir}/a/b", "k", "v2")
    ...     get_value(f"{tmpdir}/a/b", "k")
    'v2'
    """
    path = _key_path(registry_dir, key)
    data = val.encode("utf-8") if isinstance(val, str) else bytes(val)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{key}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    logger.debug("Wrote registry key %r in %s", key, path.parent)


def get_value(registry_dir: os.PathLike | str | None, key: str) -> AnyStr | None:
    """The value of ``key`` in the registry, or None if the registry or key does not exist.

    Values that are valid UTF-8 come back as ``str``, others as ``bytes``. No
    registry (``registry_dir`` None) holds no value.

    >>> get_value("/nonexistent/registry", "akey") is None
    True
    >>> get_value(None, "akey") is None
    True
    """
    if registry_dir is None:
        return None
    path = _key_path(registry_dir, key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def delete_value(registry_dir: os.PathLike | str, key: str) -> bool:
    """Delete ``key`` from the registry; True if it existed, False otherwise.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmpdir:
    ...     write_key(tmpdir, "akey", "aval")
    ...     (delete_value(tmpdir, "akey"), delete_value(tmpdir, "akey"))
    (True, False)
    """
    path = _key_path(registry_dir, key)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    logger.debug("Deleted registry key %r in %s", key, path.parent)
    return True
