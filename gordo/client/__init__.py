"""Batch scoring of a project's served models over a period, into sinks.

``Client(project, host, port, scheme).predict(start, end)`` gives one
``(machine name, predictions, errors)`` per machine; a prediction forwarder
(:mod:`gordo.client.forwarders`) stores each machine's predictions in InfluxDB
or in files. See docs/client.md.
"""

from gordo.client.client import Client, MachinePredictions
from gordo.client.forwarders import (
    ForwardPredictionsIntoFiles,
    ForwardPredictionsIntoInflux,
    PredictionForwarder,
)

__all__ = [
    "Client",
    "ForwardPredictionsIntoFiles",
    "ForwardPredictionsIntoInflux",
    "MachinePredictions",
    "PredictionForwarder",
]
