"""Pandas frequency strings, including the legacy aliases pandas 3 removed.

Configs written for the original use pandas-1 aliases (``10T``, ``48H``,
``30S``). They are translated here, in one place, to the current names; the
string the user wrote is kept wherever a config is written back.

>>> to_pandas_freq("10T")
'10min'
>>> to_pandas_freq("48H")
'48h'
>>> to_timedelta("2T")
Timedelta('0 days 00:02:00')
>>> to_timedelta("48H") // to_timedelta("10T")
288
"""

from __future__ import annotations

import re

import pandas as pd

from gordo.exceptions import ConfigException

#: legacy unit -> current pandas unit
_LEGACY_UNITS = {"T": "min", "H": "h", "S": "s", "L": "ms", "U": "us", "N": "ns"}
_LEGACY = re.compile(r"^\s*([+-]?\d*\.?\d*)\s*(T|H|S|L|U|N)\s*$")


def to_pandas_freq(freq: str) -> str:
    """``freq`` with a legacy unit (``T``, ``H``, ``S``, ``L``, ``U``, ``N``) renamed.

    Anything else is returned unchanged.

    >>> to_pandas_freq("15S"), to_pandas_freq("1D"), to_pandas_freq("H")
    ('15s', '1D', 'h')
    """
    match = _LEGACY.match(freq)
    if not match:
        return freq
    return f"{match.group(1)}{_LEGACY_UNITS[match.group(2)]}"


def to_offset(freq: str, key: str = "resolution") -> pd.DateOffset:
    """The pandas offset of ``freq``, or a ConfigException naming ``key``.

    >>> to_offset("10T")
    <10 * Minutes>
    >>> to_offset("ten minutes")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: resolution: 'ten minutes' is not a pandas frequency ...
    """
    try:
        offset = pd.tseries.frequencies.to_offset(to_pandas_freq(str(freq)))
    except (ValueError, TypeError) as err:
        raise ConfigException(
            f"{key}: {freq!r} is not a pandas frequency (e.g. '10min' or the legacy '10T'): {err}"
        ) from None
    return offset


def to_timedelta(freq: str, key: str = "resolution") -> pd.Timedelta:
    """``freq`` (``10T``, ``48H``, ``10min``) as a Timedelta, or a ConfigException naming ``key``.

    >>> to_timedelta("1D")
    Timedelta('1 days 00:00:00')
    """
    text = to_pandas_freq(str(freq))
    try:
        return pd.Timedelta(text)
    except ValueError:
        pass
    offset = to_offset(freq, key)
    try:
        return pd.Timedelta(offset)
    except (ValueError, TypeError) as err:
        raise ConfigException(f"{key}: {freq!r} is not a fixed duration: {err}") from None
