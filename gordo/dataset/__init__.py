"""The data layer: sensor tags, datasets (X, y for a machine) and data providers.

``gordo_dataset.*`` import paths of the original companion package resolve to
the modules here (see :mod:`gordo_dataset`).
"""
