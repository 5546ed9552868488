"""Resolve dotted import paths of model definitions, with the compatibility aliases.

A definition names classes and functions by their full import path
(``sklearn.decomposition.PCA``). Paths written for the original gordo and its
companion packages keep working through a few prefix aliases:

==========================  =========================
written                     resolved as
==========================  =========================
``tensorflow.keras.X``      ``keras.X`` (Keras 3)
``gordo_dataset.X``         ``gordo.dataset.X``
``gordo_core.X``            ``gordo.dataset.X``, then ``gordo_dataset.X``
``gordo.model.X``           ``gordo.machine.model.X``
``gordo_components.X``      ``gordo.X`` (then the rule above)
==========================  =========================

Paths of the original data packages first go through the data layer's alias
table (:mod:`gordo.dataset.registry`). The aliased paths are tried first, then
the path as written. Keras is imported with gordo's default backend
(:mod:`gordo.machine.model.backend`) when a path needs it.

>>> import_locate("sklearn.preprocessing.MinMaxScaler")
<class 'sklearn.preprocessing._data.MinMaxScaler'>
>>> candidate_paths("tensorflow.keras.layers.Dense")
['keras.layers.Dense', 'tensorflow.keras.layers.Dense']
>>> import_locate("sklearn.preprocessing.MinMaxScalr")
Traceback (most recent call last):
...
gordo.exceptions.DefinitionImportError: Cannot import 'sklearn.preprocessing.MinMaxScalr': \
module 'sklearn.preprocessing' has no attribute 'MinMaxScalr'; did you mean: \
sklearn.preprocessing.MinMaxScaler, ...?
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import sys
from types import ModuleType
from typing import Any

from gordo.exceptions import DefinitionImportError
from gordo.serializer.allow_list import check_allowed

#: (written prefix, resolved prefix); applied in order, each at most once.
ALIASES: tuple[tuple[str, str], ...] = (
    ("tensorflow.keras.", "keras."),
    ("gordo_components.", "gordo."),
    ("gordo_dataset.", "gordo.dataset."),
    ("gordo_core.", "gordo.dataset."),
    ("gordo.model.", "gordo.machine.model."),
)
_DATA_PACKAGES = ("gordo_dataset.", "gordo_core.")


def is_import_path(value: Any) -> bool:
    """Whether ``value`` looks like a dotted import path (``a.b.C``).

    >>> is_import_path("sklearn.decomposition.PCA"), is_import_path("auto"), is_import_path("x.csv ")
    (True, False, False)
    """
    if not isinstance(value, str) or "." not in value:
        return False
    return all(part.isidentifier() for part in value.split("."))


def candidate_paths(import_path: str) -> list[str]:
    """The paths tried for ``import_path``, most specific first, ending with it as written.

    Paths of the original data packages also go through the data layer's alias
    table (:mod:`gordo.dataset.registry`) and the ``gordo_dataset`` alias package.

    >>> candidate_paths("gordo_components.model.models.KerasAutoEncoder")
    ['gordo.machine.model.models.KerasAutoEncoder', 'gordo_components.model.models.KerasAutoEncoder']
    >>> candidate_paths("gordo_core.data_providers.providers.RandomDataProvider")[0]
    'gordo.dataset.data_provider.providers.RandomDataProvider'
    >>> candidate_paths("sklearn.decomposition.PCA")
    ['sklearn.decomposition.PCA']
    """
    paths = []
    if import_path.startswith(_DATA_PACKAGES):
        from gordo.dataset.registry import resolve_path

        resolved = (resolve_path(import_path, kind) for kind in ("dataset", "provider"))
        paths += [path for path in resolved if path != import_path]
    aliased = import_path
    for written, resolved in ALIASES:
        if aliased.startswith(written):
            aliased = resolved + aliased[len(written) :]
    paths.append(aliased)
    if import_path.startswith("gordo_core."):
        paths.append("gordo_dataset." + import_path.removeprefix("gordo_core."))
    paths.append(import_path)
    return list(dict.fromkeys(paths))


def import_path_of(obj: Any) -> str:
    """The import path of a class or function (of ``type(obj)`` for other objects).

    >>> from sklearn.decomposition import PCA
    >>> import_path_of(PCA), import_path_of(PCA())
    ('sklearn.decomposition._pca.PCA', 'sklearn.decomposition._pca.PCA')
    """
    target = (
        obj
        if isinstance(obj, type) or callable(obj) and hasattr(obj, "__qualname__")
        else type(obj)
    )
    return f"{target.__module__}.{target.__qualname__}"


def import_locate(import_path: str) -> Any:
    """Import the object at ``import_path`` (aliases applied), e.g. a class or a function.

    Raises DefinitionNotAllowedError, before importing anything, for a path
    outside the allow-list (:mod:`gordo.serializer.allow_list`), and for an
    object defined outside it; DefinitionImportError naming the path and the
    closest existing names for a path that does not resolve.

    >>> import_locate("gordo.demo.os.system")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gordo.exceptions.DefinitionNotAllowedError: 'gordo.demo.os.system' is not allowed (it is \
defined in 'posix'): ...
    """
    if not is_import_path(import_path):
        raise DefinitionImportError(
            f"Cannot import {import_path!r}: not a dotted import path like 'package.module.Name'"
        )
    check_allowed(import_path)
    paths = candidate_paths(import_path)
    problems: list[tuple[int, str]] = []
    for path in paths:
        found, problem, depth = _locate(path)
        if problem is None:
            check_allowed(import_path, found)
            return found
        problems.append((path.count(".") + 1 - depth, problem))
    # report the candidate closest to resolving: its suggestions are the useful ones
    _, problem = min(problems, key=lambda p: p[0])
    tried = f" (tried {', '.join(paths)})" if len(paths) > 1 else ""
    raise DefinitionImportError(f"Cannot import {import_path!r}{tried}: {problem}")


def _locate(path: str) -> tuple[Any, str | None, int]:
    """(object, None, depth) if ``path`` resolves, else (None, the failure, depth).

    ``depth`` counts the leading parts of ``path`` that resolved.
    """
    parts = path.split(".")
    if parts[0] == "keras" and "keras" not in sys.modules:
        from gordo.machine.model.backend import keras_module

        keras_module()  # import Keras with gordo's default backend, not Keras' own default
    module: ModuleType | None = None
    depth = 0
    for i in range(len(parts), 0, -1):
        name = ".".join(parts[:i])
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # Only a missing `name` (or its parent) means "not a module": a module that
            # exists but fails on its own missing dependency is a real error.
            if exc.name is None or not (name == exc.name or name.startswith(exc.name + ".")):
                return None, f"importing module {name!r} failed: {exc}", i
            continue
        except ImportError as exc:
            return None, f"importing module {name!r} failed: {exc}", i
        depth = i
        break
    if module is None:
        top = parts[0]
        return None, f"no module named {top!r}{_suggest(top, _top_level_names(), '')}", 0
    found: Any = module
    owner = ".".join(parts[:depth])
    for attr in parts[depth:]:
        try:
            found = getattr(found, attr)
        except AttributeError:
            kind = "module" if isinstance(found, ModuleType) else "object"
            return (
                None,
                (
                    f"{kind} {owner!r} has no attribute {attr!r}"
                    f"{_suggest(attr, _public_names(found), owner + '.')}"
                ),
                depth,
            )
        owner = f"{owner}.{attr}"
        depth += 1
    return found, None, depth


def _public_names(obj: Any) -> list[str]:
    """Public attribute names of ``obj``, plus submodule names if it is a package."""
    names = {name for name in dir(obj) if not name.startswith("_")}
    if isinstance(obj, ModuleType) and hasattr(obj, "__path__"):
        names.update(
            m.name for m in pkgutil.iter_modules(obj.__path__) if not m.name.startswith("_")
        )
    return sorted(names)


def _top_level_names() -> list[str]:
    return sorted({m.name for m in pkgutil.iter_modules() if not m.name.startswith("_")})


def _suggest(word: str, names: list[str], prefix: str) -> str:
    close = difflib.get_close_matches(word, names, n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean: " + ", ".join(prefix + name for name in close) + "?"
