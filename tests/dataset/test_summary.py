"""Summary metadata: histograms and statistics against plain numpy/pandas references."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gordo.dataset.summary import histogram, summarize, summary_statistics, x_histograms


def reference_histogram(values: np.ndarray) -> str:
    """The histogram rule written out with ``np.searchsorted`` and a dict of float64s."""
    data = values[np.isfinite(values)]
    if not len(data):
        return "{}"
    lo, hi = float(data.min()), float(data.max())
    step = round((hi - lo) / 100, 6)
    if step < 9e-07:
        return "{}"
    edges = np.round(np.arange(round(lo - step, 6), round(hi + step, 6) + step / 2, step), 6)
    index = np.clip(np.searchsorted(edges, data, side="left") - 1, 0, len(edges) - 2)
    counts = np.bincount(index, minlength=len(edges) - 1)
    return json.dumps({f"({edges[i]}, {edges[i + 1]}]": int(c) for i, c in enumerate(counts)})


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["normal", "grid", "few", "inf", "tiny"]),
    scale=st.integers(-7, 9),
)
def test_histogram_matches_searchsorted_reference(seed, kind, scale):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 2000))
    if kind == "normal":
        data = rng.normal(size=n) * 10.0**scale
    elif kind == "grid":  # values on the bin edges themselves
        step = round(abs(rng.normal()) * 1e-3, 6) or 1e-6
        data = np.round(rng.normal() + step * rng.integers(-5, 120, n), 6)
    elif kind == "few":
        data = rng.integers(0, 5, n).astype(float)
    elif kind == "inf":
        data = np.where(rng.random(n) < 0.1, np.inf, rng.random(n)) * 10.0**scale
    else:  # a range close to the smallest step
        data = 1.0 + rng.random(n) * 1.2e-4
    if rng.random() < 0.2:
        data[rng.integers(0, n, 3)] = np.nan
    assert histogram(data) == reference_histogram(data)


def test_constant_and_empty_columns_have_empty_histograms():
    assert histogram(np.full(10, 3.0)) == "{}"
    assert histogram(np.array([np.nan, np.inf])) == "{}"


@pytest.mark.parametrize("with_nan", [False, True])
def test_statistics_do_not_depend_on_the_frame_layout(with_nan):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(5000, 3)) * 1e3
    if with_nan:
        values[rng.random(values.shape) < 0.05] = np.nan
    columns = ["a", "b", "c"]
    blocks = pd.concat([pd.Series(values[:, i], name=c) for i, c in enumerate(columns)], axis=1)
    single = pd.DataFrame(np.ascontiguousarray(values.T).T, columns=columns)
    row_major = pd.DataFrame(values, columns=columns, copy=False)
    stats, hists = summarize(blocks)
    assert summary_statistics(single) == stats == summary_statistics(row_major)
    assert x_histograms(row_major) == hists
    described = blocks.describe()
    for column in columns:
        for key, value in described[column].items():
            assert stats[column][key] == pytest.approx(value, rel=1e-12)
        assert hists[column] == reference_histogram(values[:, columns.index(column)])
