"""Checks of a whole project config that report EVERY problem, one line each.

Each line names the machine (index and name) and the key path, e.g.
``machines[3] 'pump-12': dataset.train_end_date: must be timezone-aware (...)``.
:func:`check_project` finds the problems that can be seen in the config
itself; :class:`ProblemCollector` gathers the errors raised while machines are
built. Both are used by ``NormalizedConfig`` and by ``gordo config validate``.

>>> config = {"machines": [
...     {"name": "Pump_1", "dataset": {"tags": [], "train_start_date": "2020-01-01T00:00:00",
...      "train_end_date": "2020-02-01T00:00:00+00:00", "data_provider": {"type": "RandomDataProvider"}},
...      "model": "sklearn.decomposition.PCA"},
...     {"name": "pump-2", "model": "sklearn.decomposition.PCX"}]}
>>> for line in check_project(config, "my-project"): print(line)  # doctest: +ELLIPSIS
machines[0] 'Pump_1': name: 'Pump_1' is not a valid Gordo url value. Only lower-case alphanumeric with dashes allowed.
machines[0] 'Pump_1': dataset.tags: Requires setting a non-empty list of strings
machines[0] 'Pump_1': dataset.train_start_date: must be timezone-aware (add a timezone, e.g. 2020-01-01T00:00:00Z or 2020-01-01T00:00:00+00:00)
machines[1] 'pump-2': dataset: is required (set it on the machine or in globals.dataset)
machines[1] 'pump-2': model: Cannot import 'sklearn.decomposition.PCX': ...
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import inspect
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from gordo.exceptions import ConfigException, ConfigValidationError
from gordo.machine.validators import ValidUrlString, dataset_kwargs_problems
from gordo.serializer.allow_list import CONFIG_KEY, allowed_prefixes, allowing, prefix_problem
from gordo.workflow.config_elements.reference import MACHINE_KEYS, PROJECT_KEYS
from gordo.workflow.config_elements.runtime_schema import runtime_problems
from gordo.workflow.config_elements.sections import SECTIONS, load_section
from gordo.workflow.workflow_generator.helpers import patch_dict

#: Longest Kubernetes name; the server host of a machine is ``gordoserver-<project>-<name>``.
MAX_NAME_LENGTH = 63


def machine_label(index: int, config: Any) -> str:
    """``machines[3] 'pump-12'`` (or ``machines[3]`` when the machine has no usable name)."""
    name = config.get("name") if isinstance(config, Mapping) else None
    return f"machines[{index}] '{name}'" if name else f"machines[{index}]"


def _line(where: str, path: str, message: str) -> str:
    return ": ".join(part for part in (where, path, message) if part)


def plain_config(config: Any) -> dict:
    """The ``{machines, globals}`` part of a project config in either shape.

    A mapping with a ``spec`` key is the Kubernetes ``Gordo`` resource; its
    ``spec.config`` is used and everything else is ignored.

    >>> plain_config({"apiVersion": "equinor.com/v1", "kind": "Gordo", "spec": {"config": {"machines": []}}})
    {'machines': []}
    """
    if not isinstance(config, Mapping):
        raise ConfigValidationError(
            [f"the project config must be a mapping, got {type(config).__name__}"]
        )
    if "spec" in config:
        spec = config["spec"]
        inner = spec.get("config") if isinstance(spec, Mapping) else None
        if not isinstance(inner, Mapping):
            raise ConfigValidationError(
                ["spec.config: must be a mapping with machines and globals"]
            )
        return dict(inner)
    return dict(config)


def model_problems(model: Any) -> list[str]:
    """Problems of a model definition, found without calling anything it names.

    Import paths are resolved within the allow-list and parameter names checked
    against signatures (:func:`gordo.serializer.check_definition`).
    """
    from gordo.serializer.from_definition import definition_problems

    if not isinstance(model, str | Mapping) or (isinstance(model, Mapping) and len(model) != 1):
        return [f"must be an import path or a mapping {{import.path: {{params}}}}, got {model!r}"]
    return definition_problems(model)


#: Marks a section that could not be parsed or has the wrong type (already reported).
_BROKEN = object()


def _sections(config: Mapping, where: str, lines: list[str]) -> dict[str, Any]:
    """``config`` with string sections parsed; a section that fails becomes a problem line.

    A section that fails, or is not a mapping (``model`` may be a string), is
    replaced by ``_BROKEN`` so that it is not checked again.
    """
    loaded = dict(config)
    for section in SECTIONS:
        if section in loaded:
            try:
                loaded[section] = load_section(loaded[section], section)
            except ConfigException as exc:
                lines.append(_line(where, "", str(exc)))
                loaded[section] = _BROKEN
                continue
            value = loaded[section]
            if section != "model" and value is not None and not isinstance(value, Mapping):
                lines.append(
                    _line(where, section, f"must be a mapping, got {type(value).__name__}")
                )
                loaded[section] = _BROKEN
    return loaded


def unknown_keys(config: Mapping, known: Iterable[str], path: str = "") -> list[tuple[str, str]]:
    """``(key path, problem)`` for each key of ``config`` not in ``known``, with a close match.

    >>> unknown_keys({"nmae": "a", "name": "a"}, ["name", "model"])
    [('nmae', "unknown key (did you mean 'name'?)")]
    >>> unknown_keys({"x": 1}, ["machines"], "spec.config")
    [('spec.config.x', 'unknown key; known keys: machines')]
    """
    known = sorted(known)
    problems = []
    for key in config:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; known keys: {', '.join(known)}"
        problems.append((f"{path}.{key}" if path else str(key), f"unknown key{hint}"))
    return problems


def dataset_keys(type_name: Any) -> frozenset[str] | None:
    """The keys a dataset of ``type_name`` takes; None if it takes any (or is unknown).

    >>> sorted(dataset_keys("TimeSeriesDataset"))[:3]
    ['additional_tags', 'aggregation_methods', 'asset']
    """
    if not isinstance(type_name, str | None):
        return None
    return _dataset_keys(type_name, allowed_prefixes())


@functools.lru_cache(maxsize=64)
def _dataset_keys(type_name: str | None, prefixes: tuple[str, ...]) -> frozenset[str] | None:
    from gordo.dataset.base import RENAMED_KEYS
    from gordo.dataset.datasets import LEGACY_KEYS, TimeSeriesDataset
    from gordo.dataset.registry import import_class

    try:
        cls = import_class(type_name or "TimeSeriesDataset", "dataset")
    except (ImportError, AttributeError, ConfigException):
        return None  # reported when the dataset is built
    keys = {"type", *RENAMED_KEYS}
    if isinstance(cls, type) and issubclass(cls, TimeSeriesDataset):
        keys.update(LEGACY_KEYS)  # TimeSeriesDataset takes **kwargs only for these
    for klass in cls.__mro__ if isinstance(cls, type) else ():
        if "__init__" not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        keys.update(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        if not any(p.kind is p.VAR_KEYWORD for p in params) or klass is TimeSeriesDataset:
            return frozenset(keys - {"self"})
    return None


def _dataset_key_problems(dataset: Mapping) -> list[tuple[str, str]]:
    keys = dataset_keys(dataset.get("type"))
    return [] if keys is None else unknown_keys(dataset, keys, "dataset")


def machine_key_problems(machine: Mapping) -> list[str]:
    """Unknown keys of one machine block and of its dataset, as problem lines.

    >>> machine_key_problems({"name": "m", "nmae": "m", "dataset": {"resoluton": "10T"}})
    ... # doctest: +NORMALIZE_WHITESPACE
    ["machines[0] 'm': nmae: unknown key (did you mean 'name'?)",
     "machines[0] 'm': dataset.resoluton: unknown key (did you mean 'resolution'?)"]
    """
    where = machine_label(0, machine)
    problems = unknown_keys(machine, MACHINE_KEYS)
    dataset = load_section(machine.get("dataset"), "dataset")
    if isinstance(dataset, Mapping):
        problems.extend(_dataset_key_problems(dataset))
    return [_line(where, path, msg) for path, msg in problems]


def _dataset_problems(dataset: Mapping, default_data_provider: str | None) -> list[tuple[str, str]]:
    problems = [(f"dataset.{key}", msg) for key, msg in dataset_kwargs_problems(dataset)]
    problems.extend(_dataset_key_problems(dataset))
    provider = dataset.get("data_provider")
    if provider is None and not default_data_provider:
        problems.append(
            ("dataset.data_provider", "is empty. Make sure data_provider.type is also specified.")
        )
    elif provider is not None and not isinstance(provider, Mapping):
        problems.append(
            ("dataset.data_provider", f"must be a mapping with a type, got {provider!r}")
        )
    elif provider is not None and not provider.get("type") and not default_data_provider:
        problems.append(("dataset.data_provider.type", "is empty"))
    return problems


@dataclasses.dataclass
class ProjectProblems:
    """The problems of a project config: ``lines``, and which of them stop machines building.

    ``broken`` holds the indices of machines with a problem in their sections
    (building them would report it again in other words); ``in_project`` is
    true when a problem of the project name, ``globals`` or ``machines`` itself
    keeps the machines from being built (an unknown top-level key does not: the
    machines are still built, so their own problems are listed too).
    """

    lines: list[str] = dataclasses.field(default_factory=list)
    broken: set[int] = dataclasses.field(default_factory=set)
    in_project: bool = False


def check_project(
    config: Any, project_name: str, *, default_data_provider: str | None = None
) -> list[str]:
    """Every problem visible in a project config (either shape), one line each; [] if none.

    Machine sections are merged with ``globals`` before they are checked, as
    NormalizedConfig will merge them.
    """
    return inspect_project(config, project_name, default_data_provider=default_data_provider).lines


def inspect_project(
    config: Any, project_name: str, *, default_data_provider: str | None = None
) -> ProjectProblems:
    """The problems of :func:`check_project`, with the machines they affect."""
    found = ProjectProblems()
    lines = found.lines
    problem = ValidUrlString.problem(project_name)
    if problem:
        lines.append(_line("project_name", "", problem))
        found.in_project = True
    plain = plain_config(config)
    lines.extend(_line(path, "", msg) for path, msg in unknown_keys(plain, PROJECT_KEYS))

    lines.extend(_line(CONFIG_KEY, "", p) for p in allowed_imports_problems(plain))
    with allowing(project_allowed_imports(plain)):
        _check_sections(plain, project_name, default_data_provider, found)
    return found


def project_allowed_imports(plain: Mapping) -> list[str]:
    """The usable entries of a project's ``allowed_imports`` (see gordo.serializer.allow_list).

    >>> project_allowed_imports({"allowed_imports": ["my_pkg", "not valid", 3]})
    ['my_pkg']
    """
    value = plain.get(CONFIG_KEY) or []
    return [p for p in value if prefix_problem(p) is None] if isinstance(value, list) else []


def allowed_imports_problems(plain: Mapping) -> list[str]:
    """Problems of a project's ``allowed_imports``: a list of dotted package names.

    >>> allowed_imports_problems({"allowed_imports": "my_pkg"})
    ["must be a list of package names (e.g. [my_pkg]), got 'my_pkg'"]
    """
    value = plain.get(CONFIG_KEY)
    if value is None:
        return []
    if not isinstance(value, list):
        return [f"must be a list of package names (e.g. [my_pkg]), got {value!r}"]
    return [f"[{i}]: {p}" for i, p in enumerate(map(prefix_problem, value)) if p]


def _check_sections(
    plain: Mapping, project_name: str, default_data_provider: str | None, found: ProjectProblems
) -> None:
    """Add the problems of ``globals`` and of every machine to ``found``."""
    lines = found.lines
    before_globals = len(lines)
    user_globals = plain.get("globals") or {}
    if not isinstance(user_globals, Mapping):
        lines.append(_line("globals", "", "must be a mapping"))
        user_globals = {}
    lines.extend(_line("globals", p, m) for p, m in unknown_keys(user_globals, SECTIONS))
    user_globals = _sections(user_globals, "globals", lines)
    if isinstance(user_globals.get("runtime"), Mapping):
        lines.extend(
            _line("globals", f"runtime.{p}".rstrip("."), m)
            for p, m in runtime_problems(user_globals["runtime"])
        )
    machines = plain.get("machines")
    if not isinstance(machines, list):
        lines.append(_line("machines", "", f"must be a list of machines, got {machines!r}"))
    elif not machines:
        lines.append(_line("machines", "", "must list at least one machine"))
    found.in_project = found.in_project or len(lines) > before_globals
    first_index: dict[str, int] = {}
    for index, machine in enumerate(machines if isinstance(machines, list) else []):
        where = machine_label(index, machine)
        if not isinstance(machine, Mapping):
            lines.append(_line(where, "", f"must be a mapping, got {machine!r}"))
            found.broken.add(index)
            continue
        before = len(lines)
        problems = list(
            _machine_problems(
                machine,
                index,
                project_name,
                user_globals,
                first_index,
                default_data_provider,
                lines,
                where,
            )
        )
        lines.extend(_line(where, path, msg) for path, msg in problems)
        if len(lines) > before:
            found.broken.add(index)


def _machine_problems(
    machine: Mapping,
    index: int,
    project_name: str,
    user_globals: Mapping,
    first_index: dict[str, int],
    default_data_provider: str | None,
    lines: list[str],
    where: str,
) -> Iterator[tuple[str, str]]:
    name = machine.get("name")
    problem = ValidUrlString.problem(name) if name else "is empty"
    if problem:
        yield "name", problem
    elif name in first_index:
        yield "name", f"duplicate of machines[{first_index[name]}]"
    else:
        first_index[name] = index
        host = f"gordoserver-{project_name}-{name}"
        if isinstance(project_name, str) and len(host) > MAX_NAME_LENGTH:
            yield (
                "name",
                (
                    f"the server host name '{host}' has {len(host)} chars, at most {MAX_NAME_LENGTH} "
                    "allowed: shorten the machine or project name"
                ),
            )
    yield from unknown_keys(machine, MACHINE_KEYS)
    machine = _sections(machine, where, lines)

    def usable(section: str) -> bool:
        return machine.get(section) is not _BROKEN and user_globals.get(section) is not _BROKEN

    def part(config: Mapping, section: str) -> Any:
        return config.get(section) or {}

    if usable("dataset"):
        dataset = patch_dict(part(user_globals, "dataset"), part(machine, "dataset"))
        if not dataset:
            yield "dataset", "is required (set it on the machine or in globals.dataset)"
        else:
            yield from _dataset_problems(dataset, default_data_provider)
    if usable("model"):
        model = machine.get("model") or user_globals.get("model")
        if not model:
            yield "model", "model is empty (set it on the machine or in globals.model)"
        else:
            yield from (("model", msg) for msg in model_problems(model))
    if usable("runtime") and machine.get("runtime"):
        own = machine["runtime"]
        for path, msg in runtime_problems(patch_dict(part(user_globals, "runtime"), own)):
            # A problem of the globals is reported once, under globals.
            if path.split(".")[0].split("[")[0] in own:
                yield f"runtime.{path}", msg


class ProblemCollector:
    """Collects errors raised while machines are built, each as one problem line.

    >>> collector = ProblemCollector()
    >>> with collector.machine(0, {"name": "a"}):
    ...     raise ValueError("dataset: boom")
    >>> collector.lines
    ["machines[0] 'a': dataset: boom"]
    >>> collector.raise_if_any()
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigValidationError: 1 problem in the configuration:
      machines[0] 'a': dataset: boom
    """

    def __init__(self, lines: list[str] | None = None):
        self.lines = list(lines or [])

    @contextlib.contextmanager
    def machine(self, index: int, config: Any) -> Iterator[None]:
        """Record an error raised in the block as a problem of machine ``index``."""
        where = machine_label(index, config)
        try:
            yield
        except ConfigValidationError as exc:
            self.lines.extend(_line(where, "", p) for p in exc.problems)
        except (ValueError, TypeError, ImportError, KeyError) as exc:
            self.lines.append(_line(where, "", str(exc)))

    def raise_if_any(self, source: str | None = None) -> None:
        """Raise ConfigValidationError with every line collected, if there is any."""
        if self.lines:
            raise ConfigValidationError(self.lines, source=source)
