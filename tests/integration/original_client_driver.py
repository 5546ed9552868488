"""Drive the original's client library (gordo-client 6.3) against a running ``gordo run-server``.

Runs with the Python of the client's own virtualenv (scripts/setup-original-client.sh),
never with gordo's: ``python original_client_driver.py SPEC.json REPORT.json``.

SPEC holds ``url``, ``project``, ``revision``, ``machines`` (names), ``start``, ``end``
and ``batch_size``. The client predicts the period with JSON and with parquet; a
forwarder captures every batch and a session counts the requests. Each batch must
come from one request, have the rows the client sent (less the model's offset),
a continuous 10-minute UTC index, the column groups the machine's metadata implies,
and tag anomalies equal to ``|model-output - y|`` (the machines' targets are their
tags, so y is the model input of those tags). A failed check raises AssertionError
naming the machine, format and batch. REPORT receives what is checked in gordo's own
environment: batches per machine and format, the download-model bytes, and one batch
of model input and output per machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import requests
from gordo_client.client import Client
from gordo_client.forwarders import PredictionForwarder
from gordo_client.io import NotFound, ResourceGone

FORMATS = ("json", "parquet")
BASE_GROUPS = ("model-input", "model-output", "tag-anomaly-scaled", "tag-anomaly-unscaled")


class Capture(PredictionForwarder):
    """A prediction forwarder that keeps every batch, by machine."""

    def __init__(self):
        self.batches: dict[str, list[pd.DataFrame]] = {}

    def __call__(
        self, *, predictions=None, machine=None, metadata=None, resampled_sensor_data=None
    ):
        if predictions is not None:
            self.batches.setdefault(machine.name, []).append(predictions)


class CountingSession(requests.Session):
    """A requests session that records every POST (url, params)."""

    def __init__(self):
        super().__init__()
        self.posts: list[tuple[str, dict]] = []

    def request(self, method, url, *args, **kwargs):
        if method.upper() == "POST":
            self.posts.append((url, dict(kwargs.get("params") or {})))
        return super().request(method, url, *args, **kwargs)


def expected_columns(machine) -> set[tuple[str, str]]:
    """The columns the machine's metadata implies for an ``/anomaly/prediction`` answer."""
    tags = machine.dataset["tag_list"]
    targets = machine.dataset.get("target_tag_list") or tags
    columns = {("start", "start"), ("end", "end")}
    columns |= {("model-input", t) for t in tags}
    columns |= {(group, t) for group in BASE_GROUPS[1:] for t in targets}
    columns |= {(name, name) for name in ("total-anomaly-scaled", "total-anomaly-unscaled")}
    if "feature-thresholds" in machine.metadata.build_metadata.model.model_meta:
        columns |= {("anomaly-confidence", t) for t in targets}
        columns.add(("total-anomaly-confidence", "total-anomaly-confidence"))
    return columns


def check_batches(machine, batches, posts, fmt: str, spec: dict) -> None:
    """Every per-batch check of one machine's predictions in one format."""
    where = f"{machine.name} ({fmt})"
    tags = machine.dataset["tag_list"]
    targets = machine.dataset.get("target_tag_list") or tags
    assert set(targets) <= set(tags), f"{where}: the checks need the targets among the tags"
    offset = machine.metadata.build_metadata.model.model_offset
    step = pd.Timedelta(machine.dataset["resolution"])
    start, end = pd.Timestamp(spec["start"]), pd.Timestamp(spec["end"])
    assert len(batches) >= 3, f"{where}: {len(batches)} batches, expected several"
    assert len(posts) == len(batches), f"{where}: {len(posts)} requests for {len(batches)} batches"
    for url, params in posts:
        assert url.endswith(f"/{spec['project']}/{machine.name}/anomaly/prediction"), url
        assert params == {"format": fmt, "revision": spec["revision"]}, params
    columns = expected_columns(machine)
    previous = None
    for i, frame in enumerate(batches):
        label = f"{where} batch {i}"
        assert set(frame.columns) == columns, f"{label}: columns {sorted(frame.columns)}"
        sent = len(frame) + offset
        last = i == len(batches) - 1
        assert sent == spec["batch_size"] or (last and 0 < sent < spec["batch_size"]), (
            f"{label}: {len(frame)} rows answered for a batch of {spec['batch_size']}, offset {offset}"
        )
        index = pd.DatetimeIndex(frame.index)
        assert index.tz is not None and index[0].utcoffset() == pd.Timedelta(0), f"{label}: {index}"
        assert (np.diff(index.asi8) == step.value).all(), f"{label}: index not every {step}"
        assert start - 5 * step <= index[0] and index[-1] <= end, (
            f"{label}: {index[0]}..{index[-1]}"
        )
        if previous is not None:  # the next batch starts right after, less the offset
            assert index[0] == previous + (offset + 1) * step, f"{label}: starts at {index[0]}"
        previous = index[-1]
        assert (pd.to_datetime(frame[("start", "start")], utc=True).values == index.values).all()
        output = frame["model-output"][targets].to_numpy(dtype=float)
        y = frame["model-input"][targets].to_numpy(dtype=float)
        tag_anomaly = frame["tag-anomaly-unscaled"][targets].to_numpy(dtype=float)
        np.testing.assert_allclose(
            tag_anomaly, np.abs(output - y), rtol=1e-6, atol=1e-9, err_msg=label
        )
        total = frame["total-anomaly-unscaled"].to_numpy(dtype=float).ravel()
        np.testing.assert_allclose(
            total, np.linalg.norm(tag_anomaly, axis=1), rtol=1e-6, err_msg=label
        )


