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
#: Most values a document may hold with its aliases expanded (a large project holds ~100 000).
MAX_VALUES = 1_000_000
#: Deepest nesting of mappings and lists allowed in a document.
MAX_DEPTH = 100


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path``; other bytes give a ConfigException with the file and offset."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigException(
            f"{path}: not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} "
            f"({exc.reason}); save the file as UTF-8"
        ) from None


def safe_load(text: str, source: str, loader: type = _LOADER) -> Any:
    """``text`` parsed with a safe YAML loader and checked by :func:`check_expansion`.

    YAML errors propagate; a document too deep for the parser is a ConfigException.
    """
    try:
        document = yaml.load(text, Loader=loader)
    except RecursionError:
        raise ConfigException(
            f"{source}: the document is nested deeper than {MAX_DEPTH} levels"
        ) from None
    return check_expansion(document, source)


def check_expansion(document: Any, source: str) -> Any:
    """``document`` unless, with YAML aliases expanded, it is too big, too deep or circular.

    YAML anchors and aliases share one object, so a few lines can stand for
    billions of values ("billion laughs") or for a loop; anything that walks
    the config (merging globals, copying, writing JSON) would then run without
    end. Raises ConfigException naming ``source`` and the limit.

    >>> check_expansion({"a": [1, 2]}, "x.yaml")
    {'a': [1, 2]}
    >>> loop = []; loop.append(loop)
    >>> check_expansion({"m": loop}, "x.yaml")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: x.yaml: the document refers to itself (at m[0]) through a YAML alias
    """
    count = 0
    on_path: set[int] = set()
    stack: list[tuple[Any, str, int, bool]] = [(document, "", 0, False)]
    while stack:
        value, where, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(value))
            continue
        count += 1
        if count > MAX_VALUES:
            raise ConfigException(
                f"{source}: the document expands to more than {MAX_VALUES} values "
                "(nested YAML aliases?)"
            )
        if not isinstance(value, dict | list):
            continue
        if id(value) in on_path:
            raise ConfigException(
                f"{source}: the document refers to itself (at {where}) through a YAML alias"
            )
        if depth >= MAX_DEPTH:
            raise ConfigException(
                f"{source}: the document is nested deeper than {MAX_DEPTH} levels (at {where})"
            )
        on_path.add(id(value))
        stack.append((value, where, depth, True))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            path = f"{where}[{key}]" if isinstance(value, list) else f"{where}.{key}".lstrip(".")
            stack.append((item, path, depth + 1, False))
    return document


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
    text = read_text(file)
    try:
        try:
            config = safe_load(text, str(file))
        except yaml.YAMLError:
            # the pure-Python parser words errors best
            config = safe_load(text, str(file), yaml.SafeLoader)
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
