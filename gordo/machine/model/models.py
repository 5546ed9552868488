"""Scikit-learn compatible wrappers around Keras models.

``kind`` names a registered factory (``feedforward_hourglass``, ``lstm_model``, ...),
an import path of a factory, or is the factory itself; the other keyword
arguments go to the factory, except the fit arguments (``batch_size``,
``epochs``, ``verbose``, ``validation_split``, ``shuffle``, ``callbacks``).
Keras is imported when a Keras model is built or loaded, not when this module is.

The built-in factories describe their network as a
:class:`~gordo.machine.model.dense_spec.DenseSpec` or an
:class:`~gordo.machine.model.lstm_spec.LSTMSpec`. When its optimizer, loss
and activations are ones the engines compute as Keras does (and no callbacks
are given), ``fit`` trains it in numpy (:mod:`~gordo.machine.model.dense_training`)
or with JAX alone (:mod:`~gordo.machine.model.lstm_training`), without Keras;
anything else is built with Keras' API and trained with ``model.fit``.

A fitted model pickles its network as gordo's versioned state (see
:mod:`gordo.machine.model.nn_basics`): a spec and its weights, or the
``.keras`` archive of a Keras model gordo has no spec of. A spec network
predicts in numpy (:mod:`~gordo.machine.model.numpy_inference`), the same
before and after pickling, and builds its Keras model only when something
asks for ``model``/``model_``, so serving it never imports Keras.

>>> import numpy as np
>>> X = np.random.rand(40, 3)
>>> model = KerasAutoEncoder(kind="feedforward_hourglass", epochs=2, batch_size=8)
>>> model.fit(X).predict(X).shape
(40, 3)
>>> sorted(model.get_metadata()["history"])
['loss', 'params']
"""

from __future__ import annotations

import abc
import inspect
import math
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import explained_variance_score
from sklearn.utils.validation import check_is_fitted

from gordo.exceptions import ConfigException
from gordo.machine.model import fast_path, keras_io, numpy_inference
from gordo.machine.model.backend import keras_module
from gordo.machine.model.base import GordoBase
from gordo.machine.model.checks import as_float_array, checked_input, fit_arrays
from gordo.machine.model.dense_spec import DenseSpec
from gordo.machine.model.keras_params import (
    FIT_DEFAULTS,
    call_factory,
    check_factory_kwargs,
    check_fit_args,
    import_path,
    resolve_kind,
    train,
    trainer,
)
from gordo.machine.model.lstm_spec import LSTMSpec, spec_of_state
from gordo.machine.model.nn_basics import LEGACY_KERAS_JSON_FORMAT
from gordo.machine.model.windows import n_windows, window_input, windows

#: Where a fitted model keeps its network: the saved state (see ``nn_basics.FORMATS``), the
#: Keras model once built, the numpy plan, and whether the Keras model was handed out
#: (see ``model_``). Pickled as ``model_`` (the saved state), see ``__getstate__``.
_MODEL_ATTRIBUTES = ("_saved_state", "_built_model", "_inference_plan", "_model_shared")
_build_lock = threading.Lock()


