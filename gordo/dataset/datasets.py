"""Time-series datasets: fetch tags from a provider, resample, join, filter, split into X and y.

>>> from gordo.dataset.data_provider.providers import RandomDataProvider
>>> ds = TimeSeriesDataset(
...     train_start_date="2020-01-01T00:00:00+00:00",
...     train_end_date="2020-01-08T00:00:00+00:00",
...     tag_list=["T1", "T2", "T3"],
...     target_tag_list=["T3"],
...     data_provider=RandomDataProvider(min_size=500, max_size=600),
...     resolution="1H",
...     row_filter="T1 < 0.9",
... )
>>> X, y = ds.get_data()
>>> list(X.columns), list(y.columns), bool((X["T1"] < 0.9).all())
(['T1', 'T2', 'T3'], ['T3'], True)
>>> sorted(ds.get_metadata())  # doctest: +NORMALIZE_WHITESPACE
['row_filter_tags', 'summary_statistics', 'tag_loading_metadata',
 'train_end_date_actual', 'train_start_date_actual', 'x_hist']
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from gordo.dataset.base import GordoBaseDataset
from gordo.dataset.data_provider.base import GordoBaseDataProvider
from gordo.dataset.data_provider.random_provider import RandomDataProvider
from gordo.dataset.filters.periods import check_options, filter_periods
from gordo.dataset.filters.rows import (
    METHOD_SEPARATOR,
    apply_row_filter,
    as_expressions,
    filter_variables,
)
from gordo.dataset.frequency import to_offset, to_timedelta
from gordo.dataset.grid import grid_unit, resample_mean
from gordo.dataset.params import capture_args
from gordo.dataset.resample import (
    INTERPOLATION_METHODS,
    interpolation_limit_steps,
    join_series,
    resample_series,
)
from gordo.dataset.sensor_tag import (
    SensorTag,
    default_fields,
    normalize_sensor_tag,
    normalize_sensor_tags,
    unique_tags,
)
from gordo.dataset.summary import summarize
from gordo.exceptions import (
    ConfigException,
    EmptyFilteredDataframeError,
    EmptyGeneratedDataframeError,
    InsufficientDataError,
    KnownPeriodsEmptyDataError,
    MissingTagError,
    NuisanceEmptyDataError,
    RowFilterEmptyDataError,
)

logger = logging.getLogger(__name__)

#: keys of ``tag_loading_metadata`` that are not tag names
RESERVED_TAG_NAMES = ("aggregate_metadata", "tags")
#: legacy keys accepted and handled (not logged as unknown)
LEGACY_KEYS = (
    "default_asset",
    "low_threshold",
    "high_threshold",
    "process_metadata",
    "tag_normalizer",
)


class NotEnoughDataWarning(RuntimeWarning):
    """Some tags have gaps longer than the interpolation limit in the training period."""


def parse_datetime(value: Any, key: str) -> pd.Timestamp:
    """A timezone-aware Timestamp from an ISO string or datetime; naive values are refused.

    >>> parse_datetime("2020-01-01 06:00:00Z", "train_start_date")
    Timestamp('2020-01-01 06:00:00+0000', tz='UTC')
    >>> parse_datetime("2020-01-01T06:00:00", "train_start_date")
    Traceback (most recent call last):
    ...
    gordo.exceptions.ConfigException: Must provide an ISO formatted datetime string with timezone information: train_start_date='2020-01-01T06:00:00'
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ConfigException(
            f"{key}: {value!r} is a date without time; give an ISO datetime with timezone, "
            "e.g. '2020-01-01T00:00:00+00:00'"
        )
    if isinstance(value, str):
        try:
            ts = pd.Timestamp(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise ConfigException(f"{key}: {value!r} is not an ISO formatted datetime") from None
    elif isinstance(value, datetime):
        ts = pd.Timestamp(value)
    else:
        raise ConfigException(f"{key}: {value!r} is not an ISO formatted datetime string")
    if ts.tzinfo is None:
        raise ConfigException(
            "Must provide an ISO formatted datetime string with timezone information: "
            f"{key}={value!r}"
        )
    return ts


class TimeSeriesDataset(GordoBaseDataset):
    """Tags from a data provider, resampled to ``resolution`` and joined into ``(X, y)``.

    See docs/data-providers.md and spec §2.2 for every key. Legacy keys
    (``asset``, ``default_asset``, ``low_threshold``/``high_threshold``,
    ``process_metadata``, ``tag_normalizer``) are accepted; unknown keys are
    logged and written back by ``to_dict``.
    """

    @capture_args
    def __init__(
        self,
        train_start_date: datetime | str,
        train_end_date: datetime | str,
        tag_list: Sequence[str | Mapping | SensorTag],
        target_tag_list: Sequence[str | Mapping | SensorTag] | None = None,
        additional_tags: Sequence[str | Mapping | SensorTag] | None = None,
        default_tag: Mapping[str, str | None] | None = None,
        asset: str | None = None,
        data_provider: GordoBaseDataProvider | Mapping | None = None,
        resolution: str | None = "10T",
        aggregation_methods: str | Callable | Sequence[str | Callable] = "mean",
        interpolation_method: str = "linear_interpolation",
        interpolation_limit: str | None = "48H",
        row_filter: str | Sequence[str] = "",
        row_filter_buffer_size: int = 0,
        known_filter_periods: Sequence[str] | None = None,
        filter_periods: Mapping[str, Any] | None = None,
        n_samples_threshold: int = 0,
        **kwargs: Any,
    ):
        # 1-2: dates
        self.train_start_date = parse_datetime(train_start_date, "train_start_date")
        self.train_end_date = parse_datetime(train_end_date, "train_end_date")
        self._params["train_start_date"] = self.train_start_date.to_pydatetime()
        self._params["train_end_date"] = self.train_end_date.to_pydatetime()
        if self.train_start_date >= self.train_end_date:
            raise ConfigException(
                f"train_end_date ({self.train_end_date}) must be after "
                f"train_start_date ({self.train_start_date})"
            )
        # 3: provider (may be left out of a config; loading data then fails, see _load)
        self.data_provider: GordoBaseDataProvider | None = (
            None if data_provider is None else GordoBaseDataProvider.from_dict(data_provider)
        )
        self._params["data_provider"] = self.data_provider
        # 4-5: tags
        self._check_legacy(kwargs)
        if asset is None and default_tag is None and kwargs.get("default_asset") is not None:
            asset = kwargs["default_asset"]
        defaults = default_fields(default_tag, asset)
        required = self.data_provider.tags_required_fields if self.data_provider else ()
        self.tag_list = normalize_sensor_tags(
            tag_list, default_tag=defaults, required_fields=required, key="tag_list"
        )
        self.target_tag_list = (
            normalize_sensor_tags(
                target_tag_list,
                default_tag=defaults,
                required_fields=required,
                key="target_tag_list",
            )
            if target_tag_list
            else list(self.tag_list)
        )
        self.additional_tags = [
            normalize_sensor_tag(t, required, **defaults) for t in (additional_tags or [])
        ]
        self._defaults, self._required = defaults, required
        for tag in (*self.tag_list, *self.target_tag_list):
            if tag.name in RESERVED_TAG_NAMES:
                raise ConfigException(f"tag name {tag.name!r} is reserved; rename the tag")
        unique_tags([*self.tag_list, *self.target_tag_list, *self.additional_tags], warn=False)
        # resampling and filters, checked now rather than in get_data
        self.resolution = resolution or None
        self.aggregation_methods = aggregation_methods
        self.interpolation_method = interpolation_method
        self.interpolation_limit = interpolation_limit
        if self.resolution is not None:
            offset = to_offset(self.resolution)
            if pd.Timedelta(offset) <= pd.Timedelta(0):
                raise ConfigException(f"resolution: {resolution!r} must be a positive duration")
            if interpolation_method not in INTERPOLATION_METHODS:
                raise ConfigException(
                    "Interpolation method should be either linear_interpolation of ffill, "
                    f"not {interpolation_method!r}"
                )
            interpolation_limit_steps(self.resolution, interpolation_limit)
            _check_aggregation(aggregation_methods)
        self.row_filter = row_filter
        self.row_filter_buffer_size = row_filter_buffer_size
        if not isinstance(row_filter_buffer_size, int) or row_filter_buffer_size < 0:
            raise ConfigException(
                f"row_filter_buffer_size must be an integer >= 0, not {row_filter_buffer_size!r}"
            )
        self.row_filter_tags = filter_variables(row_filter)
        self.known_filter_periods = as_expressions(known_filter_periods)
        filter_variables(self.known_filter_periods)
        self.filter_periods = dict(filter_periods) if filter_periods else {}
        if self.filter_periods:
            if self.resolution is None:
                raise ConfigException(
                    "'resolution' field should be provided along with 'filter_periods' "
                    "for TimeSeriesDataset"
                )
            check_options(self.filter_periods)
        if not isinstance(n_samples_threshold, int) or n_samples_threshold < 0:
            raise ConfigException(
                f"n_samples_threshold must be an integer >= 0, not {n_samples_threshold!r}"
            )
        self.n_samples_threshold = n_samples_threshold
        self.thresholds = _thresholds(kwargs.get("low_threshold"), kwargs.get("high_threshold"))
        self._metadata: dict[str, Any] = {}

    def _check_legacy(self, kwargs: Mapping[str, Any]) -> None:
        for name, value in kwargs.items():
            if name not in LEGACY_KEYS:
                logger.error(
                    "Deprecated argument %s=%r provided for %s", name, value, type(self).__name__
                )
        normalizer = kwargs.get("tag_normalizer", "default")
        if normalizer != "default":
            raise ConfigException(f"Unsupported tag_normalizer type '{normalizer}'")

    # --- loading -----------------------------------------------------------

    def _load_set(self) -> tuple[list[SensorTag], list[SensorTag]]:
        """The tags to load (features ∪ targets ∪ row-filter tags) and the trigger tags."""
        union = unique_tags([*self.tag_list, *self.target_tag_list], warn=False)
        known = {t.name: t for t in [*union, *self.additional_tags]}
        multi = not isinstance(self.aggregation_methods, str | Callable)
        trigger: list[SensorTag] = []
        for name in self.row_filter_tags:
            if multi and METHOD_SEPARATOR in name:
                name = name.rsplit(METHOD_SEPARATOR, 1)[0]
            tag = known.get(name) or normalize_sensor_tag(name, self._required, **self._defaults)
            if tag not in union and tag not in trigger:
                trigger.append(tag)
        return [*union, *trigger], trigger

    def _load(self, tags: list[SensorTag], trigger: list[SensorTag]) -> pd.DataFrame:
        if self.data_provider is None:
            raise ConfigException(
                "dataset.data_provider is not set: the dataset cannot load data without one; "
                "give data_provider.type (e.g. RandomDataProvider), or generate the workflow "
                "with --default-data-provider"
            )
        try:
            loaded = list(
                self.data_provider.load_series(
                    self.train_start_date, self.train_end_date, tags, resolution=self.resolution
                )
            )
        except MissingTagError as err:
            if getattr(err, "tag", None) in {t.name for t in trigger}:
                raise MissingTagError(f"{err} (used by row_filter {self.row_filter!r})") from err
            raise
        lookback = self._lookback(loaded)
        if (
            self.resolution is not None
            and isinstance(self.aggregation_methods, str)
            and self.aggregation_methods == "mean"
            and grid_unit(loaded, lookback)
        ):  # the common case: every tag on one grid at once
            data, meta, aggregate = resample_mean(
                loaded,
                lookback,
                self.train_start_date,
                self.train_end_date,
                self.resolution,
                self.interpolation_method,
                self.interpolation_limit,
            )
        else:
            data, meta, aggregate = self._resample_each(loaded, lookback, trigger)
        self._warn_gaps(meta)
        if aggregate is not None:
            meta["aggregate_metadata"] = aggregate
        meta["tags"] = {t.name: t.to_json() for t in tags}
        self._metadata["tag_loading_metadata"] = meta
        return data

    def _resample_each(
        self,
        loaded: list[tuple[pd.Series, SensorTag]],
        lookback: Mapping[str, pd.Series],
        trigger: list[SensorTag],
    ) -> tuple[pd.DataFrame, dict[str, Any], dict[str, int] | None]:
        """Resample tag by tag with pandas (any aggregation, or no resolution) and join."""
        meta: dict[str, Any] = {}
        frames, missing = [], []
        for series, tag in loaded:
            if not len(series):
                missing.append(tag.name)
            if self.resolution is None:
                frames.append(series)
                continue
            out, meta[tag.name] = resample_series(
                series,
                self.train_start_date,
                self.train_end_date,
                self.resolution,
                self.aggregation_methods,
                self.interpolation_method,
                self.interpolation_limit,
                lookback.get(tag.name),
            )
            frames.append(out)
        if missing:
            used = [n for n in missing if n in {t.name for t in trigger}]
            note = f" (used by row_filter {self.row_filter!r})" if used else ""
            raise InsufficientDataError(f"The following features are missing data: {missing}{note}")
        if self.resolution is None:
            return pd.concat(frames, axis=1, join="inner"), meta, None
        data, aggregate = join_series(frames)
        return data, meta, aggregate

    def _warn_gaps(self, meta: Mapping[str, Any]) -> None:
        gappy = [name for name, m in meta.items() if m.get("gaps")]
        if gappy:
            warnings.warn(
                "Dataset doesn't have enough data, for training period "
                f"'{self.train_start_date.isoformat()}' to '{self.train_end_date.isoformat()}': "
                + ", ".join(f'"{n}"' for n in gappy),
                NotEnoughDataWarning,
                stacklevel=4,
            )

    def _lookback(self, loaded: list[tuple[pd.Series, SensorTag]]) -> dict[str, pd.Series]:
        """Each late-starting tag's data in the ``interpolation_limit`` before the start.

        Interpolation then fills the window's first buckets from the last earlier
        point (the original's look-back fill). One extra (concurrent) read.
        """
        start = self.train_start_date
        late = [tag for series, tag in loaded if len(series) and series.index[0] > start]
        if not late or self.resolution is None or self.interpolation_limit is None:
            return {}
        since = start - to_timedelta(self.interpolation_limit, "interpolation_limit")
        found = self.data_provider.load_last_points(since, start, late, resolution=self.resolution)
        return {tag.name: series for series, tag in found if len(series)}

    def _check_size(self, data: pd.DataFrame, error: type, message: str, **extra: Any) -> None:
        if len(data) <= self.n_samples_threshold:
            raise error(
                message.format(n=len(data), t=self.n_samples_threshold),
                len(data),
                self.n_samples_threshold,
                *extra.values(),
            )

    def get_data(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Load, resample, join and filter the tags; return ``(X, y)``."""
        self._metadata["row_filter_tags"] = list(self.row_filter_tags)
        tags, trigger = self._load_set()
        data = self._load(tags, trigger)
        loading = self._metadata["tag_loading_metadata"]
        empty = [
            n
            for n, m in loading.items()
            if n not in RESERVED_TAG_NAMES and m.get("resampled_length") == 0
        ]
        tail = (
            f"Tags with no points: {', '.join(empty)}."
            if empty
            else "No metadata with empty tags available."
        )
        self._check_size(
            data,
            EmptyGeneratedDataframeError,
            "The length of the generated DataFrame ({n}) does not exceed required threshold ({t}).  "
            + tail,
            tag_names=empty,
        )
        if self.known_filter_periods:
            data = apply_row_filter(data, self.known_filter_periods)
            self._check_size(
                data,
                KnownPeriodsEmptyDataError,
                "The length of the filtered DataFrame ({n}) does not exceed required threshold ({t}) "
                "after dropping known periods.",
            )
        if as_expressions(self.row_filter):
            data = apply_row_filter(data, self.row_filter, self.row_filter_buffer_size)
            self._check_size(
                data,
                RowFilterEmptyDataError,
                "The length of the filtered DataFrame ({n}) does not exceed required threshold ({t}).  "
                f"Applied the row filter: {self.row_filter!r} with buffer size: "
                f"{self.row_filter_buffer_size!r}.",
                row_filter=self.row_filter,
                buffer=self.row_filter_buffer_size,
            )
        if trigger:
            data = data.drop(
                columns=[t.name for t in trigger],
                level=0 if isinstance(data.columns, pd.MultiIndex) else None,
            )
        if self.thresholds is not None:
            low, high = self.thresholds
            data = data[((data > low) & (data < high)).all(axis=1)]
            self._check_size(
                data,
                EmptyFilteredDataframeError,
                "The length of the filtered DataFrame ({n}) does not exceed required threshold ({t}) "
                "after filtering global extrema.",
            )
        if self.filter_periods:
            data, periods = filter_periods(data, self.resolution, self.filter_periods)
            self._metadata["filtered_periods"] = periods
            self._check_size(
                data,
                NuisanceEmptyDataError,
                "The length of the filtered DataFrame ({n}) does not exceed required threshold ({t}) "
                "after applying nuisance filtering algorithm.",
            )
        X = data[[t.name for t in self.tag_list]]
        y = data[[t.name for t in self.target_tag_list]]
        self._add_summary(X)
        return X, y

    def _add_summary(self, X: pd.DataFrame) -> None:
        if len(X):
            self._metadata["train_start_date_actual"] = X.index[0]
            self._metadata["train_end_date_actual"] = X.index[-1]
        self._metadata["summary_statistics"], self._metadata["x_hist"] = summarize(X)
        provider_meta = self.data_provider.get_metadata()
        if provider_meta:
            self._metadata["data_provider"] = provider_meta

    def get_metadata(self) -> dict[str, Any]:
        """What :meth:`get_data` recorded (spec §2.11), as a shallow copy."""
        return dict(self._metadata)

    def get_client_data(
        self, build_dataset_metadata: Mapping[str, Any]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Data for prediction with the tags a model was built with, no filtering.

        Tags come from ``dataset_meta.tag_loading_metadata.tags`` of the build metadata.
        """
        hint = (
            "Unable to find tags information in build_metadata. The list of tags should be "
            "placed on dataset.dataset_meta.tag_loading_metadata.tags path"
        )
        try:
            known = build_dataset_metadata["dataset_meta"]["tag_loading_metadata"]["tags"]
        except (KeyError, TypeError):
            raise ValueError(hint) from None
        try:
            tag_list = [SensorTag.from_json(known[t.name]) for t in self.tag_list]
            targets = [SensorTag.from_json(known[t.name]) for t in self.target_tag_list]
        except KeyError as err:
            raise ValueError(f"Tag {err.args[0]!r} is missing. {hint}") from None
        client = TimeSeriesDataset(
            train_start_date=self.train_start_date,
            train_end_date=self.train_end_date,
            tag_list=tag_list,
            target_tag_list=targets,
            data_provider=self.data_provider,
            resolution=self.resolution,
            aggregation_methods=self.aggregation_methods,
            interpolation_method=self.interpolation_method,
            interpolation_limit=self.interpolation_limit,
        )
        return client.get_data()


class RandomDataset(TimeSeriesDataset):
    """A TimeSeriesDataset that always reads from ``RandomDataProvider()``; ``data_provider`` is ignored."""

    def __init__(
        self,
        train_start_date: datetime | str,
        train_end_date: datetime | str,
        tag_list: Sequence[str | Mapping | SensorTag],
        **kwargs: Any,
    ):
        kwargs.pop("data_provider", None)
        super().__init__(
            train_start_date, train_end_date, tag_list, data_provider=RandomDataProvider(), **kwargs
        )


def _check_aggregation(methods: Any) -> None:
    items = [methods] if isinstance(methods, str) or callable(methods) else methods
    if not isinstance(items, Iterable) or not list(items):
        raise ConfigException(
            f"aggregation_methods must be a method name or a non-empty list, not {methods!r}"
        )
    probe = pd.Series([1.0, 2.0], pd.date_range("2020", periods=2, freq="min", tz="UTC")).resample(
        "2min"
    )
    for method in items:
        try:
            probe.agg(method)
        except (AttributeError, TypeError, ValueError) as err:
            raise ConfigException(
                f"aggregation_methods: {method!r} is not an aggregation: {err}"
            ) from None


def _thresholds(low: Any, high: Any) -> tuple[int, int] | None:
    """The legacy global min/max filter: on only when both are integers."""
    if (
        not (isinstance(low, int) and isinstance(high, int))
        or isinstance(low, bool)
        or isinstance(high, bool)
    ):
        return None
    if low >= high:
        raise ConfigException("Low threshold need to be larger than high threshold")
    return low, high
