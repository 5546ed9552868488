"""``gordo example-data DIR``: write the simulated example plant (lake layout + labels)."""

from __future__ import annotations

import time

import click


@click.command("example-data")
@click.argument("directory", type=click.Path(file_okay=False, writable=True))
@click.option(
    "--start",
    default="2020-01-01T00:00:00+00:00",
    show_default=True,
    help="First timestamp (ISO-8601 with timezone).",
)
@click.option(
    "--days",
    default=91,
    show_default=True,
    type=click.IntRange(1, 3660),
    help="Number of days at 10-minute resolution.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
def example_data(directory: str, start: str, days: int, seed: int) -> None:
    """Write a deterministic simulated plant to DIRECTORY.

    Six machines (pumps, a compressor, a heat exchanger, a fan, a separator)
    with physically related tags, in the data-lake layout read by
    FileSystemDataProvider, plus DIRECTORY/labels.csv listing the fault
    episodes (machine, start, end, kind), and DIRECTORY/example-plant.yaml,
    the example project that builds a model per machine.

    \b
    Example:
        gordo example-data ./example-data
        export GORDO_EXAMPLE_DATA=$PWD/example-data
        gordo build-project example-data/example-plant.yaml ./models
    """
    import shutil

    from gordo.dataset.example_plant import write_example_plant
    from gordo.examples import EXAMPLE_PROJECT

    began = time.perf_counter()
    counts = write_example_plant(directory, start=start, days=days, seed=seed)
    project = shutil.copyfile(EXAMPLE_PROJECT, f"{directory}/{EXAMPLE_PROJECT.name}")
    click.echo(
        f"Wrote {counts['machines']} machines, {counts['tags']} tags x {counts['rows_per_tag']} rows "
        f"({counts['files']} files) to {directory} in {time.perf_counter() - began:.1f} s; "
        f"labels in {directory}/labels.csv. Set GORDO_EXAMPLE_DATA={directory} to build "
        f"{project}."
    )
