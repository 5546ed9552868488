"""The one-command local experience: example plant -> fleet build -> served models.

``gordo demo`` (and ``scripts/demo.sh``, which installs first) runs the whole
loop of gordo on one computer, in a work directory (default ``.gordo-demo``):

1. writes the simulated example plant (``gordo example-data``) unless present;
2. builds the example project (``gordo/examples/example-plant.yaml``, package
   data) with ``gordo build-project``
   (a second run reuses every model from the registry);
3. serves the new revision with ``gordo run-server`` on 127.0.0.1;
4. prints what to open and a ready-to-paste ``curl`` for an anomaly prediction
   on real example data (the payload is written beside the models).

With ``check=True`` it then asks every machine for anomaly scores over its
labelled fault episodes and over normal periods, and reports how often each
scores above the model's threshold (the fault episodes must score above it
more often) and, for models with anomaly events (the recommended model), the
labelled faults found and the events raised in the normal period. This is a
sanity test of the whole loop; ``benchmarks/bench_quality.py`` measures quality.

>>> fraction_above([0.5, 1.5, 2.0, float("nan")])
0.6666666666666666
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from gordo.examples import EXAMPLE_PROJECT
from gordo.exceptions import GordoError

logger = logging.getLogger(__name__)

PROJECT_NAME = "example-plant"
#: Normal operation after training and before any labelled fault: the check's baseline.
NORMAL_PERIOD = ("2020-03-01T00:00:00+00:00", "2020-03-05T00:00:00+00:00")
#: The dashboard's period for the example plant: the week before 2020-03-20, when
#: several labelled faults are under way (see docs/dashboard.md).
DASHBOARD_QUERY = "?end=2020-03-20T00:00:00Z&span=168"
#: How much data one request in the check sends (rows at 10 minutes).
CHECK_ROWS = 288


class DemoError(GordoError):
    """A step of the demo failed; the message says which and how to see why."""


@dataclass(frozen=True)
class DemoPaths:
    """Where the demo keeps its files, all below one work directory."""

    workdir: Path

    @property
    def data(self) -> Path:
        return self.workdir / "example-data"

    @property
    def models(self) -> Path:
        return self.workdir / "models" / PROJECT_NAME

    @property
    def payload(self) -> Path:
        return self.workdir / "anomaly-request.json"


def gordo_command() -> list[str]:
    """The command that runs this installation's ``gordo`` CLI."""
    return [sys.executable, "-m", "gordo"]


def ensure_example_data(paths: DemoPaths) -> None:
    """Write the example plant into ``paths.data`` unless it is already there."""
    if (paths.data / "labels.csv").exists():
        print(f"[1/3] Example plant already in {paths.data}")
        return
    print(f"[1/3] Writing the example plant to {paths.data}")
    subprocess.run([*gordo_command(), "example-data", str(paths.data)], check=True)


def build_fleet(paths: DemoPaths, project: Path, jobs: int) -> Path:
    """Build every machine of ``project``; return the new revision directory."""
    print(f"[2/3] Building {project.name} into {paths.models} (--jobs {jobs})")
    before = set(revisions(paths.models))
    result = subprocess.run(
        [*gordo_command(), "build-project", str(project), str(paths.models), "--jobs", str(jobs),
         "--project-name", PROJECT_NAME],
    )
    new = [r for r in revisions(paths.models) if r not in before]
    if result.returncode != 0 or not new:
        raise DemoError(
            f"building {project} failed (exit code {result.returncode}); see the summary above"
        )
    return paths.models / new[-1]


def revisions(models: Path) -> list[str]:
    """The numeric revision directories below ``models``, oldest first."""
    if not models.is_dir():
        return []
    return sorted((p.name for p in models.iterdir() if p.is_dir() and p.name.isdigit()), key=int)


def serve_arguments(host: str, port: int) -> list[str]:
    """The ``gordo`` arguments the demo serves with (docs/getting-started.md shows them).

    >>> " ".join(serve_arguments("127.0.0.1", 5555))
    'run-server --host 127.0.0.1 --port 5555 --workers 1 --log-level warning'
    """
    return ["run-server", "--host", host, "--port", str(port), "--workers", "1",
            "--log-level", "warning"]


