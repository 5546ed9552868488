"""Imputation of infinite values."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

_STRATEGIES = ("minmax", "extremes")


class InfImputer(TransformerMixin, BaseEstimator):
    """Fill inf/-inf values of a 2D array or frame with fitted or given values.

    ``strategy="minmax"`` fills with each column's max + ``delta`` (for inf) and
    min - ``delta`` (for -inf), as seen in fit; ``"extremes"`` with the largest
    and smallest values of the data type (of each column, for a frame).
    ``inf_fill_value`` / ``neg_inf_fill_value`` take precedence over the strategy.

    >>> X = np.array([[1.0, 10.0], [np.inf, -10.0], [3.0, -np.inf]])
    >>> InfImputer().fit_transform(X)
    array([[  1.,  10.],
           [  5., -10.],
           [  3., -12.]])
    >>> InfImputer(inf_fill_value=0.0, neg_inf_fill_value=-1.0).fit_transform(X)[1:, :]
    array([[  0., -10.],
           [  3.,  -1.]])
    >>> InfImputer(strategy="extremes").fit_transform(X.astype("float32"))[1, 0]
    np.float32(3.4028235e+38)
    """

    def __init__(
        self,
        inf_fill_value: float | None = None,
        neg_inf_fill_value: float | None = None,
        strategy: str = "minmax",
        delta: float = 2.0,
    ):
        self.inf_fill_value = inf_fill_value
        self.neg_inf_fill_value = neg_inf_fill_value
        self.strategy = strategy
        self.delta = delta

    def fit(self, X: pd.DataFrame | np.ndarray, y: Any = None) -> InfImputer:
        """Learn the per-column fill values (``minmax``) from the finite values of X."""
        if self.strategy not in _STRATEGIES:
            raise ValueError(f"strategy must be one of {_STRATEGIES}, got {self.strategy!r}")
        values = _float64(X)
        if values.ndim != 2:
            raise ValueError(f"InfImputer expects 2D data, got shape {values.shape}")
        if self.strategy == "minmax":
            finite = np.where(np.isfinite(values), values, np.nan)
            with np.errstate(all="ignore"):
                self._posinf_fill_values = np.nan_to_num(np.nanmax(finite, axis=0)) + self.delta
                self._neginf_fill_values = np.nan_to_num(np.nanmin(finite, axis=0)) - self.delta
        else:
            infos = [np.finfo(_float_dtype(dtype)) for dtype in _column_dtypes(X, values.shape[1])]
            self._posinf_fill_values = np.array([info.max for info in infos], dtype="float64")
            self._neginf_fill_values = np.array([info.min for info in infos], dtype="float64")
        if self.inf_fill_value is not None:
            self._posinf_fill_values = np.full(
                values.shape[1], self.inf_fill_value, dtype="float64"
            )
        if self.neg_inf_fill_value is not None:
            self._neginf_fill_values = np.full(
                values.shape[1], self.neg_inf_fill_value, dtype="float64"
            )
        self.n_features_in_ = values.shape[1]
        return self

    def transform(self, X: pd.DataFrame | np.ndarray, y: Any = None) -> pd.DataFrame | np.ndarray:
        """X with inf and -inf replaced by the fitted fill values; a frame stays a frame
        (with its column types)."""
        check_is_fitted(self, "_posinf_fill_values")
        values = _float64(X, copy=True) if isinstance(X, pd.DataFrame) else np.array(X, copy=True)
        if values.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {values.shape[1]} features, but InfImputer was fitted with "
                f"{self.n_features_in_} features"
            )
        pos = np.isposinf(values)
        neg = np.isneginf(values)
        values[pos] = np.broadcast_to(self._posinf_fill_values, values.shape)[pos]
        values[neg] = np.broadcast_to(self._neginf_fill_values, values.shape)[neg]
        if isinstance(X, pd.DataFrame):
            frame = pd.DataFrame(values, index=X.index, columns=X.columns)
            return frame.astype(X.dtypes.to_dict()) if X.columns.is_unique else frame
        return values


def _float64(X: pd.DataFrame | np.ndarray, copy: bool = False) -> np.ndarray:
    """X as a float64 array (a frame's nullable and pyarrow columns included, NA as NaN)."""
    if isinstance(X, pd.DataFrame):
        return X.to_numpy(dtype="float64", na_value=np.nan, copy=copy)
    return np.asarray(X, dtype="float64")


def _column_dtypes(X: pd.DataFrame | np.ndarray, n_columns: int) -> list[Any]:
    if isinstance(X, pd.DataFrame):
        return list(X.dtypes)
    return [np.asarray(X).dtype] * n_columns


def _float_dtype(dtype: Any) -> np.dtype:
    """The numpy float type of a column's dtype (float64 for any non-float column)."""
    numpy_dtype = getattr(dtype, "numpy_dtype", dtype)  # nullable and pyarrow dtypes
    try:
        numpy_dtype = np.dtype(numpy_dtype)
    except TypeError:
        return np.dtype("float64")
    return numpy_dtype if numpy_dtype.kind == "f" else np.dtype("float64")
