"""Scoring a period on the server: ``GET .../prediction`` and ``GET .../anomaly/prediction``.

``?start=<ISO 8601>&end=<ISO 8601>`` (both with a time zone) names the period;
the server fetches X (and y) for [start, end) from the machine's own dataset and
data provider, as ``gordo client`` does (:func:`gordo.client.data.machine_data`),
and answers what the POST route answers for them (JSON, or parquet with
``?format=parquet``).

A period is at most the server's ``PERIOD_MAX_ROWS`` rows at the model's
resolution (:class:`gordo.server.server.Config`, env ``GORDO_SERVER_PERIOD_MAX_ROWS``,
default 20 000); a longer one gets a 400 naming the limit before any data is read. A provider
that cannot be reached gets a 503, a period without data (or a tag without
any) a 404, and any other provider or dataset error a 422; each names the
machine and the provider.

>>> period_rows(pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-02", tz="UTC"),
...             pd.tseries.frequencies.to_offset("10min"))
144
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import flask
import pandas as pd

from gordo.exceptions import (
    BadRequestError,
    ConfigException,
    DataError,
    DataSourceUnavailableError,
    InsufficientDataError,
    MissingTagError,
    ServingError,
)
from gordo.server import model_metadata
from gordo.server.decorators import COMPUTING, anomaly_required, model_required
from gordo.server.views.anomaly import AnomalyView
from gordo.server.views.base import BaseModelView


def period_rows(start: pd.Timestamp, end: pd.Timestamp, resolution: pd.DateOffset | None) -> int:
    """How many rows [start, end) holds at ``resolution`` (one per minute if unknown)."""
    step = pd.Timedelta(resolution) if resolution is not None else pd.Timedelta("1min")
    return math.ceil((end - start) / step)


def requested_period() -> tuple[pd.Timestamp, pd.Timestamp]:
    """``start`` and ``end`` of the query string, checked; a 400 names what is wrong."""
    from gordo.client.client import parse_time

    args = flask.request.args
    missing = [key for key in ("start", "end") if not args.get(key)]
    if missing:
        raise BadRequestError(
            f"GET {flask.request.path} needs the query parameters start and end "
            f"(ISO 8601 with a time zone); missing: {', '.join(missing)}"
        )
    try:
        start, end = parse_time(args["start"], "start"), parse_time(args["end"], "end")
    except ConfigException as exc:
        raise BadRequestError(str(exc)) from None
    if start >= end:
        raise BadRequestError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})")
    return start, end


def provider_name(metadata: Mapping[str, Any]) -> str:
    """The data provider's type as the machine's dataset config names it.

    >>> provider_name({"dataset": {"data_provider": {"type": "RandomDataProvider"}}})
    'RandomDataProvider'
    >>> provider_name({"dataset": {}})
    'not configured'
    """
    provider = model_metadata.dataset_config(dict(metadata)).get("data_provider")
    if isinstance(provider, Mapping):
        return str(provider.get("type") or "not configured")
    return str(provider or "not configured")


def fetch_period(
    metadata: Mapping[str, Any], start: pd.Timestamp, end: pd.Timestamp, max_rows: int
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """X (and y) of the machine for [start, end), at most ``max_rows`` rows.

    Errors become :class:`ServingError` answers naming the machine and provider.
    """
    import requests

    from gordo.client.data import machine_data

    name = metadata.get("name", "?")
    where = f"Machine {name!r} (data provider: {provider_name(metadata)})"
    rows = period_rows(start, end, model_metadata.resolution(dict(metadata)))
    if rows > max_rows:
        raise BadRequestError(
            f"{where}: the period {start.isoformat()} to {end.isoformat()} is {rows} rows, "
            f"more than the server's limit PERIOD_MAX_ROWS={max_rows}; ask for a shorter period"
        )
    try:
        X, y = machine_data(metadata, start, end)
    except (
        DataSourceUnavailableError,
        ConnectionError,
        TimeoutError,
        requests.ConnectionError,
        requests.Timeout,
    ) as exc:
        raise ServingError(f"{where}: the data source cannot be reached: {exc}", 503) from None
    except (InsufficientDataError, MissingTagError) as exc:
        raise ServingError(f"{where}: no data: {exc}", 404) from None
    except (DataError, ConfigException, OSError, ValueError, KeyError) as exc:
        raise ServingError(f"{where}: cannot read the period: {exc}", 422) from None
    if len(X) == 0:
        raise ServingError(
            f"{where}: no data between {start.isoformat()} and {end.isoformat()}", 404
        )
    if len(X) > max_rows:
        raise BadRequestError(
            f"{where}: the period holds {len(X)} rows, more than the server's limit "
            f"PERIOD_MAX_ROWS={max_rows}; ask for a shorter period"
        )
    return X, y


def period_X_y(method: Callable) -> Callable:
    """Decorate a GET view: set ``g.X`` and ``g.y`` to the machine's data for the asked period."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        start, end = requested_period()
        limit = flask.current_app.config["GORDO"].PERIOD_MAX_ROWS
        # reading waits on the provider outside the worker's slots; computing takes one,
        # as the POST routes do (extract_X_y)
        X, y = fetch_period(flask.g.metadata, start, end, limit)
        flask.g.X = X
        flask.g.y = X if y is None else y  # a dataset without targets: its inputs are targets
        with COMPUTING:
            return method(*args, **kwargs)

    return wrapper


class PeriodPredictionView(BaseModelView):
    """``GET /prediction?start=&end=``: the model's output for the machine's data of a period."""

    endpoint = "period_prediction_view"
    methods = ["GET"]

    @model_required
    @period_X_y
    def get(self, gordo_name: str):
        """Model input, output, start and end for the period's data."""
        return self.answer(gordo_name)


class PeriodAnomalyView(AnomalyView):
    """``GET /anomaly/prediction?start=&end=``: anomaly scores for the machine's data of a period."""

    endpoint = "period_anomaly_view"
    methods = ["GET"]

    @model_required
    @anomaly_required
    @period_X_y
    def get(self, gordo_name: str):
        """The anomaly frame of the period's X and y."""
        return self.answer(gordo_name)


def add_routes(bp: flask.Blueprint) -> None:
    """Add the GET period routes beside the POST ones of the project blueprint."""
    bp.add_url_rule(
        "/<gordo_name>/prediction",
        view_func=PeriodPredictionView.as_view(PeriodPredictionView.endpoint),
    )
    bp.add_url_rule(
        "/<gordo_name>/anomaly/prediction",
        view_func=PeriodAnomalyView.as_view(PeriodAnomalyView.endpoint),
    )
