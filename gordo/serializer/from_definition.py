"""Build estimators from their definitions: ``{import.path: {params}}`` or a bare import path.

A definition is what the ``model`` key of a machine holds:

- a bare import path, ``sklearn.preprocessing.MinMaxScaler``, builds the class with no arguments;
- a mapping with one key, ``{import.path: {param: value}}``, builds it with those parameters.

Parameter values are definitions too, wherever one fits (``base_estimator``,
``estimator``, ``transformer``, ``regressor``, Pipeline ``steps``, ...): a
one-key mapping whose key is an import path is built; a string that is an import
path resolves to the object (an estimator class is built with no arguments, a
function such as FunctionTransformer's ``func`` is returned as is). Pipeline and
FeatureUnion accept their steps as a plain list, named ``step_0``, ``step_1``, ...
A class with a ``from_definition`` classmethod receives its raw parameters and
builds itself (gordo's Keras wrappers do). Import paths get the compatibility
aliases of :mod:`gordo.serializer.import_paths`.

>>> import yaml
>>> raw_config = '''
... sklearn.pipeline.Pipeline:
...     steps:
...         - sklearn.decomposition.PCA:
...             n_components: 3
...         - sklearn.pipeline.FeatureUnion:
...             - sklearn.decomposition.PCA:
...                 n_components: 3
...             - sklearn.pipeline.Pipeline:
...                 - sklearn.preprocessing.MinMaxScaler
...                 - sklearn.decomposition.TruncatedSVD:
...                     n_components: 2
...         - sklearn.ensemble.RandomForestClassifier:
...             max_depth: 3
... '''
>>> config = yaml.safe_load(raw_config)
>>> scikit_learn_pipeline = from_definition(config)
>>> [name for name, _ in scikit_learn_pipeline.steps]
['step_0', 'step_1', 'step_2']
>>> scikit_learn_pipeline.steps[1][1].transformer_list[1][1].steps[1][1]
TruncatedSVD()
>>> from_definition({"sklearn.compose.TransformedTargetRegressor": {
...     "regressor": "sklearn.linear_model.LinearRegression",
...     "func": "numpy.log1p", "inverse_func": "numpy.expm1"}})
TransformedTargetRegressor(func=<ufunc 'log1p'>, inverse_func=<ufunc 'expm1'>,
                           regressor=LinearRegression())
>>> from_definition({"sklearn.decomposition.PCA": {"n_componets": 2}})
Traceback (most recent call last):
...
gordo.exceptions.DefinitionParameterError: sklearn.decomposition.PCA does not take \
parameter 'n_componets' (did you mean 'n_components'?); valid parameters: copy, ...
"""

from __future__ import annotations

import contextvars
import copy
import difflib
import functools
import inspect
from collections.abc import Mapping
from typing import Any

from gordo.exceptions import (
    ConfigException,
    DefinitionImportError,
    DefinitionNotAllowedError,
    DefinitionParameterError,
)
from gordo.serializer.import_paths import candidate_paths, import_locate, is_import_path
from gordo.util.extras import is_installed

__all__ = [
    "check_definition",
    "definition_problems",
    "from_definition",
    "import_locate",
    "load_params_from_definition",
]

#: Parameter names holding a list of steps, per class, when the parameters are a plain list.
_STEP_LIST_PARAMS = {"Pipeline": "steps", "FeatureUnion": "transformer_list"}
_STEP_MARKERS = ("passthrough", "drop")
#: Problems collected by definition_problems (None: raise the first).
_collected: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "gordo_definition_problems", default=None
)


def from_definition(pipe_definition: str | Mapping[str, Any]) -> Any:
    """Construct an estimator (Pipeline, FeatureUnion or any class) from a definition.

    Raises DefinitionImportError for an import path that does not resolve,
    DefinitionParameterError for a parameter the class does not take, and
    ConfigException for a definition of the wrong shape.

    >>> from_definition("sklearn.preprocessing.MinMaxScaler")
    MinMaxScaler()
    >>> from_definition({"sklearn.preprocessing.MinMaxScaler": {"feature_range": [-1, 1]}})
    MinMaxScaler(feature_range=(-1, 1))
    """
    return _build(pipe_definition, "")


def check_definition(definition: str | Mapping[str, Any]) -> None:
    """Check a definition as :func:`from_definition` would build it, without calling anything.

    Every import path is resolved (within the allow-list) and every parameter
    name checked against the signature of the class or function it is passed
    to; nothing named in the definition is called. A class with a
    ``check_definition`` classmethod checks its own raw parameters (gordo's
    Keras wrappers check their ``kind`` and training settings). Raises the
    errors :func:`from_definition` raises.

    >>> check_definition({"sklearn.decomposition.PCA": {"n_components": 2}})
    >>> check_definition({"sklearn.decomposition.PCA": {"n_component": 2}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gordo.exceptions.DefinitionParameterError: sklearn.decomposition.PCA does not take \
parameter 'n_component' (did you mean 'n_components'?); ...
    """
    _build(definition, "", build=False)


