"""Summary metadata of a dataset's X: per-column statistics and histograms.

Column keys are the tag names; with two-level ``(tag, method)`` columns they
are ``str((tag, method))`` so the metadata stays JSON-safe.

>>> import pandas as pd
>>> X = pd.DataFrame({"T": [0.0, 1.0, 2.0, 3.0]})
>>> summary_statistics(X)["T"]["max"]
3.0
>>> histogram(X["T"])[:40]
'{"(-0.03, 0.0]": 1, "(0.0, 0.03]": 0, "('
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd


def column_key(column) -> str:
    """The metadata key of a column.

    >>> column_key("T"), column_key(("T", "max"))
    ('T', "('T', 'max')")
    """
    return column if isinstance(column, str) else str(column)


def summary_statistics(X: pd.DataFrame) -> dict[str, dict[str, float]]:
    """``{column: {count, mean, std, min, 25%, 50%, 75%, max}}`` over ``X`` (NaN ignored)."""
    if X.empty:
        return {}
    values = X.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        count = (~np.isnan(values)).sum(axis=0)
        stats = {
            "count": count.astype("float64"),
            "mean": np.nanmean(values, axis=0),
            "std": np.nanstd(values, axis=0, ddof=1),
            "min": np.nanmin(values, axis=0),
            **dict(zip(("25%", "50%", "75%"), quantiles(values), strict=True)),
            "max": np.nanmax(values, axis=0),
        }
    return {
        column_key(col): {name: float(stat[i]) for name, stat in stats.items()}
        for i, col in enumerate(X.columns)
    }


def quantiles(values: np.ndarray) -> np.ndarray:
    """The 25th, 50th and 75th percentiles per column (NaN ignored; fast when there is none)."""
    if np.isnan(values).any():
        return np.nanpercentile(values, [25, 50, 75], axis=0)
    return np.percentile(values, [25, 50, 75], axis=0)


def histogram(values: pd.Series) -> str:
    """A JSON string ``{"(lo, hi]": count}`` over 100-ish bins (``"{}"`` for a constant column)."""
    data = values.to_numpy(dtype="float64")
    data = data[np.isfinite(data)]
    if not len(data):
        return "{}"
    lo, hi = float(data.min()), float(data.max())
    step = round((hi - lo) / 100, 6)
    if step < 9e-07:
        return "{}"
    edges = np.round(np.arange(round(lo - step, 6), round(hi + step, 6) + step / 2, step), 6)
    # bins are closed on the right: (lo, hi]
    index = np.searchsorted(edges, data, side="left") - 1
    counts = np.bincount(np.clip(index, 0, len(edges) - 2), minlength=len(edges) - 1)
    return json.dumps({f"({edges[i]}, {edges[i + 1]}]": int(c) for i, c in enumerate(counts)})


def x_histograms(X: pd.DataFrame) -> dict[str, str]:
    """``{column: histogram json}`` for every column of X."""
    return {column_key(col): histogram(X[col]) for col in X.columns}
