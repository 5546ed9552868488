"""Fitting common models in numpy, without scikit-learn, into the pickle their originals make.

A build spends more time importing scikit-learn (and SciPy) than training a
small autoencoder. The classes here stand in for the originals of the most
common models -- ``Pipeline``, ``MinMaxScaler``, ``TransformedTargetRegressor``
with a transformer, gordo's Keras autoencoder and LSTM estimators whose network
trains without Keras, ``DiffBasedAnomalyDetector`` (not shuffling) -- and for
``TimeSeriesSplit`` and the default metrics, with the same parameters (names,
order and defaults), and fit as they do: the same arithmetic in the same order,
from the same random draws. Once fitted,
they predict through the light twins of :mod:`gordo.machine.model.light.estimators`,
and :meth:`LightEstimator.stub` gives the fitted model as the tree of
:class:`~gordo.machine.model.light.unpickle.Stub` objects that
:func:`~gordo.machine.model.light.writer.stub_dumps` saves as a pickle of the
original classes: the same model, as scikit-learn and gordo load it.

:func:`locate` resolves an import path of a definition to its class here, or
raises :class:`~gordo.machine.model.light.estimators.Unsupported`;
``serializer.from_definition(definition, locate=locate)`` builds a whole model.

>>> import pickle
>>> X = np.random.default_rng(0).random((64, 3))
>>> model = Pipeline([("s", MinMaxScaler()), ("ae", KerasAutoEncoder("feedforward_hourglass"))])
>>> model.fit(X, X).predict(X).shape
(64, 3)
>>> from gordo.machine.model.light.writer import stub_dumps
>>> type(pickle.loads(stub_dumps(model.stub()))).__name__
'Pipeline'
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from gordo.machine.model.anomaly.scoring import DiffScoring
from gordo.machine.model.anomaly.training import DiffTraining
from gordo.machine.model.checks import fit_arrays
from gordo.machine.model.keras_params import (
    FIT_DEFAULTS,
    call_factory,
    check_factory_kwargs,
    resolve_kind,
    train,
    trainer,
)
from gordo.machine.model.light.estimators import (
    LightDenseModel,
    LightMinMaxScaler,
    LightTargetRegressor,
    LightWindowModel,
    Unsupported,
    float_rows,
    sklearn_version,
)
from gordo.machine.model.light.metrics import METRICS
from gordo.machine.model.light.unpickle import Stub, stub_class
from gordo.machine.model.windows import window_input
from gordo.serializer.import_paths import candidate_paths


class LightEstimator:
    """A stand-in for an estimator class: its parameters, ``fit``, and the fitted state.

    ``path`` is the import path pickle records for the original class. A
    subclass's ``__init__`` has the original's signature and stores each
    parameter under its name; ``fit`` sets :attr:`fitted_state`, the
    attributes of the fitted original in their order.
    """

    path: ClassVar[str]
    #: Empty until ``fit`` sets it (an unfitted part is pickled with its parameters only).
    fitted_state: dict[str, Any] = {}  # noqa: RUF012 - replaced, never changed

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        """The parameters, by name, in the signature's order."""
        return {name: getattr(self, name) for name in inspect.signature(type(self)).parameters}

    def clone(self) -> LightEstimator:
        """An unfitted copy with cloned parameters (as ``sklearn.base.clone``)."""
        return type(self)(**{k: _clone(v) for k, v in self.get_params().items()})

    def state(self) -> dict[str, Any]:
        """The pickled state of the fitted original: its ``__getstate__()``."""
        state = {**self.get_params(), **self.fitted_state}
        if self.path.startswith("sklearn."):
            state["_sklearn_version"] = sklearn_version()
        return state

    def stub(self) -> Stub:
        """The fitted model as a :class:`Stub` tree of the original classes."""
        module, _, qualname = self.path.rpartition(".")
        stub = stub_class(module, qualname)()
        stub.__setstate__(_stubbed(self.state()))
        return stub


def _clone(value: Any) -> Any:
    if isinstance(value, LightEstimator):
        return value.clone()
    if isinstance(value, list | tuple):
        return type(value)(_clone(v) for v in value)
    return value


def _stubbed(value: Any) -> Any:
    if isinstance(value, LightEstimator):
        return value.stub()
    if isinstance(value, list | tuple):
        return type(value)(_stubbed(v) for v in value)
    if isinstance(value, dict):
        return {k: _stubbed(v) for k, v in value.items()}
    return value