def definition_problems(definition: str | Mapping[str, Any]) -> list[str]:
    """Every problem :func:`check_definition` finds, one message each; [] if none.

    A problem in one parameter value does not hide those of the others.

    >>> definition_problems({"sklearn.pipeline.Pipeline": {"steps": [
    ...     "sklearn.preprocessing.MinMaxScalr", "sklearn.decomposition.PCX"]}})  # doctest: +ELLIPSIS
    ["Cannot import 'sklearn.preprocessing.MinMaxScalr': ...", "Cannot import 'sklearn.decomposition.PCX': ..."]
    """
    problems: list[str] = []
    token = _collected.set(problems)
    try:
        _build(definition, "", build=False)
    except (ConfigException, DefinitionImportError) as exc:
        problems.append(str(exc))
    finally:
        _collected.reset(token)
    return problems


def load_params_from_definition(definition: Mapping) -> dict:
    """Deserialize each value of ``definition``; e.g. to prepare kwargs for a method.

    >>> load_params_from_definition({"scaler": "sklearn.preprocessing.MinMaxScaler", "n": 3})
    {'scaler': MinMaxScaler(), 'n': 3}
    """
    if not isinstance(definition, Mapping):
        raise ConfigException(f"Expected a mapping of parameters, got {definition!r}")
    return {key: _load_value(value, key) for key, value in definition.items()}


def _build(definition: Any, where: str, build: bool = True) -> Any:
    """Build one definition: a bare import path or a one-key mapping.

    With ``build=False`` only check it: the classes are returned, not called.
    """
    if isinstance(definition, str):
        return _construct(definition, {}, where, build)
    if isinstance(definition, Mapping) and len(definition) == 1:
        ((path, params),) = definition.items()
        if isinstance(path, str):
            return _construct(path, params, where, build)
    raise ConfigException(
        f"Invalid model definition{_at(where)}: expected an import path or a mapping "
        f"{{import.path: {{params}}}} with one key, got {definition!r}"
    )


def _construct(path: str, params: Any, where: str, build: bool = True) -> Any:
    """Build the object at ``path`` from its (raw) ``params`` (``build=False``: only check)."""
    target = _locate(path, where)
    params = {} if params is None else params
    if isinstance(target, type) and callable(getattr(target, "from_definition", None)):
        if not build:
            return _check_self_building(target, path, params, where)
        try:
            return target.from_definition(_plain_copy(params))
        except TypeError as exc:
            raise DefinitionParameterError(f"Cannot create {path}{_at(where)}: {exc}") from exc
    if isinstance(params, list):
        step_param = _step_list_param(target)
        if step_param is None:
            raise ConfigException(
                f"Parameters of {path}{_at(where)} must be a mapping, got a list {params!r}"
            )
        params = {step_param: params}
    if not isinstance(params, Mapping):
        raise ConfigException(f"Parameters of {path}{_at(where)} must be a mapping, got {params!r}")
    if not callable(target):
        raise ConfigException(f"{path}{_at(where)} is not a class or function, cannot build it")
    signature = _signature(target)
    _check_parameter_names(path, target, params, signature, where)
    kwargs = {
        key: _load_value(
            value, _join(where, path, key), _expected_type(target, signature, key), build
        )
        for key, value in params.items()
    }
    if not build:
        return target
    step_param = _step_list_param(target)
    if step_param is not None and isinstance(kwargs.get(step_param), list):
        kwargs[step_param] = _name_steps(kwargs[step_param])
    try:
        return target(**kwargs)
    except TypeError as exc:
        raise DefinitionParameterError(f"Cannot create {path}{_at(where)}: {exc}") from exc


def _load_value(
    value: Any,
    where: str,
    expected_type: type | None = None,
    build: bool = True,
) -> Any:
    """Deserialize one parameter value: nested definitions are built, the rest kept.

    When only checking for :func:`definition_problems`, a problem is collected
    (and None returned) so that the other values are checked too.
    """
    try:
        return _value(value, where, expected_type, build)
    except (ConfigException, DefinitionImportError) as exc:
        collected = _collected.get()
        if build or collected is None:
            raise
        collected.append(str(exc))
        return None


