"""Fitting common models in numpy, without scikit-learn, into the pickle their originals make.

A build spends more time importing scikit-learn (and SciPy) than training a
small autoencoder. The classes here stand in for the originals of the most
common models -- ``Pipeline``, ``MinMaxScaler``, gordo's ``KerasAutoEncoder``
with a network the numpy engine trains, and ``DiffBasedAnomalyDetector`` --
with the same parameters (names, order and defaults), and fit as they do: the
same arithmetic in the same order, from the same random draws. Once fitted,
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

from gordo.machine.model import dense_training
from gordo.machine.model.anomaly.scoring import DiffScoring
from gordo.machine.model.anomaly.training import DiffTraining
from gordo.machine.model.checks import as_float_array, check_finite
from gordo.machine.model.dense_spec import numpy_training
from gordo.machine.model.keras_params import (
    FIT_DEFAULTS,
    call_factory,
    check_factory_kwargs,
    resolve_kind,
)
from gordo.machine.model.light.estimators import (
    LightDenseModel,
    LightMinMaxScaler,
    Unsupported,
    float_rows,
    sklearn_version,
)
from gordo.machine.model.light.metrics import METRICS
from gordo.machine.model.light.unpickle import Stub, stub_class
from gordo.serializer.import_paths import candidate_paths


class LightEstimator:
    """A stand-in for an estimator class: its parameters, ``fit``, and the fitted state.

    ``path`` is the import path pickle records for the original class. A
    subclass's ``__init__`` has the original's signature and stores each
    parameter under its name; ``fit`` sets :attr:`fitted_state`, the
    attributes of the fitted original in their order.
    """

    path: ClassVar[str]
    fitted_state: dict[str, Any]

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


class KerasAutoEncoder(LightEstimator):
    """gordo's ``KerasAutoEncoder`` with a network the numpy engine trains (dense_training)."""

    path = "gordo.machine.model.models.KerasAutoEncoder"
    #: The estimator types whose factories ``kind`` may name.
    type_names = ("KerasAutoEncoder", "KerasBaseEstimator")

    def __init__(self, kind: str, **kwargs: Any):
        self.kind = kind
        self.kwargs = kwargs

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> KerasAutoEncoder:
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
            raise Unsupported(f"a {name} of kind {estimator.kind!r}, not a DenseSpec factory")
        if numpy_training(estimator._spec(factory, 1, 1)) is None:
            raise Unsupported(f"a {name} of kind {estimator.kind!r} that trains with Keras")
        return estimator

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {"kind": self.kind, **self.kwargs}

    def clone(self) -> KerasAutoEncoder:
        return type(self)(self.kind, **self.kwargs)

    def state(self) -> dict[str, Any]:
        return {"kind": self.kind, "kwargs": dict(self.kwargs), **self.fitted_state}

    def _factory(self) -> Callable[..., Any]:
        return resolve_kind(self.kind, self.type_names, self.path.rpartition(".")[2])

    def _fit_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.kwargs.items() if k in FIT_DEFAULTS}

    def _factory_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.kwargs.items() if k not in FIT_DEFAULTS}

    def _spec(self, factory: Callable[..., Any], n_in: int, n_out: int) -> Any:
        owner = self.path.rpartition(".")[2]
        return call_factory(factory.spec, n_in, n_out, self._factory_kwargs(), owner)

    def fit(self, X: Any, y: Any = None) -> KerasAutoEncoder:
        owner = self.path.rpartition(".")[2]
        X_arr, x_columns = as_float_array(X, "X")
        y_arr, y_columns = as_float_array(X if y is None else y, "y")
        if len(X_arr) != len(y_arr):
            raise ValueError(f"{owner}: X has {len(X_arr)} rows but y has {len(y_arr)}")
        check_finite(X_arr, x_columns, "X", owner)
        check_finite(y_arr, y_columns, "y", owner)
        fit_args = {**FIT_DEFAULTS, **self._fit_kwargs()}
        fit_args.pop("callbacks")
        n_in, n_out = X_arr.shape[1], y_arr.shape[1]
        spec = self._spec(self._factory(), n_in, n_out)
        weights, history = dense_training.fit(spec, X_arr, y_arr, **fit_args)
        self.fitted_state = {
            "history_": history,
            "n_features_in_": n_in,
            "n_features_out_": n_out,
            "model_": dense_training.to_state(spec, weights),
        }
        self._twin = LightDenseModel(self.fitted_state, owner)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self._twin.predict(X)

    def get_metadata(self) -> dict[str, Any]:
        """``{"history": ...}`` of the fit, as the original gives it."""
        return {"history": self.fitted_state["history_"]} if hasattr(self, "fitted_state") else {}


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

    def fit(self, X: Any, y: Any) -> DiffBasedAnomalyDetector:
        super().fit(X, y)
        self.fitted_state = {
            k: v for k, v in self.__dict__.items() if k.endswith("_") and not k.startswith("_")
        }
        return self

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
    for train, test in cv.split(X, y):
        start = time.perf_counter()
        fold = estimator.clone().fit(_rows(X, train), _rows(y, train))
        results["fit_time"].append(time.perf_counter() - start)
        start = time.perf_counter()
        if scoring is not None:
            scores.append(scoring(fold, _rows(X, test), _rows(y, test)))
        results["score_time"].append(time.perf_counter() - start)
        results["estimator"].append(fold)
        indices["train"].append(train)
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


#: The light class of each original (and metric function), by the original's import paths.
LIGHT: dict[str, Any] = {
    **{
        path: cls
        for cls in (
            MinMaxScaler,
            Pipeline,
            KerasAutoEncoder,
            DiffBasedAnomalyDetector,
            TimeSeriesSplit,
        )
        for path in (cls.path, cls.path.replace("._data.", ".").replace("._split.", "."))
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
