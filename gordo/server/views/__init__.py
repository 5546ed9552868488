"""The views of the ML server: base (prediction, metadata, lists) and anomaly."""
