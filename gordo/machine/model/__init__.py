"""Models: scikit-learn compatible Keras wrappers, anomaly detectors and transformers.

Importing this package (or ``models``, ``anomaly``, ``register``) does not import
Keras; the Keras backend is chosen (see :mod:`gordo.machine.model.backend`) and
imported only when a neural model is built or loaded.
"""
