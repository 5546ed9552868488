"""Epochs of row indices as fixed-size chunks of optimizer steps, for compiled training loops.

A compiled loop (a ``lax.scan`` over batches) runs :data:`CHUNK_STEPS` steps of
``batch_size`` rows per call, whatever the number of rows, so CV folds and
machines of other sizes reuse one compiled program. Padding rows are -1 (weight
0); a step of padding only must leave the state unchanged. Numpy only.

>>> batches = pad_steps(epoch_batches(np.arange(5), 2))
>>> batches.shape, batches[:3].tolist()
((16, 2), [[0, 1], [2, 3], [4, -1]])
>>> epoch_means([([np.array([1.0, 2.0, 4.0])], 3)], n_train=5, batch_size=2, epochs=1)
[2.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Optimizer steps per call of a compiled training function.
CHUNK_STEPS = 16


def epoch_batches(order: np.ndarray, batch_size: int) -> np.ndarray:
    """Row indices of one epoch (``order``) as (steps, batch_size), the last batch padded with -1."""
    n = len(order)
    steps = math.ceil(n / batch_size)
    padded = np.full(steps * batch_size, -1, dtype=np.int64)
    padded[:n] = order
    return padded.reshape(steps, batch_size)


def pad_steps(batches: np.ndarray) -> np.ndarray:
    """Pad the step axis of ``batches`` with all -1 steps to a multiple of :data:`CHUNK_STEPS`."""
    extra = -len(batches) % CHUNK_STEPS
    if extra == 0:
        return batches
    return np.concatenate([batches, np.full((extra, batches.shape[1]), -1, dtype=np.int64)])


def step_groups(orders: Sequence[np.ndarray], batch_size: int, epochs: bool) -> list[np.ndarray]:
    """The padded batches of each epoch in ``orders``, joined into one group unless ``epochs``.

    With validation each epoch ends on a chunk boundary (``epochs=True``) so the
    validation loss sees that epoch's weights; without, all epochs form one
    stream of steps.
    """
    groups = [epoch_batches(order, batch_size) for order in orders]
    if not epochs and groups:
        groups = [np.concatenate(groups)]
    return groups


def run_groups(
    train_chunk: Callable[[Any, np.ndarray, np.ndarray, np.ndarray], tuple[Any, Any]],
    state: Any,
    groups: Sequence[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    evaluate: Callable[[Any], float] | None = None,
) -> tuple[Any, list[tuple[list[Any], int]], list[float]]:
    """Run the steps of each group, one chunk per ``train_chunk(state, xs, ys, ws)`` call.

    ``train_chunk`` returns the new state and the chunk's step losses; ``ws`` is 1
    for a real row, 0 for padding. After each group, ``evaluate(state)`` (if
    given) gives a validation loss. Returns the final state, per group its chunks'
    losses and real step count (for :func:`epoch_means`), and the validation losses.
    """
    group_losses, val_losses = [], []
    for group in groups:
        padded = pad_steps(group)
        chunk_losses = []
        for start in range(0, len(padded), CHUNK_STEPS):
            index = padded[start : start + CHUNK_STEPS]
            rows = np.maximum(index, 0)
            state, losses = train_chunk(state, x[rows], y[rows], (index >= 0).astype("float32"))
            chunk_losses.append(losses)
        group_losses.append((chunk_losses, len(group)))
        if evaluate is not None:
            val_losses.append(float(evaluate(state)))
    return state, group_losses, val_losses


def epoch_means(
    group_losses: Sequence[tuple[Sequence[np.ndarray], int]],
    n_train: int,
    batch_size: int,
    epochs: int,
) -> list[float]:
    """Per-epoch mean loss over samples, from the per-step losses of each group of steps.

    ``group_losses`` holds, per group, its chunks' step losses and its number of real steps.
    """
    if not epochs:
        return []
    losses = np.concatenate(
        [
            np.concatenate([np.asarray(c) for c in chunks])[:n_real]
            for chunks, n_real in group_losses
        ]
    ).astype("float64")
    steps_per_epoch = math.ceil(n_train / batch_size)
    sizes = np.full(steps_per_epoch, batch_size, dtype="float64")
    sizes[-1] = n_train - batch_size * (steps_per_epoch - 1)
    return [float(v) for v in losses.reshape(epochs, steps_per_epoch) @ sizes / n_train]


def bucket(n: int) -> int:
    """The padded row count for ``n`` rows: the next power of two, at least 8.

    >>> bucket(5), bucket(9)
    (8, 16)
    """
    return max(8, 1 << (n - 1).bit_length())


def pad_rows(a: np.ndarray, rows: int) -> np.ndarray:
    """``a`` with zero rows appended up to ``rows`` rows."""
    if len(a) == rows:
        return a
    out = np.zeros((rows, *a.shape[1:]), dtype=a.dtype)
    out[: len(a)] = a
    return out
