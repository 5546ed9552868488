"""Build every machine of a project on one computer, in a pool of worker processes.

Each machine is built by :class:`~gordo.builder.build_model.ModelBuilder` into
``OUTPUT_DIR/<revision>/<machine>/`` (revision = epoch milliseconds) and
registered in the model registry, so a second run reuses every unchanged
machine instead of training it again (a killed run resumes this way). A
failing machine is recorded with its reason and never stops the others.

Workers are forked from a parent that has imported what they need once (the
builder, pandas, scikit-learn and the classes of every machine's model,
splitter and metrics; see :func:`preload`), so no machine pays those imports.
When a machine's model fits with Keras (see
:func:`gordo.builder.warmup.needs_keras`; the built-in dense autoencoders train
in numpy), the parent also imports Keras but does not start JAX's backend
(which must not be forked); each worker starts the backend in the background
from its initializer and keeps it for all the machines it builds, so compiled
training steps are reused too. Workers die with the parent.
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gordo.builder import warmup
from gordo.builder.output import ensure_writable, ensure_writable_directory
from gordo.exceptions import exit_code_for
from gordo.machine import Machine
from gordo.util import revision_manifest
from gordo.util.children import die_with_parent

logger = logging.getLogger(__name__)

#: Name of the default registry directory inside the output directory.
REGISTRY_DIR_NAME = ".registry"


@dataclass
class MachineOutcome:
    """How the build of one machine ended: ``built``, ``cached`` or ``failed``."""

    name: str
    status: str
    seconds: float
    error: str | None = None
    exit_code: int = 0


@dataclass
class FleetResult:
    """The outcome of every machine of a fleet build.

    >>> r = FleetResult("1", Path("/m/1"), [MachineOutcome("a", "built", 1.0),
    ...     MachineOutcome("b", "failed", 0.2, "InsufficientDataError: too few rows", 80)])
    >>> r.exit_code
    80
    >>> print(r.summary())
    Revision 1 in /m/1: 1 built, 0 cached, 1 failed
      failed b: InsufficientDataError: too few rows
    """

    revision: str
    revision_dir: Path
    outcomes: list[MachineOutcome] = field(default_factory=list)

    def names(self, status: str) -> list[str]:
        return [o.name for o in self.outcomes if o.status == status]

    @property
    def exit_code(self) -> int:
        """0 if nothing failed; else the failures' exit code if they share one, else 1."""
        codes = {o.exit_code for o in self.outcomes if o.status == "failed"}
        if not codes:
            return 0
        return codes.pop() if len(codes) == 1 else 1

    def summary(self) -> str:
        counts = {s: len(self.names(s)) for s in ("built", "cached", "failed")}
        lines = [
            f"Revision {self.revision} in {self.revision_dir}: {counts['built']} built, "
            f"{counts['cached']} cached, {counts['failed']} failed"
        ]
        lines += [f"  failed {o.name}: {o.error}" for o in self.outcomes if o.status == "failed"]
        return "\n".join(lines)


def build_machine(machine_dict: dict, output_dir: str, register_dir: str) -> MachineOutcome:
    """Build one machine (given as ``Machine.to_dict()``); never raises."""
    from gordo.builder.build_model import ModelBuilder

    start = time.perf_counter()
    name = str(machine_dict.get("name"))
    try:
        builder = ModelBuilder(Machine.from_dict(machine_dict))
        status = "cached" if builder.check_cache(register_dir) else "built"
        machine = builder.build_artifact(output_dir=output_dir, model_register_dir=register_dir)
        machine.report()
    except Exception as exc:
        logger.debug("Machine %r failed", name, exc_info=True)
        return MachineOutcome(
            name,
            "failed",
            time.perf_counter() - start,
            f"{type(exc).__name__}: {exc}",
            exit_code_for(exc),
        )
    return MachineOutcome(name, status, time.perf_counter() - start)


def _init_worker(keras: bool) -> None:
    """Worker initializer: one compute thread per worker; Keras imported once, in the background."""
    from threadpoolctl import threadpool_limits

    die_with_parent()
    threadpool_limits(1)
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
    if keras:
        warmup.warm_keras_in_background()  # overlaps the first machine's data fetch


