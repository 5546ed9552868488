"""The anomaly view: the model's ``anomaly(X, y, frequency)`` frame for the posted data.

Only models with an ``anomaly`` method (such as
``gordo.machine.model.anomaly.diff.DiffBasedAnomalyDetector``) are served here;
the answer holds the /prediction keys plus the anomaly keys of the model
(``tag-anomaly-scaled``, ``total-anomaly-scaled``, ...).
"""

from __future__ import annotations

import time

import flask
import pandas as pd

from gordo.exceptions import BadRequestError, ServingError
from gordo.server import payloads
from gordo.server.utils import extract_X_y, model_required
from gordo.server.views.base import BaseModelView


class AnomalyView(BaseModelView):
    """Serve anomaly predictions via POST; ``y`` is required."""

    endpoint = "anomaly_view"
    methods = ["POST"]

    @model_required
    @extract_X_y
    def post(self, gordo_name: str):
        """Process a POST request by using provided user data."""
        start = time.perf_counter()
        model = flask.g.model
        if not callable(getattr(model, "anomaly", None)):
            raise ServingError(
                f"Model {gordo_name!r} ({type(model).__name__}) has no anomaly method; "
                "use the /prediction route",
                status_code=422,
            )
        if flask.g.y is None:
            raise BadRequestError(
                "y is required on the anomaly route: send the target tags' values "
                f"{[t.name for t in self.target_tags]} as 'y'"
            )
        self.X = payloads.conform(flask.g.X, self.tag_names(), "X")
        self.y = payloads.conform(flask.g.y, [t.name for t in self.target_tags], "y")
        if len(self.X) != len(self.y):
            raise BadRequestError(f"X has {len(self.X)} rows but y has {len(self.y)}")
        self.y.index = self.X.index
        frequency = self.frequency
        try:
            frame = model.anomaly(
                self.X, self.y, frequency=pd.Timedelta(frequency) if frequency else None
            )
        except ValueError as exc:
            raise BadRequestError(f"Model {gordo_name!r} rejected X/y: {exc}") from None
        return self.respond(with_start_end(frame, frequency), start)


def with_start_end(frame: pd.DataFrame, frequency: pd.DateOffset | None) -> pd.DataFrame:
    """``frame`` with ``start``/``end`` columns from its time index, if it lacks them."""
    top = set(frame.columns.get_level_values(0))
    if "start" in top or not isinstance(frame.index, pd.DatetimeIndex):
        return frame
    starts = pd.Series(frame.index, index=frame.index)
    extra = {"start": starts.to_frame("start")}
    if "end" not in top and frequency is not None:
        extra["end"] = (starts + frequency).to_frame("end")
    return pd.concat([frame, pd.concat(extra, axis=1)], axis=1)
