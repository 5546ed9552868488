"""InfluxDB 1.x line protocol for frames: one line per timestamp, numeric fields only
(booleans such as ``anomaly-event`` as 1.0 and 0.0).

Missing and non-finite values are left out of their line; a line without any
field is dropped. Times are written in nanoseconds.

>>> import pandas as pd
>>> frame = pd.DataFrame({"TAG 1": [1.5, float("nan")], "b": [2.0, 3.0]},
...                      index=pd.date_range("2020-01-01", periods=2, freq="10min", tz="UTC"))
>>> for line in frame_lines("model-output", {"machine": "m-1", "version": "7"}, frame):
...     print(line)
model-output,machine=m-1,version=7 TAG\\ 1=1.5,b=2.0 1577836800000000000
model-output,machine=m-1,version=7 b=3.0 1577837400000000000
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def escape(text: str, measurement: bool = False) -> str:
    """Escape a measurement name, tag key/value or field key.

    >>> escape("a b,c=d")
    'a\\\\ b\\\\,c\\\\=d'
    """
    text = str(text).replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ")
    return text if measurement else text.replace("=", "\\=")


def frame_lines(measurement: str, tags: Mapping[str, str], frame: pd.DataFrame) -> list[str]:
    """Lines of the numeric columns of ``frame`` (tz-aware DatetimeIndex) under ``tags``.

    Rows are joined column by column on object arrays (no Python loop per row,
    except for rows with a missing value).
    """
    numeric = frame.select_dtypes(["number", "bool"])  # booleans (anomaly-event) as 1.0/0.0
    if numeric.empty or not len(numeric):
        return []
    prefix = escape(measurement, measurement=True) + "".join(
        f",{escape(key)}={escape(value)}" for key, value in sorted(tags.items()) if str(value)
    )
    values = numeric.to_numpy(dtype=np.float64)
    finite = np.isfinite(values)
    keys = np.array([escape(column) + "=" for column in numeric.columns], dtype=object)
    text = np.array(list(map(repr, values.ravel().tolist())), dtype=object)
    cells = keys + text.reshape(values.shape)
    times = pd.DatetimeIndex(numeric.index).as_unit("ns").asi8.astype(str).astype(object)
    fields = np.empty(len(values), dtype=object)
    complete = finite.all(axis=1)
    if complete.any():
        joined = cells[complete, 0]
        for column in range(1, cells.shape[1]):
            joined = joined + "," + cells[complete, column]
        fields[complete] = joined
    for row in np.flatnonzero(~complete):
        fields[row] = ",".join(cells[row, finite[row]])
    keep = fields != ""
    return (prefix + " " + fields[keep] + " " + times[keep]).tolist()
