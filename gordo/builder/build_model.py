"""Build the model of one machine: fetch its data, cross-validate, fit, record metadata.

>>> from gordo_dataset.sensor_tag import SensorTag
>>> from gordo.machine import Machine
>>> from gordo.dependencies import configure_once
>>> configure_once()
>>> machine = Machine(
...     name="special-model-name",
...     model={"sklearn.decomposition.PCA": {"svd_solver": "auto"}},
...     dataset={
...         "type": "RandomDataset",
...         "train_start_date": "2017-12-25 06:00:00Z",
...         "train_end_date": "2017-12-30 06:00:00Z",
...         "tag_list": [SensorTag("Tag 1", None), SensorTag("Tag 2", None)],
...         "target_tag_list": [SensorTag("Tag 3", None), SensorTag("Tag 4", None)]
...     },
...     project_name='test-proj',
... )
>>> builder = ModelBuilder(machine=machine)
>>> len(builder.cache_key)
128
>>> model, machine = builder.build()
>>> type(model).__name__, machine.metadata.build_metadata.model.model_offset
('PCA', 0)
"""

from __future__ import annotations

import copy
import logging
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from gordo import __version__, serializer
from gordo.builder import metrics, warmup
from gordo.builder.cache import calculate_cache_key
from gordo.builder.output import ensure_writable
from gordo.exceptions import ArtifactError, ConfigException, InsufficientDataError
from gordo.machine import Machine
from gordo.machine.metadata import (
    BuildMetadata,
    CrossValidationMetaData,
    DatasetBuildMetadata,
    Metadata,
    ModelBuildMetadata,
)
from gordo.util import disk_registry

logger = logging.getLogger(__name__)

#: Cross-validation splitter used when ``evaluation.cv`` is not given.
DEFAULT_CV = {"sklearn.model_selection.TimeSeriesSplit": {"n_splits": 3}}
CV_MODES = ("full_build", "cross_val_only", "build_only")
#: Seed used when ``evaluation.seed`` is not given, so builds are reproducible by default.
DEFAULT_SEED = 0
#: Rows predicted to measure the model offset (outputs shorter than inputs, e.g. LSTMs).
_OFFSET_PROBE_ROWS = 1000