def _value(value: Any, where: str, expected_type: type | None, build: bool) -> Any:
    if isinstance(value, str):
        if not _names_importable_module(value):
            return value
        target = _locate(value, where)
        if _is_estimator_class(target):
            return _construct(value, {}, where, build)
        return target
    if isinstance(value, Mapping):
        if len(value) == 1:
            ((key, params),) = value.items()
            if (
                isinstance(params, Mapping | list | type(None))
                and isinstance(key, str)
                and _names_importable_module(key)
            ):
                return _construct(key, params, where, build)
        return {
            key: _load_value(item, f"{where}.{key}", build=build) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        items = [_load_value(item, f"{where}[{i}]", build=build) for i, item in enumerate(value)]
        items = [_as_named_pair(item) for item in items]
        if isinstance(value, tuple) or expected_type is tuple:
            return tuple(items)
        return items
    return value


def _check_self_building(target: type, path: str, params: Any, where: str) -> type:
    """Check the raw parameters of a class that builds itself; nested definitions too."""
    check = getattr(target, "check_definition", None)
    if callable(check):
        try:
            check(_plain_copy(params))
        except (DefinitionParameterError, DefinitionNotAllowedError, DefinitionImportError) as exc:
            if not where:
                raise
            raise type(exc)(f"{exc}{_at(where)}") from exc
    if isinstance(params, Mapping):
        for key, value in params.items():
            _load_value(value, _join(where, path, key), build=False)
    return target


def _plain_copy(value: Any) -> Any:
    """A deep copy with every mapping a dict, for classes that build themselves."""
    if isinstance(value, Mapping):
        return {key: _plain_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_copy(item) for item in value]
    return copy.deepcopy(value)


def _locate(path: str, where: str) -> Any:
    """``import_locate(path)``, naming the place in the definition on failure."""
    try:
        return import_locate(path)
    except (DefinitionImportError, DefinitionNotAllowedError) as exc:
        if not where:
            raise
        raise type(exc)(f"{exc}{_at(where)}") from exc


def _names_importable_module(value: str) -> bool:
    """Whether ``value`` is an import path whose top-level package exists (aliases applied)."""
    if not is_import_path(value):
        return False
    return any(is_installed(path.split(".", 1)[0]) for path in candidate_paths(value))


def _is_estimator_class(target: Any) -> bool:
    return isinstance(target, type) and (
        hasattr(target, "get_params") or hasattr(target, "from_definition")
    )


def _as_named_pair(item: Any) -> Any:
    """``[name, estimator, ...]`` (as YAML gives it) -> the tuple scikit-learn expects."""
    if (
        isinstance(item, list)
        and len(item) in (2, 3)
        and isinstance(item[0], str)
        and (
            hasattr(item[1], "get_params")
            or (isinstance(item[1], str) and item[1] in _STEP_MARKERS)
        )
    ):
        return tuple(item)
    return item


def _name_steps(steps: list) -> list:
    """Give unnamed steps the names ``step_<i>``; named ``(name, step)`` pairs keep theirs."""
    return [
        step if isinstance(step, tuple) else (f"step_{i}", step) for i, step in enumerate(steps)
    ]


def _step_list_param(target: Any) -> str | None:
    if not isinstance(target, type):
        return None
    if isinstance(getattr(target, "step_list_param", None), str):
        return target.step_list_param
    for cls in target.__mro__:
        if cls.__module__.startswith("sklearn.") and cls.__name__ in _STEP_LIST_PARAMS:
            return _STEP_LIST_PARAMS[cls.__name__]
    return None


def _signature(target: Any) -> inspect.Signature | None:
    try:
        return _cached_signature(target)
    except TypeError:  # unhashable callables
        return _uncached_signature(target)


@functools.lru_cache(maxsize=1024)
def _cached_signature(target: Any) -> inspect.Signature | None:
    return _uncached_signature(target)


def _uncached_signature(target: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):  # some builtins have no signature
        return None


def _check_parameter_names(
    path: str, target: Any, params: dict, signature: inspect.Signature | None, where: str
) -> None:
    if signature is None:
        return
    accepted = signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        return
    valid = [
        name
        for name, p in accepted.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    unknown = [key for key in params if key not in valid]
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(str(key), valid, n=1)
        hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    noun = "parameter" if len(unknown) == 1 else "parameters"
    raise DefinitionParameterError(
        f"{path}{_at(where)} does not take {noun} {', '.join(hints)}; "
        f"valid parameters: {', '.join(sorted(valid)) or '(none)'}"
    )


def _expected_type(target: Any, signature: inspect.Signature | None, key: str) -> type | None:
    """``tuple`` if parameter ``key`` of ``target`` must be a tuple (YAML only gives lists)."""
    constraints = getattr(target, "_parameter_constraints", {}).get(key, [])
    if not isinstance(constraints, list):  # e.g. "no_validation"
        constraints = []
    if tuple in constraints and list not in constraints and "array-like" not in constraints:
        return tuple
    if signature is not None and key in signature.parameters:
        if isinstance(signature.parameters[key].default, tuple):
            return tuple
    return None


def _join(where: str, path: str, key: str) -> str:
    return f"{where}.{key}" if where else f"{path}.{key}"


def _at(where: str) -> str:
    return f" (at {where})" if where else ""
