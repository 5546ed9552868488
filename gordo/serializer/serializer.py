"""Save and load built models: a model directory on disk, or bytes.

A model directory holds three files (see docs/artifacts.md):

- ``model.pkl``: the estimator, as :func:`dumps` bytes (pickle protocol 5);
- ``metadata.json``: the metadata given to :func:`dump` (``{}`` if none);
- ``manifest.json``: ``{"format": "gordo-model", "format_version": 1,
  "gordo_version": ..., "files": {name: sha256}}``.

:func:`dump` writes them into a temporary directory next to ``dest_dir`` and
renames it into place, so a crash never leaves a half-written model.
:func:`load` checks the manifest and the checksums first and raises
:class:`gordo.exceptions.ArtifactError` naming the directory if anything is off.

>>> from sklearn.pipeline import Pipeline
>>> from sklearn.decomposition import PCA
>>> from sklearn.preprocessing import MinMaxScaler
>>> from gordo import serializer
>>> from tempfile import TemporaryDirectory
>>> pipe = Pipeline([('pca', PCA(3)), ('scale', MinMaxScaler())])
>>> with TemporaryDirectory() as tmp:
...     serializer.dump(obj=pipe, dest_dir=tmp, metadata={"name": "my-machine"})
...     pipe_clone = serializer.load(source_dir=tmp)
...     metadata = serializer.load_metadata(tmp)
>>> pipe_clone.steps[0][1]
PCA(n_components=3)
>>> metadata
{'name': 'my-machine'}
"""

from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import os
import pickle
import shutil
import tempfile
import uuid
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import orjson

import gordo
from gordo.exceptions import REBUILD, ArtifactError

__all__ = ["dump", "dumps", "load", "load_metadata", "loads"]

MODEL_FILE = "model.pkl"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "manifest.json"
FORMAT = "gordo-model"
FORMAT_VERSION = 1
PICKLE_PROTOCOL = 5


def dumps(model: Any) -> bytes:
    """Serialize a model into bytes that :func:`loads` reads back.

    >>> from sklearn.preprocessing import MinMaxScaler
    >>> serialized = dumps(MinMaxScaler())
    >>> isinstance(serialized, bytes), loads(serialized)
    (True, MinMaxScaler())
    """
    return pickle.dumps(model, protocol=PICKLE_PROTOCOL)


def loads(bytes_object: bytes) -> Any:
    """Load a model from bytes made by :func:`dumps`."""
    return pickle.loads(bytes_object)


def dump(obj: object, dest_dir: os.PathLike | str, metadata: dict | None = None) -> None:
    """Serialize ``obj`` (must be picklable) and ``metadata`` into the directory ``dest_dir``.

    ``dest_dir`` may not exist yet, or be an empty directory; an existing model
    directory is replaced as a whole. Metadata may hold numpy scalars and arrays,
    datetimes (written in ISO 8601) and timedeltas (written as seconds).
    """
    dump_pickled(dumps(obj), dest_dir, metadata)


