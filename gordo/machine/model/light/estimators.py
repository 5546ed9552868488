"""Light twins of fitted estimators: the same predictions, computed in numpy, without scikit-learn.

:func:`light_model` turns the :class:`~gordo.machine.model.light.unpickle.Stub`
tree of an unpickled model into these classes, or raises :class:`Unsupported`
when any part has no twin here (the caller then loads the model for real).
Each twin repeats its original's arithmetic step for step (same dtypes, same
in-place operations), so the results are equal, not merely close; the tests
compare them with the originals.

Twins exist for ``Pipeline``, ``MinMaxScaler``, ``StandardScaler``,
``TransformedTargetRegressor`` (with a transformer), the Keras estimators whose
model is a stack of Dense layers or of LSTM then Dense layers, and the diff-based
anomaly detectors.

>>> scaler = LightMinMaxScaler({"scale_": np.array([0.5]), "min_": np.array([-1.0]),
...                             "n_features_in_": 1})
>>> scaler.transform(np.array([[4.0]])).tolist()
[[1.0]]
>>> scaler.inverse_transform(np.array([[1.0]])).tolist()
[[4.0]]
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gordo.machine.model import numpy_inference
from gordo.machine.model.anomaly.scoring import DiffScoring
from gordo.machine.model.checks import checked_input
from gordo.machine.model.light.unpickle import Stub
from gordo.machine.model.windows import window_input

_FLOAT_DTYPES = (np.dtype("float64"), np.dtype("float32"), np.dtype("float16"))


class Unsupported(Exception):
    """A part of a model has no light twin; the model must be loaded for real."""


@functools.cache
def sklearn_version() -> str | None:
    """The installed scikit-learn's version, or None; read without importing it.

    The ``__version__`` literal of its ``__init__.py`` (reading package metadata
    costs more than the rest of a small build's imports), else the metadata.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    literal = re.search(r"^__version__ = [\"']([^\"']+)[\"']", Path(spec.origin).read_text(), re.M)
    if literal:
        return literal.group(1)
    from importlib import metadata

    return metadata.version("scikit-learn")


def float_rows(X: Any) -> tuple[np.ndarray, list[str] | None]:
    """A float copy of ``X`` as scikit-learn's checks make it, and its column names (if all str)."""
    names = None
    if isinstance(X, pd.DataFrame):
        if all(isinstance(c, str) for c in X.columns):
            names = list(X.columns)
        array = X.to_numpy()
    else:
        array = np.asarray(X)
    array = array.astype("float64") if array.dtype not in _FLOAT_DTYPES else array.copy(order="K")
    if array.ndim != 2:
        raise ValueError(f"Expected 2D array, got {array.ndim}D array instead")
    if np.isinf(array).any():
        raise ValueError(f"Input X contains infinity or a value too large for {array.dtype!r}.")
    return array, names


class _LightScaler:
    """A fitted per-feature affine scaler (the state of its scikit-learn original)."""

    name = "scaler"

    def __init__(self, state: dict[str, Any]) -> None:
        self.n_features_in_ = int(state["n_features_in_"])
        names = state.get("feature_names_in_")
        self.feature_names_in_ = None if names is None else [str(n) for n in names]

    def _input(self, X: Any) -> np.ndarray:
        """``X`` checked like scikit-learn's ``validate_data(reset=False)``."""
        array, names = float_rows(X)
        if self.feature_names_in_ is not None and names is not None:
            if names != self.feature_names_in_:
                raise ValueError(
                    "The feature names should match those that were passed during fit: "
                    f"got {names}, fitted with {self.feature_names_in_}"
                )
        if array.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {array.shape[1]} features, but {self.name} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return array


class LightMinMaxScaler(_LightScaler):
    """``sklearn.preprocessing.MinMaxScaler`` after fitting: ``X * scale_ + min_`` (then clipped)."""

    name = "MinMaxScaler"

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__(state)
        self.scale_, self.min_ = state["scale_"], state["min_"]
        self.clip = bool(state.get("clip", False))
        self.feature_range = state.get("feature_range", (0, 1))

    def transform(self, X: Any) -> np.ndarray:
        X = self._input(X)
        X *= self.scale_
        X += self.min_
        if self.clip:
            low, high = (np.asarray(v, dtype=X.dtype) for v in self.feature_range)
            np.clip(X, low, high, out=X)
        return X

    def inverse_transform(self, X: Any) -> np.ndarray:
        X = float_rows(X)[0]
        X -= self.min_
        X /= self.scale_
        return X


class LightStandardScaler(_LightScaler):
    """``sklearn.preprocessing.StandardScaler`` after fitting: ``(X - mean_) / scale_``."""

    name = "StandardScaler"

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__(state)
        self.mean_, self.scale_ = state.get("mean_"), state.get("scale_")
        self.with_mean = bool(state.get("with_mean", True))
        self.with_std = bool(state.get("with_std", True))

    def transform(self, X: Any) -> np.ndarray:
        X = self._input(X)
        if self.with_mean:
            X -= self.mean_.astype(X.dtype)
        if self.with_std:
            X /= self.scale_.astype(X.dtype)
        return X

    def inverse_transform(self, X: Any) -> np.ndarray:
        X = float_rows(X)[0]
        if self.with_std:
            X *= self.scale_.astype(X.dtype)
        if self.with_mean:
            X += self.mean_.astype(X.dtype)
        return X


class LightPipeline:
    """``sklearn.pipeline.Pipeline``: each step's ``transform``, then the last one's ``predict``."""

    def __init__(self, state: dict[str, Any]) -> None:
        steps = [step for _, step in state["steps"] if step is not None and step != "passthrough"]
        if not steps or isinstance(state["steps"][-1][1], str | type(None)):
            raise Unsupported("a Pipeline whose last step is 'passthrough'")
        self.steps = [light_model(step) for step in steps]
        for step in self.steps[:-1]:
            if not hasattr(step, "transform"):
                raise Unsupported(f"a Pipeline step without transform: {type(step).__name__}")
        if not hasattr(self.steps[-1], "predict"):
            raise Unsupported("a Pipeline whose last step cannot predict")

    def predict(self, X: Any) -> np.ndarray:
        for step in self.steps[:-1]:
            X = step.transform(X)
        return self.steps[-1].predict(X)


class LightTargetRegressor:
    """``sklearn.compose.TransformedTargetRegressor``: the regressor's output, inverse-transformed."""

    def __init__(self, state: dict[str, Any], parts: Callable[[Any], Any] | None = None) -> None:
        """``parts`` turns the fitted regressor and transformer of ``state`` into objects that
        predict and inverse-transform (default :func:`light_model`, for stubs)."""
        if state.get("transformer") is None:
            raise Unsupported("a TransformedTargetRegressor with func/inverse_func")
        parts = parts or light_model
        self.regressor_ = parts(state["regressor_"])
        self.transformer_ = parts(state["transformer_"])
        if not hasattr(self.transformer_, "inverse_transform"):
            raise Unsupported("a TransformedTargetRegressor transformer without inverse_transform")
        self._training_dim = state["_training_dim"]

    def predict(self, X: Any) -> np.ndarray:
        pred = self.regressor_.predict(X)
        pred = self.transformer_.inverse_transform(pred.reshape(-1, 1) if pred.ndim == 1 else pred)
        if self._training_dim == 1 and pred.ndim == 2 and pred.shape[1] == 1:
            pred = pred.squeeze(axis=1)
        return pred


class LightDenseModel:
    """A fitted Keras estimator of gordo whose model is a stack of Dense layers, in numpy."""

    def __init__(self, state: dict[str, Any], name: str) -> None:
        plan = numpy_inference.plan_from_state(state.get("model_") or {})
        if plan is None:
            raise Unsupported(f"a {name} whose model has no numpy forward pass")
        self.name, self.plan = name, plan
        self.n_features_in_ = int(state["n_features_in_"])

    def predict(self, X: Any) -> np.ndarray:
        return self.plan.predict(checked_input(X, self.n_features_in_, self.name))


class LightWindowModel(LightDenseModel):
    """A fitted LSTM estimator of gordo: windows of ``lookback_window`` rows through its plan."""

    def __init__(self, state: dict[str, Any], name: str, lookahead: int) -> None:
        super().__init__(state, name)
        self.lookback_window, self.lookahead = int(state["lookback_window"]), lookahead

    def predict(self, X: Any) -> np.ndarray:
        rows = checked_input(X, self.n_features_in_, self.name)
        return self.plan.predict(
            window_input(rows, self.lookback_window, self.lookahead, self.name)
        )


class LightDiffDetector(DiffScoring):
    """A fitted diff-based anomaly detector: its base estimator and scaler as light twins."""

    def __init__(self, state: dict[str, Any], name: str) -> None:
        self.__dict__.update(state)
        self.name = name
        self.base_estimator = light_model(state["base_estimator"])
        self.scaler = light_model(state["scaler"])
        if not hasattr(self.scaler, "transform"):
            raise Unsupported(f"a {name} scaler without transform")

    @property
    def _owner(self) -> str:
        return self.name

    def _scale(self, values: np.ndarray) -> np.ndarray:
        return self.scaler.transform(values)

    def predict(self, X: Any) -> np.ndarray:
        return self.base_estimator.predict(X)


_MODELS = "gordo.machine.model.models."
_ANOMALY = "gordo.machine.model.anomaly.diff."
_twin = functools.partial
#: The twin of each class, by the import path pickle records for it.
TWINS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "sklearn.pipeline.Pipeline": LightPipeline,
    "sklearn.preprocessing._data.MinMaxScaler": LightMinMaxScaler,
    "sklearn.preprocessing._data.StandardScaler": LightStandardScaler,
    "sklearn.compose._target.TransformedTargetRegressor": LightTargetRegressor,
    **{
        _MODELS + name: _twin(LightDenseModel, name=name)
        for name in ("KerasAutoEncoder", "KerasRawModelRegressor")
    },
    **{
        _MODELS + name: _twin(LightWindowModel, name=name, lookahead=lookahead)
        for name, lookahead in (("KerasLSTMAutoEncoder", 0), ("KerasLSTMForecast", 1))
    },
    **{
        _ANOMALY + name: _twin(LightDiffDetector, name=name)
        for name in ("DiffBasedAnomalyDetector", "DiffBasedKFCVAnomalyDetector")
    },
}


def light_model(obj: Any) -> Any:
    """The light twin of the stub ``obj``; :class:`Unsupported` if it (or a part) has none."""
    if not isinstance(obj, Stub):
        raise Unsupported(f"a {type(obj).__name__} object where an estimator was expected")
    twin = TWINS.get(obj.path)
    if twin is None:
        raise Unsupported(f"{obj.path} has no light twin")
    state = obj.state
    if not isinstance(state, dict):
        raise Unsupported(f"{obj.path} pickled without a state dict")
    if state.get("_sklearn_version", sklearn_version()) != sklearn_version():
        raise Unsupported(f"{obj.path} was pickled by scikit-learn {state['_sklearn_version']}")
    output = state.get("_sklearn_output_config") or {}
    if any(v not in (None, "default") for v in output.values()):
        raise Unsupported(f"{obj.path} has set_output({output})")
    try:
        return twin(state)
    except (KeyError, TypeError, AttributeError) as exc:
        raise Unsupported(f"{obj.path}: unexpected state ({exc!r})") from exc
