"""The ``gordo`` click group; each subcommand lives in its own module.

Subcommand modules are imported lazily, so ``gordo --help`` stays fast and
never imports a deep-learning framework.

>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(gordo, ["--version"])
>>> result.exit_code
0
"""

from __future__ import annotations

import importlib
import logging

import click

from gordo import __version__
from gordo.exceptions import exit_code_for

#: subcommand name -> "module:attribute" of its click command
SUBCOMMANDS: dict[str, str] = {
    "config": "gordo.cli.config:config",
    "build": "gordo.cli.build:build",
    "build-project": "gordo.cli.build:build_project",
    "example-data": "gordo.cli.example_data:example_data",
    "run-server": "gordo.cli.server:run_server_cli",
    "workflow": "gordo.cli.workflow:workflow_cli",
    "demo": "gordo.cli.demo:demo",
    "client": "gordo.cli.client:client_cli",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in SUBCOMMANDS:
            module_name, attr = SUBCOMMANDS[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        """Run a subcommand; a gordo error prints one readable line, not a traceback.

        With ``--log-level debug`` the traceback is printed too. The exit code
        is the documented one for the exception's type (see gordo.exceptions).
        """
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:
            debug = (ctx.obj or {}).get("log_level") == "DEBUG"
            if debug:
                logging.getLogger("gordo").exception("command failed")
            name = type(exc).__name__
            click.echo(f"Error ({name}): {exc}", err=True)
            if not debug:
                click.echo("Hint: run with `gordo --log-level debug ...` for the traceback.", err=True)
            ctx.exit(exit_code_for(exc))


@click.group(cls=LazyGroup)
@click.version_option(version=__version__, message="gordo %(version)s")
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], case_sensitive=False),
    default="INFO",
    envvar="GORDO_LOG_LEVEL",
    show_default=True,
    help="Level of the log messages shown (and of the workflows' pods, for workflow generate).",
)
@click.pass_context
def gordo(ctx: click.Context, log_level: str) -> None:
    """The main entry point for the CLI interface."""
    logging.basicConfig(
        level=getattr(logging, log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if log_level.upper() != "DEBUG":
        # JAX reports at INFO that it found no TPU or GPU: noise on every CPU machine.
        logging.getLogger("jax").setLevel(logging.WARNING)
    ctx.ensure_object(dict)
    ctx.obj["log_level"] = log_level.upper()