class ModelBuilder:
    """Build a model for a :class:`~gordo.machine.Machine`.

    The machine's ``evaluation`` section controls the build:

    - ``cv_mode``: ``full_build`` (cross-validate, then fit on all data; the
      default), ``cross_val_only`` (scores only, no model) or ``build_only``.
    - ``cv``: a splitter definition (default ``TimeSeriesSplit(n_splits=3)``).
    - ``metrics``: metric function paths (default :data:`metrics.DEFAULT_METRICS`).
    - ``scoring_scaler``: a scaler definition fitted on ``y`` before scoring.
    - ``seed``: random seed of the build (default 0).

    An anomaly detector (a model with ``cross_validate``) is cross-validated
    through its own ``cross_validate``, which also sets its thresholds.

    :meth:`build` returns the model. :meth:`build_artifact`, which ``gordo
    build`` and fleet builds use, builds it the same way but only writes it
    (a registered model is then copied without unpickling it).
    """

    def __init__(self, machine: Machine):
        self.machine = copy.deepcopy(machine)
        self._cache_key: str | None = None
        self._cached_model_path: Path | None = None

    # --- the registry -------------------------------------------------------

    @property
    def cache_key(self) -> str:
        """SHA-512 hex digest of the model, dataset, evaluation and gordo version."""
        if self._cache_key is None:
            self._cache_key = self.calculate_cache_key(self.machine)
        return self._cache_key

    @property
    def cached_model_path(self) -> Path | None:
        """The directory of the model found in or written to the registry by ``build``."""
        return self._cached_model_path

    @cached_model_path.setter
    def cached_model_path(self, value: os.PathLike | str | None) -> None:
        self._cached_model_path = Path(value) if value is not None else None

    @staticmethod
    def calculate_cache_key(machine: Machine) -> str:
        """Hash-key (128 hex characters) of what determines ``machine``'s model."""
        return calculate_cache_key(machine)

    def check_cache(self, model_register_dir: os.PathLike | str) -> Path | None:
        """The directory of this machine's model in the registry, or None.

        An entry whose directory is gone or is not a valid model is dropped
        from the registry (and None returned), so the model is rebuilt.
        """
        value = disk_registry.get_value(model_register_dir, self.cache_key)
        if value is None:
            return None
        path = Path(value if isinstance(value, str) else value.decode())
        try:
            serializer.load_metadata(path)
        except (ArtifactError, OSError, ValueError) as exc:
            logger.warning(
                "Registry %s points machine %r at %s, which is not a valid model (%s); "
                "dropping the entry and rebuilding",
                model_register_dir,
                self.machine.name,
                path,
                exc,
            )
            disk_registry.delete_value(model_register_dir, self.cache_key)
            return None
        return path

    # --- building -----------------------------------------------------------

    def build(
        self,
        output_dir: os.PathLike | str | None = None,
        model_register_dir: os.PathLike | str | None = None,
        replace_cache: bool = False,
    ) -> tuple[Any, Machine]:
        """Build (or fetch from the registry) the model; return it and the machine with metadata.

        ``output_dir``: write the model there (atomically). ``model_register_dir``:
        reuse the registered model of an identical machine if there is one, and
        register the model written to ``output_dir``. ``replace_cache``: rebuild
        even if registered, and replace the entry. The output directory is
        checked for writability before any data is fetched.
        """
        return self._build_into(output_dir, model_register_dir, replace_cache, as_bytes=False)

    def build_artifact(
        self,
        output_dir: os.PathLike | str | None = None,
        model_register_dir: os.PathLike | str | None = None,
        replace_cache: bool = False,
    ) -> Machine:
        """:meth:`build` without returning the model: the machine with its metadata.

        The model written is the same; a registered one is copied as it is.
        """
        return self._build_into(output_dir, model_register_dir, replace_cache, as_bytes=True)[1]

    def _build_into(
        self,
        output_dir: os.PathLike | str | None,
        model_register_dir: os.PathLike | str | None,
        replace_cache: bool,
        as_bytes: bool,
    ) -> tuple[Any, Machine]:
        """The model (its pickled bytes if ``as_bytes`` and copied from the registry) and
        the machine."""
        if output_dir is not None:
            output_dir = ensure_writable(output_dir)
        cached = None
        if model_register_dir is not None:
            if replace_cache:
                disk_registry.delete_value(model_register_dir, self.cache_key)
            cached = self.check_cache(model_register_dir)
        loaded = (
            self._load_cached(cached, model_register_dir, as_bytes) if cached is not None else None
        )
        if loaded is None:
            cached = None
            model, machine = self._build()
        else:
            model, machine = loaded
        self.cached_model_path = cached
        if output_dir is not None and model is not None:
            if cached is None or output_dir.resolve() != cached.resolve():
                serializer.dump_pickled(_pickled(model), output_dir, metadata=machine.to_dict())
            self.cached_model_path = output_dir
            if model_register_dir is not None:
                disk_registry.write_key(model_register_dir, self.cache_key, str(output_dir))
        return model, machine

    def _load_cached(
        self, path: Path, model_register_dir: os.PathLike | str, as_bytes: bool
    ) -> tuple[Any, Machine] | None:
        """The registered model (its pickled bytes if ``as_bytes``), and this machine with the
        build metadata stored beside it.

        None (and the entry dropped) if the model does not load, e.g. a checksum fails.
        """
        logger.info("Reusing the model of machine %r from %s", self.machine.name, path)
        warmup.wait()  # unpickling a Keras model imports Keras: not while a warm-up does
        try:
            model = serializer.read_model_bytes(path) if as_bytes else serializer.load(path)
        except ArtifactError as exc:
            logger.warning("Registered model %s does not load (%s); rebuilding", path, exc)
            disk_registry.delete_value(model_register_dir, self.cache_key)
            return None
        stored = serializer.load_metadata(path).get("metadata") or {}
        machine = copy.deepcopy(self.machine)
        machine.metadata.build_metadata = Metadata.from_dict(stored).build_metadata
        return model, machine

    def _build(self) -> tuple[Any, Machine]:
        """Fetch the data, cross-validate and fit the machine's model."""
        machine = copy.deepcopy(self.machine)
        evaluation = dict(machine.evaluation or {})
        cv_mode = str(evaluation.get("cv_mode", "full_build")).lower()
        if cv_mode not in CV_MODES:
            raise ConfigException(
                f"Machine {machine.name!r}: evaluation.cv_mode must be one of "
                f"{', '.join(CV_MODES)}, not {evaluation.get('cv_mode')!r}"
            )
        model = serializer.from_definition(machine.model)
        split_obj, scorer_parts = (
            self._evaluation_parts(evaluation) if cv_mode != "build_only" else (None, {})
        )
        if warmup.needs_keras(model):
            warmup.warm_keras_in_background()  # while the data is fetched

        start = time.perf_counter()
        X, y = machine.dataset.get_data()
        query_duration = time.perf_counter() - start
        logger.info("Machine %r: fetched %d rows in %.2f s", machine.name, len(X), query_duration)
        self.set_seed(int(evaluation.get("seed", DEFAULT_SEED)))

        cross_validation = CrossValidationMetaData()
        if cv_mode != "build_only" and hasattr(model, "predict"):
            cross_validation = self._cross_validate(model, X, y, split_obj, scorer_parts)

        training_duration = None
        offset = 0
        model_meta: dict[str, Any] = {}
        if cv_mode == "cross_val_only":
            model = None
        else:
            start = time.perf_counter()
            model.fit(X, y)
            training_duration = time.perf_counter() - start
            logger.info("Machine %r: final fit in %.2f s", machine.name, training_duration)
            offset = model_offset(model, X)
            model_meta = model_metadata(model)

        machine.metadata.build_metadata = BuildMetadata(
            model=ModelBuildMetadata(
                model_offset=offset,
                model_creation_date=str(datetime.now(UTC)),
                model_builder_version=__version__,
                cross_validation=cross_validation,
                model_training_duration_sec=training_duration,
                model_meta=model_meta,
            ),
            dataset=DatasetBuildMetadata(
                query_duration_sec=query_duration,
                dataset_meta=machine.dataset.get_metadata(),
            ),
        )
        return model, machine

    def _evaluation_parts(self, evaluation: dict) -> tuple[Any, dict[str, Any]]:
        """The splitter, and the arguments of the scorer, of ``evaluation``."""
        split_obj = serializer.from_definition(evaluation.get("cv") or DEFAULT_CV)
        scorer_parts = {
            "metrics_list": metrics.metrics_from_list(evaluation.get("metrics")),
            "scaler": evaluation.get("scoring_scaler"),
        }
        return split_obj, scorer_parts

    def _cross_validate(
        self,
        model: Any,
        X: Any,
        y: Any,
        split_obj: Any,
        scorer_parts: dict[str, Any],
    ) -> CrossValidationMetaData:
        scorer = metrics.MultiMetricScorer(y=y, **scorer_parts)
        start = time.perf_counter()
        if hasattr(model, "cross_validate"):
            try:
                results = model.cross_validate(X=X, y=y, cv=split_obj, scoring=scorer)
            except InsufficientDataError as exc:
                raise InsufficientDataError(f"Machine {self.machine.name!r}: {exc}") from exc
        else:
            from sklearn.model_selection import cross_validate

            results = cross_validate(model, X, y, cv=split_obj, scoring=scorer)
        duration = time.perf_counter() - start
        logger.info("Machine %r: cross-validated in %.2f s", self.machine.name, duration)
        return CrossValidationMetaData(
            scores=metrics.fold_scores(results, scorer.names),
            cv_duration_sec=duration,
            splits=self.build_split_dict(X, split_obj),
        )

    # --- documented helpers -------------------------------------------------

    build_metrics_dict = staticmethod(metrics.build_metrics_dict)
    build_split_dict = staticmethod(metrics.build_split_dict)
    metrics_from_list = staticmethod(metrics.metrics_from_list)

    @staticmethod
    def set_seed(seed: int) -> None:
        """Seed Python's, NumPy's and Keras' random generators (Keras' when it is imported)."""
        from gordo.machine.model.backend import seed_keras

        warmup.wait()
        random.seed(seed)
        np.random.seed(seed)
        seed_keras(seed)


def _final_estimator(model: Any) -> Any:
    steps = getattr(model, "steps", None)
    return steps[-1][1] if isinstance(steps, list) and steps else model


def _pickled(model: Any) -> bytes:
    """The bytes of the model file of ``model`` (already bytes when copied from the registry)."""
    return model if isinstance(model, bytes) else serializer.dumps(model)


def model_offset(model: Any, X: Any) -> int:
    """How many fewer rows the model outputs than it is given (e.g. an LSTM's lookback)."""
    probe = X.iloc[:_OFFSET_PROBE_ROWS] if hasattr(X, "iloc") else X[:_OFFSET_PROBE_ROWS]
    output = model.predict(probe) if hasattr(model, "predict") else model.transform(probe)
    return len(probe) - len(output)


def model_metadata(model: Any) -> dict[str, Any]:
    """The model's own metadata (``get_metadata()``): history, thresholds, ..."""
    for candidate in (model, _final_estimator(model)):
        get_metadata = getattr(candidate, "get_metadata", None)
        if callable(get_metadata):
            return get_metadata()
    return {}
