"""Descriptors that check Machine attributes when they are set, and runtime resource fixing.

A bad value fails early, with a ValueError naming the attribute, instead of
later in Kubernetes or in the middle of a build.

>>> class MySpecialClass:
...     url_attribute = ValidUrlString()
>>> myspecialclass = MySpecialClass()
>>> myspecialclass.url_attribute = 'this-is-ok'
>>> myspecialclass.url_attribute = 'this will r@ise a ValueError'
Traceback (most recent call last):
...
ValueError: url_attribute: 'this will r@ise a ValueError' is not a valid Gordo url value. Only lower-case alphanumeric with dashes allowed.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

logger = logging.getLogger(__name__)

#: Kubernetes DNS-1123 label: lower-case alphanumerics and '-', not at either end.
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_MAX_URL_LENGTH = 63


class BaseDescriptor:
    """Base descriptor: stores the value in the instance under the attribute's name.

    Subclasses override ``__set__`` to check the value, then call :meth:`store`.
    """

    name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        try:
            return instance.__dict__[self.name]
        except KeyError:
            raise AttributeError(f"{self.name!r} is not set") from None

    def __set__(self, instance: Any, value: Any) -> None:
        self.store(instance, value)

    def store(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.name] = value

    def fail(self, message: str) -> ValueError:
        """A ValueError whose message starts with the attribute's name."""
        return ValueError(f"{self.name}: {message}")


class ValidUrlString(BaseDescriptor):
    """A Kubernetes DNS-1123 label: lower-case alphanumerics and '-', at most 63 chars.

    >>> ValidUrlString.valid_url_string("ct-23-0001")
    True
    >>> [ValidUrlString.valid_url_string(s) for s in ("-a", "a-", "A", "a_b", "a.b", "a" * 64)]
    [False, False, False, False, False, False]
    """

    @staticmethod
    def valid_url_string(string: str) -> bool:
        """Whether ``string`` is lower-case alphanumeric with inner dashes, at most 63 chars."""
        return (
            isinstance(string, str)
            and len(string) <= _MAX_URL_LENGTH
            and bool(_DNS_LABEL.match(string))
        )

    @classmethod
    def problem(cls, value: Any) -> str | None:
        """Why ``value`` is not a valid url string, or None when it is."""
        if not isinstance(value, str) or not value:
            return f"must be a non-empty string, got {value!r}"
        if len(value) > _MAX_URL_LENGTH:
            return f"'{value}' should be less than {_MAX_URL_LENGTH + 1} chars (has {len(value)})"
        if not _DNS_LABEL.match(value):
            return (
                f"'{value}' is not a valid Gordo url value. "
                "Only lower-case alphanumeric with dashes allowed."
            )
        return None

    def __set__(self, instance: Any, value: Any) -> None:
        problem = self.problem(value)
        if problem:
            raise self.fail(problem)
        self.store(instance, value)


def datetime_problem(value: Any) -> str | None:
    """Why ``value`` is not a timezone-aware datetime (or ISO string of one), or None.

    >>> datetime_problem("2020-01-01T00:00:00Z") is None
    True
    >>> datetime_problem("2020-01-01T00:00:00")
    'must be timezone-aware (add a timezone, e.g. 2020-01-01T00:00:00Z or 2020-01-01T00:00:00+00:00)'
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return f"must be an ISO 8601 datetime with a timezone, got {value!r}"
    elif isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        return f"must be a datetime with a timezone, got the date {value.isoformat()}"
    else:
        return f"must be an ISO 8601 datetime with a timezone, got {value!r}"
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        naive = parsed.isoformat()
        return f"must be timezone-aware (add a timezone, e.g. {naive}Z or {naive}+00:00)"
    return None


def parse_datetime(value: str | datetime) -> datetime:
    """``value`` as a datetime (ISO strings are parsed; datetimes are returned as they are)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class ValidDatetime(BaseDescriptor):
    """A timezone-aware ``datetime.datetime``."""

    def __set__(self, instance: Any, value: Any) -> None:
        if not isinstance(value, datetime):
            raise self.fail(f"must be a datetime.datetime, got {value!r}")
        problem = datetime_problem(value)
        if problem:
            raise self.fail(problem)
        self.store(instance, value)


def tag_list_problem(value: Any) -> str | None:
    """Why ``value`` is not a non-empty list of tags (strings, mappings or SensorTags), or None.

    >>> tag_list_problem(["TAG 1", {"name": "TAG 2", "asset": "a"}]) is None
    True
    >>> tag_list_problem([])
    'Requires setting a non-empty list of strings'
    >>> tag_list_problem(["ok", 42])
    'item [1] must be a tag name, a mapping with a name, or a SensorTag, got 42'
    """
    if not isinstance(value, list | tuple) or not value:
        return "Requires setting a non-empty list of strings"
    for i, tag in enumerate(value):
        if isinstance(tag, str) and tag.strip():
            continue
        if isinstance(tag, Mapping) and tag.get("name"):
            continue
        if not isinstance(tag, str | Mapping) and isinstance(getattr(tag, "name", None), str):
            continue
        return f"item [{i}] must be a tag name, a mapping with a name, or a SensorTag, got {tag!r}"
    return None


