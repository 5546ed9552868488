"""Detection-quality metrics of anomaly alarms against labelled anomaly segments.

Rows are labelled (``True`` inside a labelled anomaly) and flagged (``True``
where a detector raises an alarm). An *event* is a run of consecutive ``True``
rows. The metrics:

- *event-wise recall*: the share of labelled events overlapped by a flagged row;
- *point-wise precision*: the share of flagged rows that are labelled;
- *composite F1* (Fc1): the harmonic mean of the two. Merging everything into
  one long alarm does not game it (precision falls), unlike plain event-F1;
- *event-F1*: harmonic mean of event-wise recall and event-wise precision (the
  share of flagged events overlapping a labelled event);
- *point-F1*, the *average precision* of a raw score, the share of normal rows
  flagged and false-alarm events (flagged events overlapping no label) per
  10 000 normal rows.

>>> labels = np.array([0, 1, 1, 0, 0, 0, 1, 0], dtype=bool)
>>> flags = np.array([0, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
>>> m = detection_metrics(labels, flags)
>>> m["event-recall"], m["point-precision"], m["fc1"]
(0.5, 0.5, 0.5)
>>> m["false-events-per-10k"]
2000.0
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score

#: Normal rows that false-alarm events are counted per.
PER_NORMAL_ROWS = 10_000


def events(flags: np.ndarray) -> np.ndarray:
    """The ``[start, end)`` row ranges of the runs of ``True`` in ``flags``, shape ``(n, 2)``.

    >>> events(np.array([1, 1, 0, 1], dtype=bool)).tolist()
    [[0, 2], [3, 4]]
    >>> events(np.zeros(3, dtype=bool)).shape
    (0, 2)
    """
    padded = np.concatenate([[False], np.asarray(flags, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return edges.reshape(-1, 2)


def _overlaps(ranges: np.ndarray, other: np.ndarray) -> np.ndarray:
    """For each ``[start, end)`` of ``ranges``, whether ``other`` (booleans) has a True in it."""
    cumulative = np.concatenate([[0], np.cumsum(other)])
    return cumulative[ranges[:, 1]] - cumulative[ranges[:, 0]] > 0


def _harmonic(a: float, b: float) -> float:
    return 0.0 if a + b == 0 else 2 * a * b / (a + b)


def detection_metrics(
    labels: np.ndarray, flags: np.ndarray, score: np.ndarray | None = None
) -> dict[str, float]:
    """Fc1, event-F1, point-F1 and false-alarm figures of ``flags`` against ``labels``.

    Recall-based figures are NaN without labelled rows; ``average-precision`` (of
    ``score``, when given) is NaN without both classes. Precision is 0 when
    nothing is flagged.

    >>> m = detection_metrics(np.zeros(4, bool), np.array([0, 1, 1, 0], bool))
    >>> m["normal-rows-flagged"], m["false-events-per-10k"], bool(np.isnan(m["fc1"]))
    (0.5, 2500.0, True)
    """
    labels = np.asarray(labels, dtype=bool)
    flags = np.asarray(flags, dtype=bool)
    if labels.shape != flags.shape or labels.ndim != 1:
        raise ValueError(
            f"labels and flags must be 1-D of one length, got {labels.shape} and {flags.shape}"
        )
    true_events, flag_events = events(labels), events(flags)
    found = _overlaps(true_events, flags)
    hit = _overlaps(flag_events, labels)
    n_flagged, n_normal = int(flags.sum()), int((~labels).sum())
    true_positive = int((flags & labels).sum())
    nan = float("nan")
    event_recall = float(found.mean()) if len(true_events) else nan
    point_recall = true_positive / int(labels.sum()) if labels.any() else nan
    point_precision = true_positive / n_flagged if n_flagged else 0.0
    event_precision = float(hit.mean()) if len(flag_events) else 0.0
    metrics = {
        "fc1": _harmonic(event_recall, point_precision) if labels.any() else nan,
        "event-f1": _harmonic(event_recall, event_precision) if labels.any() else nan,
        "point-f1": _harmonic(point_recall, point_precision) if labels.any() else nan,
        "event-recall": event_recall,
        "point-precision": point_precision,
        "events-found": int(found.sum()),
        "events": len(true_events),
        "normal-rows-flagged": (n_flagged - true_positive) / n_normal if n_normal else nan,
        "false-events": int((~hit).sum()),
        "false-events-per-10k": (
            float((~hit).sum()) * PER_NORMAL_ROWS / n_normal if n_normal else nan
        ),
        "average-precision": nan,
    }
    if score is not None:
        score = np.asarray(score, dtype="float64")
        keep = np.isfinite(score)
        if labels[keep].any() and not labels[keep].all():
            metrics["average-precision"] = float(average_precision_score(labels[keep], score[keep]))
    return metrics
