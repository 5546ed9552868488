"""The base class of anomaly detectors."""

from __future__ import annotations

import abc
from datetime import timedelta

import pandas as pd
from sklearn.base import BaseEstimator

from gordo.machine.model.base import GordoBase


class AnomalyDetectorBase(BaseEstimator, GordoBase):
    """A model whose ``anomaly(X, y, frequency)`` returns a frame of anomaly scores."""

    @abc.abstractmethod
    def anomaly(
        self, X: pd.DataFrame, y: pd.DataFrame, frequency: timedelta | None = None
    ) -> pd.DataFrame:
        """Take X, y and optionally frequency; returning a dataframe containing anomaly score(s)"""
