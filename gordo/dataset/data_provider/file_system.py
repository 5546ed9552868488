"""Read the data-lake layout from any fsspec file system: local disk, ``memory://``,
``s3://`` (extra ``s3``), ``abfs://`` (extra ``azure``), ``gcs://`` (extra ``gcs``).

A tag's directory is ``{root}/{asset dir}/{Q(tag)}`` (layout in
:mod:`gordo.dataset.data_provider.lake`). The asset directory is ``{asset}``,
or the ``path`` an ``assets_config`` gives the asset; a tag without an asset
is found by the config's ``tag_pattern`` entries, or (no config) directly
under ``root``. Parquet reads fetch only the needed columns and the row groups
that overlap the window.

>>> import pandas as pd
>>> from gordo.dataset.data_provider.lake import write_lake
>>> from gordo.dataset.sensor_tag import SensorTag
>>> idx = pd.date_range("2020-01-01", periods=4, freq="h", tz="UTC")
>>> _ = write_lake("memory://doc-lake", {"T1": pd.Series([1.0, 2, 3, 4], idx)}, asset="plant")
>>> provider = FileSystemDataProvider("memory://doc-lake")
>>> (series, tag), = provider.load_series(idx[1], idx[-1], [SensorTag("T1", "plant")])
>>> series.tolist()
[2.0, 3.0]
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gordo.dataset.data_provider.base import DEFAULT_THREADS, GordoBaseDataProvider, utc_index
from gordo.dataset.data_provider.lake import (
    DEFAULT_REMOVE_STATUS_CODES,
    LAYOUTS,
    MONTHLY,
    classify,
    months_in,
    quote_tag,
)
from gordo.dataset.params import capture_args
from gordo.dataset.sensor_tag import SensorTag
from gordo.exceptions import ConfigException, DataError, DataSourceUnavailableError, MissingTagError

logger = logging.getLogger(__name__)


def missing_tag(name: str, message: str) -> MissingTagError:
    """A MissingTagError that remembers the tag name (``.tag``)."""
    err = MissingTagError(message)
    err.tag = name
    return err


class AssetsConfig:
    """Maps assets to directories, optionally finding a tag's asset by ``tag_pattern``.

    Shape (a mapping, or the path/URL of a YAML file holding it)::

        aliases: {1776-troc: "1776"}        # optional: long name -> asset name
        assets:
          - name: "1776"
            path: Aspen MS - IP21 Troll C/sensordata/1776-TROC
            tag_pattern: ^trc.              # optional, case-insensitive, anchored at the start

    >>> cfg = AssetsConfig({"aliases": {"long-a": "a"}, "assets": [
    ...     {"name": "a", "path": "x/a-dir", "tag_pattern": "^trc"}, {"name": "b", "path": "b-dir"}]})
    >>> cfg.paths_for("TRC-1", "LONG-A"), cfg.paths_for("TRC-1", None), cfg.paths_for("X", None)
    (['x/a-dir'], ['x/a-dir'], ['b-dir'])
    """

    def __init__(self, config: Mapping[str, Any]):
        if not isinstance(config, Mapping) or not isinstance(config.get("assets"), list):
            raise ConfigException(
                "data_provider.assets_config must be a mapping with a list 'assets'"
            )
        self.aliases = {str(k).lower(): str(v) for k, v in (config.get("aliases") or {}).items()}
        self.entries: list[tuple[str, str, re.Pattern | None]] = []
        seen = set()
        for i, entry in enumerate(config["assets"]):
            if not isinstance(entry, Mapping) or not entry.get("name") or "path" not in entry:
                raise ConfigException(
                    f"data_provider.assets_config.assets[{i}] needs 'name' and 'path', got {entry!r}"
                )
            path = "/".join(
                p.strip("/") for p in (entry.get("base_dir", ""), entry["path"]) if p.strip("/")
            )
            if path in seen:
                raise ConfigException(f"data_provider.assets_config: duplicate path {path!r}")
            seen.add(path)
            pattern = entry.get("tag_pattern")
            self.entries.append(
                (
                    str(entry["name"]).lower(),
                    path,
                    re.compile(pattern, re.IGNORECASE) if pattern else None,
                )
            )

    def paths_for(self, tag: str, asset: str | None) -> list[str]:
        """Asset directories (relative to the root) where ``tag`` may be."""
        if asset:
            name = self.aliases.get(asset.lower(), asset).lower()
            paths = [path for n, path, _ in self.entries if n == name]
            if not paths:
                raise ConfigException(
                    f"Unable to find asset '{asset}' in data_provider.assets_config"
                )
            return paths
        matching = [path for _, path, p in self.entries if p is not None and p.match(tag)]
        return matching or [path for _, path, p in self.entries if p is None]


class FileSystemDataProvider(GordoBaseDataProvider):
    """Reads tags from the lake layout under ``root`` (an fsspec URL or local path).

    ``root`` may hold environment variables (``${GORDO_EXAMPLE_DATA}``), expanded
    when the provider is used; ``to_dict`` keeps them unexpanded.
    """

    @capture_args
    def __init__(
        self,
        root: str,
        storage_options: Mapping[str, Any] | None = None,
        assets_config: Mapping[str, Any] | str | None = None,
        lookup_for: Sequence[str] | None = None,
        partition_by: str | None = None,
        remove_status_codes: Sequence[int] = DEFAULT_REMOVE_STATUS_CODES,
        max_file_size: int = 10**9,
        threads: int = DEFAULT_THREADS,
    ):
        super().__init__(threads=threads)
        if not isinstance(root, str) or not root:
            raise ConfigException(
                f"data_provider.root must be a non-empty path or URL, not {root!r}"
            )
        self.root = root
        self.storage_options = dict(storage_options or {})
        self.lookup_for = list(lookup_for or LAYOUTS)
        unknown = [layout for layout in self.lookup_for if layout not in LAYOUTS]
        if unknown:
            raise ConfigException(
                f"data_provider.lookup_for: unknown layout(s) {unknown}; known: {list(LAYOUTS)}"
            )
        if partition_by not in (None, "year", "month"):
            raise ConfigException(
                f"data_provider.partition_by must be 'year', 'month' or null, not {partition_by!r}"
            )
        if partition_by:
            monthly = partition_by == "month"
            self.lookup_for = [lay for lay in self.lookup_for if (lay in MONTHLY) == monthly]
        self.remove_status_codes = np.asarray(list(remove_status_codes or []), dtype="int64")
        self.max_file_size = max_file_size
        self._assets_config_source = assets_config
        self._reset_runtime_state()

    def _reset_runtime_state(self) -> None:
        self._rt_assets: AssetsConfig | None = None
        self._rt_fs = None
        self._rt_base = ""
        self._rt_lock = threading.Lock()

    # --- storage -------------------------------------------------------------

    @property
    def url(self) -> str:
        """``root`` with environment variables expanded."""
        expanded = os.path.expanduser(os.path.expandvars(self.root))
        if "$" in expanded:
            names = re.findall(r"\$\{?(\w+)", expanded)
            raise ConfigException(
                f"data_provider.root {self.root!r}: environment variable(s) {', '.join(names)} not set"
            )
        return expanded

    def _filesystem(self):
        with self._rt_lock:
            if self._rt_fs is None:
                import fsspec

                try:
                    self._rt_fs, self._rt_base = fsspec.core.url_to_fs(
                        self.url, **self.storage_options
                    )
                except ImportError as err:
                    raise ConfigException(
                        f"data_provider.root {self.url!r} needs an fsspec backend that is not "
                        f"installed (pip install 'gordo[s3]', 'gordo[azure]' or 'gordo[gcs]'): {err}"
                    ) from None
                except ValueError as err:  # unknown protocol
                    raise ConfigException(f"data_provider.root {self.url!r}: {err}") from None
                self._rt_base = self._rt_base.rstrip("/")
                source = self._assets_config_source
                if isinstance(source, str):
                    source = _load_yaml(source, self.storage_options)
                self._rt_assets = AssetsConfig(source) if source is not None else None
            return self._rt_fs

    def _where(self, path: str) -> str:
        return self._rt_fs.unstrip_protocol(path) if "://" in self.url else path

    def _files(self, tag_dir: str) -> dict[str, int]:
        """``{path relative to tag_dir: size}`` of every file under ``tag_dir``."""
        try:
            found = self._rt_fs.find(tag_dir, detail=True)
        except FileNotFoundError:
            return {}
        except (PermissionError, ConfigException):
            raise
        except OSError as err:
            raise DataSourceUnavailableError(f"cannot list {self._where(tag_dir)}: {err}") from err
        prefix = tag_dir.rstrip("/") + "/"
        return {
            path[len(prefix) :]: int(info.get("size") or 0)
            for path, info in found.items()
            if path.startswith(prefix) and info.get("type", "file") == "file"
        }

    def _tag_dir(self, tag: SensorTag) -> tuple[str, dict[str, int]]:
        """The tag's directory and its files; MissingTagError naming where it looked."""
        fs = self._filesystem()
        if self._rt_assets is not None:
            dirs = [
                f"{self._rt_base}/{p}" if p else self._rt_base
                for p in self._rt_assets.paths_for(tag.name, tag.asset)
            ]
        else:
            dirs = [f"{self._rt_base}/{tag.asset}" if tag.asset else self._rt_base]
        looked = []
        for asset_dir in dirs:
            tag_dir = f"{asset_dir}/{quote_tag(tag.name)}"
            looked.append(self._where(tag_dir))
            files = self._files(tag_dir)
            if files:
                return tag_dir, files
            wanted = {quote_tag(tag.name).lower(), quote_tag(tag.name).rstrip(".").lower()}
            try:
                names = fs.ls(asset_dir, detail=False)
            except (FileNotFoundError, NotADirectoryError):
                continue
            for candidate in names:
                base = candidate.rstrip("/").rsplit("/", 1)[-1]
                if base.lower() in wanted or base.lower().rstrip(".") in wanted:
                    files = self._files(candidate.rstrip("/"))
                    if files:
                        return candidate.rstrip("/"), files
        raise missing_tag(
            tag.name, f"tag {tag.name!r} not found: no files in {' or '.join(looked)}"
        )

    def _select(
        self, tag: SensorTag, files: dict[str, int], start: pd.Timestamp, end: pd.Timestamp
    ) -> list[tuple[str, str]]:
        """``(layout, relative path)`` of the files to read, first matching layout per year."""
        monthly: dict[tuple[int, int], str] = {}
        yearly: dict[str, dict[int, str]] = {}
        for rel, size in files.items():
            kind = classify(tag.name, rel)
            if kind is None:
                continue
            if size > self.max_file_size:
                logger.warning("skipping %s: %d bytes is over max_file_size", rel, size)
                continue
            layout, year, month = kind
            if layout in MONTHLY:
                monthly[(year, month)] = rel
            else:
                yearly.setdefault(layout, {})[year] = rel
        months = months_in(start, end)
        chosen = []
        for year in sorted({y for y, _ in months}):
            for layout in self.lookup_for:
                if layout in MONTHLY:
                    parts = [monthly[ym] for ym in months if ym[0] == year and ym in monthly]
                    if parts:
                        chosen.extend((layout, rel) for rel in parts)
                        break
                elif year in yearly.get(layout, {}):
                    chosen.append((layout, yearly[layout][year]))
                    break
        return chosen

    # --- reading -------------------------------------------------------------

    def load_tag(self, start: pd.Timestamp, end: pd.Timestamp, tag: SensorTag) -> pd.Series:
        tag_dir, files = self._tag_dir(tag)
        parts = []
        for layout, rel in self._select(tag, files, start, end):
            path = f"{tag_dir}/{rel}"
            try:
                if layout == "csv":
                    times, values, status = self._read_csv(path)
                else:
                    times, values, status = self._read_parquet(path, start, end)
            except FileNotFoundError:
                logger.warning("file vanished while reading: %s", self._where(path))
                continue
            if status is not None and len(self.remove_status_codes):
                keep = ~np.isin(status, self.remove_status_codes)
                times, values = times[keep], values[keep]
            parts.append((times, values))
        if not parts:
            return pd.Series(
                [], index=pd.DatetimeIndex([], tz="UTC"), dtype="float64", name=tag.name
            )
        times = np.concatenate([t for t, _ in parts]) if len(parts) > 1 else parts[0][0]
        values = np.concatenate([v for _, v in parts]) if len(parts) > 1 else parts[0][1]
        return pd.Series(values, index=utc_index(times), name=tag.name)

    def _read_parquet(self, path: str, start: pd.Timestamp, end: pd.Timestamp):
        import pyarrow as pa

        local = type(self._rt_fs).__name__ == "LocalFileSystem"
        try:
            if local:
                table = _read_parquet_window(
                    path, start, end, self._where(path), self.remove_status_codes
                )
            else:
                with self._rt_fs.open(path, "rb") as handle:
                    table = _read_parquet_window(
                        handle, start, end, self._where(path), self.remove_status_codes
                    )
        except (FileNotFoundError, DataError):
            raise
        except (pa.ArrowException, OSError, ValueError) as err:
            raise DataError(f"cannot read {self._where(path)}: {err}") from err
        times = table.column("Time").to_numpy()  # UTC instants, as naive datetime64
        values = table.column("Value").to_numpy(zero_copy_only=False).astype("float64", copy=False)
        status = (
            table.column("Status").to_numpy(zero_copy_only=False)
            if "Status" in table.column_names
            else None
        )
        return times, values, status

    def _read_csv(self, path: str):
        try:
            with self._rt_fs.open(path, "rb") as handle:
                frame = pd.read_csv(
                    handle,
                    sep=";",
                    header=None,
                    names=["Sensor", "Value", "Time", "Status"],
                    usecols=["Value", "Time", "Status"],
                    dtype={"Value": "float32"},
                )
            times = pd.DatetimeIndex(pd.to_datetime(frame["Time"], utc=True, format="ISO8601"))
            if times.hasnans:
                line = int(times.isna().argmax()) + 1
                raise ValueError(
                    f"line {line}: no time in the third field (Sensor;Value;Time;Status)"
                )
        except FileNotFoundError:
            raise
        except (ValueError, TypeError, OSError, pd.errors.ParserError) as err:
            raise DataError(f"cannot read {self._where(path)}: {err}") from err
        times = times.tz_convert(None).to_numpy()
        values = frame["Value"].to_numpy(dtype="float64")
        status = pd.to_numeric(frame["Status"], errors="coerce").fillna(-1).to_numpy(dtype="int64")
        return times, values, status

    def get_metadata(self) -> dict:
        return {"storage_name": self.url}


