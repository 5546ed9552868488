"""Optional dependencies: the extra that installs each, and a clear error when one is missing.

A dense autoencoder builds and serves with numpy, pandas and scikit-learn
only. Keras (and JAX, its default backend and the LSTM training engine) come
with ``pip install 'gordo[keras]'``; psycopg, for the PostgreSQL data provider
and reporter, with ``gordo[postgres]``.

>>> require("json")
>>> EXTRAS["jax"]
'keras'
"""

from __future__ import annotations

import importlib.util
import sys

from gordo.exceptions import MissingExtraError


def is_installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (a module set to
    None in ``sys.modules``, i.e. blocked, is not).

    >>> is_installed("json"), is_installed("no_such_module_here")
    (True, False)
    """
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


#: Top-level module -> the extra of gordo that installs it.
EXTRAS = {"keras": "keras", "jax": "keras", "psycopg": "postgres"}


def require(module: str, needed_for: str = "gordo") -> None:
    """Raise :class:`MissingExtraError` naming the extra to install if ``module`` is missing.

    The module is looked for, not imported (importing Keras fixes its backend,
    importing JAX draws random numbers). ``needed_for`` says what needs it.
    """
    if not is_installed(module):
        top = module.partition(".")[0]
        extra = EXTRAS.get(top, top)
        raise MissingExtraError(
            f"{needed_for} needs the optional dependency {top!r}, which is not installed: "
            f"pip install 'gordo[{extra}]'",
            name=top,
        )
