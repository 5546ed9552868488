"""Sensor tags and the normalisation of tag lists from config.

A :class:`SensorTag` is a name plus string fields; ``asset`` is always one of
them (``None`` when unknown). Config entries (strings, ``{name: ..., asset:
...}`` mappings, or SensorTags) are normalised with :func:`normalize_sensor_tags`;
plain strings always become SensorTags carrying the default fields.

>>> tag = SensorTag("TRC-123", "1776-troc")
>>> tag
SensorTag("TRC-123",asset="1776-troc")
>>> tag.name, tag.asset
('TRC-123', '1776-troc')
>>> tag.to_json()
{'name': 'TRC-123', 'asset': '1776-troc'}
>>> normalize_sensor_tags(["A", {"name": "B", "asset": "x"}], asset="plant")
[SensorTag("A",asset="plant"), SensorTag("B",asset="x")]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from gordo.exceptions import ConfigException, SensorTagNormalizationError

logger = logging.getLogger(__name__)


class SensorTag:
    """A sensor tag: a non-empty ``name`` and string (or null) fields such as ``asset``.

    Tags are immutable and hashable. Two tags are equal when names and fields
    match exactly; a tag never equals a dict or a string.

    >>> SensorTag("T1", asset="a", unit="bar").unit
    'bar'
    >>> SensorTag("T1") == SensorTag("T1", None)
    True
    >>> SensorTag("T1", asset=3)
    Traceback (most recent call last):
    ...
    gordo.exceptions.SensorTagNormalizationError: Wrong value 3 type for 'asset'
    """

    __slots__ = ("_name", "_fields")

    def __init__(self, name: str, asset: str | None = None, **fields: str | None):
        if not isinstance(name, str) or not name:
            raise SensorTagNormalizationError(f"Wrong value {name!r} type for 'name'")
        all_fields = {"asset": asset, **fields}
        for key, value in all_fields.items():
            if value is not None and not isinstance(value, str):
                raise SensorTagNormalizationError(f"Wrong value {value!r} type for '{key}'")
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_fields", all_fields)

    @property
    def name(self) -> str:
        return self._name

    @property
    def fields(self) -> dict[str, str | None]:
        """A copy of the fields (``asset`` included)."""
        return dict(self._fields)

    def __getattr__(self, item: str) -> str | None:
        if item.startswith("_"):
            raise AttributeError(item)
        try:
            return self._fields[item]
        except KeyError:
            raise AttributeError(f"SensorTag {self._name!r} has no field {item!r}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("SensorTag is immutable")

    def __reduce__(self):
        return (_rebuild, (self._name, self._fields))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SensorTag):
            return NotImplemented
        return self._name == other._name and self._fields == other._fields

    def __hash__(self) -> int:
        present = tuple(sorted((k, v) for k, v in self._fields.items() if v is not None))
        return hash((self._name, present))

    def __repr__(self) -> str:
        fields = ",".join(f"{k}={v!r}".replace("'", '"') for k, v in self._fields.items())
        return f'SensorTag("{self._name}",{fields})'

    def to_json(self) -> dict[str, str | None]:
        """The JSON form: ``{"name": ..., <field>: <value>, ...}``, null fields kept."""
        return {"name": self._name, **self._fields}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SensorTag:
        """Inverse of :meth:`to_json`.

        >>> SensorTag.from_json({"name": "T", "asset": None})
        SensorTag("T",asset=None)
        """
        fields = dict(data)
        name = fields.pop("name", None)
        return cls(name, **fields)


def _rebuild(name: str, fields: dict[str, str | None]) -> SensorTag:
    return SensorTag(name, **fields)


def tag_name(tag: str | SensorTag) -> str:
    """The name of a tag given as a string or a SensorTag.

    >>> tag_name("A"), tag_name(SensorTag("B"))
    ('A', 'B')
    """
    return tag.name if isinstance(tag, SensorTag) else tag


def to_list_of_strings(tags: Iterable[str | SensorTag]) -> list[str]:
    """The names of ``tags``, in order.

    >>> to_list_of_strings(["A", SensorTag("B", "x")])
    ['A', 'B']
    """
    return [tag_name(tag) for tag in tags]


def default_fields(
    default_tag: Mapping[str, str | None] | None = None, asset: str | None = None
) -> dict[str, str | None]:
    """The default fields of a dataset from its ``default_tag`` or (deprecated) ``asset`` key.

    >>> default_fields(asset="plant")
    {'asset': 'plant'}
    >>> default_fields({"asset": "a"}, "b")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: default_tag and asset can not be specified simultaneously
    """
    if default_tag is not None and asset is not None:
        raise ConfigException("default_tag and asset can not be specified simultaneously")
    if asset is not None:
        return {"asset": asset}
    if default_tag is None:
        return {}
    if not isinstance(default_tag, Mapping):
        raise ConfigException(f"default_tag must be a mapping, not {default_tag!r}")
    return dict(default_tag)


def normalize_sensor_tag(
    entry: Any, required_fields: Iterable[str] = (), **defaults: str | None
) -> SensorTag:
    """One config entry as a SensorTag (spec §1.2; plain strings always become tags).

    >>> normalize_sensor_tag("A", asset="p")
    SensorTag("A",asset="p")
    >>> normalize_sensor_tag(["A", "p"])
    Traceback (most recent call last):
    ...
    gordo.exceptions.SensorTagNormalizationError: Sensor ['A', 'p'] with type <class 'list'> cannot be converted to a valid SensorTag
    """
    if isinstance(entry, SensorTag):
        tag = entry
        representation = tag.to_json()
    elif isinstance(entry, Mapping):
        representation = {**defaults, **entry}
        _check_required(entry, representation, required_fields)
        name = representation.pop("name", None)
        if not name:
            raise SensorTagNormalizationError(
                f"Sensor representation {dict(entry)!r} does not have name"
            )
        return SensorTag(name, **representation)
    elif isinstance(entry, str) and entry:
        tag = SensorTag(entry, **defaults)
        representation = tag.to_json()
    else:
        raise SensorTagNormalizationError(
            f"Sensor {entry!r} with type {type(entry)} cannot be converted to a valid SensorTag"
        )
    _check_required(entry, representation, required_fields)
    return tag


def _check_required(entry: Any, representation: Mapping, required: Iterable[str]) -> None:
    for field in required:
        if not representation.get(field):
            raise SensorTagNormalizationError(
                f"Sensor representation {entry!r} does not have '{field}'"
            )


def unique_tags(
    tags: Iterable[SensorTag], key: str = "tag_list", warn: bool = True
) -> list[SensorTag]:
    """``tags`` without exact duplicates (first kept; a warning naming ``key`` if ``warn``).

    Two different tags with the same name are an error.

    >>> unique_tags([SensorTag("A"), SensorTag("B"), SensorTag("A")])
    [SensorTag("A",asset=None), SensorTag("B",asset=None)]
    >>> unique_tags([SensorTag("A", "x"), SensorTag("A", "y")])
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: Tags SensorTag("A",asset="x") and SensorTag("A",asset="y") with the same name but different fields
    """
    by_name: dict[str, SensorTag] = {}
    for tag in tags:
        seen = by_name.get(tag.name)
        if seen is None:
            by_name[tag.name] = tag
        elif seen != tag:
            raise ConfigException(
                f"Tags {seen!r} and {tag!r} with the same name but different fields"
            )
        elif warn:
            logger.warning("%s: duplicate tag %r removed (the first one is kept)", key, tag.name)
    return list(by_name.values())


def normalize_sensor_tags(
    tag_list: Iterable[Any],
    asset: str | None = None,
    default_tag: Mapping[str, str | None] | None = None,
    required_fields: Iterable[str] = (),
    key: str = "tag_list",
) -> list[SensorTag]:
    """Normalise a config tag list: every entry becomes a SensorTag, exact duplicates removed.

    ``asset`` (deprecated) or ``default_tag`` give the default fields of
    string entries; mapping entries override them.

    >>> normalize_sensor_tags(["A", "A", {"name": "B"}], default_tag={"asset": "p"})
    [SensorTag("A",asset="p"), SensorTag("B",asset="p")]
    >>> normalize_sensor_tags([])
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: Requires setting a non-empty list of strings
    """
    if tag_list is None:
        raise ConfigException(f"{key} is empty: requires a non-empty list of tags")
    if isinstance(tag_list, str | Mapping | SensorTag):
        raise ConfigException(f"{key} must be a list of tags, not {tag_list!r}")
    defaults = default_fields(default_tag, asset)
    tags = [normalize_sensor_tag(entry, required_fields, **defaults) for entry in tag_list]
    if not tags:
        raise ConfigException("Requires setting a non-empty list of strings")
    return unique_tags(tags, key)
