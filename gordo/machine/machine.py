"""The Machine: a model definition, a dataset, metadata and runtime settings, with a name.

>>> import yaml
>>> config = yaml.safe_load('''
... name: ct-23-0001
... dataset:
...   tags: [TAG 1, TAG 2, TAG 3]
...   train_start_date: 2016-11-07T09:11:30+01:00
...   train_end_date: 2018-09-15T03:01:00+01:00
...   data_provider: {type: RandomDataProvider}
... metadata:
...   arbitrary-key: arbitrary-value
... model:
...   sklearn.decomposition.PCA: {n_components: 2}
... ''')
>>> machine = Machine.from_config(config, project_name='test-proj')
>>> machine.name, machine.host
('ct-23-0001', 'gordoserver-test-proj-ct-23-0001')
>>> machine.metadata.user_defined
{'global-metadata': {}, 'machine-metadata': {'arbitrary-key': 'arbitrary-value'}}
>>> Machine.from_dict(machine.to_dict()) == machine
True
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from gordo.exceptions import ConfigException, GordoError
from gordo.machine.encoders import MachineEncoder
from gordo.machine.metadata import Metadata
from gordo.machine.validators import (
    ValidDataset,
    ValidMachineRuntime,
    ValidMetadata,
    ValidModel,
    ValidUrlString,
)
from gordo.workflow.config_elements.sections import load_sections
from gordo.workflow.workflow_generator.helpers import patch_dict

__all__ = ["Machine", "MachineEncoder"]

_METADATA_KEYS = {"user_defined", "build_metadata"}
_INIT_KEYS = ("name", "model", "dataset", "project_name", "evaluation", "metadata", "runtime")


class Machine:
    """Represents a single machine in a config file.

    ``dataset`` may be a dataset object or its dict form (built with
    ``GordoBaseDataset.from_dict``). ``metadata`` may be a Metadata, its dict
    form, or a plain dict taken as user-defined metadata. ``evaluation``
    defaults to ``{"cv_mode": "full_build"}``.
    """

    name = ValidUrlString()
    project_name = ValidUrlString()
    host = ValidUrlString()
    model = ValidModel()
    dataset = ValidDataset()
    metadata = ValidMetadata()
    runtime = ValidMachineRuntime()

    def __init__(
        self,
        name: str,
        model: dict | str,
        dataset: Any,
        project_name: str,
        evaluation: dict | None = None,
        metadata: dict | Metadata | None = None,
        runtime: dict | None = None,
    ):
        self.name = name
        self.project_name = project_name
        self.host = f"gordoserver-{project_name}-{name}"
        self.model = model
        self.dataset = _build_dataset(dataset)
        self.evaluation = dict(evaluation) if evaluation is not None else {"cv_mode": "full_build"}
        self.metadata = _as_metadata(metadata)
        self.runtime = runtime if runtime is not None else {}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], project_name: str, config_globals: dict | None = None
    ) -> Machine:
        """Build a machine from its config block, with the project's ``globals`` applied.

        ``model``: the machine's, else the global one. ``runtime``, ``dataset`` and
        ``evaluation``: the globals patched with the machine's values (the machine
        wins). ``metadata``: kept apart as ``global-metadata`` and ``machine-metadata``.
        Sections may be YAML strings.
        """
        config = load_sections(config, "")
        config_globals = load_sections(config_globals or {}, "globals")
        name = config.get("name")
        if not name:
            raise ConfigException("name is empty")
        evaluation = patch_dict(
            {"cv_mode": "full_build"},
            patch_dict(config_globals.get("evaluation") or {}, config.get("evaluation") or {}),
        )
        metadata = Metadata(
            user_defined={
                "global-metadata": config_globals.get("metadata") or {},
                "machine-metadata": config.get("metadata") or {},
            }
        )
        return cls(
            name=name,
            model=config.get("model") or config_globals.get("model"),
            dataset=patch_dict(config_globals.get("dataset") or {}, config.get("dataset") or {}),
            project_name=project_name,
            evaluation=evaluation,
            metadata=metadata,
            runtime=patch_dict(config_globals.get("runtime") or {}, config.get("runtime") or {}),
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Machine:
        """Get an instance from a dict taken from :meth:`to_dict`.

        Other keys (e.g. ``host``, which is derived from the names) are ignored.
        """
        return cls(**{k: v for k, v in d.items() if k in _INIT_KEYS})

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of the machine; :meth:`from_dict` rebuilds it."""
        return {
            "name": self.name,
            "dataset": self.dataset.to_dict(),
            "model": copy.deepcopy(self.model),
            "metadata": self.metadata.to_dict(),
            "runtime": copy.deepcopy(self.runtime),
            "project_name": self.project_name,
            "evaluation": copy.deepcopy(self.evaluation),
        }

    def to_json(self, **kwargs: Any) -> str:
        """JSON text of :meth:`to_dict`, encoded with :class:`MachineEncoder`."""
        return json.dumps(self.to_dict(), cls=MachineEncoder, **kwargs)

    def report(self) -> None:
        """Run every reporter of ``runtime["reporters"]`` on this machine, in order.

        Each item is a reporter definition (``"a.b.Reporter"`` or
        ``{"a.b.Reporter": {kwargs}}``), built with ``serializer.from_definition``.
        """
        from gordo import serializer

        for definition in self.runtime.get("reporters", []):
            serializer.from_definition(copy.deepcopy(definition)).report(self)

    def normalize_sensor_tags(self, tag_list: list) -> list:
        """``tag_list`` as SensorTags, with the dataset's default fields (``asset``, ``default_tag``).

        Fields the data provider requires (``tags_required_fields``) are checked.
        """
        from gordo.dataset.sensor_tag import normalize_sensor_tags

        config = self.dataset.to_dict()
        provider = getattr(self.dataset, "data_provider", None)
        return normalize_sensor_tags(
            tag_list,
            asset=config.get("asset"),
            default_tag=config.get("default_tag"),
            required_fields=getattr(provider, "tags_required_fields", ()),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Machine) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Machine(name={self.name!r}, project_name={self.project_name!r})"


def _build_dataset(dataset: Any) -> Any:
    """A dataset object from its dict form; config errors are prefixed with ``dataset:``.

    Gordo's data errors other than ConfigException (e.g. SensorTagNormalizationError)
    keep their type, and so their exit code.
    """
    if not isinstance(dataset, Mapping):
        return dataset
    from gordo.dataset.datasets import GordoBaseDataset

    try:
        return GordoBaseDataset.from_dict(copy.deepcopy(dict(dataset)))
    except GordoError as exc:
        if not isinstance(exc, ConfigException):
            raise
        raise ConfigException(f"dataset: {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise ConfigException(f"dataset: {exc}") from exc


def _as_metadata(metadata: dict | Metadata | None) -> Metadata | None | dict:
    if metadata is None:
        return Metadata()
    if isinstance(metadata, Metadata):
        return metadata
    if isinstance(metadata, dict) and set(metadata) <= _METADATA_KEYS:
        return Metadata.from_dict(metadata)
    if isinstance(metadata, dict):
        return Metadata(user_defined=copy.deepcopy(metadata))
    return metadata