def preload(machines: Sequence[Machine]) -> bool:
    """Import what building ``machines`` needs, starting no threads; whether one needs Keras.

    Builds each distinct model, splitter and metric list of ``machines`` (which
    imports their classes: scikit-learn, gordo's models) and imports the
    builder and scikit-learn's cross-validation, so workers forked afterwards
    share them. Keras itself is not imported here (see :func:`build_fleet`).
    """
    import sklearn.model_selection  # noqa: F401  (the builder's cross-validation)

    from gordo import serializer
    from gordo.builder import build_model, metrics

    keras = False
    seen: set[str] = set()
    for machine in machines:
        evaluation = machine.evaluation or {}
        parts = {
            "model": machine.model,
            "cv": evaluation.get("cv") or build_model.DEFAULT_CV,
            "metrics": evaluation.get("metrics"),
        }
        key = repr(parts)
        if key in seen:
            continue
        seen.add(key)
        try:
            keras = warmup.needs_keras(serializer.from_definition(parts["model"])) or keras
            serializer.from_definition(parts["cv"])
            metrics.metrics_from_list(parts["metrics"])
        except Exception:  # the machine's own build reports it
            logger.debug("Machine %r: preloading its classes failed", machine.name, exc_info=True)
    return keras


#: Frameworks whose runtime must not be forked once started; whether one has
#: started cannot be asked through their public APIs, so importing one is enough.
_FORK_UNSAFE = ("jax", "tensorflow", "torch")


def _start_method() -> str:
    """``fork`` unless this process has imported JAX, TensorFlow or PyTorch.

    Their runtimes must not be forked once started (threads, devices). Workers
    forked from a parent that has only imported Keras (JAX imported, its
    backend not started: see :func:`build_fleet`) share the imported modules.
    """
    return "spawn" if any(name in sys.modules for name in _FORK_UNSAFE) else "fork"


def build_fleet(
    machines: Sequence[Machine],
    output_dir: os.PathLike | str,
    jobs: int = 1,
    model_register_dir: os.PathLike | str | None = None,
    on_done: Callable[[MachineOutcome], None] | None = None,
) -> FleetResult:
    """Build ``machines`` into a new revision of ``output_dir`` with ``jobs`` worker processes.

    ``model_register_dir`` defaults to ``OUTPUT_DIR/.registry``. ``on_done`` is
    called in this process with each machine's outcome as it finishes.
    """
    revision = str(int(time.time() * 1000))
    revision_dir = ensure_writable(Path(output_dir) / revision)
    register_dir = str(model_register_dir or Path(output_dir) / REGISTRY_DIR_NAME)
    ensure_writable_directory(register_dir, "Registry directory")
    tasks = [(m.to_dict(), str(revision_dir / m.name), register_dir) for m in machines]
    result = FleetResult(revision, revision_dir)
    revision_manifest.mark_started(revision_dir, [m.name for m in machines])

    def record(outcome: MachineOutcome) -> None:
        result.outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)

    workers = max(1, min(jobs, len(tasks)))
    if workers == 1:
        for task in tasks:
            record(build_machine(*task))
        return _completed(result)
    start_method = _start_method()  # before this process imports Keras (and JAX) itself
    keras = preload(machines)  # import once, here; forked workers share the modules
    if keras and start_method == "fork":
        warmup.import_keras()  # the workers start its backend
    context = multiprocessing.get_context(start_method)
    with concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(keras,)
    ) as pool:
        futures = {pool.submit(build_machine, *task): task[0]["name"] for task in tasks}
        for future in concurrent.futures.as_completed(futures):
            try:
                record(future.result())
            except concurrent.futures.process.BrokenProcessPool as exc:
                record(
                    MachineOutcome(
                        futures[future],
                        "failed",
                        0.0,
                        f"worker process died (killed or out of memory): {exc}",
                        1,
                    )
                )
    return _completed(result)


def _completed(result: FleetResult) -> FleetResult:
    """Mark the revision complete (every machine built or failed and recorded), last."""
    statuses = {outcome.name: outcome.status for outcome in result.outcomes}
    revision_manifest.mark_complete(result.revision_dir, statuses)
    return result
