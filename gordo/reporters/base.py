"""The reporter interface, and building reporters from their config definitions.

A definition is a class path, or a mapping of one class path to its keyword
arguments, exactly as written under ``runtime.reporters`` in a config:

>>> from gordo.reporters.postgres import PostgresReporter
>>> reporter = BaseReporter.from_dict(
...     {"gordo.reporters.postgres.PostgresReporter": {"host": "db.local"}}
... )
>>> isinstance(reporter, PostgresReporter), reporter.host
(True, 'db.local')
>>> reporter.to_dict()
{'gordo.reporters.postgres.PostgresReporter': {'host': 'db.local'}}
"""

from __future__ import annotations

import abc
import inspect
from typing import TYPE_CHECKING, Any

from gordo.exceptions import ConfigException, DefinitionImportError, DefinitionNotAllowedError

if TYPE_CHECKING:
    from gordo.machine import Machine


class BaseReporter(abc.ABC):
    """Something that records a built :class:`~gordo.machine.Machine` somewhere.

    Subclasses store their ``__init__`` arguments as attributes of the same
    name (the scikit-learn convention), so :meth:`to_dict` can write them back.
    """

    @abc.abstractmethod
    def report(self, machine: Machine) -> None:
        """Report ``machine``; raise :class:`gordo.exceptions.ReporterException` on failure."""

    def get_params(self) -> dict[str, Any]:
        """The ``__init__`` arguments whose value differs from the default."""
        params = {}
        for name, param in inspect.signature(type(self).__init__).parameters.items():
            if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            value = getattr(self, name)
            if param.default is param.empty or value != param.default:
                params[name] = value
        return params

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """This reporter as a config definition ``{class.path: {kwargs}}``."""
        cls = type(self)
        return {f"{cls.__module__}.{cls.__qualname__}": self.get_params()}

    @classmethod
    def from_dict(cls, config: dict[str, Any] | str) -> BaseReporter:
        """Build a reporter from a definition: ``"a.b.Class"`` or ``{"a.b.Class": {kwargs}}``."""
        if isinstance(config, str):
            path, kwargs = config, {}
        elif isinstance(config, dict) and len(config) == 1:
            path, kwargs = next(iter(config.items()))
            kwargs = kwargs or {}
        else:
            raise ConfigException(
                f"runtime.reporters: a reporter is a class path or a mapping of one class "
                f"path to its arguments, not {config!r}"
            )
        reporter_cls = _import_class(path)
        if not (inspect.isclass(reporter_cls) and issubclass(reporter_cls, BaseReporter)):
            raise ConfigException(f"runtime.reporters: {path!r} is not a gordo reporter class")
        try:
            return reporter_cls(**kwargs)
        except TypeError as exc:
            raise ConfigException(f"runtime.reporters: {path}: {exc}") from exc


def _import_class(path: str) -> Any:
    """The class at ``path``, within the allow-list of :mod:`gordo.serializer.allow_list`."""
    from gordo.serializer.import_paths import import_locate

    try:
        return import_locate(path)
    except (DefinitionImportError, DefinitionNotAllowedError) as exc:
        raise type(exc)(f"runtime.reporters: {exc}") from exc
