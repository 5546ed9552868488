"""Loading built models and their metadata, once per worker, into bounded LRU caches.

A model directory is ``<collection_dir>/<name>/`` as written by
``gordo.serializer.dump``; loading goes through ``serializer.load`` which
verifies the manifest. ``N_CACHED_MODELS`` models (default 2) stay in memory per
worker; metadata, being small, is cached for many more models.

A model is healthy when its files match the checksums of its manifest and it
has not failed to load in this worker (:func:`health`). Every route of a broken
model answers :class:`BrokenModelError` (503), naming the model and the cause.

>>> cache = LRUCache(maxsize=2)
>>> [cache.get(key, lambda k=key: k * 10) for key in (1, 2, 1, 3)]
[10, 20, 10, 30]
>>> sorted(cache.keys())
[1, 3]
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from gordo.exceptions import ArtifactError, BadRequestError, NotFoundError, ServingError

logger = logging.getLogger(__name__)

#: Default number of models kept loaded per worker (env ``N_CACHED_MODELS``).
DEFAULT_N_CACHED_MODELS = 2
#: Number of models whose metadata stays cached per worker.
N_CACHED_METADATA = 4096

_VALID_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
#: the longest model directory name most file systems take (NAME_MAX)
MAX_NAME_LENGTH = 255


class BrokenModelError(ServingError):
    """A model whose artifact does not verify or load: 503, naming the model and the cause."""

    status_code = 503


class LRUCache:
    """A thread-safe LRU cache; each key is loaded at most once at a time."""

    def __init__(self, maxsize: int):
        self.maxsize = max(1, int(maxsize))
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}

    def keys(self) -> list:
        with self._lock:
            return list(self._items)

    def get(self, key: Hashable, loader: Callable[[], Any]) -> Any:
        """The cached value of ``key``, calling ``loader()`` on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
            value = loader()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
                self._loading.pop(key, None)
            return value

    def resize(self, maxsize: int) -> None:
        with self._lock:
            self.maxsize = max(1, int(maxsize))
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def discard(self, predicate: Callable[[Hashable], bool]) -> None:
        """Drop every key for which ``predicate(key)`` is true."""
        with self._lock:
            for key in [k for k in self._items if predicate(k)]:
                del self._items[key]


MODELS = LRUCache(int(os.environ.get("N_CACHED_MODELS", DEFAULT_N_CACHED_MODELS)))
METADATA = LRUCache(N_CACHED_METADATA)


def check_model_name(name: str) -> str:
    """``name`` if it is a plain directory name, else a :class:`BadRequestError`.

    >>> check_model_name("model-1")
    'model-1'
    >>> check_model_name("../etc")
    Traceback (most recent call last):
    ...
    gordo.exceptions.BadRequestError: Invalid model name '../etc': ...
    """
    if len(name) > MAX_NAME_LENGTH:
        raise BadRequestError(
            f"Invalid model name {name[:40]!r}... ({len(name)} characters): "
            f"a model name has at most {MAX_NAME_LENGTH}"
        )
    if not _VALID_NAME.fullmatch(name) or ".." in name:
        raise BadRequestError(
            f"Invalid model name {name!r}: use letters, digits, '-', '_' and '.', "
            "without path separators or '..'"
        )
    return name


def model_dir(directory: str | os.PathLike, name: str) -> Path:
    """The directory of model ``name`` in ``directory``; :class:`NotFoundError` if absent."""
    path = Path(directory) / check_model_name(name)
    if not path.is_dir():
        revision = Path(directory).name
        raise NotFoundError(f"No model named {name!r} in revision {revision}")
    return path


def load_model(directory: str | os.PathLike, name: str) -> Any:
    """The model ``name`` of ``directory``, loaded (and verified) once then cached.

    A cached model is served after at most a listing and ``stat`` of its directory per
    :data:`RECHECK_AFTER` (its health); deleting it through the server drops it from the
    cache (:func:`forget`).
    """
    from gordo import serializer

    key = os.path.join(str(directory), check_model_name(name))
    check_healthy(directory, name)

    def load() -> Any:
        path = model_dir(directory, name)
        try:
            return serializer.load(path)
        except ArtifactError as exc:
            _LOAD_FAILURES[(str(path), _signature(path))] = _cause(exc, path)
            _RECENT.pop(key, None)
            check_healthy(directory, name)
            raise

    return MODELS.get(key, load)


