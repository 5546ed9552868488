"""Input checks shared by the models: arrays of floats, finite values with the column named."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def as_float_array(data: Any, what: str, dtype: str = "float32") -> tuple[np.ndarray, list[str]]:
    """``data`` as a float array of at least 2 dimensions, and its column names (if a frame).

    >>> as_float_array(pd.DataFrame({"a": [1, 2]}), "X")[0].shape
    (2, 1)
    """
    if isinstance(data, pd.DataFrame):
        columns = [str(c) for c in data.columns]
        array = data.to_numpy(dtype=dtype)
    else:
        array = np.asarray(data, dtype=dtype)
        columns = []
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim < 2:
        raise ValueError(f"{what} must be 2-dimensional (rows x features), got shape {array.shape}")
    return array, columns


def checked_input(X: Any, n_features: int, owner: str) -> np.ndarray:
    """``X`` as float32 rows of ``n_features`` finite values, else a ValueError naming the problem.

    >>> checked_input([[1, 2]], 3, "KerasAutoEncoder")
    Traceback (most recent call last):
    ...
    ValueError: KerasAutoEncoder: X has 2 features, but the model was fitted with 3 features
    """
    array, columns = as_float_array(X, "X")
    if array.shape[1] != n_features:
        raise ValueError(
            f"{owner}: X has {array.shape[1]} features, but the model was fitted with "
            f"{n_features} features"
        )
    check_finite(array, columns, "X", owner)
    return array


def check_finite(array: np.ndarray, columns: list[str], what: str, owner: str) -> None:
    """Raise ValueError naming the first column of ``array`` holding NaN or infinity.

    >>> check_finite(np.array([[1.0, np.inf]]), ["a", "b"], "X", "KerasAutoEncoder")
    Traceback (most recent call last):
    ...
    ValueError: KerasAutoEncoder: X has NaN or infinite values in column 'b'
    """
    finite = np.isfinite(array)
    if finite.all():
        return
    axes = tuple(range(array.ndim - 1))
    bad = int(np.flatnonzero(~finite.all(axis=axes))[0])
    name = repr(columns[bad]) if bad < len(columns) else f"index {bad}"
    raise ValueError(f"{owner}: {what} has NaN or infinite values in column {name}")


def fit_arrays(X: Any, y: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` as float32 arrays of as many rows, with finite values, for ``owner``'s fit.

    >>> fit_arrays([[1.0], [2.0]], [[1.0]], "KerasAutoEncoder")
    Traceback (most recent call last):
    ...
    ValueError: KerasAutoEncoder: X has 2 rows but y has 1
    """
    X_arr, x_columns = as_float_array(X, "X")
    y_arr, y_columns = as_float_array(y, "y")
    if len(X_arr) != len(y_arr):
        raise ValueError(f"{owner}: X has {len(X_arr)} rows but y has {len(y_arr)}")
    check_finite(X_arr, x_columns, "X", owner)
    check_finite(y_arr, y_columns, "y", owner)
    return X_arr, y_arr
