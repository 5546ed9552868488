"""Compatibility package: ``gordo_dataset.*`` import paths resolve to ``gordo.dataset``.

The original kept the data layer in a companion package; configs and code
written for it (``from gordo_dataset.sensor_tag import SensorTag``) keep working.
``gordo_dataset.X`` *is* the module ``gordo.dataset.X`` (same objects, so
pickles and ``isinstance`` agree); the later package names ``data_providers``
and ``time_series`` map to ``data_provider`` and ``datasets``.

>>> from gordo_dataset.sensor_tag import SensorTag
>>> import gordo.dataset.sensor_tag
>>> SensorTag is gordo.dataset.sensor_tag.SensorTag
True
>>> from gordo_dataset.data_providers.providers import RandomDataProvider
>>> RandomDataProvider.__module__
'gordo.dataset.data_provider.random_provider'
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType

_PREFIX = __name__ + "."
_TARGET = "gordo.dataset"
#: module names of the original packages that differ from ours
_RENAMES = {"data_providers": "data_provider", "time_series": "datasets"}


def _target(fullname: str) -> str:
    parts = fullname[len(_PREFIX) :].split(".")
    return ".".join([_TARGET, *(_RENAMES.get(p, p) for p in parts)])


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``gordo_dataset.X`` and loads it as the already imported ``gordo.dataset.X``."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_PREFIX):
            return None
        real = _target(fullname)
        try:
            spec = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            return None
        if spec is None:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, is_package=spec.submodule_search_locations is not None
        )

    def create_module(self, spec) -> ModuleType:
        return importlib.import_module(_target(spec.name))

    def exec_module(self, module: ModuleType) -> None:
        """The target module is already executed."""


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.append(_AliasFinder())


def __getattr__(name: str) -> ModuleType:
    try:
        return importlib.import_module(_PREFIX + name)
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
