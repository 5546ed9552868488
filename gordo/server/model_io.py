"""The general model input/output operations applied by the views.

>>> import numpy as np
>>> from sklearn.decomposition import PCA
>>> X = np.random.default_rng(0).random((10, 3))
>>> get_model_output(PCA(n_components=2).fit(X), X).shape
(10, 2)
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def get_model_output(model, X: np.ndarray | pd.DataFrame) -> np.ndarray:
    """The raw output of ``model`` for ``X``: ``predict`` if it has one, else ``transform``.

    Raises ``AttributeError`` if the model has neither. The output is always 2-d.
    """
    if hasattr(model, "predict"):
        output = model.predict(X)
    elif hasattr(model, "transform"):
        output = model.transform(X)
    else:
        raise AttributeError(f"Model {type(model).__name__} has neither predict nor transform")
    output = np.asarray(output)
    return output.reshape(len(output), -1) if output.ndim != 2 else output
