"""The ``gordo`` command-line interface."""
