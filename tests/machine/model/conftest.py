"""Small data shared by the model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

TAGS = ["tag-a", "tag-b", "tag-c"]


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    """60 rows of 3 tags every 10 minutes (UTC)."""
    rng = np.random.default_rng(1)
    index = pd.date_range("2020-01-01", periods=60, freq="10min", tz="UTC")
    return pd.DataFrame(rng.random((60, 3)), index=index, columns=TAGS)