class Terminated(SystemExit):
    """SIGTERM (``timeout``, ``docker stop``, systemd) received: unwind, stopping the server."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated(128 + signum)


@contextlib.contextmanager
def forwarding_sigterm() -> Iterator[None]:
    """Inside the block SIGTERM raises :class:`Terminated`, so ``finally`` clauses (which stop
    child processes and wait for them) run instead of the process just ending.

    Signal handlers belong to the main thread; elsewhere the block changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def served(revision_dir: Path, host: str, port: int, timeout: float = 60) -> Iterator[str]:
    """Run ``gordo run-server`` on ``revision_dir``; yield its base URL once ready (``/ready``).

    The server runs in its own session (Ctrl-C reaches only the demo); when the
    block ends, also by SIGTERM, its process group gets SIGTERM and is waited for.
    """
    env = {
        **os.environ,
        "MODEL_COLLECTION_DIR": str(revision_dir.resolve()),
        "PROJECT": PROJECT_NAME,
    }
    command = [*gordo_command(), *serve_arguments(host, port)]
    base = f"http://{host}:{port}"
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        raise DemoError(f"{host}:{port} is already in use: stop what listens there or pass --port")
    with forwarding_sigterm():
        proc = subprocess.Popen(command, env=env, start_new_session=True)
        yield from _until_stopped(proc, base, timeout)


def _until_stopped(proc: subprocess.Popen, base: str, timeout: float) -> Iterator[str]:
    """Yield ``base`` once ``proc`` answers its healthcheck; then stop its process group."""
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise DemoError(f"gordo run-server exited with code {proc.returncode}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/ready", timeout=1).ok:
                    break
            if time.monotonic() > deadline:
                raise DemoError(f"the server did not answer on {base} within {timeout:.0f} s")
            time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def machine_frames(revision_dir: Path, machine: str, start: str, end: str) -> pd.DataFrame:
    """The example data of ``machine`` between ``start`` and ``end``, as the model was trained."""
    from gordo import serializer
    from gordo.dataset.datasets import GordoBaseDataset

    metadata = serializer.load_metadata(revision_dir / machine)
    config = dict(metadata["dataset"])
    config.update(train_start_date=start, train_end_date=end, n_samples_threshold=0)
    config.pop("row_filter", None)
    X, _ = GordoBaseDataset.from_dict(config).get_data()
    return X


def anomaly_request_body(X: pd.DataFrame) -> dict:
    """The JSON body of an ``/anomaly/prediction`` request for frame ``X`` (y = X)."""
    from gordo.server.utils import dataframe_to_dict

    frame = dataframe_to_dict(X)
    return {"X": frame, "y": frame}


def total_confidence(response: dict) -> np.ndarray:
    """The ``total-anomaly-confidence`` values of an anomaly response (> 1: above threshold)."""
    return _response_column(response, "total-anomaly-confidence", "no thresholds?")


def anomaly_events(response: dict) -> np.ndarray | None:
    """The ``anomaly-event`` flags of an anomaly response; None if the model has no events."""
    try:
        return _response_column(response, "anomaly-event", "").astype(bool)
    except DemoError:
        return None


def _response_column(response: dict, key: str, hint: str) -> np.ndarray:
    from gordo.server.utils import dataframe_from_dict

    frame = dataframe_from_dict(response["data"])
    columns = [c for c in frame.columns if (c[0] if isinstance(c, tuple) else c) == key]
    if not columns:
        raise DemoError(f"the anomaly response has no {key} ({hint})")
    return frame[columns[0]].to_numpy()


def fraction_above(confidence: Sequence[float]) -> float:
    """The fraction of finite confidences above 1, i.e. above the model's threshold."""
    values = np.asarray(confidence, dtype="float64")
    values = values[np.isfinite(values)]
    return float((values > 1).mean()) if values.size else 0.0