def check_errors(client: Client, spec: dict) -> None:
    """Unknown machine -> NotFound; unknown revision -> ResourceGone."""
    start, end = pd.Timestamp(spec["start"]), pd.Timestamp(spec["end"])
    for call in (
        lambda: client.get_metadata(targets=["no-such-machine"]),
        lambda: client.predict(start, end, targets=["no-such-machine"]),
    ):
        try:
            call()
        except NotFound:
            pass
        else:
            raise AssertionError("an unknown machine did not raise NotFound")
    for call in (
        lambda: client.get_machine_names(revision="1000"),
        lambda: client.predict(start, end, revision="1000"),
    ):
        try:
            call()
        except ResourceGone:
            pass
        else:
            raise AssertionError("an unknown revision did not raise ResourceGone")


def download(client: Client, spec: dict, out_dir: Path) -> dict[str, str]:
    """``download_model`` gets the model bytes; unpickling them needs gordo, which the
    client's environment cannot hold (the files are saved for gordo's side to load)."""
    paths = {}
    for name in spec["machines"]:
        try:
            client.download_model(targets=[name])
        except ModuleNotFoundError as exc:
            assert exc.name == "gordo", exc
        else:
            raise AssertionError(f"{name}: the model unpickled without gordo installed")
        answer = client.session.get(f"{client.server_endpoint}/{name}/download-model")
        assert answer.headers["content-type"] == "application/octet-stream", answer.headers
        paths[name] = str(out_dir / f"{name}.model")
        Path(paths[name]).write_bytes(answer.content)
    return paths


def main(spec_path: str, report_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    url = spec["url"].split("://", 1)[1]
    host, port = url.rsplit(":", 1)
    report: dict = {"batches": {}, "samples": {}}
    for fmt in FORMATS:
        capture, session = Capture(), CountingSession()
        client = Client(
            spec["project"],
            host=host,
            port=int(port),
            scheme="http",
            prediction_forwarder=capture,
            batch_size=spec["batch_size"],
            parallelism=1,
            n_retries=0,
            use_parquet=fmt == "parquet",
            session=session,
        )
        revisions = client.get_revisions()
        assert revisions["latest"] == spec["revision"], revisions
        assert revisions["available-revisions"] == [spec["revision"]], revisions
        assert sorted(client.get_machine_names()) == sorted(spec["machines"])
        metadata = client.get_metadata()
        assert sorted(metadata) == sorted(spec["machines"]), metadata
        machines = {name: client.machine_from_server(name, spec["revision"]) for name in metadata}
        for machine in machines.values():
            assert machine.dataset["type"] == "TimeSeriesDataset", machine.dataset
            assert machine.dataset["data_provider"]["type"] == "RandomDataProvider"
        start, end = pd.Timestamp(spec["start"]), pd.Timestamp(spec["end"])
        predicted = client.predict(start, end)
        report["batches"][fmt] = {}
        for name, frame, errors in predicted:
            assert not errors, f"{name} ({fmt}): {errors}"
            posts = [p for p in session.posts if f"/{name}/" in p[0]]
            check_batches(machines[name], capture.batches[name], posts, fmt, spec)
            pd.testing.assert_frame_equal(frame, pd.concat(capture.batches[name]).sort_index())
            report["batches"][fmt][name] = len(capture.batches[name])
            first = capture.batches[name][0]
            report["samples"][name] = {
                "input": first["model-input"].to_numpy(dtype=float).tolist(),
                "output": first["model-output"].to_numpy(dtype=float).tolist(),
                "offset": machines[name].metadata.build_metadata.model.model_offset,
            }
        check_errors(client, spec)
    report["models"] = download(client, spec, Path(report_path).parent)
    Path(report_path).write_text(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:3])
