"""Helpers of ``gordo workflow generate``: reading configs, loading and rendering templates.

>>> print(yaml_filter({"name": "123", "on": True, "count": 5}))
{name: '123', 'on': true, count: 5}
>>> default_image_pull_policy("2.10.23"), default_image_pull_policy("latest")
('IfNotPresent', 'Always')
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jinja2
import yaml

from gordo.exceptions import ConfigException, GordoError
from gordo.workflow.config_elements.loader import load_project_config

logger = logging.getLogger(__name__)

#: Folder of the built-in Jinja2 workflow template.
TEMPLATE_DIR = Path(__file__).parent / "resources"
#: The built-in template, rendered once per workflow document.
DEFAULT_TEMPLATE = TEMPLATE_DIR / "argo-workflow.yml.template"

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ArgoVersionError(GordoError):
    """The Argo version could not be found out from the Argo CLI."""


def get_dict_from_yaml(config: str | os.PathLike | io.TextIOBase, path: str | None = None) -> dict:
    """Read a config file (or file-like object) of YAML into a dict.

    ``path`` names the source in error messages (default: the file's name).
    Timestamps are checked for a timezone later, by the normalisation.

    >>> get_dict_from_yaml(io.StringIO("machines: []"))
    {'machines': []}
    >>> get_dict_from_yaml(io.StringIO("- a"), "project.yaml")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: 'project.yaml' must hold a YAML mapping, not list
    """
    if not isinstance(config, io.IOBase):
        return load_project_config(config)
    where = path or getattr(config, "name", "<stream>")
    try:
        data = yaml.load(config.read(), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ConfigException(f"Error loading YAML from {where!r}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigException(f"{where!r} must hold a YAML mapping, not {type(data).__name__}")
    return data


def yaml_filter(data: Any) -> str:
    """Dump ``data`` as one line of flow-style YAML (the template's ``yaml`` filter).

    Every string comes out quoted when YAML would otherwise retype it, so a
    value such as ``"123"``, ``"true"`` or ``'a "b"'`` survives a round trip.

    >>> print(yaml_filter("123"), yaml_filter("true"), yaml_filter('say "hi"'), yaml_filter(None))
    '123' 'true' say "hi" null
    >>> yaml_filter(["a", 1]), yaml_filter("a{b}")
    ('[a, 1]', "'a{b}'")
    """
    # Dumped inside a flow sequence, so the text is also safe inside a flow
    # mapping or list in the template (a plain "a{b" would not be).
    text = yaml.dump(
        [data],
        Dumper=_Dumper,
        default_flow_style=True,
        width=2**31 - 1,
        allow_unicode=True,
        sort_keys=False,
    )
    return text.strip()[1:-1]


def argo_placeholder(expression: str) -> str:
    """An Argo expression such as ``{{inputs.parameters.x}}`` (templates cannot write it literally).

    >>> argo_placeholder("inputs.parameters.machine-name")
    '{{inputs.parameters.machine-name}}'
    """
    return "{{" + expression + "}}"


def merge_filter(*mappings: dict | None) -> dict:
    """Later mappings win: ``{{ a | merge(b) }}`` in a template.

    >>> merge_filter({"a": 1, "b": 1}, {"b": 2}, None)
    {'a': 1, 'b': 2}
    """
    merged: dict = {}
    for mapping in mappings:
        merged.update(mapping or {})
    return merged


def load_workflow_template(workflow_template: str | os.PathLike) -> jinja2.Template:
    """Load the Jinja2 template at ``workflow_template`` (not rendered).

    Rendering is strict: an undefined variable raises; block tags eat their
    line (``trim_blocks``, ``lstrip_blocks``). The template's folder
    is the search path for ``include``/``import``, and these filters and
    globals are available: ``yaml`` (:func:`yaml_filter`), ``tojson``,
    ``merge`` (:func:`merge_filter`), ``argo(expr)`` (:func:`argo_placeholder`).

    >>> template = load_workflow_template(DEFAULT_TEMPLATE)
    >>> template.name
    'argo-workflow.yml.template'
    """
    path = Path(workflow_template).absolute()
    if not path.is_file():
        raise FileNotFoundError(f"Unable to find workflow template {path}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = yaml_filter
    env.filters["merge"] = merge_filter
    env.filters["tojson"] = lambda data: json.dumps(data, ensure_ascii=False)
    env.globals["argo"] = argo_placeholder
    return env.get_template(path.name)


_MAJOR = re.compile(r"^\d+$")
_MAJOR_MINOR = re.compile(r"^\d+\.\d+$")
_RELEASE = re.compile(r"^\d+\.\d+\.\d+[0-9A-Za-z._-]*$")
_PR = re.compile(r"^pr-\d+$")
_SHA = re.compile(r"^[0-9a-z]{8,40}$")


def default_image_pull_policy(gordo_version: str) -> str:
    """The ``imagePullPolicy`` of gordo's images for an image tag ``gordo_version``.

    Moving tags (a bare major or major.minor, ``latest``, ``stable``, ``pr-<n>``)
    are pulled every time; fixed ones (a full release, a commit SHA) only once.

    >>> [default_image_pull_policy(v) for v in ["10", "1.2", "pr-43", "1.2.3rc1", "a1b2c3d4"]]
    ['Always', 'Always', 'Always', 'IfNotPresent', 'IfNotPresent']
    >>> default_image_pull_policy("not a version")
    Traceback (most recent call last):
    ...
    ValueError: Malformed gordo version 'not a version'
    """
    version = str(gordo_version)
    if _MAJOR.match(version) or _MAJOR_MINOR.match(version):
        return "Always"
    if version in ("latest", "stable") or _PR.match(version):
        return "Always"
    if _RELEASE.match(version) or _SHA.match(version):
        return "IfNotPresent"
    raise ValueError(f"Malformed gordo version {version!r}")


_ARGO_VERSION = re.compile(r"\bv?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def parse_argo_version(text: str) -> tuple[int, int, int]:
    """Parse ``argo version --short`` output (``argo: v3.4.0``) or a bare version.

    >>> parse_argo_version("argo: v3.4.0"), parse_argo_version("2.12.1"), parse_argo_version("3")
    ((3, 4, 0), (2, 12, 1), (3, 0, 0))
    """
    match = _ARGO_VERSION.search(text)
    if not match:
        raise ArgoVersionError(f"Unable to parse an Argo version from {text.strip()!r}")
    major, minor, patch = (int(part or 0) for part in match.groups())
    return major, minor, patch


def get_argo_version(argo_binary: str = "argo") -> tuple[int, int, int] | None:
    """The version of the Argo CLI ``argo_binary``; ``None`` if it is not installed."""
    if shutil.which(argo_binary) is None:
        return None
    try:
        done = subprocess.run(
            [argo_binary, "version", "--short"], capture_output=True, timeout=30, check=True
        )
        output = done.stdout.decode()
    except (subprocess.SubprocessError, OSError, UnicodeDecodeError) as exc:
        raise ArgoVersionError(f"'{argo_binary} version --short' failed: {exc}") from exc
    return parse_argo_version(output)
