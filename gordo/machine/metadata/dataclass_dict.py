"""A small dataclass <-> dict/JSON layer for the metadata dataclasses.

A dataclass that inherits :class:`DataClassDictMixin` gets ``from_dict``,
``to_dict``, ``from_json``, ``to_json`` and ``schema``. Nested dataclass fields
are converted recursively; unknown keys are ignored when loading.

>>> from gordo.machine.metadata import BuildMetadata
>>> BuildMetadata.from_dict({"dataset": {"query_duration_sec": 1.5}, "extra": 1}).dataset
DatasetBuildMetadata(query_duration_sec=1.5, dataset_meta={})
>>> BuildMetadata.from_json(BuildMetadata().to_json()) == BuildMetadata()
True
>>> BuildMetadata.schema().validate({"dataset": {"query_duration_sec": "slow"}})
{'dataset': {'query_duration_sec': ["expected float, got 'slow'"]}}
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from gordo.machine.encoders import MachineEncoder

A = TypeVar("A", bound="DataClassDictMixin")

_MISSING = dataclasses.MISSING


def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """``(inner type, allows None)`` of ``Optional[X]`` / ``X | None``; other types unchanged."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) != len(typing.get_args(tp))
    return tp, False


def _is_dataclass_type(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def _load_value(tp: Any, value: Any, infer_missing: bool) -> Any:
    inner, _ = _unwrap_optional(tp)
    if _is_dataclass_type(inner) and isinstance(value, Mapping):
        return inner.from_dict(value, infer_missing=infer_missing)
    return value


def _dump_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: _dump_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_dump_value(v) for v in value]
    return value


def _type_errors(tp: Any, value: Any, partial: bool, unknown: str | None) -> Any:
    """Errors of ``value`` against the type ``tp``: None, a message list, or a nested dict."""
    inner, nullable = _unwrap_optional(tp)
    if value is None:
        return None if nullable or inner is Any else ["field may not be null"]
    if _is_dataclass_type(inner):
        if not isinstance(value, Mapping):
            return [f"expected a mapping, got {value!r}"]
        return inner.schema(partial=partial, unknown=unknown).validate(value) or None
    expected = typing.get_origin(inner) or inner
    if expected is Any:
        return None
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif expected in (dict, Mapping):
        ok = isinstance(value, Mapping)
    else:
        ok = isinstance(value, expected)
    return None if ok else [f"expected {getattr(expected, '__name__', expected)}, got {value!r}"]


