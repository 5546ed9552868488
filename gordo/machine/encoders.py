"""JSON encoding of machine dicts: datetimes, numpy scalars/arrays and objects with ``to_dict``.

>>> import json
>>> from datetime import datetime, timezone
>>> import numpy as np
>>> json.dumps({"now": datetime(2019, 11, 22, 8, 34, tzinfo=timezone.utc)}, cls=MachineEncoder)
'{"now": "2019-11-22 08:34:00+00:00"}'
>>> json.dumps({"n": np.int64(3), "x": np.float32(0.5), "a": np.arange(2)}, cls=MachineEncoder)
'{"n": 3, "x": 0.5, "a": [0, 1]}'
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np


class MachineEncoder(json.JSONEncoder):
    """A JSONEncoder for the ``dict`` form of a Machine.

    Datetimes, dates and times become ``str(obj)``; numpy scalars become Python
    numbers; numpy arrays become lists; sets become lists; objects with a
    ``to_dict()`` (SensorTag, datasets, metadata) become that dict.
    """

    def default(self, obj: Any) -> Any:
        if isinstance(obj, datetime | date | time | timedelta):
            return str(obj)
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if isinstance(obj, set | frozenset):
            return list(obj)
        to_dict = getattr(obj, "to_dict", None)
        if callable(to_dict):
            return to_dict()
        return super().default(obj)
