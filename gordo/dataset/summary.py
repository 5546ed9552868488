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


def summarize(X: pd.DataFrame) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """:func:`summary_statistics` and :func:`x_histograms` of ``X`` from one sort.

    Sums run over a column-major copy of ``X``'s values (numpy's pairwise order along
    each column), so the numbers do not depend on how ``X``'s blocks are laid out;
    quartiles and histogram counts come from each column sorted once.

    >>> stats, hists = summarize(pd.DataFrame({"T": [3.0, 1.0, 2.0, 0.0]}))
    >>> stats["T"]["50%"], hists["T"][:22]
    (1.5, '{"(-0.03, 0.0]": 1, "(')
    """
    values = np.asfortranarray(X.to_numpy(dtype="float64"))
    ordered = np.sort(values.T, axis=1)  # one row per column, NaN last
    keys = [column_key(col) for col in X.columns]
    histograms = {key: _sorted_histogram(row) for key, row in zip(keys, ordered, strict=True)}
    if X.empty:
        return {}, histograms
    missing = bool(np.isnan(ordered[:, -1]).any())
    mean, std, low, high, percentile = (
        (np.nanmean, np.nanstd, np.nanmin, np.nanmax, np.nanpercentile)
        if missing
        else (np.mean, np.std, np.min, np.max, np.percentile)  # the same numbers without NaN
    )
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        count = (~np.isnan(values)).sum(axis=0) if missing else np.full(len(keys), len(values))
        stats = {
            "count": count.astype("float64"),
            "mean": mean(values, axis=0),
            "std": std(values, axis=0, ddof=1),
            "min": low(values, axis=0),
            # numpy's numbers, partitioning sorted rows (no longer needed: reordered in place)
            **dict(
                zip(
                    ("25%", "50%", "75%"),
                    percentile(ordered, [25, 50, 75], axis=1, overwrite_input=True),
                    strict=True,
                )
            ),
            "max": high(values, axis=0),
        }
    return (
        {key: {name: float(stat[i]) for name, stat in stats.items()} for i, key in enumerate(keys)},
        histograms,
    )


def summary_statistics(X: pd.DataFrame) -> dict[str, dict[str, float]]:
    """``{column: {count, mean, std, min, 25%, 50%, 75%, max}}`` over ``X`` (NaN ignored)."""
    return summarize(X)[0]


def x_histograms(X: pd.DataFrame) -> dict[str, str]:
    """``{column: histogram json}`` for every column of X."""
    return summarize(X)[1]


def histogram(values: pd.Series | np.ndarray) -> str:
    """A JSON string ``{"(lo, hi]": count}`` over 100-ish bins (``"{}"`` for a constant column)."""
    return _sorted_histogram(np.sort(np.asarray(values, dtype="float64")))


def _sorted_histogram(ordered: np.ndarray) -> str:
    """:func:`histogram` of sorted values (NaN last): bins of width ``(max - min) / 100``
    rounded to 6 decimals, closed on the right, the first and last taking what is
    beyond them; counts by binary search of the edges in the values."""
    first = np.searchsorted(ordered, -np.inf, side="right")
    data = ordered[first : np.searchsorted(ordered, np.inf, side="left")]  # the finite values
    if not len(data):
        return "{}"
    low, high = float(data[0]), float(data[-1])
    step = round((high - low) / 100, 6)
    if step < 9e-07:
        return "{}"
    edges = np.round(np.arange(round(low - step, 6), round(high + step, 6) + step / 2, step), 6)
    at_or_below = np.searchsorted(data, edges, side="right")
    counts = np.diff(at_or_below)
    counts[0] += at_or_below[0]
    counts[-1] += len(data) - at_or_below[-1]
    bounds = list(map(repr, edges.tolist()))  # as numpy's float64 print: shortest repr
    labels = [f"({a}, {b}]" for a, b in zip(bounds, bounds[1:], strict=False)]
    return json.dumps(dict(zip(labels, counts.tolist(), strict=True)))