def load_metadata(directory: str | os.PathLike, name: str) -> dict:
    """The metadata of model ``name`` of ``directory``, read once then cached."""
    from gordo import serializer

    key = os.path.join(str(directory), check_model_name(name))
    check_healthy(directory, name)

    def load() -> dict:
        path = model_dir(directory, name)
        try:
            return serializer.load_metadata(path)
        except (ArtifactError, OSError) as exc:  # changed since its health was checked
            raise _broken(directory, name, _cause(exc, path)) from None

    return METADATA.get(key, load)


#: (model directory, file signature) -> why the artifact does not verify, or None
_VERIFIED = LRUCache(N_CACHED_METADATA)
#: (model directory, file signature) -> why it did not load in this worker
_LOAD_FAILURES: dict[tuple[str, tuple], str] = {}
#: seconds a model's health stands before its files are looked at again
RECHECK_AFTER = 1.0
#: model directory -> (when its health was worked out, the cause or None)
_RECENT: dict[str, tuple[float, str | None]] = {}


def health(directory: str | os.PathLike, name: str) -> str | None:
    """Why model ``name`` of ``directory`` cannot be served, or None if it can.

    Its files must match the checksums of its manifest (verified once per
    version of the files: their sizes, times and inodes), and it must not have
    failed to load in this worker. The answer stands for :data:`RECHECK_AFTER`
    seconds before the files are looked at again.
    """
    key = os.path.join(str(directory), name)
    now = time.monotonic()
    recent = _RECENT.get(key)
    if recent is not None and now - recent[0] < RECHECK_AFTER:
        return recent[1]
    path = model_dir(directory, name)
    signature = _signature(path)
    cause = _LOAD_FAILURES.get((str(path), signature))
    if cause is None:
        cause = _VERIFIED.get((str(path), signature), lambda: _verify(path))
    if len(_RECENT) >= N_CACHED_METADATA:
        _RECENT.clear()
    _RECENT[key] = (now, cause)
    return cause


def check_healthy(directory: str | os.PathLike, name: str) -> None:
    """Raise :class:`BrokenModelError` if model ``name`` of ``directory`` is broken."""
    cause = health(directory, name)
    if cause is not None:
        raise _broken(directory, name, cause)


def _broken(directory: str | os.PathLike, name: str, cause: str) -> BrokenModelError:
    return BrokenModelError(
        f"Model {name!r} of revision {Path(directory).name} is broken and cannot be served: "
        f"{cause}"
    )


def _verify(path: Path) -> str | None:
    from gordo import serializer

    try:
        serializer.read_model_bytes(path)
        serializer.load_metadata(path)
    except (ArtifactError, OSError) as exc:
        return _cause(exc, path)
    return None


def _signature(path: Path) -> tuple:
    """What changes when a file of the model directory is written again."""
    stats = []
    for name in sorted(os.listdir(path)):
        try:
            stat = os.stat(path / name)
        except OSError:
            continue
        stats.append((name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino))
    return tuple(stats)


def _cause(exc: Exception, path: Path) -> str:
    """The message of ``exc`` without the server's paths (clients see it)."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    text = text.replace(f"Model directory {path}: ", "").replace(f"Model directory {path} ", "")
    return text.replace(str(path), "the model directory")


def forget(path: str | os.PathLike) -> None:
    """Drop every cached model and metadata under ``path`` (after deleting it)."""
    prefix = str(Path(path))
    for cache in (MODELS, METADATA):
        cache.discard(lambda key: key == prefix or str(key).startswith(prefix + os.sep))
    for key in [k for k in _RECENT if k == prefix or k.startswith(prefix + os.sep)]:
        _RECENT.pop(key, None)


def warm_up(model: Any, metadata: dict) -> None:
    """Predict on zeros shaped like the model's input (1 and 100 rows)."""
    import numpy as np
    import pandas as pd

    from gordo.server.model_io import get_model_output
    from gordo.server.model_metadata import tag_names

    names = tag_names(metadata)
    if not names:
        return
    for rows in (1, 100):
        index = pd.date_range("2000-01-01", periods=rows, freq="min", tz="UTC")
        try:
            get_model_output(model, pd.DataFrame(np.zeros((rows, len(names))), index, names))
        except ValueError as exc:  # e.g. fewer rows than a look-back window
            logger.debug("Warm-up with %d rows skipped: %s", rows, exc)
