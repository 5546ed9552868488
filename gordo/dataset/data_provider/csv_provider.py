"""One wide CSV file: a timestamp column and one column per tag.

>>> import fsspec, pandas as pd
>>> with fsspec.open("memory://doc/plant.csv", "w") as f:
...     _ = f.write("index,Pressure,RPM\\n2020-01-01T00:00:00Z,1.5,100\\n2020-01-01T00:10:00Z,1.7,110\\n")
>>> provider = CSVDataProvider("memory://doc/plant.csv", timestamp_column="index")
>>> (s, tag), = provider.load_series("2020-01-01T00:00:00+00:00", "2020-01-02T00:00:00+00:00",
...                                  [SensorTag("RPM")])
>>> s.tolist()
[100.0, 110.0]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from gordo.dataset.data_provider.base import GordoBaseDataProvider, clean_series, utc
from gordo.dataset.data_provider.file_system import missing_tag
from gordo.dataset.params import capture_args
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import DataError


class CSVDataProvider(GordoBaseDataProvider):
    """Reads tags from the columns of one CSV file (a local path or any fsspec URL).

    Only the timestamp column and the requested columns are read; naive
    timestamps are taken as UTC.
    """

    @capture_args
    def __init__(
        self,
        file_path: str,
        timestamp_column: str,
        sep: str = ",",
        storage_options: Mapping[str, Any] | None = None,
    ):
        super().__init__(threads=1)
        self.file_path, self.timestamp_column, self.sep = file_path, timestamp_column, sep
        self.storage_options = dict(storage_options or {})

    def _read(self, columns: list[str]) -> pd.DataFrame:
        import fsspec

        path = os.path.expandvars(self.file_path)
        try:
            with fsspec.open(path, "r", **self.storage_options) as handle:
                header = pd.read_csv(handle, sep=self.sep, nrows=0).columns
                missing = [c for c in [self.timestamp_column, *columns] if c not in header]
                if missing:
                    raise missing_tag(missing[-1], f"column(s) {missing} not found in {path}")
                handle.seek(0)
                frame = pd.read_csv(handle, sep=self.sep, usecols=[self.timestamp_column, *columns])
            index = pd.DatetimeIndex(
                pd.to_datetime(frame.pop(self.timestamp_column), utc=True, format="ISO8601")
            )
        except FileNotFoundError:
            raise
        except (ValueError, TypeError, OSError, pd.errors.ParserError) as err:
            raise DataError(f"cannot read {path}: {err}") from err
        frame.index = index
        return frame

    def load_series(
        self,
        train_start_date: datetime,
        train_end_date: datetime,
        tag_list: Iterable[SensorTag],
        **kwargs: Any,
    ) -> Iterator[tuple[pd.Series, SensorTag]]:
        start, end = utc(train_start_date), utc(train_end_date)
        tags = list(tag_list)
        frame = self._read(list(dict.fromkeys(t.name for t in tags)))
        for tag in tags:
            yield clean_series(frame[tag.name], tag.name, start, end), tag

    def load_tag(self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag) -> pd.Series:
        return self._read([tag.name])[tag.name]