class ValidTagList(BaseDescriptor):
    """A non-empty list of tags: strings, mappings with a ``name``, or SensorTags."""

    def __set__(self, instance: Any, value: Any) -> None:
        problem = tag_list_problem(value)
        if problem:
            raise self.fail(problem)
        self.store(instance, value)


def dataset_kwargs_problems(kwargs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(key, problem)`` pairs for dataset keyword arguments (tags, dates, resolution).

    >>> dataset_kwargs_problems({"tags": ["a"], "resolution": 10,
    ...     "train_start_date": "2020-02-01T00:00:00Z", "train_end_date": "2020-01-01T00:00:00Z"})
    ... # doctest: +NORMALIZE_WHITESPACE
    [('resolution', 'must be a pandas frequency string such as 10T, got 10'),
     ('train_end_date', 'must be after train_start_date (2020-02-01T00:00:00+00:00), got 2020-01-01T00:00:00+00:00')]
    """
    problems: list[tuple[str, str]] = []
    tag_key = "tags" if "tags" in kwargs else "tag_list"
    if tag_key not in kwargs:
        problems.append(("tags", "is required: a non-empty list of tags"))
    elif problem := tag_list_problem(kwargs[tag_key]):
        problems.append((tag_key, problem))
    target = kwargs.get("target_tag_list")
    if target not in (None, []):
        problem = tag_list_problem(target)
        if problem:
            problems.append(("target_tag_list", problem))
    resolution = kwargs.get("resolution")
    if resolution not in (None, False) and not isinstance(resolution, str):
        problems.append(
            ("resolution", f"must be a pandas frequency string such as 10T, got {resolution!r}")
        )
    dates = {}
    for key, legacy in (("train_start_date", "from_ts"), ("train_end_date", "to_ts")):
        written = legacy if legacy in kwargs else key  # the legacy name wins, as in the dataset
        if written not in kwargs:
            problems.append((key, "is required"))
            continue
        problem = datetime_problem(kwargs[written])
        if problem:
            problems.append((written, problem))
        else:
            dates[key] = parse_datetime(kwargs[written])
    if len(dates) == 2 and dates["train_start_date"] >= dates["train_end_date"]:
        start, end = (dates[key].isoformat() for key in ("train_start_date", "train_end_date"))
        problems.append(("train_end_date", f"must be after train_start_date ({start}), got {end}"))
    return problems


class ValidDatasetKwargs(BaseDescriptor):
    """Dataset keyword arguments: a valid tag list, tz-aware ordered dates, a string resolution."""

    def __set__(self, instance: Any, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise self.fail(f"must be a mapping of dataset arguments, got {value!r}")
        problems = dataset_kwargs_problems(value)
        if problems:
            raise self.fail("; ".join(f"{key}: {msg}" for key, msg in problems))
        self.store(instance, value)


class ValidDataset(BaseDescriptor):
    """A dataset object (``gordo.dataset.datasets.GordoBaseDataset`` subclass)."""

    def __set__(self, instance: Any, value: Any) -> None:
        from gordo.dataset.datasets import GordoBaseDataset

        if not isinstance(value, GordoBaseDataset):
            raise self.fail(f"must be a GordoBaseDataset, got {type(value).__name__}")
        self.store(instance, value)


class ValidDataProvider(BaseDescriptor):
    """A data provider: an object with a callable ``load_series``."""

    def __set__(self, instance: Any, value: Any) -> None:
        if not callable(getattr(value, "load_series", None)):
            raise self.fail(f"must be a data provider (with load_series), got {value!r}")
        self.store(instance, value)


class ValidMetadata(BaseDescriptor):
    """None, a dict, or a ``gordo.machine.metadata.Metadata``."""

    def __set__(self, instance: Any, value: Any) -> None:
        from gordo.machine.metadata import Metadata

        if value is not None and not isinstance(value, dict | Metadata):
            raise self.fail(f"must be a dict or Metadata, got {type(value).__name__}")
        self.store(instance, value)


class ValidModel(BaseDescriptor):
    """A non-empty model definition (dict or import path) that the serializer can build.

    The definition is checked with ``gordo.serializer.check_definition`` (imports
    within the allow-list and parameter names; nothing is called).
    """

    def __set__(self, instance: Any, value: Any) -> None:
        from gordo import serializer

        if not value or not isinstance(value, dict | str):
            raise self.fail(f"model is empty or not a definition (dict or str), got {value!r}")
        try:
            serializer.check_definition(value)
        except Exception as exc:
            raise self.fail(f"Pipeline from definition failed: {exc}") from exc
        self.store(instance, value)


def reporters_problem(reporters: Any) -> str | None:
    """Why ``reporters`` is not a list of import paths or ``{path: kwargs}`` mappings under
    the allow-list, or None (nothing is imported; the build imports the classes).

    >>> postgres = "gordo.reporters.postgres.PostgresReporter"
    >>> reporters_problem([postgres, {postgres: {"host": "h"}}]) is None
    True
    >>> reporters_problem("a.B")
    "must be a list of reporter definitions, got 'a.B'"
    >>> reporters_problem(["subprocess.Popen"])  # doctest: +ELLIPSIS
    "item [0]: 'subprocess.Popen' is not allowed: ..."
    """
    from gordo.exceptions import DefinitionNotAllowedError
    from gordo.serializer.allow_list import check_allowed

    if not isinstance(reporters, list):
        return f"must be a list of reporter definitions, got {reporters!r}"
    for i, item in enumerate(reporters):
        if not (isinstance(item, str) or (isinstance(item, Mapping) and len(item) == 1)):
            return f"item [{i}] must be an import path or a {{path: kwargs}} mapping, got {item!r}"
        path = item if isinstance(item, str) else next(iter(item))
        try:
            check_allowed(path)
        except DefinitionNotAllowedError as exc:
            return f"item [{i}]: {exc}"
    return None


class ValidMachineRuntime(BaseDescriptor):
    """A runtime dict: resources fixed by :func:`fix_runtime`, ``reporters`` a list (default []).

    Server resources are not required: a machine without a runtime is valid.
    """

    def __set__(self, instance: Any, value: Any) -> None:
        if not isinstance(value, dict):
            raise self.fail(f"must be a dict, got {type(value).__name__}")
        value = fix_runtime(value)
        value.setdefault("reporters", [])
        problem = reporters_problem(value["reporters"])
        if problem:
            raise self.fail(f"reporters: {problem}")
        self.store(instance, value)


_RESOURCE_KINDS = ("memory", "cpu")


def resource_problems(resources: Any) -> list[tuple[str, str]]:
    """``(key path, problem)`` pairs for a ``resources`` mapping; integers are required.

    >>> resource_problems({"requests": {"memory": "321M"}})
    [('requests.memory', "Resource descriptions must be integers, and '321M' is not.")]
    """
    if not isinstance(resources, Mapping):
        return [("", f"must be a mapping with requests/limits, got {resources!r}")]
    problems = []
    for side in ("requests", "limits"):
        values = resources.get(side)
        if values is None:
            continue
        if not isinstance(values, Mapping):
            problems.append((side, f"must be a mapping of memory/cpu, got {values!r}"))
            continue
        for kind in _RESOURCE_KINDS:
            if kind in values:
                v = values[kind]
                if not isinstance(v, int) or isinstance(v, bool):
                    msg = f"Resource descriptions must be integers, and '{v}' is not."
                    problems.append((f"{side}.{kind}", msg))
    return problems


def fix_resource_limits(resources: dict) -> dict:
    """A copy of ``resources`` where each limit below its request is raised to the request.

    Memory is in megabytes and cpu in millicores; both must be integers.

    >>> fix_resource_limits({"requests": {"cpu": 10}, "limits":{"cpu":9}})
    {'requests': {'cpu': 10}, 'limits': {'cpu': 10}}
    >>> fix_resource_limits({"requests": {"cpu": 10}})
    {'requests': {'cpu': 10}}
    >>> fix_resource_limits({"requests": {"memory": "321M"}})
    Traceback (most recent call last):
    ...
    ValueError: Resource descriptions must be integers, and '321M' is not.
    """
    problems = resource_problems(resources)
    if problems:
        raise ValueError(problems[0][1])
    fixed = copy.deepcopy(resources)
    requests, limits = fixed.get("requests") or {}, fixed.get("limits") or {}
    for kind in _RESOURCE_KINDS:
        if kind in requests and kind in limits and requests[kind] > limits[kind]:
            logger.warning(
                "Resource limit %s=%s is below the request %s; raising the limit to the request",
                kind,
                limits[kind],
                requests[kind],
            )
            limits[kind] = requests[kind]
    return fixed


def fix_runtime(runtime_dict: dict) -> dict:
    """A copy of a runtime dict with :func:`fix_resource_limits` applied to every entry's resources.

    >>> fix_runtime({"builder": {"resources": {"requests": {"memory": 121}, "limits": {"memory": 120}}}})
    {'builder': {'resources': {'requests': {'memory': 121}, 'limits': {'memory': 121}}}}
    """
    fixed = copy.deepcopy(runtime_dict)
    for key, entry in fixed.items():
        if isinstance(entry, dict) and "resources" in entry:
            try:
                entry["resources"] = fix_resource_limits(entry["resources"])
            except ValueError as exc:
                raise ValueError(f"{key}.resources: {exc}") from exc
    return fixed
