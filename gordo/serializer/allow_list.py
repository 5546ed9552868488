"""Which packages a config may name: the allow-list of import prefixes.

A project config names classes and functions by import path: models,
metrics, scalers, splitters, Keras factories, callbacks, reporters, dataset
and data-provider types. Only paths under an allowed prefix are imported, so
a config cannot name ``subprocess.Popen``, ``os.system`` and the like.
The object a path resolves to must also be defined under an allowed prefix:
``gordo.demo.subprocess.Popen`` is refused although it starts with ``gordo``.
Inside the allowed packages, what reads or writes files, loads pickles, runs
commands or downloads (:data:`DENIED_PREFIXES`, e.g. ``numpy.load``,
``gordo.serializer.loads``) is refused as well. The list narrows what a config
can name; it is not a sandbox: run configs you do not trust in an isolated pod.

The prefixes are :data:`DEFAULT_PREFIXES`, then those of the environment
variable ``GORDO_ALLOWED_IMPORTS`` (comma-separated), then those of the
project config's top-level ``allowed_imports`` list (applied with
:func:`allowing`).

>>> is_allowed("sklearn.decomposition.PCA"), is_allowed("sklearnx.PCA"), is_allowed("os.system")
(True, False, False)
>>> with allowing(["my_company.models"]):
...     is_allowed("my_company.models.Net"), is_allowed("my_company.secrets.Key")
(True, False)
>>> import numpy
>>> check_allowed("numpy.load", numpy.load)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gordo.exceptions.DefinitionNotAllowedError: 'numpy.load' is not allowed: ... loads pickles, ...
>>> check_allowed("subprocess.Popen")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gordo.exceptions.DefinitionNotAllowedError: 'subprocess.Popen' is not allowed: ... \
add 'subprocess' to the project config's allowed_imports list or to the GORDO_ALLOWED_IMPORTS ...
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any

from gordo.exceptions import DefinitionNotAllowedError
from gordo.util.extras import is_installed

#: Always allowed: gordo, its compatibility names (D1) and the scientific stack it builds on.
DEFAULT_PREFIXES: tuple[str, ...] = (
    "gordo",
    "gordo_dataset",
    "gordo_core",
    "gordo_components",
    "sklearn",
    "keras",
    "tensorflow.keras",
    "numpy",
    "scipy",
)
#: Never allowed, even under an allowed prefix: parts of the allowed packages that
#: read or write files, load pickles, run commands or download (as a path, or as
#: the defining module and name of the object a path resolves to).
DENIED_PREFIXES: tuple[str, ...] = (
    "gordo.serializer.serializer",
    "gordo.builder",
    "gordo.cli",
    "gordo.client",
    "gordo.demo",
    "gordo.server",
    "gordo.util",
    "gordo.workflow",
    "numpy.load",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "numpy.fromfile",
    "numpy.memmap",
    "numpy.save",
    "numpy.savez",
    "numpy.savez_compressed",
    "numpy.savetxt",
    "numpy.lib.npyio",
    "numpy.lib.format",
    "numpy.ctypeslib",
    "scipy.io",
    "sklearn.datasets",
    "keras.saving",
    "keras.models.load_model",
    "keras.utils.get_file",
    "keras.src.saving",
    "keras.src.utils.file_utils",
)
#: Environment variable with more prefixes, comma-separated.
ENV_VAR = "GORDO_ALLOWED_IMPORTS"
#: The top-level key of a project config with more prefixes (a list).
CONFIG_KEY = "allowed_imports"

_extra: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "gordo_allowed_imports", default=()
)


def env_prefixes() -> tuple[str, ...]:
    """The prefixes of ``GORDO_ALLOWED_IMPORTS``, read now."""
    return parse_prefixes(os.environ.get(ENV_VAR, ""))


def parse_prefixes(text: str) -> tuple[str, ...]:
    """``"a.b, c"`` -> ``('a.b', 'c')``.

    >>> parse_prefixes(" my_pkg , other.sub,")
    ('my_pkg', 'other.sub')
    """
    return tuple(part.strip() for part in text.split(",") if part.strip())


def allowed_prefixes() -> tuple[str, ...]:
    """Every prefix allowed now: the defaults, the environment's, the config's."""
    return _prefixes(os.environ.get(ENV_VAR, ""), _extra.get())


@functools.lru_cache(maxsize=64)
def _prefixes(env: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*DEFAULT_PREFIXES, *parse_prefixes(env), *extra)))


def prefix_problem(prefix: Any) -> str | None:
    """Why ``prefix`` cannot be an allow-list entry, or None.

    >>> prefix_problem("my_pkg.models") is None, prefix_problem("my pkg")
    (True, "must be a dotted package name such as my_pkg or my_pkg.models, got 'my pkg'")
    """
    if isinstance(prefix, str) and prefix and all(p.isidentifier() for p in prefix.split(".")):
        return None
    return f"must be a dotted package name such as my_pkg or my_pkg.models, got {prefix!r}"


@contextlib.contextmanager
def allowing(prefixes: Iterable[str]) -> Iterator[None]:
    """Allow ``prefixes`` too (a project's ``allowed_imports``) inside the block."""
    token = _extra.set((*_extra.get(), *prefixes))
    try:
        yield
    finally:
        _extra.reset(token)


def is_allowed(name: str) -> bool:
    """Whether the dotted ``name`` is an allowed prefix or lies below one."""
    return _under(name, allowed_prefixes())


@functools.lru_cache(maxsize=4096)
def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def check_allowed(path: str, found: Any = None) -> None:
    """Raise DefinitionNotAllowedError unless ``path`` (and the object it gave) is allowed.

    ``found`` is the object ``path`` resolved to: its defining module must be
    allowed too, so that a module attribute of an allowed package (``gordo.x.os``)
    is no way around the list. A path whose top-level package is not installed
    passes (nothing can be imported; the import error that follows names it).
    Once resolved, a path or object under :data:`DENIED_PREFIXES` is refused.
    """
    if not is_allowed(path) and is_installed(path.split(".", 1)[0]):
        _refuse(path, path)
    origin = None if found is None else origin_module(found)
    if origin is not None and not is_allowed(origin):
        _refuse(path, origin, f" (it is defined in {origin!r})")
    if found is not None and _under(path, DENIED_PREFIXES):
        _deny(path, path)
    if origin is not None:
        name = f"{origin}.{getattr(found, '__qualname__', '')}".rstrip(".")
        if _under(name, DENIED_PREFIXES):
            _deny(path, name)


def origin_module(obj: Any) -> str | None:
    """The module that defines ``obj``: a module's own name, a class's or function's module.

    >>> import os.path, numpy
    >>> origin_module(os.path.join), origin_module(os.path), origin_module(numpy.log1p)
    ('posixpath', 'posixpath', 'numpy')
    >>> origin_module(3) is None
    True
    """
    if isinstance(obj, ModuleType):
        return obj.__name__
    if isinstance(obj, type) or callable(obj):
        module = getattr(obj, "__module__", None)
        if not isinstance(module, str):
            module = getattr(type(obj), "__module__", None)
        return module if isinstance(module, str) else None
    return None  # plain values (constants) are not run


def _deny(path: str, name: str) -> None:
    raise DefinitionNotAllowedError(
        f"{path!r} is not allowed: {name!r} reads or writes files, loads pickles, runs "
        "commands or downloads, which a config may not do (not even through allowed_imports)"
    )


def _refuse(path: str, name: str, detail: str = "") -> None:
    top = name.split(".")[0]
    raise DefinitionNotAllowedError(
        f"{path!r} is not allowed{detail}: a config may only name classes and functions under "
        f"{', '.join(allowed_prefixes())}. If you trust it, add {top!r} to the project config's "
        f"{CONFIG_KEY} list or to the {ENV_VAR} environment variable (comma-separated)"
    )
