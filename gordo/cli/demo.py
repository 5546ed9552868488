"""``gordo demo``: the example plant, built and served on this computer."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("demo")
@click.option("--workdir", default=".gordo-demo", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the example data, the models and the example request go.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5555, show_default=True, type=click.IntRange(1, 65535),
              help="Port to serve on.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(1),
              help="Machines built at the same time.")
@click.option("--check", is_flag=True,
              help="Do not wait for Ctrl-C: score every machine's labelled fault episodes "
                   "and normal periods over HTTP, print the result, stop the server and exit "
                   "(non-zero if faults do not score above normal operation).")
def demo(workdir: Path, host: str, port: int, jobs: int, check: bool) -> None:
    """Write the example plant, build its models, and serve them until Ctrl-C.

    A second run reuses the built models from the registry and serves in seconds.

    \b
    Example:
        gordo demo                  # then open http://127.0.0.1:5555/
        gordo demo --check          # non-interactive: verify the whole loop and exit
    """
    from gordo.demo import run

    run(workdir, host, port, jobs, check)
