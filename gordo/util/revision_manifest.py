"""The completion manifest of a revision built by ``gordo build-project``.

``build-project`` writes ``.gordo-revision.json`` into the revision directory
twice: when it starts (``"complete": false`` and the machines it will build) and,
last of all, once every machine has been built or has failed and been recorded
(``"complete": true`` and each machine's status). A revision whose manifest
still says ``false`` was left by a build that was killed midway. A revision
without a manifest (built machine by machine with ``gordo build``, or by an
older gordo) cannot tell and counts as complete.

>>> import tempfile
>>> revision = tempfile.mkdtemp()
>>> mark_started(revision, ["a", "b"])
>>> is_incomplete(revision)
True
>>> mark_complete(revision, {"a": "built", "b": "failed"})
>>> is_incomplete(revision), read(revision)["machines"]
(False, {'a': 'built', 'b': 'failed'})
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

FILE_NAME = ".gordo-revision.json"


def mark_started(revision_dir: os.PathLike | str, machines: list[str]) -> None:
    """Record that a build of ``machines`` into ``revision_dir`` has started."""
    _write(revision_dir, {"complete": False, "machines": list(machines)})


def mark_complete(revision_dir: os.PathLike | str, statuses: dict[str, str]) -> None:
    """Record that every machine's build ended (``statuses``: name -> built/cached/failed)."""
    _write(revision_dir, {"complete": True, "machines": dict(statuses)})


def read(revision_dir: os.PathLike | str) -> dict | None:
    """The manifest of ``revision_dir``; None if it has none; ``{}`` if it is unreadable."""
    try:
        data = json.loads((Path(revision_dir) / FILE_NAME).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_incomplete(revision_dir: os.PathLike | str) -> bool:
    """Whether ``revision_dir`` holds a build that started and never finished."""
    manifest = read(revision_dir)
    return manifest is not None and manifest.get("complete") is not True


def _write(revision_dir: os.PathLike | str, content: dict) -> None:
    """Write the manifest whole or not at all (a temporary file renamed over it)."""
    path = Path(revision_dir) / FILE_NAME
    content = {**content, "written": datetime.datetime.now(datetime.UTC).isoformat()}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(content, indent=2))
    os.replace(temporary, path)
