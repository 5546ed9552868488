"""gordo: build, serve and operate fleets of anomaly-detection models.

Importing ``gordo`` is cheap: no deep-learning framework is imported until a
neural model is built or loaded.

>>> import gordo
>>> isinstance(gordo.__version__, str)
True
"""

#: The version, written here once (pyproject.toml reads it) so importing gordo reads no
#: package metadata.
__version__ = "0.1.0"
