"""The `gordo` command group: version, help, lazy subcommands, one-line errors."""

import subprocess
import sys

from click.testing import CliRunner

from gordo import __version__
from gordo.cli.cli import SUBCOMMANDS, gordo

HEAVY = ("keras", "jax", "tensorflow", "torch", "pandas", "sklearn")


def test_version_and_every_subcommand_listed_in_help():
    runner = CliRunner()
    assert runner.invoke(gordo, ["--version"]).output.strip() == f"gordo {__version__}"
    help_text = runner.invoke(gordo, ["--help"]).output
    assert all(name in help_text for name in SUBCOMMANDS)


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from gordo.cli.cli import gordo\n"
        "try:\n    gordo(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_has_help_with_an_example():
    import click

    runner = CliRunner()
    commands = [[name] for name in SUBCOMMANDS]
    while commands:
        path = commands.pop()
        result = runner.invoke(gordo, [*path, "--help"])
        assert result.exit_code == 0, path
        command = gordo.get_command(None, path[0])
        for part in path[1:]:
            command = command.get_command(None, part)
        if isinstance(command, click.Group):
            commands += [[*path, sub] for sub in command.list_commands(None)]
        else:
            assert "example" in result.output.lower(), path


def test_a_failing_command_prints_one_line_and_the_documented_exit_code(tmp_path):
    missing = tmp_path / "missing.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "gordo", "config", "validate", str(missing)],
        capture_output=True, text=True,
    )
    assert result.returncode == 30  # FileNotFoundError
    assert "Traceback" not in result.stderr
    assert str(missing) in result.stderr


def _every_help_text() -> dict[str, str]:
    import click

    runner = CliRunner()
    texts = {"gordo": runner.invoke(gordo, ["--help"]).output}
    for name in SUBCOMMANDS:
        command = gordo.get_command(click.Context(gordo), name)
        texts[name] = runner.invoke(gordo, [name, "--help"]).output
        for sub in getattr(command, "commands", {}):
            texts[f"{name} {sub}"] = runner.invoke(gordo, [name, sub, "--help"]).output
    return texts


def test_help_texts_say_what_options_do_and_name_files_that_exist():
    texts = _every_help_text()
    assert len(texts) > 10 and all(texts.values())
    everything = "\n".join(texts.values())
    for stale in ("Run workflow with custom log-level", "NUM_CORES", "examples/project.yaml"):
        assert stale not in everything, stale
    assert "Level of the log messages shown" in texts["gordo"]
