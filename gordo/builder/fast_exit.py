"""End a finished ``gordo build`` process without the interpreter's slow teardown.

Tearing down JAX/XLA and a heap full of pandas and Keras objects at exit takes
0.3-2 s, a large share of a one-second build. When the process *is* the
``gordo`` program (not a test runner or a caller that imported the CLI), the
build commands flush their output and leave with ``os._exit``.

>>> is_gordo_program(["/usr/bin/pytest"]), is_gordo_program(["/venv/bin/gordo"])
(False, True)
>>> is_gordo_program(["/src/gordo/__main__.py"]), is_gordo_program(["/src/pytest/__main__.py"])
(True, False)
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path


def is_gordo_program(argv: list[str] | None = None) -> bool:
    """Whether ``argv[0]`` is the ``gordo`` console script or ``python -m gordo``."""
    program = Path((argv if argv is not None else sys.argv)[0])
    return program.name == "gordo" or (
        program.name == "__main__.py" and program.parent.name == "gordo"
    )


def exit_now(code: int) -> None:
    """Flush output and logs, then end the process with ``code``, if it is the gordo program."""
    if not is_gordo_program():
        return
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    logging.shutdown()
    os._exit(code)
