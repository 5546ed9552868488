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
    """``{column: {count, mean, std, min, 25%, 50%, 75%, max}}`` over ``X`` (NaN ignored).

    Computed over a column-major copy of ``X``'s values, so every sum runs along one
    column (numpy's pairwise order) and the numbers do not depend on ``X``'s blocks.
    """
    if X.empty:
        return {}
    values = np.asfortranarray(X.to_numpy(dtype="float64"))
    missing = np.isnan(values).any()
    mean, std, low, high = (
        (np.nanmean, np.nanstd, np.nanmin, np.nanmax)
        if missing
        else (np.mean, np.std, np.min, np.max)  # the same numbers, without NaN masks
    )
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        count = (
            (~np.isnan(values)).sum(axis=0) if missing else np.full(values.shape[1], len(values))
        )
        stats = {
            "count": count.astype("float64"),
            "mean": mean(values, axis=0),
            "std": std(values, axis=0, ddof=1),
            "min": low(values, axis=0),
            **dict(zip(("25%", "50%", "75%"), quantiles(values), strict=True)),
            "max": high(values, axis=0),
        }
    return {
        column_key(col): {name: float(stat[i]) for name, stat in stats.items()}
        for i, col in enumerate(X.columns)
    }


def quantiles(values: np.ndarray) -> np.ndarray:
    """The 25th, 50th and 75th percentiles per column (NaN ignored; fast when there is none).

    Each column is partitioned as one contiguous row of ``values.T``.

    >>> quantiles(np.array([[1.0, 10.0], [2.0, np.nan], [3.0, 30.0]])).tolist()
    [[1.5, 15.0], [2.0, 20.0], [2.5, 25.0]]
    """
    rows = np.ascontiguousarray(values.T)
    if np.isnan(rows).any():
        return np.nanpercentile(rows, [25, 50, 75], axis=1)
    return np.percentile(rows, [25, 50, 75], axis=1)


def histogram(values: pd.Series | np.ndarray) -> str:
    """A JSON string ``{"(lo, hi]": count}`` over 100-ish bins (``"{}"`` for a constant column)."""
    data = np.asarray(values, dtype="float64")
    finite = np.isfinite(data)
    if not finite.all():
        data = data[finite]
    if not len(data):
        return "{}"
    lo, hi = float(data.min()), float(data.max())
    step = round((hi - lo) / 100, 6)
    if step < 9e-07:
        return "{}"
    edges = np.round(np.arange(round(lo - step, 6), round(hi + step, 6) + step / 2, step), 6)
    # bins are closed on the right: (lo, hi]
    index = edges_below(edges, data, step) - 1
    counts = np.bincount(np.clip(index, 0, len(edges) - 2), minlength=len(edges) - 1)
    bounds = edges.tolist()  # floats print as numpy's float64 do (shortest repr)
    return json.dumps(
        {f"({a}, {b}]": c for a, b, c in zip(bounds, bounds[1:], counts.tolist(), strict=False)}
    )


def edges_below(edges: np.ndarray, data: np.ndarray, step: float) -> np.ndarray:
    """``np.searchsorted(edges, data, side="left")`` (how many edges are below each
    finite value) for sorted, about evenly spaced ``edges``: a guess from the
    spacing, moved by one where an edge says so, binary search where still off.

    >>> edges = np.array([0.0, 0.1, 0.2, 0.3])
    >>> edges_below(edges, np.array([-1.0, 0.0, 0.05, 0.1, 0.29, 5.0]), 0.1).tolist()
    [0, 0, 1, 1, 3, 4]
    """
    # padded[k] is the edge below position k, padded[k + 1] the edge at it
    padded = np.concatenate([[-np.inf], edges, [np.inf]])
    found = np.clip(np.ceil((data - edges[0]) / step), 0, len(edges)).astype(np.intp)
    found -= padded[found] >= data
    found += padded[found + 1] < data
    wrong = (padded[found] >= data) | (padded[found + 1] < data)
    if wrong.any():
        found[wrong] = np.searchsorted(edges, data[wrong], side="left")
    return found


def x_histograms(X: pd.DataFrame) -> dict[str, str]:
    """``{column: histogram json}`` for every column of X."""
    values = np.asfortranarray(X.to_numpy(dtype="float64"))
    return {column_key(col): histogram(values[:, i]) for i, col in enumerate(X.columns)}
