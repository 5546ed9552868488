"""Reading a project config file (YAML or JSON) into a dict.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "project.yaml"
>>> _ = path.write_text("machines:\\n  - name: a\\n    dataset: [unclosed\\n")
>>> load_project_config(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gordo.exceptions.ConfigException: Invalid YAML in .../project.yaml, line 4, column 1: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence started at line 3, column 14)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from gordo.exceptions import ConfigException

#: libyaml's safe loader when available: 7x faster on large projects.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_project_config(path: str | os.PathLike) -> dict[str, Any]:
    """The parsed project config at ``path``.

    Unquoted YAML timestamps become datetimes (checked later for a timezone).
    A missing file raises FileNotFoundError; invalid YAML a ConfigException
    naming the file, line and column; a document that is not a mapping a
    ConfigException.
    """
    file = Path(path).absolute()
    if not file.is_file():
        raise FileNotFoundError(f"Unable to find config file {file}")
    text = file.read_text(encoding="utf-8")
    try:
        try:
            config = yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError:
            config = yaml.safe_load(text)  # the pure-Python parser words errors best
    except yaml.MarkedYAMLError as exc:
        raise ConfigException(f"Invalid YAML in {file}{_describe(exc)}") from exc
    except yaml.YAMLError as exc:
        raise ConfigException(f"Invalid YAML in {file}: {exc}") from exc
    if not isinstance(config, dict):
        raise ConfigException(
            f"{file}: a project config must be a mapping with 'machines' "
            f"(or a Gordo resource with spec.config), got {type(config).__name__}"
        )
    return config


def _describe(exc: yaml.MarkedYAMLError) -> str:
    """``, line L, column C: problem (context started at line L2, column C2)``."""

    def at(mark: yaml.Mark) -> str:
        return f"line {mark.line + 1}, column {mark.column + 1}"

    mark = exc.problem_mark or exc.context_mark
    text = f", {at(mark)}" if mark else ""
    text += f": {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark:
        text += f" ({exc.context} started at {at(exc.context_mark)})"
    return text
