"""Turn estimators back into definitions: plain dicts that fit in a YAML config.

The inverse of :func:`gordo.serializer.from_definition`: each estimator becomes
``{import.path: {param: value}}`` from its ``get_params(deep=False)``; nested
estimators become nested definitions, classes and functions their import paths,
tuples lists, and numpy scalars and arrays plain Python values. Pipeline steps
and FeatureUnion transformers are written without their names. An object with
an ``into_definition()`` method describes itself (gordo's Keras wrappers do); it
may return its parameters or a whole ``{import.path: params}`` definition.

>>> import yaml
>>> from sklearn.pipeline import Pipeline
>>> from sklearn.decomposition import PCA
>>> from sklearn.preprocessing import MinMaxScaler
>>> pipe = Pipeline([('pca', PCA(4)), ('scale', MinMaxScaler())])
>>> pipe_definition = into_definition(pipe)  # It is now a standard python dict of primitives.
>>> print(yaml.dump(pipe_definition))
sklearn.pipeline.Pipeline:
  memory: null
  steps:
  - sklearn.decomposition._pca.PCA:
      copy: true
      iterated_power: auto
      n_components: 4
      n_oversamples: 10
      power_iteration_normalizer: auto
      random_state: null
      svd_solver: auto
      tol: 0.0
      whiten: false
  - sklearn.preprocessing._data.MinMaxScaler:
      clip: false
      copy: true
      feature_range:
      - 0
      - 1
  transform_input: null
  verbose: false
<BLANKLINE>
>>> into_definition(pipe, prune_default_params=True)
{'sklearn.pipeline.Pipeline': {'steps': [{'sklearn.decomposition._pca.PCA': {'n_components': 4}}, \
{'sklearn.preprocessing._data.MinMaxScaler': {}}]}}
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from gordo.exceptions import DefinitionParameterError
from gordo.serializer.import_paths import import_path_of, is_import_path

__all__ = ["into_definition", "load_definition_from_params"]

#: Parameter names holding named steps written without their names.
_UNNAMED_STEP_PARAMS = ("steps", "transformer_list")


def into_definition(pipeline: Any, prune_default_params: bool = False) -> dict:
    """Convert an estimator (e.g. a Pipeline) into a definition ``from_definition`` rebuilds.

    With ``prune_default_params`` the parameters equal to the class's defaults
    are left out.
    """
    return _decompose(pipeline, prune_default_params)


def load_definition_from_params(params: dict, prune_default_params: bool = False) -> dict:
    """Recursively decompose each value of ``params`` into its definition.

    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> load_definition_from_params({"func": np.log1p, "regressor": LinearRegression(),
    ...                              "alpha": np.float64(0.5)}, prune_default_params=True)
    {'func': 'numpy.log1p', 'regressor': {'sklearn.linear_model._base.LinearRegression': {}}, \
'alpha': 0.5}
    """
    return {key: _to_definition(value, prune_default_params) for key, value in params.items()}


def _decompose(obj: Any, prune: bool) -> dict:
    path = import_path_of(obj)
    custom = getattr(obj, "into_definition", None)
    if callable(custom):
        described = custom()
        if _is_whole_definition(described):
            return described
        return {path: described}
    if not callable(getattr(obj, "get_params", None)):
        raise DefinitionParameterError(
            f"Cannot write {obj!r} as a definition: it has neither get_params() nor into_definition()"
        )
    params = obj.get_params(deep=False)
    if prune:
        params = _without_defaults(obj, params)
    definition = {}
    for key, value in params.items():
        if key in _UNNAMED_STEP_PARAMS and isinstance(value, list | tuple):
            definition[key] = [_to_definition(_step(item), prune) for item in value]
        else:
            definition[key] = _to_definition(value, prune)
    return {path: definition}


def _to_definition(value: Any, prune: bool) -> Any:
    if hasattr(value, "get_params") and not isinstance(value, type):
        return _decompose(value, prune)
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        path = import_path_of(value)
        if not is_import_path(path):
            raise DefinitionParameterError(
                f"{value!r} cannot be written in a definition: {path!r} is not importable "
                "(use a module-level function or class)"
            )
        return path
    if isinstance(value, dict):
        return {key: _to_definition(item, prune) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_definition(item, prune) for item in value]
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    return value


def _step(item: Any) -> Any:
    """The step of a ``(name, step)`` pair."""
    return item[1] if isinstance(item, list | tuple) and len(item) == 2 else item


def _is_whole_definition(described: Any) -> bool:
    if not (isinstance(described, dict) and len(described) == 1):
        return False
    ((key, params),) = described.items()
    return is_import_path(key) and isinstance(params, dict | type(None))


def _without_defaults(obj: Any, params: dict) -> dict:
    try:
        signature = inspect.signature(type(obj))
    except (TypeError, ValueError):
        return params
    defaults = {
        name: p.default
        for name, p in signature.parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    return {
        key: value
        for key, value in params.items()
        if key not in defaults or not _same(value, defaults[key])
    }


def _same(value: Any, default: Any) -> bool:
    """Equal and of the same type (``1`` is not ``1.0``: sklearn reads them differently)."""
    if value is default:
        return True
    if type(value) is not type(default):
        return False
    if isinstance(value, float) and math.isnan(value) and math.isnan(default):
        return True
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False