class DataclassSchema:
    """Loads, dumps and validates dicts for one dataclass (marshmallow-like API).

    ``only``/``exclude`` restrict the fields; ``many`` works on lists; ``partial``
    allows missing required fields; ``unknown="raise"`` reports unknown keys.
    """

    def __init__(
        self,
        cls: type,
        *,
        infer_missing: bool = False,
        only: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
        many: bool = False,
        context: dict | None = None,
        load_only: Iterable[str] = (),
        dump_only: Iterable[str] = (),
        partial: bool = False,
        unknown: str | None = None,
    ):
        names = [f.name for f in dataclasses.fields(cls)]
        self.cls = cls
        self.fields = [n for n in names if (only is None or n in only) and n not in set(exclude)]
        self.infer_missing = infer_missing
        self.many = many
        self.context = dict(context or {})
        self.load_only = set(load_only)
        self.dump_only = set(dump_only)
        self.partial = partial
        self.unknown = unknown

    def dump(self, obj: Any) -> Any:
        """A dict (or list of dicts with ``many``) of the selected fields of ``obj``."""
        if self.many:
            return [self._dump_one(o) for o in obj]
        return self._dump_one(obj)

    def _dump_one(self, obj: Any) -> dict:
        keep = [n for n in self.fields if n not in self.load_only]
        return {n: _dump_value(getattr(obj, n)) for n in keep}

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return json.dumps(self.dump(obj), cls=MachineEncoder, **kwargs)

    def load(self, data: Any) -> Any:
        """An instance (or list of them with ``many``); raises ValueError on invalid data."""
        errors = self.validate(data)
        if errors:
            raise ValueError(f"Invalid {self.cls.__name__}: {errors}")
        if self.many:
            return [self._load_one(d) for d in data]
        return self._load_one(data)

    def _load_one(self, data: Mapping) -> Any:
        keep = {k: v for k, v in data.items() if k in self.fields and k not in self.dump_only}
        return self.cls.from_dict(keep, infer_missing=self.infer_missing)

    def loads(self, s: str | bytes | bytearray) -> Any:
        return self.load(json.loads(s))

    def validate(self, data: Any) -> dict:
        """Errors by field name (nested for dataclass fields); ``{}`` when valid."""
        if self.many:
            if not isinstance(data, list):
                return {"_schema": ["expected a list"]}
            found = {i: self._validate_one(d) for i, d in enumerate(data)}
            return {i: e for i, e in found.items() if e}
        return self._validate_one(data)

    def _validate_one(self, data: Any) -> dict:
        if not isinstance(data, Mapping):
            return {"_schema": [f"expected a mapping, got {data!r}"]}
        types_ = _field_types(self.cls)
        errors: dict[str, Any] = {}
        by_name = {f.name: f for f in dataclasses.fields(self.cls)}
        for name in self.fields:
            f = by_name[name]
            if name not in data:
                required = f.default is _MISSING and f.default_factory is _MISSING
                if required and not (self.partial or self.infer_missing):
                    errors[name] = ["missing data for required field"]
                continue
            problem = _type_errors(types_[name], data[name], self.partial, self.unknown)
            if problem:
                errors[name] = problem
        if self.unknown == "raise":
            for key in data:
                if key not in by_name:
                    errors[key] = ["unknown field"]
        return errors


class DataClassDictMixin:
    """``from_dict``/``to_dict``/``from_json``/``to_json``/``schema`` for a dataclass."""

    @classmethod
    def from_dict(cls: type[A], kvs: Mapping[str, Any], *, infer_missing: bool = False) -> A:
        """An instance from a dict as written by :meth:`to_dict`; unknown keys are ignored.

        With ``infer_missing`` a missing field that has no default becomes None.
        An instance of the class itself is returned as it is.

        >>> from gordo.machine.metadata import Metadata
        >>> metadata = Metadata()
        >>> Metadata.from_dict(metadata) is metadata
        True
        """
        if isinstance(kvs, cls):
            return kvs
        if not isinstance(kvs, Mapping):
            raise TypeError(f"{cls.__name__}.from_dict needs a mapping, got {type(kvs).__name__}")
        types_ = _field_types(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in kvs:
                kwargs[f.name] = _load_value(types_[f.name], kvs[f.name], infer_missing)
            elif infer_missing and f.default is _MISSING and f.default_factory is _MISSING:
                kwargs[f.name] = None
        return cls(**kwargs)

    def to_dict(self, encode_json: bool = False) -> dict[str, Any]:
        """A plain dict; with ``encode_json`` every value is JSON-native (numpy, datetimes...)."""
        d = _dump_value(self)
        return json.loads(json.dumps(d, cls=MachineEncoder)) if encode_json else d

    @classmethod
    def from_json(
        cls: type[A],
        s: str | bytes | bytearray,
        *,
        parse_float=None,
        parse_int=None,
        parse_constant=None,
        infer_missing: bool = False,
        **kw: Any,
    ) -> A:
        """An instance from the JSON text written by :meth:`to_json`."""
        kvs = json.loads(
            s, parse_float=parse_float, parse_int=parse_int, parse_constant=parse_constant, **kw
        )
        return cls.from_dict(kvs, infer_missing=infer_missing)

    def to_json(self, **kw: Any) -> str:
        """JSON text of :meth:`to_dict`; keyword arguments go to :func:`json.dumps`."""
        kw.setdefault("cls", MachineEncoder)
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def schema(cls, **kwargs: Any) -> DataclassSchema:
        """A :class:`DataclassSchema` for this dataclass (see its options)."""
        return DataclassSchema(cls, **kwargs)
