"""``gordo config``: tools for project config files.

>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(config, ["validate", "--help"])
>>> "PROJECT_CONFIG" in result.output
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gordo.exceptions import ConfigValidationError


@click.group("config")
def config() -> None:
    """Tools for project config files (the machines and globals of a project)."""


def _model_class(model: Any) -> str:
    return model if isinstance(model, str) else next(iter(model))


def default_project_name(raw: dict, path: str | Path) -> str:
    """The project name when --project-name is not given, as every command takes it:
    ``metadata.name`` of a Gordo resource, else the file name without its extension,
    lower-cased with ``_`` as ``-``.

    An unusable name is a usage error pointing at --project-name.

    >>> default_project_name({"machines": []}, "Plant_A.yaml")
    'plant-a'
    >>> default_project_name({"kind": "Gordo", "metadata": {"name": "p"}, "spec": {}}, "x.yaml")
    'p'
    """
    from gordo.machine.validators import ValidUrlString

    metadata = raw.get("metadata") if "spec" in raw else None
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
        name = metadata["name"]
    else:
        name = Path(path).stem.lower().replace("_", "-")
    problem = ValidUrlString.problem(name)
    if problem:
        raise click.BadParameter(
            f"the default project name is not usable: {problem}", param_hint="--project-name"
        )
    return name


@config.command("validate")
@click.argument("project_config", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--project-name",
    envvar="WORKFLOW_GENERATOR_PROJECT_NAME",
    help="Project name (checked with the machine names). "
    "Default: metadata.name of a Gordo resource, else the file name.",
)
@click.option(
    "--default-data-provider",
    envvar="WORKFLOW_GENERATOR_DEFAULT_DATA_PROVIDER",
    help="Data provider type for datasets that do not name one, e.g. RandomDataProvider.",
)
def validate(project_config: Path, project_name: str | None, default_data_provider: str | None):
    """Check PROJECT_CONFIG and list every problem in it; writes nothing.

    Prints one line per machine (name, number of tags, training period, model
    class). On problems, prints each one with the machine index, name and key
    path, and exits with code 100.

    Example:

        gordo config validate example-data/example-plant.yaml --project-name my-project
    """
    from gordo.workflow.config_elements.loader import load_project_config
    from gordo.workflow.config_elements.normalized_config import NormalizedConfig

    raw = load_project_config(project_config)
    if project_name is None:
        project_name = default_project_name(raw, project_config)
    try:
        normalized = NormalizedConfig(
            raw, project_name=project_name, default_data_provider=default_data_provider
        )
    except ConfigValidationError as exc:
        raise ConfigValidationError(exc.problems, source=str(project_config)) from None
    for machine in normalized.machines:
        dataset = machine.dataset.to_dict()
        click.echo(
            f"{machine.name}: {len(dataset['tag_list'])} tags, "
            f"{dataset['train_start_date']} to {dataset['train_end_date']}, "
            f"{_model_class(machine.model)}"
        )
    n = len(normalized.machines)
    click.echo(f"OK: {n} machine{'s' if n != 1 else ''} in project '{project_name}'")


@config.command("reference")
def reference() -> None:
    """Print the config reference (every key with its default) as Markdown.

    docs/config-reference.md is this command's output.

    Example:

        gordo config reference > docs/config-reference.md
    """
    from gordo.workflow.config_elements.reference import render

    click.echo(render(), nl=False)
