"""The data-provider interface: ``load_series`` yields one ``(series, tag)`` pair per tag.

A provider subclasses :class:`GordoBaseDataProvider` and implements
:meth:`~GordoBaseDataProvider.load_tag`, which returns one tag's series inside
``[start, end)``; the base class fetches the tags concurrently with a bounded
thread pool (``threads``) and checks what each call returns. Providers record
their constructor arguments (:func:`gordo.dataset.params.capture_args`) so
``to_dict()`` / ``from_dict()`` round-trip.

Every series has a tz-aware UTC DatetimeIndex (sorted, without duplicates),
float64 values and ``name`` = the tag name; it is empty when the tag has no
data in the window. A tag that does not exist in the storage at all raises
:class:`gordo.exceptions.MissingTagError` naming where the provider looked.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from gordo.dataset.params import capture_args, to_plain
from gordo.dataset.registry import canonical_type, import_class
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException

logger = logging.getLogger(__name__)

#: default number of tags fetched at once
DEFAULT_THREADS = 8


class GordoBaseDataProvider(abc.ABC):
    """Base of every data provider; registered providers resolve by short name (D4)."""

    #: fields a tag must have for this provider (checked during normalisation)
    tags_required_fields: tuple[str, ...] = ()

    @capture_args
    def __init__(self, threads: int = DEFAULT_THREADS):
        if not isinstance(threads, int) or threads < 1:
            raise ConfigException(
                f"data_provider.threads must be a positive integer, not {threads!r}"
            )
        self.threads = threads

    # --- pickling (process pools) -------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """The configuration only: attributes starting with ``_rt_`` (locks, pools,
        open clients) are dropped; a provider's ``_reset_runtime_state()``, if it has
        one, rebuilds them after unpickling."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_rt_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        reset = getattr(self, "_reset_runtime_state", None)
        if reset is not None:
            reset()

    # --- reading ---------------------------------------------------------

    @abc.abstractmethod
    def load_tag(self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag) -> pd.Series:
        """One tag's data in ``[start, end)`` (UTC bounds); empty if there is none."""

    def load_series(
        self,
        train_start_date: datetime,
        train_end_date: datetime,
        tag_list: Iterable[SensorTag],
        **kwargs: Any,
    ) -> Iterator[tuple[pd.Series, SensorTag]]:
        """Yield ``(series, tag)`` for every tag, fetched ``threads`` at a time.

        ``kwargs`` may hold ``resolution`` (a hint providers may ignore).
        """
        start, end = utc_window(train_start_date, train_end_date)
        tags = list(tag_list)
        if len(tags) <= 1 or self.threads == 1:
            for tag in tags:
                yield self._checked(self.load_tag(start, end, tag), tag, start, end), tag
            return
        with ThreadPoolExecutor(max_workers=min(self.threads, len(tags))) as pool:
            futures = [(pool.submit(self.load_tag, start, end, tag), tag) for tag in tags]
            try:
                for future, tag in futures:
                    yield self._checked(future.result(), tag, start, end), tag
            finally:
                for future, _ in futures:
                    future.cancel()

    def load_last_points(
        self,
        train_start_date: datetime,
        train_end_date: datetime,
        tag_list: Iterable[SensorTag],
        **kwargs: Any,
    ) -> Iterator[tuple[pd.Series, SensorTag]]:
        """Like :meth:`load_series`, but each series keeps only its last point (the
        dataset's look-back fill needs no more). A provider may answer this cheaper.

        >>> from gordo.dataset.data_provider.providers import RandomDataProvider
        >>> provider = RandomDataProvider()
        >>> window = ("2020-01-01 00:00Z", "2020-01-02 00:00Z")
        >>> (last, tag), = provider.load_last_points(*window, [SensorTag("A")])
        >>> (full, _), = provider.load_series(*window, [SensorTag("A")])
        >>> last.equals(full.iloc[-1:])
        True
        """
        for series, tag in self.load_series(train_start_date, train_end_date, tag_list, **kwargs):
            yield series.iloc[-1:], tag

    def _checked(
        self, series: pd.Series, tag: SensorTag, start: pd.Timestamp, end: pd.Timestamp
    ) -> pd.Series:
        """``series`` in the provider contract's shape (UTC, sorted, unique, float64, in window)."""
        return clean_series(series, tag.name, start, end)

    def can_handle_tag(self, tag: SensorTag) -> bool:
        """Whether this provider may be able to read ``tag`` (used when chaining providers)."""
        return True

    def get_metadata(self) -> dict:
        """Provider metadata stored with the dataset's metadata."""
        return {}

    # --- config ------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The constructor arguments (defaults included) plus ``type``."""
        return {**to_plain(self._params), "type": canonical_type(type(self), "provider")}

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> GordoBaseDataProvider:
        """Build a provider from ``{type: <name or import path>, **arguments}``.

        >>> provider = GordoBaseDataProvider.from_dict({"type": "RandomDataProvider"})
        >>> provider.to_dict()["type"]
        'RandomDataProvider'
        """
        if isinstance(config, GordoBaseDataProvider):
            return config
        if not isinstance(config, Mapping):
            raise ConfigException(f"data_provider must be a mapping with a 'type', not {config!r}")
        params = dict(config)
        type_name = params.pop("type", None)
        if not type_name:
            raise ConfigException("data_provider.type is empty")
        try:
            provider_cls = import_class(type_name, "provider")
        except (ImportError, AttributeError) as err:
            raise ConfigException(f"Unable to find data provider '{type_name}': {err}") from None
        if not (isinstance(provider_cls, type) and issubclass(provider_cls, GordoBaseDataProvider)):
            raise ConfigException(
                f"Data provider '{type_name}' is not a subclass of "
                f"'gordo.dataset.data_provider.base.GordoBaseDataProvider'"
            )
        try:
            return provider_cls(**params)
        except TypeError as err:
            raise ConfigException(f'Unable to create data provider "{type_name}": {err}') from None


