"""``--model-parameter key,value``: Jinja variables substituted into a model definition.

>>> parse_model_parameter("epochs,10")
('epochs', '10')
>>> expand_model("KerasAutoEncoder: {epochs: {{ epochs }}}", {"epochs": "10"})
{'KerasAutoEncoder': {'epochs': 10}}
>>> expand_model({"KerasAutoEncoder": {"kind": "{{ kind }}", "epochs": "{{ epochs }}"}},
...              {"kind": "feedforward_hourglass", "epochs": "3"})
{'KerasAutoEncoder': {'kind': 'feedforward_hourglass', 'epochs': 3}}
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from gordo.exceptions import ConfigException


@functools.cache
def _environment() -> Any:
    """The Jinja environment, made (and Jinja imported) on first use: most builds have no parameters."""
    import jinja2

    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


def parse_model_parameter(value: str) -> tuple[str, str]:
    """Split ``key,value`` at the first comma (the value may contain commas)."""
    key, sep, val = value.partition(",")
    if not sep or not key.strip():
        raise ValueError(f"model parameter {value!r} must be written 'key,value'")
    return key.strip(), val


def _render(template: str, parameters: dict[str, Any]) -> str:
    import jinja2

    try:
        return _environment().from_string(template).render(**parameters)
    except jinja2.UndefinedError as exc:
        raise ConfigException(f"model: {exc} (give it with --model-parameter KEY,VALUE)") from exc
    except jinja2.TemplateError as exc:
        raise ConfigException(f"model: invalid Jinja template {template!r}: {exc}") from exc


def _expand(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _expand(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, parameters) for v in value]
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        rendered = _render(value, parameters)
        loaded = yaml.safe_load(rendered)
        return loaded if isinstance(loaded, int | float | bool) else rendered
    return value


def expand_model(model: str | dict | list, parameters: dict[str, Any]) -> Any:
    """``model`` with its Jinja variables replaced by ``parameters``.

    A YAML string is rendered as a whole and then parsed; in a mapping each
    templated string is rendered, and becomes a number or boolean if it then
    reads as one. A variable without a value is a ConfigException naming it.
    """
    if isinstance(model, str):
        rendered = _render(model, parameters)
        try:
            return yaml.safe_load(rendered)
        except yaml.YAMLError as exc:
            raise ConfigException(f"model: not valid YAML after substitution: {exc}") from exc
    return _expand(model, parameters)