def dump_pickled(pickled: bytes, dest_dir: os.PathLike | str, metadata: dict | None = None) -> None:
    """:func:`dump` of a model already pickled: ``pickled`` becomes the directory's model file.

    It is how a registered model is copied without unpickling it.
    """
    dest = Path(os.path.abspath(dest_dir))
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"Cannot dump a model into {dest}: it is a file, not a directory")
    files = {
        MODEL_FILE: pickled,
        METADATA_FILE: _metadata_json(metadata or {}, dest),
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "gordo_version": gordo.__version__,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    files[MANIFEST_FILE] = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.tmp-"))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        tmp.chmod(0o755)
        _move_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load(source_dir: os.PathLike | str) -> Any:
    """Load the model saved by :func:`dump` in ``source_dir``, after checking the manifest.

    Raises ArtifactError naming the directory when a file is missing, a checksum
    does not match, the format is unknown or the model does not unpickle (the
    last two also say how to rebuild it).
    """
    source = Path(source_dir)
    data, manifest = _verified_model(source)
    try:
        return loads(data)
    except ArtifactError as exc:  # a part of the model refused its state, saying what to do
        raise ArtifactError(f"Model directory {source}: {exc}") from exc
    except Exception as exc:
        raise ArtifactError(
            f"Model directory {source}: cannot unpickle {MODEL_FILE} "
            f"(format_version {manifest.get('format_version')}, written by gordo "
            f"{manifest.get('gordo_version', '?')}): {exc}. {REBUILD}"
        ) from exc


def read_model_bytes(source_dir: os.PathLike | str) -> bytes:
    """The bytes of the model file saved by :func:`dump`, after checking the manifest."""
    return _verified_model(Path(source_dir))[0]


def _verified_model(source: Path) -> tuple[bytes, dict]:
    """(model file bytes, manifest), every listed file's checksum verified."""
    manifest = _read_manifest(source)
    listed = manifest["files"]
    if MODEL_FILE not in listed:
        raise ArtifactError(f"Model directory {source}: {MANIFEST_FILE} does not list {MODEL_FILE}")
    contents = {name: _read_checked(source, name, digest) for name, digest in listed.items()}
    return contents[MODEL_FILE], manifest


def load_metadata(source_dir: os.PathLike | str) -> dict:
    """The metadata saved by :func:`dump` with the model in ``source_dir``.

    ``metadata.json`` is looked for in ``source_dir``, then in its parent.
    Raises FileNotFoundError naming the paths if neither has one.
    """
    source = Path(source_dir)
    candidates = [source / METADATA_FILE, source.parent / METADATA_FILE]
    for path in candidates:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            continue
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ArtifactError(f"{path} is not valid JSON: {exc}") from exc
    raise FileNotFoundError(
        f"No {METADATA_FILE} found in or above {source} (looked at {', '.join(map(str, candidates))})"
    )


def _metadata_json(metadata: dict, dest: Path) -> bytes:
    try:
        return orjson.dumps(
            metadata,
            default=_json_default,
            option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | orjson.OPT_INDENT_2,
        )
    except TypeError as exc:
        raise TypeError(f"Cannot write the metadata of the model in {dest} as JSON: {exc}") from exc


def _json_default(value: Any) -> Any:
    """JSON form of the values orjson does not handle itself."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, np.datetime64):
        return str(value)
    if isinstance(value, np.timedelta64):
        return value / np.timedelta64(1, "s")
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def _move_into_place(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` to ``dest``, replacing a missing/empty ``dest`` or an old model directory."""
    try:
        os.rename(tmp, dest)  # atomic when dest is missing or an empty directory
        return
    except OSError:
        if not (dest.is_dir() and any(dest.iterdir())):
            raise
    old = dest.with_name(f".{dest.name}.old-{uuid.uuid4().hex}")
    os.rename(dest, old)
    try:
        os.rename(tmp, dest)
    except BaseException:
        os.rename(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _read_manifest(source: Path) -> dict:
    path = source / MANIFEST_FILE
    if not source.is_dir():
        raise ArtifactError(f"Model directory {source} does not exist or is not a directory")
    try:
        manifest = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise ArtifactError(
            f"Model directory {source} has no {MANIFEST_FILE}: not a model saved by gordo's dump"
        ) from None
    except orjson.JSONDecodeError as exc:
        raise ArtifactError(
            f"Model directory {source}: {MANIFEST_FILE} is not valid JSON: {exc}"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArtifactError(f"Model directory {source}: {MANIFEST_FILE} is not a {FORMAT} manifest")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(
            f"Model directory {source}: unknown format_version {version!r} "
            f"(this gordo {gordo.__version__} reads format_version {FORMAT_VERSION}). {REBUILD}"
        )
    if not isinstance(manifest.get("files"), dict):
        raise ArtifactError(f"Model directory {source}: {MANIFEST_FILE} has no 'files' mapping")
    return manifest


def _read_checked(source: Path, name: str, digest: str) -> bytes:
    if Path(name).name != name:
        raise ArtifactError(
            f"Model directory {source}: {MANIFEST_FILE} lists a bad file name {name!r}"
        )
    try:
        data = (source / name).read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"Model directory {source}: missing file {name}") from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise ArtifactError(
            f"Model directory {source}: checksum mismatch for {name} (the file is corrupt or was changed)"
        )
    return data
