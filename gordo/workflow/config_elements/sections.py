"""Config sections written as YAML strings (``dataset: |``) parsed into mappings.

The sections ``model``, ``dataset``, ``evaluation``, ``metadata`` and ``runtime``,
of a machine or of ``globals``, may be a mapping or a string holding YAML.

>>> load_sections({"name": "m", "dataset": "tags: [a, b]"}, "machines[0]")
{'name': 'm', 'dataset': {'tags': ['a', 'b']}}
>>> load_section("tags: [a", "machines[0].dataset")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gordo.exceptions.ConfigException: Error loading YAML from 'machines[0].dataset': while parsing ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from gordo.exceptions import ConfigException
from gordo.workflow.config_elements.loader import safe_load

SECTIONS = ("model", "dataset", "evaluation", "metadata", "runtime")


def load_section(value: Any, where: str) -> Any:
    """``value`` parsed with a safe YAML loader if it is a string, else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return safe_load(value, f"Error loading YAML from '{where}'")
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise ConfigException(f"Error loading YAML from '{where}': {message}") from exc


def load_sections(config: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A copy of ``config`` with every string section parsed (``where`` prefixes error paths)."""
    loaded = dict(config)
    for section in SECTIONS:
        if section in loaded:
            loaded[section] = load_section(
                loaded[section], f"{where}.{section}" if where else section
            )
    return loaded