def _read_parquet_window(
    source: Any, start: pd.Timestamp, end: pd.Timestamp, where: str, remove_codes: np.ndarray
):
    """``Time`` and ``Value`` of the row groups overlapping ``[start, end)``, plus ``Status``
    unless its statistics show that no row holds one of ``remove_codes``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(source)
    schema = parquet.schema_arrow
    if "Time" not in schema.names or "Value" not in schema.names:
        raise DataError(
            f"{where}: parquet file needs columns 'Time' and 'Value', has {schema.names}"
        )
    if not pa.types.is_timestamp(schema.field("Time").type):
        raise DataError(f"{where}: column 'Time' is {schema.field('Time').type}, not a timestamp")
    meta = parquet.metadata
    names = [meta.schema.column(j).name for j in range(meta.num_columns)]
    time_column = names.index("Time")
    status_column = names.index("Status") if "Status" in names else None
    groups, status_needed = [], False
    for i in range(meta.num_row_groups):
        group = meta.row_group(i)
        stats = group.column(time_column).statistics
        if stats is not None and stats.has_min_max:
            lo, hi = pd.Timestamp(stats.min), pd.Timestamp(stats.max)
            lo = lo.tz_localize("UTC") if lo.tzinfo is None else lo
            hi = hi.tz_localize("UTC") if hi.tzinfo is None else hi
            if hi < start or lo >= end:
                continue
        groups.append(i)
        if status_column is not None and not status_needed:
            status_needed = _may_hold(group.column(status_column).statistics, remove_codes)
    columns = ["Time", "Value"] + (["Status"] if status_needed else [])
    return parquet.read_row_groups(groups, columns=columns)


def _may_hold(stats: Any, codes: np.ndarray) -> bool:
    """Whether a row group's Status statistics leave room for one of ``codes``."""
    if not len(codes):
        return False
    if stats is None or not stats.has_min_max:
        return True
    return bool(((codes >= stats.min) & (codes <= stats.max)).any())


def _load_yaml(location: str, storage_options: Mapping[str, Any]) -> Any:
    import fsspec
    import yaml

    try:
        with fsspec.open(os.path.expandvars(location), "r", **storage_options) as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as err:
        raise ConfigException(
            f"data_provider.assets_config: cannot read {location!r}: {err}"
        ) from err
