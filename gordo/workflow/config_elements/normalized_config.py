"""NormalizedConfig: a project config turned into Machines, with defaults and globals applied.

>>> config = {"machines": [{"name": "m-1", "dataset": {
...     "tags": ["a", "b"], "train_start_date": "2020-01-01T00:00:00Z",
...     "train_end_date": "2020-01-02T00:00:00Z", "data_provider": {"type": "RandomDataProvider"}}}],
...     "globals": {"model": "sklearn.decomposition.PCA"}}
>>> nc = NormalizedConfig(config, project_name="my-project")
>>> [m.name for m in nc.machines], nc.machines[0].model
(['m-1'], 'sklearn.decomposition.PCA')
>>> nc.globals["runtime"]["influx"]["resources"]["requests"]
{'memory': 3220, 'cpu': 510}
>>> nc.machines[0].evaluation["cv_mode"]
'full_build'
"""

from __future__ import annotations

import copy
from typing import Any

from packaging.version import InvalidVersion, Version

from gordo.machine import Machine
from gordo.machine.validation import (
    ProblemCollector,
    inspect_project,
    plain_config,
    project_allowed_imports,
)
from gordo.machine.validators import fix_runtime
from gordo.serializer.allow_list import ENV_VAR, allowing
from gordo.workflow.config_elements.runtime_schema import coerce_builder, coerce_volumes
from gordo.workflow.config_elements.sections import load_sections
from gordo.workflow.workflow_generator.helpers import patch_dict


def _resources(req_mem: int, req_cpu: int, lim_mem: int, lim_cpu: int) -> dict:
    return {
        "requests": {"memory": req_mem, "cpu": req_cpu},
        "limits": {"memory": lim_mem, "cpu": lim_cpu},
    }


def _images(deployer: str, server: str, metrics: str, builder: str, client: str) -> dict:
    images = {
        "deployer": deployer,
        "server": server,
        "prometheus_metrics_server": metrics,
        "builder": builder,
        "client": client,
    }
    return {"runtime": {key: {"image": image} for key, image in images.items()}}


def influx_resources(n_machines: int) -> dict:
    """Resources of the project's InfluxDB, growing with the number of machines.

    >>> influx_resources(2)
    {'requests': {'memory': 3440, 'cpu': 520}, 'limits': {'memory': 3440, 'cpu': 10040}}
    """
    return _resources(
        min(3000 + 220 * n_machines, 28000),
        min(500 + 10 * n_machines, 4000),
        min(3000 + 220 * n_machines, 48000),
        10000 + 20 * n_machines,
    )


