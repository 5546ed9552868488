"""``gordo build`` (one machine) and ``gordo build-project`` (every machine of a project)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click
import yaml

from gordo.builder.fast_exit import exit_now
from gordo.exceptions import ConfigException, ConfigValidationError

logger = logging.getLogger(__name__)


def _load_yaml(value: str, what: str) -> Any:
    """``value`` as YAML/JSON text, or the content of the file it names."""
    from gordo.workflow.config_elements.loader import read_text, safe_load

    text = value
    if "\n" not in value and len(value) < 4096 and os.path.isfile(value):
        text = read_text(Path(value))

    try:
        return safe_load(text, what)
    except yaml.YAMLError as exc:
        raise ConfigException(f"{what} is not valid JSON/YAML: {exc}") from exc


_METADATA_FORM = {"user_defined", "build_metadata"}


def machine_from_config(machine_config: Any, model_parameters: dict[str, str]) -> Any:
    """The Machine of a ``MACHINE_CONFIG`` dict, with model parameters substituted.

    Two forms are accepted: a machine block as written in a project config
    (``Machine.from_config``), and a normalised machine as the workflow passes
    it (``Machine.to_dict()``, metadata with ``user_defined``; sections may be
    YAML/JSON strings), which is loaded as is.
    """
    from gordo.builder.model_parameters import expand_model
    from gordo.machine import Machine
    from gordo.machine.validation import machine_key_problems
    from gordo.workflow.config_elements.sections import load_section, load_sections

    if not isinstance(machine_config, dict):
        raise ConfigException("MACHINE_CONFIG must be a mapping (JSON or YAML) of one machine")
    config = dict(machine_config)
    if model_parameters and "model" in config:
        config["model"] = expand_model(config["model"], model_parameters)
    project_name = config.pop("project_name", None) or os.environ.get("PROJECT_NAME")
    if not project_name:
        raise ConfigException(
            f"Machine {config.get('name')!r}: no project_name in MACHINE_CONFIG "
            "and no PROJECT_NAME environment variable"
        )
    metadata = load_section(config.get("metadata"), "metadata")
    if isinstance(metadata, dict) and metadata and set(metadata) <= _METADATA_FORM:
        config = load_sections(config, "")
        config.pop("host", None)
        return Machine.from_dict({**config, "project_name": project_name})
    problems = machine_key_problems(config)
    if problems:  # typos, which building alone would let by
        raise ConfigValidationError(problems)
    return Machine.from_config(config, project_name=project_name)


def echo_cv_scores(scores: dict[str, dict[str, float]]) -> None:
    """One line per score: ``{score} fold-1=... fold-mean=...``."""
    for name, folds in scores.items():
        click.echo(f"{name} " + " ".join(f"{k}={v:.6g}" for k, v in folds.items()))


@click.command("build")
@click.argument("machine-config", envvar="MACHINE")
@click.argument("output-dir", required=False, default=None, envvar="OUTPUT_DIR")
@click.option(
    "--model-register-dir",
    default=None,
    envvar="MODEL_REGISTER_DIR",
    type=click.Path(file_okay=False),
    help="Registry of built models: reuse an identical machine's model instead of rebuilding.",
)
@click.option("--print-cv-scores", is_flag=True, help="Prints CV scores to stdout")
@click.option(
    "--model-parameter",
    multiple=True,
    help="Key-Value pair for a model parameter and its value, may use this option multiple "
    "times. Separate key,value by a comma. ie: --model-parameter key,val "
    "--model-parameter some_key,some_value",
)
@click.option(
    "--exceptions-reporter-file",
    envvar="EXCEPTIONS_REPORTER_FILE",
    type=click.Path(dir_okay=False),
    help="JSON output file for exception information",
)
@click.option(
    "--exceptions-report-level",
    type=click.Choice(["EXIT_CODE", "TYPE", "MESSAGE", "TRACEBACK"], case_sensitive=False),
    default="TRACEBACK",
    envvar="EXCEPTIONS_REPORT_LEVEL",
    show_default=True,
    help="Details level for exception reporting",
)
def build(
    machine_config: str,
    output_dir: str | None,
    model_register_dir: str | None,
    print_cv_scores: bool,
    model_parameter: tuple[str, ...],
    exceptions_reporter_file: str | None,
    exceptions_report_level: str,
) -> None:
    """Build a model and deposit it into 'output_dir' given the appropriate config settings.

    MACHINE_CONFIG is one machine as JSON or YAML (text, or a file holding
    it): a machine block as in a project config (loaded with
    gordo.machine.Machine.from_config), or the normalised machine JSON the
    workflow passes. It needs a project_name (or the PROJECT_NAME environment
    variable). OUTPUT_DIR receives the model
    and its metadata.json; without it the model is built but not saved. On
    failure the exit code tells the error kind (e.g. 80 for too little data)
    and the exceptions report file is written.

    \b
    Example:
        gordo build machine.yaml /models/my-project/1700000000000/my-machine \\
            --model-register-dir /models/my-project/.registry --print-cv-scores
    """
    try:
        from gordo.builder.build_model import ModelBuilder
        from gordo.builder.model_parameters import parse_model_parameter

        parameters = dict(parse_model_parameter(p) for p in model_parameter)
        machine = machine_from_config(_load_yaml(machine_config, "MACHINE_CONFIG"), parameters)
        logger.info("Building machine %r of project %r", machine.name, machine.project_name)
        machine = ModelBuilder(machine).build_artifact(
            output_dir=output_dir, model_register_dir=model_register_dir
        )
        machine.report()
        if print_cv_scores:
            echo_cv_scores(machine.metadata.build_metadata.model.cross_validation.scores)
    except Exception as exc:
        if exceptions_reporter_file:
            _write_report(exc, exceptions_reporter_file, exceptions_report_level)
        raise
    exit_now(0)


def _write_report(exc: BaseException, path: str, level: str) -> None:
    from gordo.builder.exception_report import report_exception

    try:
        report_exception(exc, path, level)
    except OSError as report_error:
        logger.error("Could not write the exceptions report %s: %s", path, report_error)


@click.command("build-project")
@click.argument("project-config", type=click.Path(exists=True, dir_okay=False))
@click.argument("output-dir", type=click.Path(file_okay=False))
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Machines built at the same time, each in its own worker process.",
)
@click.option(
    "--model-register-dir",
    type=click.Path(file_okay=False),
    envvar="MODEL_REGISTER_DIR",
    default=None,
    help="Registry of built models (default OUTPUT_DIR/.registry); unchanged machines are "
    "reused from it, so an interrupted build resumes.",
)
@click.option(
    "--project-name",
    envvar="PROJECT_NAME",
    default=None,
    help="Project name (default: metadata.name of a 'kind: Gordo' file, else the file name).",
)
def build_project(
    project_config: str,
    output_dir: str,
    jobs: int,
    model_register_dir: str | None,
    project_name: str | None,
) -> None:
    """Build every machine of PROJECT_CONFIG into OUTPUT_DIR/<revision>/<machine>/.

    The revision is the start time in epoch milliseconds. Machines build in
    --jobs worker processes; a failing machine does not stop the others. A
    summary of built, cached and failed machines is printed at the end, and
    the exit code is non-zero if any failed.

    \b
    Example:
        gordo build-project example-data/example-plant.yaml ./models --jobs 2
    """
    from gordo.builder.fleet import build_fleet
    from gordo.builder.progress import Progress
    from gordo.cli.config import default_project_name
    from gordo.serializer.allow_list import ENV_VAR, env_prefixes
    from gordo.workflow.config_elements.loader import load_project_config
    from gordo.workflow.config_elements.normalized_config import NormalizedConfig

    config = load_project_config(project_config)
    project_name = project_name or default_project_name(config, project_config)
    normalized = NormalizedConfig(config, project_name)
    machines = normalized.machines
    if normalized.allowed_imports:  # the fleet's worker processes check definitions too
        os.environ[ENV_VAR] = ",".join((*env_prefixes(), *normalized.allowed_imports))
    with Progress(len(machines)) as progress:
        result = build_fleet(
            machines,
            output_dir,
            jobs=jobs,
            model_register_dir=model_register_dir,
            on_done=lambda o: progress.update(o.name, o.status, o.seconds),
        )
    click.echo(result.summary())
    exit_now(result.exit_code)
    if result.exit_code:
        raise click.exceptions.Exit(result.exit_code)
