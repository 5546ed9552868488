"""Shared helpers for models: output frames with two-level columns, and metric wrappers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.internals import create_dataframe_from_blocks


def _tag_name(tag: Any) -> str:
    return tag.name if hasattr(tag, "name") else str(tag)


def frame_from_blocks(
    blocks: Sequence[tuple[str, Sequence[str], np.ndarray]],
    index: Any = None,
    frequency: timedelta | None = None,
) -> pd.DataFrame:
    """A frame of float ``blocks`` (top-level name, column names, values) with one index.

    With a datetime ``index`` and a ``frequency``, ``start`` and ``end`` columns
    (the index, and the index plus the frequency) come first. Built in one pass
    (no per-column pandas work), as the server calls it on every request.

    >>> frame_from_blocks([("a", ["x", "y"], np.ones((2, 2)))]).columns.tolist()
    [('a', 'x'), ('a', 'y')]
    """
    n_rows = len(blocks[0][2])
    values = np.empty((n_rows, sum(len(names) for _, names, _ in blocks)))
    tops: dict[str, int] = {}
    names_level: dict[str, int] = {}
    top_codes: list[int] = []
    name_codes: list[int] = []
    with_times = frequency is not None and isinstance(index, pd.DatetimeIndex)
    for top, names, _ in [("start", ["start"], None), ("end", ["end"], None)] * with_times + list(
        blocks
    ):
        code = tops.setdefault(top, len(tops))
        for name in names:
            top_codes.append(code)
            name_codes.append(names_level.setdefault(name, len(names_level)))
    position = 0
    for _, names, block in blocks:
        values[:, position : position + len(names)] = np.asarray(block).reshape(n_rows, -1)
        position += len(names)
    columns = pd.MultiIndex(
        levels=[pd.Index(list(tops), dtype=object), pd.Index(list(names_level), dtype=object)],
        codes=[top_codes, name_codes],
        verify_integrity=False,
    )
    if not with_times:
        return pd.DataFrame(values, index=index, columns=columns, copy=False)
    # One float block and two time columns, handed to pandas as blocks: building the
    # frame column by column costs a pandas Series per column on every request.
    return create_dataframe_from_blocks(
        [
            (values.T, np.arange(2, values.shape[1] + 2)),
            (index.array.copy(), np.array([0])),  # not shared with the index
            ((index + pd.Timedelta(frequency)).array, np.array([1])),
        ],
        index=index,
        columns=columns,
    )


def make_base_dataframe(
    tags: Sequence[Any],
    model_input: np.ndarray,
    model_output: np.ndarray,
    target_tag_list: Sequence[Any] | None = None,
    index: np.ndarray | pd.Index | None = None,
    frequency: timedelta | None = None,
) -> pd.DataFrame:
    """A frame with ``model-input`` and ``model-output`` column groups over tag names.

    When the model outputs fewer rows than its input (LSTM models), the input
    and the index are clipped to their last rows. Output columns are named by
    ``target_tag_list``, else by ``tags`` when the widths match, else 0, 1, ...

    >>> import numpy as np
    >>> df = make_base_dataframe(["a", "b"], np.zeros((4, 2)), np.ones((3, 2)))
    >>> df.columns.tolist()
    [('model-input', 'a'), ('model-input', 'b'), ('model-output', 'a'), ('model-output', 'b')]
    >>> len(df)
    3
    >>> idx = pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC")
    >>> df = make_base_dataframe(["a"], np.zeros((2, 1)), np.ones((2, 1)), ["t"], idx,
    ...                          frequency=pd.Timedelta("10min"))
    >>> df.columns.tolist()
    [('start', 'start'), ('end', 'end'), ('model-input', 'a'), ('model-output', 't')]
    >>> str(df["end"]["end"].iloc[0])
    '2020-01-01 00:10:00+00:00'
    """
    model_input = np.asarray(model_input)
    model_output = np.asarray(model_output)
    if model_output.ndim == 1:
        model_output = model_output.reshape(-1, 1)
    n = len(model_output)
    names_in = [_tag_name(t) for t in tags]
    if target_tag_list:
        names_out = [_tag_name(t) for t in target_tag_list]
    elif model_output.shape[1] == len(names_in):
        names_out = names_in
    else:
        names_out = [str(i) for i in range(model_output.shape[1])]
    if len(names_out) != model_output.shape[1]:
        raise ValueError(
            f"model output has {model_output.shape[1]} columns but {len(names_out)} target tags"
        )
    blocks = [("model-output", names_out, model_output)]
    if len(names_in) == model_input.shape[1]:
        blocks.insert(0, ("model-input", names_in, model_input[-n:] if n else model_input[:0]))
    if index is not None:
        index = index[-n:] if n else index[:0]
    return frame_from_blocks(blocks, index, frequency)


class metric_wrapper:  # noqa: N801 - documented function-style name
    """A metric that aligns ``y_true`` with a shorter ``y_pred`` and can scale both first.

    LSTM models output fewer rows than their input; ``y_true`` is clipped to its
    last ``len(y_pred)`` rows. ``scaler`` (already fitted) is applied to both.

    >>> from sklearn.metrics import mean_squared_error
    >>> metric = metric_wrapper(mean_squared_error)
    >>> metric(np.array([[1.0], [2.0], [3.0]]), np.array([[2.0], [3.0]]))
    0.0
    >>> metric.__name__
    'mean_squared_error'
    """

    def __init__(self, metric: Callable[..., float], scaler: Any = None):
        self.metric = metric
        self.scaler = scaler
        self.__name__ = getattr(metric, "__name__", type(metric).__name__)

    def __call__(self, y_true: Any, y_pred: Any, *args: Any, **kwargs: Any) -> float:
        y_true = y_true[-len(y_pred) :]
        if self.scaler is not None:
            y_true = self.scaler.transform(y_true)
            y_pred = self.scaler.transform(y_pred)
        return self.metric(y_true, y_pred, *args, **kwargs)

    def __repr__(self) -> str:
        return f"metric_wrapper({self.__name__}, scaler={self.scaler!r})"