def utc(value: datetime | str) -> pd.Timestamp:
    """``value`` as a UTC Timestamp; a naive value is refused.

    >>> utc("2020-01-01T01:00:00+01:00")
    Timestamp('2020-01-01 00:00:00+0000', tz='UTC')
    """
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        raise ConfigException(
            f"Must provide an ISO formatted datetime string with timezone information: {value!r}"
        )
    return ts.tz_convert("UTC")


def utc_window(
    train_start_date: datetime | str, train_end_date: datetime | str
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window's bounds as UTC Timestamps; an end before the start is refused.

    >>> utc_window("2020-01-02T00:00:00+00:00", "2020-01-01T00:00:00+00:00")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: train_end_date (2020-01-01 00:00:00+00:00) must be after train_start_date (2020-01-02 00:00:00+00:00)
    """
    start, end = utc(train_start_date), utc(train_end_date)
    if end < start:
        raise ConfigException(f"train_end_date ({end}) must be after train_start_date ({start})")
    return start, end


def utc_index(times: np.ndarray) -> pd.DatetimeIndex:
    """A UTC DatetimeIndex over naive ``datetime64`` values that are UTC instants.

    >>> utc_index(np.array(["2020-01-01T00:00"], dtype="datetime64[us]"))
    DatetimeIndex(['2020-01-01 00:00:00+00:00'], dtype='datetime64[us, UTC]', freq=None)
    """
    unit = np.datetime_data(times.dtype)[0]
    if unit not in ("s", "ms", "us", "ns"):
        times, unit = times.astype("datetime64[ns]"), "ns"
    # epoch integers with a UTC dtype: pandas takes them as they are (a naive
    # datetime64 array would be localized, i.e. copied)
    return pd.DatetimeIndex(times.view("int64"), dtype=pd.DatetimeTZDtype(unit, "UTC"), copy=False)


def clean_series(series: pd.Series, name: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """``series`` as the contract wants it: UTC index, sorted, last duplicate kept,
    float64 without NaN, cut to ``[start, end)``, named ``name``.

    >>> idx = pd.to_datetime(["2020-01-01 00:02", "2020-01-01 00:01", "2020-01-01 00:02"], utc=True)
    >>> s = clean_series(pd.Series([1, 2, 3], idx), "T", pd.Timestamp("2020", tz="UTC"),
    ...                  pd.Timestamp("2021", tz="UTC"))
    >>> s.tolist(), s.name, str(s.index.tz)
    ([2.0, 3.0], 'T', 'UTC')
    """
    if not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError(f"series for tag {name!r} does not have a DatetimeIndex")
    index = series.index.rename(None)
    if index.tz is None:
        logger.warning("tag %r: naive timestamps taken as UTC", name)
        index = index.tz_localize("UTC")
    elif str(index.tz) != "UTC":
        index = index.tz_convert("UTC")
    values = np.asarray(series.to_numpy(), dtype="float64")
    stamps = index.asi8
    fresh = False  # whether values is a new array (else the Series copies it)
    if len(stamps) > 1 and not (np.diff(stamps) > 0).all():  # not sorted and unique
        if not (stamps[1:] >= stamps[:-1]).all():
            order = np.argsort(stamps, kind="stable")
            stamps, values = stamps[order], values[order]
        last = np.append(stamps[1:] != stamps[:-1], True)
        stamps, values, fresh = stamps[last], values[last], True
        index = utc_index(stamps.view(f"datetime64[{index.unit}]"))
    out = pd.Series(values, index=index, name=name, copy=not fresh)
    if np.isnan(values).any():
        out = out[~np.isnan(values)]
    if len(out) and (out.index[0] < start or out.index[-1] >= end):
        lo, hi = out.index.searchsorted(start, "left"), out.index.searchsorted(end, "left")
        out = out.iloc[lo:hi]
    return out
