"""A provider of random data, deterministic for a given seed, window and tag.

>>> import pandas as pd
>>> from gordo.dataset.sensor_tag import SensorTag
>>> provider = RandomDataProvider(min_size=10, max_size=20)
>>> start, end = pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-02", tz="UTC")
>>> (series, tag), = provider.load_series(start, end, [SensorTag("T1")])
>>> 10 <= len(series) <= 20, series.name, series.index[0] >= start
(True, 'T1', True)
>>> again, _ = next(provider.load_series(start, end, [SensorTag("T1")]))
>>> series.equals(again)
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from gordo.dataset.data_provider.base import GordoBaseDataProvider, utc_index, utc_window
from gordo.dataset.params import capture_args
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException


class RandomDataProvider(GordoBaseDataProvider):
    """Uniform random values in ``[0, 1)`` at random times in the window.

    Each tag gets between ``min_size`` and ``max_size`` points. The output
    depends only on ``seed``, the window and the tag name, so a build is
    reproducible.
    """

    @capture_args
    def __init__(self, min_size: int = 100, max_size: int = 300, seed: int = 0):
        super().__init__(threads=1)
        if not (
            isinstance(min_size, int) and isinstance(max_size, int) and 0 < min_size <= max_size
        ):
            raise ConfigException(
                f"data_provider: need 0 < min_size <= max_size, got min_size={min_size!r}, "
                f"max_size={max_size!r}"
            )
        self.min_size, self.max_size, self.seed = min_size, max_size, seed

    def _rng(self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag) -> np.random.Generator:
        key = f"{self.seed}|{tag.name}|{start.value}|{end.value}".encode()
        return np.random.default_rng(int.from_bytes(hashlib.sha256(key).digest()[:8], "little"))

    def _draw(
        self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag
    ) -> tuple[np.random.Generator, int, np.ndarray]:
        """The tag's generator, its number of points and their (unsorted) epoch seconds."""
        rng = self._rng(start, end, tag)
        n = int(rng.integers(self.min_size, self.max_size, endpoint=True))
        return rng, n, rng.integers(start.value // 10**9, end.value // 10**9, size=n)

    def load_tag(self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag) -> pd.Series:
        rng, n, seconds = self._draw(start, end, tag)
        index = utc_index((np.sort(seconds) * 10**6).view("datetime64[us]"))
        return pd.Series(rng.random(n), index=index, name=tag.name, copy=False)

    def load_last_points(
        self,
        train_start_date: datetime,
        train_end_date: datetime,
        tag_list: Iterable[SensorTag],
        **kwargs: Any,
    ) -> Iterator[tuple[pd.Series, SensorTag]]:
        """Each tag's last point, drawn as :meth:`load_tag` draws the tag, without
        building the series (the last of duplicate stamps wins, as in cleaning)."""
        start, end = utc_window(train_start_date, train_end_date)
        for tag in tag_list:
            rng, n, seconds = self._draw(start, end, tag)
            last = (seconds.max(keepdims=True) * 10**6).view("datetime64[us]")
            value = rng.random(n)[-1:]
            if last[0] < start.to_datetime64():  # before a start with a fraction of a second
                last, value = last[:0], value[:0]
            yield pd.Series(value, index=utc_index(last), name=tag.name), tag

    def to_dict(self) -> dict[str, Any]:
        """The arguments plus ``type``; ``seed`` only when it is not the default 0.

        The original's RandomDataProvider takes no ``seed``, so a model built with
        the default stays loadable by its client from the model's metadata.

        >>> RandomDataProvider().to_dict()
        {'min_size': 100, 'max_size': 300, 'type': 'RandomDataProvider'}
        >>> RandomDataProvider(seed=3).to_dict()["seed"]
        3
        """
        params = super().to_dict()
        if params.get("seed") == 0:
            del params["seed"]
        return params
