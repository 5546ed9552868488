"""The architecture and training settings of a dense autoencoder, as plain data (no Keras).

The dense factories (:mod:`gordo.machine.model.factories.feedforward_autoencoder`)
compute a :class:`DenseSpec`; the Keras model is built from it, and
:mod:`gordo.machine.model.dense_training` trains the same network in numpy when
:func:`numpy_training` says every setting is one it computes exactly as Keras 3.

>>> spec = DenseSpec(3, ((2, "tanh"), (3, "linear")))
>>> numpy_training(spec)
NumpyTraining(optimizer='adam', optimizer_config={'learning_rate': 0.001, 'beta_1': 0.9, \
'beta_2': 0.999, 'epsilon': 1e-07, 'amsgrad': False}, loss='mse')
>>> numpy_training(DenseSpec(3, ((3, "linear"),), optimizer="RMSprop")) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from gordo.machine.model.nn_basics import ACTIVATIONS, DENSE_FORMAT

#: Keras 2 optimizer argument names accepted for compatibility, and their Keras 3 names.
LEGACY_OPTIMIZER_KWARGS = {"lr": "learning_rate", "decay": "weight_decay"}

#: Keras 3 defaults of the optimizers trained in numpy, by lower-case class name.
OPTIMIZER_DEFAULTS: dict[str, dict[str, Any]] = {
    "adam": {
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
        "amsgrad": False,
    },
    "sgd": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
}
#: Optimizer arguments that change nothing when left at None (Keras' default).
_NONE_ONLY = (
    "weight_decay",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "loss_scale_factor",
    "gradient_accumulation_steps",
    "ema_overwrite_frequency",
)
#: Import paths of the optimizer classes accepted in an optimizer definition.
_OPTIMIZER_PATHS = {
    f"{prefix}optimizers.{cls}": cls.lower()
    for prefix in ("keras.", "tensorflow.keras.")
    for cls in ("Adam", "SGD")
}
#: Loss names (as given to ``compile``) trained in numpy, and the loss each means.
LOSSES = {"mse": "mse", "mean_squared_error": "mse", "mae": "mae", "mean_absolute_error": "mae"}
#: Activations the engines differentiate (see dense_training.GRADIENTS): all Keras
#: activations computed in numpy but gelu (its gradient needs erf, which numpy lacks).
TRAINABLE_ACTIVATIONS = frozenset(ACTIVATIONS) - {"gelu"}


@dataclass(frozen=True)
class DenseSpec:
    """A stack of Dense layers on ``n_features`` inputs, with its optimizer and compile arguments.

    ``layers`` holds ``(units, activation)`` per layer; ``optimizer``,
    ``optimizer_kwargs`` and ``compile_kwargs`` are the factory's arguments as given.
    """

    n_features: int
    layers: tuple[tuple[int, str], ...]
    optimizer: Any = "Adam"
    optimizer_kwargs: Mapping[str, Any] | None = None
    compile_kwargs: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for a saved model); :meth:`from_dict` gives the spec back.

        >>> DenseSpec.from_dict(DenseSpec(2, ((2, "relu"),)).to_dict()) == DenseSpec(2, ((2, "relu"),))
        True
        """
        return {
            "n_features": self.n_features,
            "layers": layers_to_list(self.layers),
            **settings_to_dict(self),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DenseSpec:
        """The spec saved by :meth:`to_dict`."""
        return cls(int(data["n_features"]), layers_from_list(data["layers"]), *settings_of(data))

    def to_state(self, weights: Sequence[np.ndarray]) -> dict[str, Any]:
        """The saved state (format ``gordo-dense-model/1``) of this network with ``weights``.

        >>> DenseSpec(2, ((1, "relu"),)).to_state([np.ones((2, 1)), np.zeros(1)])["format"]
        'gordo-dense-model/1'
        """
        return spec_state(DENSE_FORMAT, self.to_dict(), weights)


def spec_state(format_: str, spec: dict[str, Any], weights: Sequence[np.ndarray]) -> dict[str, Any]:
    """A saved state: the format tag, the spec as plain data, the weights as numpy arrays."""
    return {"format": format_, "spec": spec, "weights": [np.asarray(w) for w in weights]}


def layers_to_list(layers: tuple[tuple[int, str], ...]) -> list[list]:
    """``(units, activation)`` layers as plain lists (for a saved spec)."""
    return [[units, activation] for units, activation in layers]


def layers_from_list(layers: Any) -> tuple[tuple[int, str], ...]:
    """The layers saved by :func:`layers_to_list`."""
    return tuple((int(units), str(activation)) for units, activation in layers)


def settings_to_dict(spec: Any) -> dict[str, Any]:
    """A spec's optimizer, optimizer and compile arguments as plain data."""
    return {
        "optimizer": spec.optimizer,
        "optimizer_kwargs": None if spec.optimizer_kwargs is None else dict(spec.optimizer_kwargs),
        "compile_kwargs": None if spec.compile_kwargs is None else dict(spec.compile_kwargs),
    }


def settings_of(data: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """(optimizer, optimizer_kwargs, compile_kwargs) saved by :func:`settings_to_dict`."""
    return data.get("optimizer", "Adam"), data.get("optimizer_kwargs"), data.get("compile_kwargs")


@dataclass(frozen=True)
class NumpyTraining:
    """How :mod:`gordo.machine.model.dense_training` trains a spec: optimizer, its config, loss."""

    optimizer: str
    optimizer_config: dict[str, Any]
    loss: str


def numpy_training(spec: DenseSpec) -> NumpyTraining | None:
    """The numpy training of ``spec``, or None when Keras must train it.

    None for an optimizer other than Adam or SGD (or a Keras optimizer object,
    a learning-rate schedule, clipping, weight decay, EMA ...), a loss other
    than mse/mae, other compile arguments (metrics ...), an activation the
    engine does not differentiate, or layer sizes Keras would reject.
    """
    return training_settings(
        spec.layers, spec.optimizer, spec.optimizer_kwargs, spec.compile_kwargs
    )


def training_settings(
    layers: Iterable[tuple[int, str]],
    optimizer: Any,
    optimizer_kwargs: Mapping[str, Any] | None,
    compile_kwargs: Mapping[str, Any] | None,
) -> NumpyTraining | None:
    """How layers of ``(units, activation)`` compiled with these arguments train without Keras.

    None under the conditions of :func:`numpy_training`.

    >>> training_settings([(2, "tanh")], "SGD", {"lr": 0.1}, {"loss": "mae"})
    NumpyTraining(optimizer='sgd', optimizer_config={'learning_rate': 0.1, 'momentum': 0.0, \
'nesterov': False}, loss='mae')
    """
    for units, activation in layers:
        if not _valid_units(units) or activation not in TRAINABLE_ACTIVATIONS:
            return None
    compile_kwargs = {"loss": "mse", **(compile_kwargs or {})}
    loss = compile_kwargs.pop("loss")
    if compile_kwargs or not isinstance(loss, str) or loss not in LOSSES:
        return None
    optimizer = _optimizer_config(optimizer, optimizer_kwargs)
    if optimizer is None:
        return None
    return NumpyTraining(optimizer[0], optimizer[1], LOSSES[loss])


def _optimizer_config(
    optimizer: Any, optimizer_kwargs: Mapping[str, Any] | None
) -> tuple[str, dict[str, Any]] | None:
    """(name, full config) of an Adam or SGD optimizer as ``make_optimizer`` would build it."""
    if isinstance(optimizer, str):
        name = optimizer if optimizer in ("Adam", "adam", "SGD", "sgd") else None
        kwargs = {LEGACY_OPTIMIZER_KWARGS.get(k, k): v for k, v in (optimizer_kwargs or {}).items()}
    elif isinstance(optimizer, Mapping) and len(optimizer) == 1:
        ((path, params),) = optimizer.items()
        name = _OPTIMIZER_PATHS.get(path)
        kwargs = dict(params or {}) if isinstance(params, Mapping | None) else None
    else:
        return None
    if name is None or kwargs is None:
        return None
    name = name.lower()
    kwargs.pop("name", None)
    for key in _NONE_ONLY:
        if kwargs.pop(key, None) is not None:
            return None
    if kwargs.pop("use_ema", False) is not False:
        return None
    kwargs.pop("ema_momentum", None)
    defaults = OPTIMIZER_DEFAULTS[name]
    if set(kwargs) - set(defaults):
        return None
    config = {**defaults, **kwargs}
    if not all(_valid(key, value) for key, value in config.items()):
        return None
    if name == "sgd" and not 0 <= config["momentum"] <= 1:
        return None  # Keras rejects it: let Keras say so
    return name, config


def _valid_units(units: Any) -> bool:
    return isinstance(units, int) and not isinstance(units, bool) and units > 0


def _valid(key: str, value: Any) -> bool:
    """Whether ``value`` is a plain setting Keras and the engine read alike."""
    if key in ("amsgrad", "nesterov"):
        return isinstance(value, bool)
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
