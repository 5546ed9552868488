"""The abstract base of gordo's own models."""

from __future__ import annotations

import abc
from typing import Any

import numpy as np
import pandas as pd


class GordoBase(abc.ABC):
    """Base of models implemented in gordo: metadata, parameters and a default score.

    >>> GordoBase.__abstractmethods__ == {"get_metadata", "get_params", "score"}
    True
    """

    def __init__(self, **kwargs: Any) -> None:  # noqa: B027 - documented, optional to override
        """Initialize the model"""

    @abc.abstractmethod
    def get_metadata(self) -> dict[str, Any]:
        """Model specific metadata, if any."""

    @abc.abstractmethod
    def get_params(self, deep: bool = False) -> dict[str, Any]:
        """The parameters used to initialize the object."""

    @abc.abstractmethod
    def score(
        self,
        X: np.ndarray | pd.DataFrame,
        y: np.ndarray | pd.DataFrame,
        sample_weight: np.ndarray | None = None,
    ) -> float:
        """Score the model with the default scorer of its type."""