class NormalizedConfig:
    """A project config (either shape) as ``machines`` (Machine objects) and ``globals``.

    Globals are built as: defaults (images for ``gordo_version``, resources,
    evaluation), then ``model_builder_env`` as the default builder env, then the
    user's ``globals`` patched over them, then resources fixed and the builder
    and volumes coerced. Each machine is merged with the globals by
    :meth:`Machine.from_config`. A ``data_provider`` missing from a machine's
    dataset, or without a ``type``, gets ``default_data_provider``.

    Every problem of the config is raised together as ConfigValidationError.
    """

    DEFAULT_CONFIG_GLOBALS: dict[str, Any] = {
        "runtime": {
            "reporters": [],
            "server": {"resources": _resources(3000, 1000, 6000, 2000)},
            "prometheus_metrics_server": {"resources": _resources(200, 100, 1000, 200)},
            "builder": {
                "resources": _resources(3900, 1001, 31200, 1001),
                "remote_logging": {"enable": False},
            },
            "client": {"resources": _resources(3500, 100, 4000, 2000), "max_instances": 30},
            "influx": {"enable": True},
        },
        "evaluation": {
            "cv_mode": "full_build",
            "scoring_scaler": "sklearn.preprocessing.MinMaxScaler",
            "metrics": [
                "explained_variance_score",
                "r2_score",
                "mean_squared_error",
                "mean_absolute_error",
            ],
        },
    }
    UNIFYING_GORDO_VERSION: str = "1.2.0"
    UNIFIED_DOCKER_IMAGES: dict[str, Any] = _images(*["gordo-base"] * 5)
    SPLITTED_DOCKER_IMAGES: dict[str, Any] = _images(
        "gordo-deploy",
        "gordo-model-server",
        "gordo-model-server",
        "gordo-model-builder",
        "gordo-client",
    )

    def __init__(
        self,
        config: dict,
        project_name: str,
        gordo_version: str | None = None,
        model_builder_env: list | None = None,
        default_data_provider: str | None = None,
    ):
        found = inspect_project(config, project_name, default_data_provider=default_data_provider)
        collector = ProblemCollector(found.lines)
        if found.in_project:
            collector.raise_if_any()
        plain = plain_config(config)
        #: The project's ``allowed_imports`` (import prefixes allowed besides the defaults).
        self.allowed_imports = project_allowed_imports(plain)
        with allowing(self.allowed_imports):
            self._load(
                plain, project_name, gordo_version, model_builder_env, default_data_provider,
                collector, found.broken,
            )
        collector.raise_if_any()

    def _load(
        self,
        plain: dict,
        project_name: str,
        gordo_version: str | None,
        model_builder_env: list | None,
        default_data_provider: str | None,
        collector: ProblemCollector,
        broken: set[int],
    ) -> None:
        """Set ``globals`` and ``machines``, collecting every machine's errors.

        Machines in ``broken`` are not built: their problems are already collected.
        """
        machines_config = plain.get("machines") or []
        defaults = self.get_default_globals(gordo_version)
        defaults["runtime"]["influx"]["resources"] = influx_resources(len(machines_config))
        if model_builder_env is not None:
            defaults["runtime"]["builder"]["env"] = copy.deepcopy(model_builder_env)
        user_globals = load_sections(plain.get("globals") or {}, "globals")
        self.project_name = project_name
        self.globals: dict[str, Any] = self.prepare_patched_globals(
            patch_dict(defaults, {k: v for k, v in user_globals.items() if v is not None})
        )
        if self.allowed_imports:  # builder pods check definitions against the same list
            env = self.globals["runtime"].setdefault("builder", {}).setdefault("env", [])
            env.append({"name": ENV_VAR, "value": ",".join(self.allowed_imports)})
        self.machines: list[Machine] = []
        for index, machine_config in enumerate(machines_config):
            if index in broken:
                continue
            with collector.machine(index, machine_config):
                machine_config = _with_default_provider(
                    load_sections(machine_config, f"machines[{index}]"),
                    self.globals.get("dataset") or {},
                    default_data_provider,
                )
                self.machines.append(
                    Machine.from_config(machine_config, project_name, config_globals=self.globals)
                )

    @classmethod
    def get_default_globals(cls, gordo_version: str | None = None) -> dict:
        """The default globals with the image names for ``gordo_version``.

        Versions before 1.2.0 used one image per component; later ones (and
        non-release tags such as ``latest``, a PR or a commit) use ``gordo-base``.
        None means this gordo, which uses ``gordo-base``.

        >>> NormalizedConfig.get_default_globals("1.1.0")["runtime"]["builder"]["image"]
        'gordo-model-builder'
        >>> NormalizedConfig.get_default_globals("1.3.0")["runtime"]["builder"]["image"]
        'gordo-base'
        """
        images = cls.UNIFIED_DOCKER_IMAGES
        if gordo_version is not None:
            try:
                if Version(gordo_version.replace("_", "+")) < Version(cls.UNIFYING_GORDO_VERSION):
                    images = cls.SPLITTED_DOCKER_IMAGES
            except InvalidVersion:
                pass
        return patch_dict(copy.deepcopy(cls.DEFAULT_CONFIG_GLOBALS), images)

    @classmethod
    def prepare_patched_globals(cls, patched_globals: dict) -> dict:
        """``patched_globals`` with its runtime prepared by :meth:`prepare_runtime`."""
        prepared = copy.deepcopy(patched_globals)
        if isinstance(prepared.get("runtime"), dict):
            prepared["runtime"] = cls.prepare_runtime(prepared["runtime"])
        return prepared

    @staticmethod
    def prepare_runtime(runtime: dict) -> dict:
        """Resources fixed (limits >= requests), ``builder`` and ``volumes`` coerced.

        >>> NormalizedConfig.prepare_runtime({"builder": {"image": "b", "resources": {
        ...     "requests": {"memory": 121}, "limits": {"memory": 120}}, "unknown": 1}})
        {'builder': {'image': 'b', 'resources': {'requests': {'memory': 121}, 'limits': {'memory': 121}}}}
        """
        prepared = fix_runtime(runtime)
        if "builder" in prepared:
            prepared["builder"] = coerce_builder(prepared["builder"])
        if "volumes" in prepared:
            prepared["volumes"] = coerce_volumes(prepared["volumes"])
        return prepared


def _with_default_provider(
    machine_config: dict, global_dataset: dict, default_data_provider: str | None
) -> dict:
    """The machine config with ``dataset.data_provider.type`` filled from the default.

    The provider is looked up in the dataset as merged with the globals, so a
    provider given in ``globals.dataset`` is kept.

    >>> _with_default_provider({"dataset": {"tags": ["a"]}}, {}, "RandomDataProvider")["dataset"]
    {'tags': ['a'], 'data_provider': {'type': 'RandomDataProvider'}}
    >>> _with_default_provider({"dataset": {}}, {"data_provider": {"type": "X"}}, "Y")
    {'dataset': {}}
    """
    dataset = machine_config.get("dataset") or {}
    if not default_data_provider or not isinstance(dataset, dict):
        return machine_config
    provider = patch_dict(global_dataset, dataset).get("data_provider") or {}
    if isinstance(provider, dict) and not provider.get("type"):
        provider = {**provider, "type": default_data_provider}
        return {**machine_config, "dataset": {**dataset, "data_provider": provider}}
    return machine_config
