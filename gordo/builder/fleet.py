"""Build every machine of a project on one computer, in a pool of worker processes.

Each machine is built by :class:`~gordo.builder.build_model.ModelBuilder` into
``OUTPUT_DIR/<revision>/<machine>/`` (revision = epoch milliseconds) and
registered in the model registry, so a second run reuses every unchanged
machine instead of training it again (a killed run resumes this way). A
failing machine is recorded with its reason and never stops the others.

Workers are forked from a parent that has imported what they need (the
builder, pandas, the models; scikit-learn only where a model is not fitted
light) once. When a machine's model fits
with Keras (see :func:`gordo.builder.warmup.needs_keras`; the built-in dense
autoencoders train in numpy), the parent also imports Keras but does not start
JAX's backend (which must not be forked); each worker starts the backend in
the background from its initializer and keeps it for all the machines it
builds, so compiled training steps are reused too. Workers die with the parent.
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


def _needs_keras(machine: Machine) -> bool:
    """Whether building ``machine``'s model imports Keras (its definition was checked by Machine).

    A model fitted light (:mod:`gordo.machine.model.light.fitting`) does not, and
    finding that out imports no scikit-learn.
    """
    from gordo import serializer
    from gordo.machine.model.light import fitting

    try:
        serializer.from_definition(machine.model, locate=fitting.locate)
    except fitting.Unsupported:
        return warmup.needs_keras(serializer.from_definition(machine.model))
    return False


#: Frameworks whose runtime must not be forked once imported.
_FORK_UNSAFE = ("tensorflow", "torch")


def _jax_started() -> bool:
    """Whether JAX has started its backend (threads, devices) in this process."""
    if "jax" not in sys.modules:
        return False
    try:
        from jax._src.xla_bridge import backends_are_initialized
    except ImportError:  # unknown JAX version: assume the worst
        return True
    return backends_are_initialized()


def _start_method() -> str:
    """``fork`` unless this process started JAX's backend or imported TensorFlow/PyTorch.

    JAX must not be forked once its backend runs; merely imported (as Keras
    leaves it) it is safe, and workers then share the imported modules.
    """
    unsafe = _jax_started() or any(name in sys.modules for name in _FORK_UNSAFE)
    return "spawn" if unsafe else "fork"


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
    keras = any(_needs_keras(m) for m in machines)
    if _start_method() == "fork":  # import once, here; forked workers share the modules
        import gordo.builder.build_model  # noqa: F401

        if keras:
            warmup.import_keras()  # the workers start its backend
    context = multiprocessing.get_context(_start_method())
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