class MinMaxScaler(LightEstimator):
    """``sklearn.preprocessing.MinMaxScaler``: scales each feature to ``feature_range``."""

    path = "sklearn.preprocessing._data.MinMaxScaler"

    def __init__(self, feature_range: tuple = (0, 1), *, copy: bool = True, clip: bool = False):
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        low, high = self.feature_range
        if low >= high:
            raise ValueError(
                "Minimum of desired feature range must be smaller than maximum. Got "
                f"{self.feature_range}."
            )
        array, names = float_rows(X)
        data_min, data_max = np.nanmin(array, axis=0), np.nanmax(array, axis=0)
        data_range = data_max - data_min
        scale = (high - low) / _nonzero_scale(data_range)
        state: dict[str, Any] = {}
        if names is not None:
            state["feature_names_in_"] = np.asarray(names, dtype=object)
        state.update(
            n_features_in_=array.shape[1],
            n_samples_seen_=array.shape[0],
            scale_=scale,
            min_=low - data_min * scale,
            data_min_=data_min,
            data_max_=data_max,
            data_range_=data_range,
        )
        self.fitted_state = state
        self._twin = LightMinMaxScaler(self.state())
        return self

    def transform(self, X: Any) -> np.ndarray:
        return self._twin.transform(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        return self._twin.inverse_transform(X)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X, y).transform(X)


def _nonzero_scale(scale: np.ndarray) -> np.ndarray:
    """``scale`` with 1 where it is (nearly) zero, as scikit-learn guards constant features."""
    scale = scale.copy()
    scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0
    return scale


class Pipeline(LightEstimator):
    """``sklearn.pipeline.Pipeline``: transforms, then the last step."""

    path = "sklearn.pipeline.Pipeline"
    #: The parameter a definition's plain list of steps fills (see serializer.from_definition).
    step_list_param = "steps"

    def __init__(
        self,
        steps: list,
        *,
        transform_input: Any = None,
        memory: Any = None,
        verbose: bool = False,
    ):
        self.steps = steps
        self.transform_input = transform_input
        self.memory = memory
        self.verbose = verbose
        if transform_input is not None or memory is not None:
            raise Unsupported("a Pipeline with transform_input or memory")
        for step in steps:
            if not (isinstance(step, tuple) and isinstance(step[-1], LightEstimator)):
                raise Unsupported(f"a Pipeline step {step!r}")

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        params = super().get_params()
        params["steps"] = [(name, step) for name, step in self.steps]
        return params

    def fit(self, X: Any, y: Any = None) -> Pipeline:
        Xt = X
        for _, step in self.steps[:-1]:
            Xt = step.fit_transform(Xt, y)
        self.steps[-1][1].fit(Xt, y)
        self.fitted_state = {}
        return self

    def predict(self, X: Any) -> np.ndarray:
        for _, step in self.steps[:-1]:
            X = step.transform(X)
        return self.steps[-1][1].predict(X)


class TransformedTargetRegressor(LightEstimator):
    """``sklearn.compose.TransformedTargetRegressor`` with a transformer: the regressor fits
    the transformed target, and its output is transformed back."""

    path = "sklearn.compose._target.TransformedTargetRegressor"

    def __init__(
        self,
        regressor: Any = None,
        *,
        transformer: Any = None,
        func: Any = None,
        inverse_func: Any = None,
        check_inverse: bool = True,
    ):
        self.regressor = regressor
        self.transformer = transformer
        self.func = func
        self.inverse_func = inverse_func
        self.check_inverse = check_inverse
        for name in ("regressor", "transformer"):
            if not isinstance(getattr(self, name), LightEstimator):
                raise Unsupported(f"a TransformedTargetRegressor {name} {getattr(self, name)!r}")
        if func is not None or inverse_func is not None:
            raise Unsupported("a TransformedTargetRegressor with func or inverse_func")

    def fit(self, X: Any, y: Any) -> TransformedTargetRegressor:
        y_arr = float_rows(y)[0]
        transformer, regressor = self.transformer.clone(), self.regressor.clone()
        transformer.fit(y_arr)
        regressor.fit(X, transformer.transform(y_arr))
        state: dict[str, Any] = {
            "_training_dim": y_arr.ndim,
            "transformer_": transformer,
            "regressor_": regressor,
        }
        names = regressor.fitted_state.get("feature_names_in_", _first_step_names(regressor))
        if names is not None:
            state["feature_names_in_"] = names
        self.fitted_state = state
        self._twin = LightTargetRegressor(self.state(), parts=lambda part: part)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self._twin.predict(X)


