"""gordo: build, serve and operate fleets of anomaly-detection models.

Importing ``gordo`` is cheap: no deep-learning framework is imported until a
neural model is built or loaded.

>>> import gordo
>>> isinstance(gordo.__version__, str)
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("gordo")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
