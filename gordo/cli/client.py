"""``gordo client``: score a project's served models over a period, read metadata, download models.

>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(client_cli, ["predict", "--help"])
>>> result.exit_code, "--influx-recreate-db" in result.output
(0, True)
>>> parse_metadata(("version,1700000000000", "team,a,b"))
{'version': '1700000000000', 'team': 'a,b'}
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

logger = logging.getLogger(__name__)


def parse_metadata(items: tuple[str, ...]) -> dict[str, str]:
    """``KEY,VALUE`` items as a dict (the value may hold commas)."""
    out = {}
    for item in items:
        key, sep, value = item.partition(",")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY,VALUE", param_hint="--metadata")
        out[key] = value
    return out


def parse_data_provider(text: str | None):
    """The provider config of ``--data-provider`` (JSON/YAML text or a file); None if empty.

    A config with a ``type`` is checked by building the provider once. Without
    ``type`` it overrides arguments of each machine's own provider.

    >>> parse_data_provider('{"type": "RandomDataProvider", "seed": 3}')
    {'type': 'RandomDataProvider', 'seed': 3}
    >>> parse_data_provider("{}") is None
    True
    """
    import yaml

    from gordo.dataset.data_provider.base import GordoBaseDataProvider
    from gordo.exceptions import ConfigException

    if not text or not text.strip():
        return None
    source = "--data-provider (DATA_PROVIDER)"
    path = Path(text)
    if "\n" not in text and len(text) < 4096 and path.is_file():
        source, text = f"--data-provider file {path}", path.read_text()
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigException(f"{source} is not valid JSON/YAML: {exc}") from None
    if not config:
        return None
    if not isinstance(config, dict):
        raise ConfigException(f"{source} must be a mapping, not {config!r}")
    if config.get("type"):
        try:
            GordoBaseDataProvider.from_dict(config)
        except ConfigException as exc:
            raise ConfigException(f"{source}: {exc}") from None
    return config


def _targets_option(function):
    return click.option(
        "--target",
        "targets",
        multiple=True,
        envvar="GORDO_CLIENT_TARGET",
        help="Only this machine (repeatable; env GORDO_CLIENT_TARGET, space separated). "
        "Default: every model the server serves.",
    )(function)


def _connection(ctx: click.Context) -> dict[str, Any]:
    """The group's server options as Client arguments; the project is required."""
    if not ctx.obj["client"]["project"]:
        raise click.UsageError("Missing option '--project' (or env GORDO_CLIENT_PROJECT).")
    return ctx.obj["client"]


@click.group("client")
@click.option(
    "--project",
    envvar="GORDO_CLIENT_PROJECT",
    help="The project whose models are scored (required).",
)
@click.option(
    "--host",
    default="localhost",
    show_default=True,
    envvar="GORDO_CLIENT_HOST",
    help="Host of the gordo server.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=443,
    show_default=True,
    envvar="GORDO_CLIENT_PORT",
    help="Port of the gordo server.",
)
@click.option(
    "--scheme",
    type=click.Choice(["http", "https"]),
    default="https",
    show_default=True,
    envvar="GORDO_CLIENT_SCHEME",
    help="http or https.",
)
@click.option(
    "--revision",
    default=None,
    envvar="GORDO_CLIENT_REVISION",
    help="Use this revision of the models. Default: the server's latest, pinned at start.",
)
@click.option(
    "--n-retries",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    envvar="GORDO_CLIENT_N_RETRIES",
    help="Retries of a request on connection errors and 5xx answers (exponential backoff).",
)
@click.pass_context
def client_cli(
    ctx: click.Context,
    project: str | None,
    host: str,
    port: int,
    scheme: str,
    revision,
    n_retries: int,
) -> None:
    """Talk to a gordo server: score machines over a period, read metadata, download models.

    The server is SCHEME://HOST:PORT/gordo/v0/PROJECT/ (env GORDO_CLIENT_PROJECT,
    GORDO_CLIENT_HOST, GORDO_CLIENT_PORT, GORDO_CLIENT_SCHEME).

    \b
    Examples:
        gordo client --project my-project --host localhost --port 5555 --scheme http \\
            predict 2020-01-01T00:00:00+00:00 2020-01-02T00:00:00+00:00 --output-dir preds
        gordo client --project my-project metadata --target my-machine
    """
    ctx.ensure_object(dict)
    ctx.obj["client"] = {
        "project": project,
        "host": host,
        "port": port,
        "scheme": scheme,
        "revision": revision,
        "n_retries": n_retries,
    }