def _first_step_names(model: LightEstimator) -> np.ndarray | None:
    """The ``feature_names_in_`` a fitted Pipeline reports: its first step's."""
    steps = getattr(model, "steps", None)
    return steps[0][1].fitted_state.get("feature_names_in_") if steps else None


class _LightKeras(LightEstimator):
    """gordo's Keras estimators whose network an engine trains without Keras
    (:func:`gordo.machine.model.keras_params.trainer`)."""

    #: The estimator types whose factories ``kind`` may name (the original's MRO).
    type_names: ClassVar[tuple[str, ...]]
    #: Dimensions of the network's input: 2 (rows) or 3 (windows of rows).
    input_ndim: ClassVar[int] = 2

    kind: str
    kwargs: dict[str, Any]

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> _LightKeras:
        """Build from a definition's parameters, checked as the original checks them."""
        name = cls.path.rpartition(".")[2]
        if "kind" not in definition or not isinstance(definition["kind"], str):
            raise Unsupported(f"a {name} without a kind given by name")
        estimator = cls(**definition)
        if estimator._fit_kwargs().get("callbacks"):
            raise Unsupported(f"a {name} with callbacks")
        factory = estimator._factory()
        check_factory_kwargs(factory, estimator._factory_kwargs(), name)
        if getattr(factory, "spec", None) is None:
            raise Unsupported(f"a {name} of kind {estimator.kind!r}, whose factory has no spec")
        if trainer(estimator._spec(factory, 1, 1), cls.input_ndim) is None:
            raise Unsupported(f"a {name} of kind {estimator.kind!r} that trains with Keras")
        return estimator

    @property
    def _name(self) -> str:
        return self.path.rpartition(".")[2]

    def _sk_params(self) -> dict[str, Any]:
        return dict(self.kwargs)

    def _factory(self) -> Callable[..., Any]:
        return resolve_kind(self.kind, self.type_names, self._name)

    def _fit_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self._sk_params().items() if k in FIT_DEFAULTS}

    def _factory_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self._sk_params().items() if k not in FIT_DEFAULTS}

    def _spec(self, factory: Callable[..., Any], n_in: int, n_out: int) -> Any:
        return call_factory(factory.spec, n_in, n_out, self._factory_kwargs(), self._name)

    def _training_data(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return X, y

    def fit(self, X: Any, y: Any = None) -> _LightKeras:
        X_arr, y_arr = fit_arrays(X, X if y is None else y, self._name)
        fit_args = {**FIT_DEFAULTS, **self._fit_kwargs()}
        fit_args.pop("callbacks")
        n_in, n_out = X_arr.shape[1], y_arr.shape[1]
        spec = self._spec(self._factory(), n_in, n_out)
        trained = train(spec, *self._training_data(X_arr, y_arr), fit_args)
        if trained is None:
            raise Unsupported(f"a {self._name} that trains with Keras")
        state, history = trained
        self.fitted_state = {
            "history_": history,
            "n_features_in_": n_in,
            "n_features_out_": n_out,
            "model_": state,
        }
        self._twin = self._make_twin()
        return self

    def _make_twin(self) -> Any:
        return LightDenseModel(self.fitted_state, self._name)

    def predict(self, X: Any) -> np.ndarray:
        return self._twin.predict(X)

    def transform(self, X: Any) -> np.ndarray:
        return self.predict(X)

    def get_metadata(self) -> dict[str, Any]:
        """``{"history": ...}`` of the fit, as the original gives it."""
        return {"history": self.fitted_state["history_"]} if self.fitted_state else {}


class KerasAutoEncoder(_LightKeras):
    """gordo's ``KerasAutoEncoder`` with a network trained without Keras."""

    path = "gordo.machine.model.models.KerasAutoEncoder"
    type_names = ("KerasAutoEncoder", "KerasBaseEstimator")

    def __init__(self, kind: str, **kwargs: Any):
        self.kind = kind
        self.kwargs = kwargs

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {"kind": self.kind, **self.kwargs}

    def state(self) -> dict[str, Any]:
        return {"kind": self.kind, "kwargs": dict(self.kwargs), **self.fitted_state}


class _LightLSTM(_LightKeras):
    """gordo's LSTM estimators: windows of ``lookback_window`` rows, the target ``lookahead``
    rows after each window's last row."""

    input_ndim = 3
    lookahead: ClassVar[int]

    def __init__(self, kind: str, lookback_window: int = 1, batch_size: int = 32, **kwargs: Any):
        self.kind = kind
        self.lookback_window = lookback_window
        self.batch_size = batch_size
        self.kwargs = kwargs

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lookback_window": self.lookback_window,
            "batch_size": self.batch_size,
            **self.kwargs,
        }

    def state(self) -> dict[str, Any]:
        params = {"lookback_window": self.lookback_window, "batch_size": self.batch_size}
        return {"kind": self.kind, **params, "kwargs": dict(self.kwargs), **self.fitted_state}

    def _sk_params(self) -> dict[str, Any]:
        return {**self.kwargs, "batch_size": self.batch_size}

    def _factory_kwargs(self) -> dict[str, Any]:
        return {**super()._factory_kwargs(), "lookback_window": self.lookback_window}

    def _training_data(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x_windows = window_input(X, self.lookback_window, self.lookahead, self._name)
        return x_windows, y[self.lookback_window - 1 + self.lookahead :]

    def _make_twin(self) -> Any:
        state = {**self.fitted_state, "lookback_window": self.lookback_window}
        return LightWindowModel(state, self._name, self.lookahead)

    def get_metadata(self) -> dict[str, Any]:
        """The fit's metadata plus ``forecast_steps`` (the lookahead)."""
        metadata = super().get_metadata()
        return {**metadata, "forecast_steps": self.lookahead} if metadata else {}


class KerasLSTMAutoEncoder(_LightLSTM):
    """gordo's ``KerasLSTMAutoEncoder`` (lookahead 0) with a network trained without Keras."""

    path = "gordo.machine.model.models.KerasLSTMAutoEncoder"
    type_names = ("KerasLSTMAutoEncoder", "KerasLSTMBaseEstimator", "KerasBaseEstimator")
    lookahead = 0


class KerasLSTMForecast(_LightLSTM):
    """gordo's ``KerasLSTMForecast`` (lookahead 1) with a network trained without Keras."""

    path = "gordo.machine.model.models.KerasLSTMForecast"
    type_names = ("KerasLSTMForecast", "KerasLSTMBaseEstimator", "KerasBaseEstimator")
    lookahead = 1


class DiffBasedAnomalyDetector(DiffScoring, DiffTraining, LightEstimator):
    """gordo's ``DiffBasedAnomalyDetector`` (rows not shuffled), cross-validated by
    :func:`cross_validate`."""

    path = "gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector"

    def __init__(
        self,
        base_estimator: Any = None,
        scaler: Any = None,
        require_thresholds: bool = True,
        shuffle: bool = False,
        window: int | None = None,
        smoothing_method: str | None = None,
    ):
        self.base_estimator = (
            KerasAutoEncoder("feedforward_hourglass") if base_estimator is None else base_estimator
        )
        self.scaler = MinMaxScaler() if scaler is None else scaler
        self.require_thresholds = require_thresholds
        self.shuffle = shuffle
        self.window = window
        self.smoothing_method = smoothing_method
        if shuffle:
            raise Unsupported("a DiffBasedAnomalyDetector that shuffles rows")
        for name in ("base_estimator", "scaler"):
            if not isinstance(getattr(self, name), LightEstimator):
                raise Unsupported(f"a DiffBasedAnomalyDetector {name} {getattr(self, name)!r}")

    def _shuffled(self, X: Any, y: Any) -> tuple[Any, Any]:
        raise Unsupported("a DiffBasedAnomalyDetector that shuffles rows")

    def _run_folds(self, X: Any, y: Any, cv: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        return cross_validate(self, X, y, cv=cv, **kwargs)

    def cross_validate(self, *, X: Any, y: Any, cv: Any, **kwargs: Any) -> dict[str, Any]:
        """Cross-validate clones and set the thresholds from the folds' validation errors."""
        return self._cross_validate(X, y, cv, kwargs)

    @property
    def fitted_state(self) -> dict[str, Any]:  # type: ignore[override]
        """The fitted attributes: the thresholds (the parts are fitted in place)."""
        return {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_")}

    def predict(self, X: Any) -> np.ndarray:
        return self.base_estimator.predict(X)

    def _scale(self, values: np.ndarray) -> np.ndarray:
        return self.scaler.transform(values)


def cross_validate(
    estimator: LightEstimator, X: Any, y: Any, *, cv: Any, scoring: Any = None, **kwargs: Any
) -> dict[str, Any]:
    """``sklearn.model_selection.cross_validate`` of a light estimator, with the fold
    estimators and indices: each fold fits a clone on its train rows and, with a
    ``scoring`` callable returning a dict, scores it on its test rows."""
    if kwargs.keys() - {"return_estimator", "return_indices"}:
        raise Unsupported(f"cross_validate arguments {sorted(kwargs)}")
    results: dict[str, Any] = {"fit_time": [], "score_time": [], "estimator": []}
    indices: dict[str, list] = {"train": [], "test": []}
    scores: list[dict[str, float]] = []
    for train_rows, test in cv.split(X, y):
        start = time.perf_counter()
        fold = estimator.clone().fit(_rows(X, train_rows), _rows(y, train_rows))
        results["fit_time"].append(time.perf_counter() - start)
        start = time.perf_counter()
        if scoring is not None:
            scores.append(scoring(fold, _rows(X, test), _rows(y, test)))
        results["score_time"].append(time.perf_counter() - start)
        results["estimator"].append(fold)
        indices["train"].append(train_rows)
        indices["test"].append(test)
    results = {k: np.asarray(v) if k != "estimator" else v for k, v in results.items()}
    for name in scores[0] if scores else ():
        results[f"test_{name}"] = np.array([s[name] for s in scores])
    results["indices"] = indices
    return results


def _rows(data: Any, rows: np.ndarray) -> Any:
    return data.take(rows) if isinstance(data, pd.DataFrame | pd.Series) else np.asarray(data)[rows]


class TimeSeriesSplit(LightEstimator):
    """``sklearn.model_selection.TimeSeriesSplit``: growing train rows, then the next test rows."""

    path = "sklearn.model_selection._split.TimeSeriesSplit"

    def __init__(
        self,
        n_splits: int = 5,
        *,
        max_train_size: int | None = None,
        test_size: int | None = None,
        gap: int = 0,
    ):
        self.n_splits = n_splits
        self.max_train_size = max_train_size
        self.test_size = test_size
        self.gap = gap

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return self.n_splits

    def split(self, X: Any, y: Any = None, groups: Any = None):
        """(train, test) row positions of each fold.

        >>> [(t.tolist(), v.tolist()) for t, v in TimeSeriesSplit(2).split(np.zeros((6, 1)))]
        [([0, 1], [2, 3]), ([0, 1, 2, 3], [4, 5])]
        """
        n_samples, n_splits, gap = len(X), self.n_splits, self.gap
        n_folds = n_splits + 1
        test_size = self.test_size if self.test_size is not None else n_samples // n_folds
        if n_folds > n_samples:
            raise ValueError(
                f"Cannot have number of folds={n_folds} greater than the number of "
                f"samples={n_samples}."
            )
        if n_samples - gap - (test_size * n_splits) <= 0:
            raise ValueError(
                f"Too many splits={n_splits} for number of samples={n_samples} with "
                f"test_size={test_size} and gap={gap}."
            )
        indices = np.arange(n_samples)
        for test_start in range(n_samples - n_splits * test_size, n_samples, test_size):
            train_end = test_start - gap
            train_start = 0
            if self.max_train_size and self.max_train_size < train_end:
                train_start = train_end - self.max_train_size
            yield indices[train_start:train_end], indices[test_start : test_start + test_size]


def _public_path(path: str) -> str:
    """``sklearn.preprocessing._data.MinMaxScaler`` -> ``sklearn.preprocessing.MinMaxScaler``."""
    module, _, name = path.rpartition(".")
    return f"{module.rpartition('._')[0] or module}.{name}"


#: The light class of each original (and metric function), by the original's import paths.
LIGHT: dict[str, Any] = {
    **{
        path: cls
        for cls in (
            MinMaxScaler,
            Pipeline,
            TransformedTargetRegressor,
            KerasAutoEncoder,
            KerasLSTMAutoEncoder,
            KerasLSTMForecast,
            DiffBasedAnomalyDetector,
            TimeSeriesSplit,
        )
        for path in (cls.path, _public_path(cls.path))
    },
    **METRICS,
    **{path.replace(".metrics.", ".metrics._regression."): f for path, f in METRICS.items()},
}


def locate(path: str) -> Any:
    """The light class (or metric) standing for the one at import ``path`` (aliases applied).

    >>> locate("sklearn.preprocessing.MinMaxScaler").__name__
    'MinMaxScaler'
    >>> locate("sklearn.decomposition.PCA")
    Traceback (most recent call last):
    ...
    gordo.machine.model.light.estimators.Unsupported: sklearn.decomposition.PCA is not fitted light
    """
    for candidate in candidate_paths(path):
        if candidate in LIGHT:
            return LIGHT[candidate]
    raise Unsupported(f"{path} is not fitted light")