def score(base: str, machine: str, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Total anomaly confidence and anomaly events (if the model has them) of ``machine``
    over ``X``, asked of the server in chunks."""
    url = f"{base}/gordo/v0/{PROJECT_NAME}/{machine}/anomaly/prediction"
    confidences, events = [], []
    for begin in range(0, len(X), CHECK_ROWS):
        reply = requests.post(url, json=anomaly_request_body(X.iloc[begin:begin + CHECK_ROWS]),
                              timeout=60)
        if not reply.ok:
            raise DemoError(f"POST {url} answered {reply.status_code}: {reply.text[:300]}")
        answer = reply.json()
        confidences.append(total_confidence(answer))
        events.append(anomaly_events(answer))
    if any(e is None for e in events):
        return np.concatenate(confidences), None
    return np.concatenate(confidences), np.concatenate(events)


def check_faults(base: str, paths: DemoPaths, revision_dir: Path) -> list[dict]:
    """Score every labelled fault episode and the normal period of the same machine.

    Returns one row per machine with a fault: the fraction of fault rows and of
    normal rows above the threshold and, for models with anomaly events, the
    labelled faults found (an event row inside the episode) and the events
    raised in the normal period (false alarms). Raises DemoError if a fault
    episode does not score above the threshold more often than normal operation.
    """
    from gordo.dataset.example_plant import read_labels
    from gordo.machine.model.anomaly.evaluation import events as runs

    labels = read_labels(paths.data)
    rows = []
    for machine, episodes in labels.groupby("machine"):
        if not (revision_dir / machine).is_dir():
            continue
        fault_scores, found = [], []
        for episode in episodes.itertuples():
            X = machine_frames(revision_dir, machine, str(episode.start), str(episode.end))
            confidence, event = score(base, machine, X)
            fault_scores.append(confidence)
            found.append(None if event is None else bool(event.any()))
        normal, normal_events = score(base, machine, machine_frames(revision_dir, machine,
                                                                    *NORMAL_PERIOD))
        row = {
            "machine": machine,
            "fault": fraction_above(np.concatenate(fault_scores)),
            "normal": fraction_above(normal),
        }
        if normal_events is not None:
            row.update(faults=len(found), faults_found=sum(found),
                       false_events=len(runs(normal_events)))
        rows.append(row)
    failing = [r["machine"] for r in rows if r["fault"] <= r["normal"]]
    for r in rows:
        line = (f"  {r['machine']:<18} above threshold: faults {r['fault']:6.1%}   "
                f"normal {r['normal']:6.1%}")
        if "faults_found" in r:
            line += (f"   events: faults found {r['faults_found']}/{r['faults']}, "
                     f"false events in the normal period {r['false_events']}")
        print(line)
    if failing:
        raise DemoError(f"fault episodes did not score above normal operation for: {failing}")
    return rows


def write_example_request(paths: DemoPaths, revision_dir: Path, machine: str) -> Path:
    """Write an anomaly request body of real example data (a fault day) for ``machine``."""
    import orjson

    from gordo.dataset.example_plant import read_labels

    labels = read_labels(paths.data)
    episode = labels[labels["machine"] == machine].iloc[-1] if machine in set(
        labels["machine"]) else None
    start = str(episode["start"]) if episode is not None else "2020-01-08T00:00:00+00:00"
    end = str(pd.Timestamp(start) + pd.Timedelta("6h"))
    X = machine_frames(revision_dir, machine, start, end)
    paths.payload.write_bytes(orjson.dumps(anomaly_request_body(X)))
    return paths.payload


def try_it(base: str, paths: DemoPaths, machine: str, payload: Path) -> str:
    """What to open and paste once the models are served.

    The client reads each machine's data as the model was trained, from the
    example data: its command sets ``GORDO_EXAMPLE_DATA``.

    >>> text = try_it("http://127.0.0.1:5555", DemoPaths(Path("/w")), "pump-a", Path("/w/r.json"))
    >>> "GORDO_EXAMPLE_DATA=/w/example-data gordo client --project example-plant" in text
    True
    """
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return "\n".join([
        f"  Dashboard:           {base}/gordo/v0/{PROJECT_NAME}/dashboard/{DASHBOARD_QUERY}",
        f"  API and Swagger UI:  {base}/",
        f"  Models:              {base}/gordo/v0/{PROJECT_NAME}/models",
        f"  Project index:       {base}/gordo/v0/{PROJECT_NAME}/",
        f"  Anomaly scores for 6 hours of a labelled fault on {machine}:",
        "    curl -s -X POST -H 'Content-Type: application/json' "
        f"--data @{payload} {base}/gordo/v0/{PROJECT_NAME}/{machine}/anomaly/prediction",
        "  Every machine scored over a day of the fault month, one CSV per machine:",
        f"    GORDO_EXAMPLE_DATA={paths.data.absolute()} gordo client --project {PROJECT_NAME} "
        f"--host {host} --port {port} --scheme http predict 2020-03-01T00:00:00+00:00 "
        f"2020-03-02T00:00:00+00:00 --output-dir {paths.workdir / 'predictions'} "
        "--output-format csv-flat",
    ])


def run(workdir: Path, host: str, port: int, jobs: int, check: bool,
        project: Path = EXAMPLE_PROJECT) -> None:
    """Run the whole demo; with ``check``, verify the fault episodes and return."""
    paths = DemoPaths(workdir)
    began = time.monotonic()
    # the example project reads its data from ${GORDO_EXAMPLE_DATA}
    os.environ["GORDO_EXAMPLE_DATA"] = str(paths.data.resolve())
    with forwarding_sigterm():  # SIGTERM while building: subprocess.run stops the build too
        ensure_example_data(paths)
        revision_dir = build_fleet(paths, project, jobs)
    machines = sorted(p.name for p in revision_dir.iterdir() if p.is_dir())
    print(f"[3/3] Serving revision {revision_dir.name} ({len(machines)} models) on {host}:{port}")
    with served(revision_dir, host, port) as base:
        print(f"\nServing after {time.monotonic() - began:.1f} s.")
        payload = write_example_request(paths, revision_dir, machines[0])
        print(try_it(base, paths, machines[0], payload))
        if check:
            print("\nChecking the labelled fault episodes against normal operation:")
            check_faults(base, paths, revision_dir)
            return
        print("\nPress Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
        print("\nStopping the server.")
