"""Transformers for gordo specific problems, usable in scikit-learn Pipelines."""