@client_cli.command("predict")
@click.argument("start")
@click.argument("end")
@_targets_option
@click.option(
    "--data-provider",
    envvar="DATA_PROVIDER",
    help="Data provider for every machine, as JSON/YAML text or a file, e.g. "
    '\'{"type": "RandomDataProvider"}\' (env DATA_PROVIDER). '
    "Default: the provider in each machine's metadata.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    envvar="GORDO_CLIENT_BATCH_SIZE",
    help="Rows per request.",
)
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    envvar="GORDO_CLIENT_PARALLELISM",
    help="Machines scored at the same time.",
)
@click.option(
    "--metadata",
    multiple=True,
    envvar="GORDO_CLIENT_METADATA",
    help="KEY,VALUE stored with every prediction (InfluxDB tag); repeatable.",
)
@click.option(
    "--use-parquet",
    is_flag=True,
    envvar="GORDO_CLIENT_USE_PARQUET",
    help="Send and receive parquet instead of JSON.",
)
@click.option(
    "--forward-resampled-sensors",
    is_flag=True,
    envvar="GORDO_CLIENT_FORWARD_RESAMPLED_SENSORS",
    help="Also store the input sensor values (InfluxDB measurement 'resampled').",
)
@click.option(
    "--influx-uri",
    envvar="GORDO_CLIENT_PREDICT_INFLUX_URI",
    help="Store predictions in InfluxDB 1.x: <user>:<password>@<host>:<port>/[<path>/]<db>.",
)
@click.option("--influx-api-key", envvar="GORDO_CLIENT_INFLUX_API_KEY", help="InfluxDB api key.")
@click.option(
    "--influx-recreate-db",
    is_flag=True,
    envvar="GORDO_CLIENT_INFLUX_RECREATE_DB",
    help="Create the database if missing and drop the scored machines' earlier points.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    envvar="GORDO_CLIENT_OUTPUT_DIR",
    help="Store predictions as one file per machine in this directory.",
)
@click.option(
    "--output-format",
    type=click.Choice(["parquet", "csv", "parquet-flat", "csv-flat"]),
    default="parquet",
    show_default=True,
    help="File format for --output-dir: parquet and csv keep the server's two column levels "
    "(csv: two header rows); the -flat ones have one header row of '<tag>|<column>' names.",
)
@click.pass_context
def predict(
    ctx: click.Context,
    start: str,
    end: str,
    targets: tuple[str, ...],
    data_provider: str | None,
    batch_size: int,
    parallelism: int,
    metadata: tuple[str, ...],
    use_parquet: bool,
    forward_resampled_sensors: bool,
    influx_uri: str | None,
    influx_api_key: str | None,
    influx_recreate_db: bool,
    output_dir: str | None,
    output_format: str,
) -> None:
    """Score the machines from START to END (ISO 8601 with time zone) and store the results.

    Results go to InfluxDB (--influx-uri) and/or files (--output-dir). A
    summary line per machine is printed; the exit code is 1 if any machine
    or batch failed, each failure named on stderr.

    \b
    Examples:
        gordo client --project my-project --host localhost --port 5555 --scheme http \\
            predict 2020-01-01T00:00:00+00:00 2020-01-02T00:00:00+00:00 \\
            --target my-machine --output-dir predictions --output-format csv
        gordo client predict "$START" "$END" --influx-uri ":@influx:8086//feeder" \\
            --influx-recreate-db --forward-resampled-sensors --parallelism 2 \\
            --metadata version,1700000000000
    """
    from gordo.client import Client
    from gordo.client.forwarders import (
        ForwardPredictionsIntoAll,
        ForwardPredictionsIntoFiles,
        ForwardPredictionsIntoInflux,
    )

    connection = _connection(ctx)
    sinks = []
    if influx_uri:
        sinks.append(
            ForwardPredictionsIntoInflux(
                influx_uri,
                destination_influx_api_key=influx_api_key,
                destination_influx_recreate=influx_recreate_db,
            )
        )
    if output_dir:
        sinks.append(ForwardPredictionsIntoFiles(output_dir, file_format=output_format))
    if not sinks:
        logger.warning("No --influx-uri or --output-dir: the predictions are not stored")
    client = Client(
        **connection,
        metadata=parse_metadata(metadata),
        data_provider=parse_data_provider(data_provider),
        prediction_forwarder=ForwardPredictionsIntoAll(sinks) if sinks else None,
        batch_size=batch_size,
        parallelism=parallelism,
        forward_resampled_sensors=forward_resampled_sensors,
        use_parquet=use_parquet,
    )
    results = client.predict(start, end, targets=targets or None)
    failures = [error for result in results for error in result.errors]
    for result in results:
        status = f"{len(result.errors)} error(s)" if result.errors else "ok"
        click.echo(f"{result.name}: {len(result.predictions)} rows, {status}")
    if failures:
        click.echo(f"{len(failures)} failure(s):", err=True)
        for error in failures:
            click.echo(f"  {error}", err=True)
        ctx.exit(1)


@client_cli.command("metadata")
@_targets_option
@click.option(
    "--output-file",
    type=click.Path(dir_okay=False),
    help="Write the JSON here instead of stdout.",
)
@click.pass_context
def metadata(ctx: click.Context, targets: tuple[str, ...], output_file: str | None) -> None:
    """Print each machine's metadata as JSON: {machine: metadata}.

    \b
    Example:
        gordo client --project my-project --host localhost --port 5555 --scheme http \\
            metadata --target my-machine --output-file metadata.json
    """
    from gordo.client import Client

    client = Client(**_connection(ctx))
    text = json.dumps(client.get_metadata(targets or None), indent=2, default=str)
    if output_file:
        Path(output_file).write_text(text + "\n")
    else:
        click.echo(text)


@client_cli.command("download-model")
@click.argument("output-dir", type=click.Path(file_okay=False))
@_targets_option
@click.pass_context
def download_model(ctx: click.Context, output_dir: str, targets: tuple[str, ...]) -> None:
    """Download each machine's model into OUTPUT_DIR/<machine>/ (loadable with serializer.load).

    \b
    Example:
        gordo client --project my-project --host localhost --port 5555 --scheme http \\
            download-model ./models --target my-machine
    """
    from gordo import serializer
    from gordo.client import Client

    client = Client(**_connection(ctx))
    for name, model in client.download_model(targets or None).items():
        destination = Path(output_dir) / name
        serializer.dump(model, destination, metadata=client.machine_metadata(name))
        click.echo(f"{name}: {destination}")
