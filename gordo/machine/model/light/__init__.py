"""Serving fitted models without importing scikit-learn or Keras.

A built model is a pickle of scikit-learn and gordo estimators; unpickling it
imports scikit-learn (and SciPy), which costs the server more than a second on
the first request and about 100 MB per worker. :func:`serving_loads` reads the
pickle with stand-ins for those classes (:mod:`.unpickle`) and, when every part
of the model has a light twin (:mod:`.estimators`), returns the twin: same
``predict`` and ``anomaly`` results, numpy and pandas only. Any other model is
unpickled for real, so nothing is served differently, only faster.

>>> import pickle, numpy as np
>>> from sklearn.preprocessing import MinMaxScaler
>>> from sklearn.pipeline import Pipeline
>>> from gordo.machine.model.models import KerasAutoEncoder
>>> X = np.random.default_rng(0).random((64, 3))
>>> model = Pipeline([("scale", MinMaxScaler()),
...                   ("ae", KerasAutoEncoder(kind="feedforward_hourglass", epochs=1))]).fit(X, X)
>>> twin = serving_loads(pickle.dumps(model))
>>> type(twin).__name__
'LightPipeline'
>>> np.array_equal(twin.predict(X), model.predict(X))
True
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from gordo.machine.model.light.estimators import Unsupported, light_model
from gordo.machine.model.light.unpickle import stub_loads

logger = logging.getLogger(__name__)


def light_loads(data: bytes) -> Any | None:
    """The light twin of the model pickled in ``data``, or None if some part has none."""
    try:
        return light_model(stub_loads(data))
    except Unsupported as exc:
        logger.debug("Model loaded with its own classes: %s", exc)
    except Exception as exc:  # any surprise in a pickle: let the real unpickling decide
        logger.debug("Model loaded with its own classes: reading it light failed: %r", exc)
    return None


def serving_loads(data: bytes) -> Any:
    """The light twin of the model pickled in ``data`` if it has one, else the model itself."""
    twin = light_loads(data)
    return twin if twin is not None else pickle.loads(data)