class KerasBaseEstimator(BaseEstimator, GordoBase):
    """A Scikit-Learn compatible Keras model built by a registered factory or a builder function.

    Parameters
    ----------
    kind
        A factory registered for this class (see
        :class:`gordo.machine.model.register.register_model_builder`), the import
        path of a factory, or a factory function taking ``n_features`` first.
    kwargs
        Passed to the factory, except ``batch_size``, ``epochs``, ``verbose``,
        ``validation_split``, ``shuffle`` and ``callbacks`` (definitions such as
        ``{"keras.callbacks.EarlyStopping": {"patience": 2}}`` or callback
        objects), which go to training.
    """

    #: Dimensions of the arrays the network reads: rows (2) or windows of rows (3).
    _input_ndim = 2
    supported_fit_args = [
        "batch_size",
        "epochs",
        "verbose",
        "callbacks",
        "validation_split",
        "shuffle",
    ]

    def __init__(self, kind: str | Callable[..., Any], **kwargs: Any) -> None:
        self.kind = kind
        self.kwargs = kwargs

    # --- parameters -------------------------------------------------------------------

    @property
    def sk_params(self) -> dict[str, Any]:
        """Parameters used for the factory and for training (all but ``kind``)."""
        return dict(self.kwargs)

    def get_params(self, deep: bool = False, **params: Any) -> dict[str, Any]:
        """The parameters of this estimator: ``kind`` and the keyword arguments.

        >>> KerasAutoEncoder(kind="feedforward_hourglass", epochs=3).get_params()
        {'kind': 'feedforward_hourglass', 'epochs': 3}
        """
        return {"kind": self.kind, **self.kwargs}

    def set_params(self, **params: Any) -> KerasBaseEstimator:
        """Set parameters; names the constructor does not declare go to the keyword arguments."""
        declared = set(inspect.signature(type(self).__init__).parameters) - {"self", "kwargs"}
        for name, value in params.items():
            if name in declared:
                setattr(self, name, value)
            else:
                self.kwargs[name] = value
        return self

    @classmethod
    def extract_supported_fit_args(cls, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The training arguments among ``kwargs``.

        >>> KerasAutoEncoder.extract_supported_fit_args({"epochs": 2, "func": "relu"})
        {'epochs': 2}
        """
        return {k: v for k, v in kwargs.items() if k in cls.supported_fit_args}

    def _factory_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.sk_params.items() if k not in self.supported_fit_args}

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> KerasBaseEstimator:
        """Build from the parameters of a definition (handler for ``serializer.from_definition``).

        The kind and its parameters are checked now, so a config error shows
        before training; nested definitions (callbacks, a raw model spec) are
        built at fit time.

        >>> KerasAutoEncoder.from_definition({"kind": "feedforward_hourglass", "epochs": 1})
        KerasAutoEncoder(epochs=1, kind='feedforward_hourglass')
        """
        if "kind" not in definition:
            raise ConfigException(f"{cls.__name__} needs the parameter 'kind'")
        estimator = cls(**definition)
        estimator._check_definition()
        return estimator

    @classmethod
    def check_definition(cls, definition: dict[str, Any]) -> None:
        """Check the parameters of a definition (handler for ``serializer.check_definition``).

        >>> KerasAutoEncoder.check_definition({"kind": "feedforward_hourglass", "epochs": -1})
        Traceback (most recent call last):
        ...
        gordo.exceptions.DefinitionParameterError: KerasAutoEncoder: epochs must be an integer >= 0, got -1
        """
        cls.from_definition(definition)

    def _check_definition(self) -> None:
        owner = type(self).__name__
        check_factory_kwargs(self.load_kind(self.kind), self._factory_kwargs(), owner)
        check_fit_args(self.extract_supported_fit_args(self.sk_params), owner)

    def into_definition(self) -> dict[str, Any]:
        """The definition of this estimator (handler for ``serializer.into_definition``).

        >>> KerasAutoEncoder(kind="feedforward_hourglass").into_definition()
        {'gordo.machine.model.models.KerasAutoEncoder': {'kind': 'feedforward_hourglass'}}
        """
        params = self.get_params()
        if callable(params["kind"]):
            params["kind"] = import_path(params["kind"]) or params["kind"]
        return {f"{type(self).__module__}.{type(self).__qualname__}": params}

    # --- building -----------------------------------------------------------------------

    @staticmethod
    def parse_module_path(module_path: str) -> tuple[str | None, str]:
        """Split ``a.b.name`` into (``a.b``, ``name``); a bare name gives (None, name).

        >>> KerasBaseEstimator.parse_module_path("my.module.factory")
        ('my.module', 'factory')
        >>> KerasBaseEstimator.parse_module_path("feedforward_hourglass")
        (None, 'feedforward_hourglass')
        """
        module, _, name = module_path.rpartition(".")
        return (module or None), name

    def load_kind(self, kind: Any) -> Callable[..., Any]:
        """The factory ``kind`` refers to: a registered name, an import path or a callable."""
        names = [c.__name__ for c in type(self).__mro__ if issubclass(c, KerasBaseEstimator)]
        return resolve_kind(kind, names, type(self).__name__)

    def _build_model(self, n_features: int, n_features_out: int) -> Any:
        keras_module()
        return call_factory(
            self.load_kind(self.kind),
            n_features,
            n_features_out,
            self._factory_kwargs(),
            type(self).__name__,
        )

    def _spec(self, n_features: int, n_features_out: int) -> DenseSpec | LSTMSpec | None:
        """The spec of the model for these feature counts, if its factory has one."""
        spec_fn = getattr(self.load_kind(self.kind), "spec", None)
        if spec_fn is None:
            return None
        return call_factory(
            spec_fn, n_features, n_features_out, self._factory_kwargs(), type(self).__name__
        )

    def fits_with_keras(self) -> bool:
        """Whether ``fit`` needs Keras: False when the network is trained without it.

        The factory's spec is probed with one feature: whether it trains without
        Keras depends on its optimizer, loss and activations, not on the feature count.

        >>> KerasAutoEncoder(kind="feedforward_hourglass").fits_with_keras()
        False
        >>> KerasAutoEncoder(kind="feedforward_hourglass", optimizer="RMSprop").fits_with_keras()
        True
        >>> KerasLSTMAutoEncoder(kind="lstm_hourglass", lookback_window=4).fits_with_keras()
        False
        """
        if self.extract_supported_fit_args(self.sk_params).get("callbacks"):
            return True
        try:
            spec = self._spec(1, 1)
        except Exception:  # a bad parameter: fit reports it
            return True
        return trainer(spec, self._input_ndim) is None

    @staticmethod
    def get_n_features(X: np.ndarray | pd.DataFrame) -> int | tuple:
        """Number of features of ``X`` (a tuple for arrays of more than two dimensions)."""
        shape = np.shape(X)
        return shape[1] if len(shape) == 2 else tuple(shape[1:])

    @staticmethod
    def get_n_features_out(y: np.ndarray | pd.DataFrame) -> int | tuple:
        """Number of features of the target ``y``."""
        return KerasBaseEstimator.get_n_features(y)

    # --- training and prediction ------------------------------------------------------

    def _training_data(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The model's inputs and targets for ``X`` and ``y``."""
        return X, y

    def _model_input(self, X: np.ndarray) -> np.ndarray:
        return X

    def fit(self, X: Any, y: Any, **kwargs: Any) -> KerasBaseEstimator:
        """Fit the model to ``X`` given ``y``; ``kwargs`` override the training arguments.

        Raises ValueError for non-finite values (naming the column) or row counts
        that do not match.
        """
        owner = type(self).__name__
        unknown = sorted(set(kwargs) - set(self.supported_fit_args))
        if unknown:
            raise TypeError(
                f"{owner}.fit() got unsupported argument(s) {', '.join(unknown)}; "
                f"supported: {', '.join(self.supported_fit_args)}"
            )
        X_arr, y_arr = fit_arrays(X, y, owner)
        fit_args = {**FIT_DEFAULTS, **self.extract_supported_fit_args(self.sk_params), **kwargs}
        callbacks = [_as_callback(c) for c in fit_args.pop("callbacks") or []]
        x_train, y_train = self._training_data(X_arr, y_arr)
        n_in, n_out = X_arr.shape[1], y_arr.shape[1]
        spec = self._spec(n_in, n_out)
        trained = None if callbacks else train(spec, x_train, y_train, fit_args)
        if trained is None:
            model = self._build_model(n_in, n_out)
            self.history_ = fast_path.fit(model, x_train, y_train, callbacks=callbacks, **fit_args)
            saved = None if spec is None else keras_io.with_weights(spec.to_state([]), model)
            self._keep(saved, model)
        else:
            saved, self.history_ = trained
            self._keep(saved)
        self.n_features_in_, self.n_features_out_ = n_in, n_out
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return "_built_model" in self.__dict__ or "_saved_state" in self.__dict__

    @property
    def model_(self) -> Any:
        """The fitted Keras model, built now (with Keras' public API) if it is not built yet.

        Whoever gets it may change its weights, so from then on the numpy plan is
        made again from the current weights at each prediction.
        """
        model = self._keras_model()
        self.__dict__["_model_shared"] = True
        if self.__dict__.get("_inference_plan") is not None:
            self.__dict__.pop("_inference_plan", None)
        return model

    @model_.setter
    def model_(self, model: Any) -> None:
        self._keep(None, model)

    def _keep(self, saved: dict[str, Any] | None, model: Any = None) -> None:
        """Keep the saved state of the network and/or its Keras model (at least one)."""
        for name in _MODEL_ATTRIBUTES:
            self.__dict__.pop(name, None)
        if saved is not None:
            self.__dict__["_saved_state"] = saved
        if model is not None:
            self.__dict__["_built_model"] = model

    def _keras_model(self) -> Any:
        """The Keras model; built from the saved state on first use."""
        with _build_lock:
            if "_built_model" not in self.__dict__:
                if "_saved_state" not in self.__dict__:
                    raise AttributeError(f"{type(self).__name__} is not fitted: it has no model_")
                self.__dict__["_built_model"] = keras_io.model_from_state(
                    self.__dict__["_saved_state"]
                )
            return self.__dict__["_built_model"]

    def _current_state(self) -> dict[str, Any] | None:
        """The saved state with the weights the network has now; None if only Keras can
        save it (a ``.keras`` archive, see ``__getstate__``)."""
        saved = self.__dict__.get("_saved_state")
        model = self.__dict__.get("_built_model")
        if model is None or (saved is not None and not self.__dict__.get("_model_shared")):
            return saved
        if saved is not None and spec_of_state(saved) is not None:
            return keras_io.with_weights(saved, model)
        return None

    def _plan(self) -> numpy_inference.DenseStack | numpy_inference.RecurrentStack | None:
        """The numpy forward pass of the network; None if Keras serves it (see numpy_inference).

        Made on first use and kept, unless the Keras model was handed out (its
        weights may change) and there is a plan.
        """
        try:
            return self.__dict__["_inference_plan"]
        except KeyError:
            state = self._current_state()
            plan = None if state is None else numpy_inference.plan_from_state(state)
            if plan is None or not self.__dict__.get("_model_shared"):
                self.__dict__["_inference_plan"] = plan
            return plan

    @property
    def model(self) -> Any:
        """The fitted Keras model (see ``model_``)."""
        check_is_fitted(self)
        return self.model_

    def predict(self, X: Any, **kwargs: Any) -> np.ndarray:
        """The model's output for ``X`` (2D numpy array).

        Raises ValueError if ``X`` has another number of features than the model
        was fitted with, or non-finite values (naming the column).
        """
        check_is_fitted(self)
        X_arr = checked_input(X, self.n_features_in_, type(self).__name__)
        plan = self._plan()
        if plan is not None:
            return plan.predict(self._model_input(X_arr))
        return fast_path.predict(self._keras_model(), self._model_input(X_arr))

    def score(
        self,
        X: np.ndarray | pd.DataFrame,
        y: np.ndarray | pd.DataFrame,
        sample_weight: np.ndarray | None = None,
    ) -> float:
        """Explained variance between ``y`` and the model's output for ``X``."""
        out = self.predict(X)
        y_arr, _ = as_float_array(y, "y")
        weights = None if sample_weight is None else np.asarray(sample_weight)[-len(out) :]
        return float(explained_variance_score(y_arr[-len(out) :], out, sample_weight=weights))

    def get_metadata(self) -> dict[str, Any]:
        """Metadata of the fit: ``{"history": {metric: [per epoch], "params": {...}}}``."""
        if not hasattr(self, "history_"):
            return {}
        return {"history": self.history_}

    # --- pickling -----------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """The parameters and fitted attributes, the network as ``model_``: its spec and weights,
        or the ``.keras`` archive of a Keras model gordo has no spec of."""
        state = {k: v for k, v in self.__dict__.items() if k not in _MODEL_ATTRIBUTES}
        if self.__sklearn_is_fitted__():
            state["model_"] = self._current_state() or keras_io.archive_state(self._keras_model())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore; a network with a numpy plan is served without Keras, any other is built
        with Keras now. ArtifactError for a state format this version does not read."""
        state = dict(state)
        saved = state.pop("model_", None)
        self.__dict__.update(state)
        if saved is not None:
            keras_io.check_format(saved)
            self._keep(saved)
            if self._plan() is None:
                model = self._keras_model()
                if saved["format"] == LEGACY_KERAS_JSON_FORMAT:
                    self._keep(None, model)  # pickled again as a current format


def _as_callback(callback: Any) -> Any:
    """A Keras callback from a definition (``{import.path: {params}}`` or a path) or an object."""
    if isinstance(callback, str | dict):
        keras_module()
        from gordo.serializer import from_definition

        return from_definition(callback)
    return callback


class KerasAutoEncoder(KerasBaseEstimator, TransformerMixin):
    """A Keras autoencoder: fits ``X`` to itself unless a target ``y`` is given.

    >>> import numpy as np
    >>> X = np.random.rand(20, 4)
    >>> model = KerasAutoEncoder(kind="feedforward_symmetric", dims=[3], funcs=["tanh"])
    >>> isinstance(model.fit(X).score(X, X), float)
    True
    """

    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> KerasAutoEncoder:
        """Fit to ``X`` (and ``y``, which defaults to ``X``)."""
        return super().fit(X, X if y is None else y, **kwargs)

    def transform(self, X: Any) -> np.ndarray:
        """The model's output for ``X``, as :meth:`predict`."""
        return self.predict(X)

    def score(
        self,
        X: np.ndarray | pd.DataFrame,
        y: np.ndarray | pd.DataFrame,
        sample_weight: np.ndarray | None = None,
    ) -> float:
        """Explained variance between the autoencoder's output for ``X`` and ``y``."""
        return super().score(X, y, sample_weight)


class KerasRawModelRegressor(KerasAutoEncoder):
    """A Keras model from a raw config: ``kind`` holds ``compile`` arguments and a ``spec``.

    .. rubric:: Examples

    >>> import yaml
    >>> import numpy as np
    >>> config_str = '''
    ...     # Arguments to the .compile() method
    ...     compile:
    ...         loss: mse
    ...         optimizer: adam
    ...
    ...     # The architecture of the model itself.
    ...     spec:
    ...         tensorflow.keras.models.Sequential:
    ...             layers:
    ...                 - tensorflow.keras.layers.Dense:
    ...                     units: 4
    ...                 - tensorflow.keras.layers.Dense:
    ...                     units: 1
    ... '''
    >>> config = yaml.safe_load(config_str)
    >>> model = KerasRawModelRegressor(kind=config)
    >>>
    >>> X, y = np.random.random((10, 4)), np.random.random((10, 1))
    >>> model.fit(X, y, verbose=0)
    KerasRawModelRegressor(kind: {'compile': {'loss': 'mse', 'optimizer': 'adam'},
        'spec': {'tensorflow.keras.models.Sequential': {'layers': [{'tensorflow.keras.layers.Dense': {'units': 4}},
        {'tensorflow.keras.layers.Dense': {'units': 1}}]}}})
    >>> out = model.predict(X)
    """

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        return f"{type(self).__name__}(kind: {self.kind!r})"

    def load_kind(self, kind: Any) -> Callable[..., Any]:
        """A builder for the raw config ``kind``: the ``spec`` model, compiled with ``compile``."""
        if not isinstance(kind, Mapping) or "spec" not in kind:
            raise ConfigException(
                f"{type(self).__name__}: kind must be a mapping with 'spec' (the model "
                f"definition) and 'compile' (arguments to compile()), got {kind!r}"
            )
        unknown = sorted(set(kind) - {"spec", "compile"})
        if unknown:
            raise ConfigException(
                f"{type(self).__name__}: unknown key(s) in kind: {', '.join(unknown)}; "
                "expected 'spec' and 'compile'"
            )

        def build(n_features: int, n_features_out: int | None = None) -> Any:
            from gordo.serializer import from_definition
            from gordo.serializer.from_definition import load_params_from_definition

            keras_module()
            model = from_definition(kind["spec"])
            if not model.built:
                model.build((None, n_features))
            model.compile(**load_params_from_definition(dict(kind.get("compile") or {})))
            return model

        return build


class TimeseriesGenerator:
    """Batches of (windows of X, targets), as Keras' former TimeseriesGenerator gave them."""

    def __init__(self, X: np.ndarray, y: np.ndarray | None, batch_size: int):
        self.X = X
        self.y = y
        self.batch_size = batch_size

    def __len__(self) -> int:
        return math.ceil(len(self.X) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range for {len(self)} batches")
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return (self.X[rows],) if self.y is None else (self.X[rows], self.y[rows])


def create_keras_timeseriesgenerator(
    X: np.ndarray,
    y: np.ndarray | None,
    batch_size: int,
    lookback_window: int,
    lookahead: int,
) -> TimeseriesGenerator:
    """Batches of windows of ``lookback_window`` rows of X, with the target ``lookahead`` rows ahead.

    With ``lookahead=0`` a window's target is y at the window's last row; with
    ``lookahead=1`` the row after it, and so on.

    >>> import numpy as np
    >>> X, y = np.random.rand(100,2), np.random.rand(100, 2)
    >>> gen = create_keras_timeseriesgenerator(X, y,
    ...                                       batch_size=10,
    ...                                       lookback_window=20,
    ...                                       lookahead=0)
    >>> len(gen) # 9 = (100-20+1)/10
    9
    >>> len(gen[0]) # batchX and batchY
    2
    >>> len(gen[0][0]) # batch_size=10
    10
    >>> len(gen[0][0][0]) # a single sample, lookback_window = 20,
    20
    >>> len(gen[0][0][0][0]) # n_features = 2
    2
    """
    X = np.asarray(X)
    n_out = n_windows(len(X), lookback_window, lookahead, "create_keras_timeseriesgenerator")
    targets = None if y is None else np.asarray(y)[lookback_window - 1 + lookahead :]
    return TimeseriesGenerator(windows(X, lookback_window, n_out), targets, batch_size)


class KerasLSTMBaseEstimator(KerasBaseEstimator, TransformerMixin, abc.ABC):
    """Base of the LSTM models: each sample is a window of ``lookback_window`` rows.

    The target of a window is y ``lookahead`` rows after the window's last row,
    so X of n rows gives ``n - lookback_window + 1 - lookahead`` outputs, aligned
    with the last rows of y.
    """

    def __init__(
        self,
        kind: str | Callable[..., Any],
        lookback_window: int = 1,
        batch_size: int = 32,
        **kwargs: Any,
    ) -> None:
        self.kind = kind
        self.lookback_window = lookback_window
        self.batch_size = batch_size
        self.kwargs = kwargs

    _input_ndim = 3

    @property
    @abc.abstractmethod
    def lookahead(self) -> int:
        """Steps ahead in y the model should target"""

    @property
    def sk_params(self) -> dict[str, Any]:
        return {**self.kwargs, "batch_size": self.batch_size}

    def get_params(self, deep: bool = False, **params: Any) -> dict[str, Any]:
        """The parameters: ``kind``, ``lookback_window``, ``batch_size`` and the keyword arguments."""
        return {
            "kind": self.kind,
            "lookback_window": self.lookback_window,
            "batch_size": self.batch_size,
            **self.kwargs,
        }

    def _factory_kwargs(self) -> dict[str, Any]:
        return {**super()._factory_kwargs(), "lookback_window": self.lookback_window}

    def _training_data(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x_windows = window_input(X, self.lookback_window, self.lookahead, type(self).__name__)
        return x_windows, y[self.lookback_window - 1 + self.lookahead :]

    def _model_input(self, X: np.ndarray) -> np.ndarray:
        return window_input(X, self.lookback_window, self.lookahead, type(self).__name__)

    def fit(self, X: Any, y: Any, **kwargs: Any) -> KerasLSTMBaseEstimator:
        """Fit on windows of ``X`` (n_samples x n_features) to the targets in ``y``."""
        return super().fit(X, y, **kwargs)

    def predict(self, X: Any, **kwargs: Any) -> np.ndarray:
        """Outputs for each window of ``X``: ``n_samples - lookback_window + 1 - lookahead`` rows.

        >>> import numpy as np
        >>> from gordo.machine.model.factories.lstm_autoencoder import lstm_model
        >>> from gordo.machine.model.models import KerasLSTMForecast
        >>> #Define train/test data
        >>> X_train = np.array([[1, 1], [2, 3], [0.5, 0.6], [0.3, 1],
        ... [0.6, 0.7]])
        >>> X_test = np.array([[2, 3], [1, 1], [0.1, 1], [0.5, 2]])
        >>> #Initiate model, fit and transform
        >>> lstm_ae = KerasLSTMForecast(kind="lstm_model",
        ...                             lookback_window=2,
        ...                             verbose=0)
        >>> model_fit = lstm_ae.fit(X_train, y=X_train.copy())
        >>> model_transform = lstm_ae.predict(X_test)
        >>> model_transform.shape
        (2, 2)
        """
        return super().predict(X, **kwargs)

    def transform(self, X: Any) -> np.ndarray:
        """The model's output for ``X``, as :meth:`predict`."""
        return self.predict(X)

    def get_metadata(self) -> dict[str, Any]:
        """The fit's metadata plus ``forecast_steps`` (the lookahead)."""
        metadata = super().get_metadata()
        return {**metadata, "forecast_steps": self.lookahead} if metadata else {}


class KerasLSTMAutoEncoder(KerasLSTMBaseEstimator):
    """An LSTM autoencoder: each window's target is y at the window's last row (lookahead 0)."""

    @property
    def lookahead(self) -> int:
        """Steps ahead in y the model should target"""
        return 0

    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> KerasLSTMAutoEncoder:
        """Fit to ``X`` (and ``y``, which defaults to ``X``)."""
        return super().fit(X, X if y is None else y, **kwargs)


class KerasLSTMForecast(KerasLSTMBaseEstimator):
    """A one step ahead LSTM forecast: each window's target is y at the next row (lookahead 1)."""

    @property
    def lookahead(self) -> int:
        """Steps ahead in y the model should target"""
        return 1


__all__ = [
    "KerasAutoEncoder",
    "KerasBaseEstimator",
    "KerasLSTMAutoEncoder",
    "KerasLSTMBaseEstimator",
    "KerasLSTMForecast",
    "KerasRawModelRegressor",
    "TimeseriesGenerator",
    "create_keras_timeseriesgenerator",
]
