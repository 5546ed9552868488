"""``python -m gordo`` runs the ``gordo`` command group."""

from gordo.cli.cli import gordo

if __name__ == "__main__":
    gordo()
