"""Anomaly detectors: models with ``anomaly(X, y, frequency)``, served under /anomaly/prediction."""
