"""The anomaly view: the model's ``anomaly(X, y, frequency)`` frame for the posted data.

Only models with an ``anomaly`` method (such as
``gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector``) are served here;
the answer holds the /prediction keys plus the anomaly keys of the model
(``tag-anomaly-scaled``, ``total-anomaly-scaled``, ...).
"""

from __future__ import annotations

import flask
import numpy as np
import pandas as pd

from gordo.exceptions import BadRequestError
from gordo.server import model_metadata, payloads
from gordo.server.decorators import anomaly_required, extract_X_y, model_required
from gordo.server.frames import Table, shifted_times
from gordo.server.views.base import BaseModelView


class AnomalyView(BaseModelView):
    """Serve anomaly predictions via POST; ``y`` is required."""

    endpoint = "anomaly_view"
    methods = ["POST"]
    uses_y = True

    @model_required
    @anomaly_required
    @extract_X_y
    def post(self, gordo_name: str):
        """Process a POST request by using provided user data."""
        return self.answer(gordo_name)

    def answer(self, gordo_name: str) -> flask.Response:
        """The anomaly answer for ``g.X`` and ``g.y`` (also the GET period route's)."""
        model = flask.g.model
        info = model_metadata.serving_info(flask.g.metadata)
        if flask.g.y is None:
            raise BadRequestError(
                "y is required on the anomaly route: send the target tags' values "
                f"{info.target_names} as 'y'"
            )
        self.X = payloads.conform(flask.g.X, self.tag_names(), "X")
        self.y = payloads.conform(flask.g.y, info.target_names, "y")
        if len(self.X) != len(self.y):
            raise BadRequestError(f"X has {len(self.X)} rows but y has {len(self.y)}")
        if not self.y.index.equals(self.X.index):
            row = int(np.argmax(self.y.index != self.X.index))
            raise BadRequestError(
                f"y's index differs from X's: row {row} is {self.y.index[row]} in y "
                f"but {self.X.index[row]} in X; send y for the same rows as X"
            )
        try:
            frame = model.anomaly(self.X, self.y, frequency=info.frequency)
        except ValueError as exc:
            raise BadRequestError(f"Model {gordo_name!r} rejected X/y: {exc}") from None
        return self.respond(anomaly_table(frame, info.resolution))


def anomaly_table(frame: pd.DataFrame, frequency: pd.DateOffset | None) -> Table:
    """The table of an anomaly frame, with ``start``/``end`` from its time index if absent.

    ``start``/``end`` columns of the frame that hold the index's times (and
    those one ``frequency`` later) are served as the index itself (and
    :func:`~gordo.server.frames.shifted_times` of it): the same times, whose
    keys the request's labels may already give.
    """
    table = Table.from_frame(frame)
    index = frame.index
    if isinstance(index, pd.DatetimeIndex):
        _share_index_times(table, index, frequency)
    if "start" not in table.tops() and isinstance(index, pd.DatetimeIndex):
        table.add("start", "start", index)
    if "end" not in table.tops():
        is_time = isinstance(index, pd.DatetimeIndex) and frequency is not None
        table.add("end", "end", shifted_times(index, frequency) if is_time else None)
    return table


def _share_index_times(
    table: Table, index: pd.DatetimeIndex, frequency: pd.DateOffset | None
) -> None:
    for position, ((top, sub), column) in enumerate(zip(table.columns, table.values, strict=True)):
        if top != sub or not isinstance(column, pd.DatetimeIndex) or column.dtype != index.dtype:
            continue
        if top == "start":
            same = index
        elif top == "end" and frequency is not None:
            same = shifted_times(index, frequency)
        else:
            continue
        if same.dtype == column.dtype and np.array_equal(same.asi8, column.asi8):
            table.values[position] = same
