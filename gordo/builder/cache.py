"""The model registry key of a machine: a digest of everything that determines its model.

Two machines with the same key build the same model, so a registry (see
:mod:`gordo.util.disk_registry`) maps the key to the directory of a built model
and later builds reuse it instead of training again.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from gordo import __version__
from gordo.machine.encoders import MachineEncoder

if TYPE_CHECKING:
    from gordo.machine import Machine


def cache_key_payload(machine_dict: dict) -> str:
    """The canonical JSON text hashed into the key of a machine given as ``Machine.to_dict()``.

    It holds the name and project (they are written into the model's metadata),
    the model, dataset and evaluation sections, and the gordo version. User
    metadata and runtime settings do not change the model and are left out.

    >>> cache_key_payload({"name": "m", "project_name": "p", "model": "sklearn.decomposition.PCA",
    ...                    "dataset": {"tags": ["a"]}, "evaluation": {}, "metadata": {"x": 1}})
    '{"dataset": {"tags": ["a"]}, "evaluation": {}, "gordo-version": "...", "model": "sklearn.decomposition.PCA", "name": "m", "project_name": "p"}'
    """
    payload = {key: machine_dict.get(key) for key in ("name", "project_name", "model", "dataset")}
    payload["evaluation"] = machine_dict.get("evaluation") or {}
    payload["gordo-version"] = __version__
    return json.dumps(payload, sort_keys=True, cls=MachineEncoder)


def calculate_cache_key(machine: Machine) -> str:
    """SHA-512 hex digest (128 characters) of :func:`cache_key_payload` of ``machine``."""
    text = cache_key_payload(machine.to_dict())
    return hashlib.sha512(text.encode("utf-8")).hexdigest()
