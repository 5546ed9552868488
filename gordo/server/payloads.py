"""Reading ``X`` and ``y`` from a request body and checking them against a model's tags.

JSON bodies are ``{"X": [..]}`` (one sample), ``{"X": [[..], ..]}`` (samples) or
``{"X": dataframe_to_dict(df)}`` (a frame with its time index); ``y`` likewise.
With ``?format=parquet`` the body is multipart with files ``X`` (and ``y``)
made by ``dataframe_into_parquet_bytes``. Every problem is a
:class:`~gordo.exceptions.BadRequestError` naming it.

>>> import pandas as pd
>>> frame_from_json([1, 2], "X")
     0    1
0  1.0  2.0
>>> conform(pd.DataFrame([[1.0, 2.0]], columns=["b", "a"]), ["a", "b"], "X")
     a    b
0  2.0  1.0
>>> conform(pd.DataFrame([[1.0]]), ["a", "b"], "X")
Traceback (most recent call last):
...
gordo.exceptions.BadRequestError: X has 1 feature(s) but the model expects 2: ['a', 'b']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pandas as pd

from gordo.exceptions import BadRequestError, PayloadTooLargeError
from gordo.server.frame_codecs import (
    dataframe_from_dict,
    dataframe_from_parquet_bytes,
    parquet_shape,
)
from gordo.server.wsgi import BodyLimits, request_body, uploaded_parts, wants_parquet


def read_X_y(
    request, with_y: bool = True, limits: BodyLimits = BodyLimits()
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``X`` and the optional ``y`` of a JSON or parquet request, as frames.

    With ``with_y=False`` a ``y`` in the body is not parsed (``None`` is returned).
    A body over ``limits`` gets a 413 naming the limit, before it is decoded:
    a parquet file's rows and columns are read from its footer, and a JSON
    body's values are counted by their separators (a comma in a string counts
    too). The frames are checked again once decoded.
    """
    if wants_parquet(request):
        files = uploaded_parts(request)
        names = [name for name in ("X", "y") if name in files and (with_y or name == "X")]
        check_size({name: _parquet_shape(files[name], name) for name in names}, limits)
        y = _parquet_part(files, "y") if with_y else None
        return _parquet_part(files, "X", required=True), y
    body = read_json(request, limits)
    if not isinstance(body, dict) or "X" not in body:
        raise BadRequestError('The JSON body must be an object with a key "X"')
    parsed_labels: dict = {}  # X and y usually share their row labels: parse them once
    X = frame_from_json(body["X"], "X", parsed_labels)
    y = None
    if with_y and body.get("y") is not None:
        y = frame_from_json(body["y"], "y", parsed_labels)
    check_size({"X": X.shape} if y is None else {"X": X.shape, "y": y.shape}, limits)
    return X, y


def check_size(shapes: dict[str, tuple[int, int]], limits: BodyLimits) -> None:
    """A 413 naming the limit if a frame of ``shapes`` (name: rows, columns) is over ``limits``.

    >>> check_size({"X": (3, 2), "y": (3, 1)}, BodyLimits(max_rows=10, max_cells=9))
    >>> check_size({"X": (3, 2), "y": (3, 1)}, BodyLimits(max_rows=10, max_cells=6))
    Traceback (most recent call last):
    ...
    gordo.exceptions.PayloadTooLargeError: X and y hold 9 values; this server takes at most 6 per request (MAX_CELLS, env GORDO_SERVER_MAX_CELLS)
    """
    for name, (rows, _) in shapes.items():
        if rows > limits.max_rows:
            raise PayloadTooLargeError(
                f"{name} has {rows} rows; this server takes at most {limits.max_rows} rows of "
                "X or y per request (MAX_ROWS, env GORDO_SERVER_MAX_ROWS)"
            )
    cells = sum(rows * columns for rows, columns in shapes.values())
    if cells > limits.max_cells:
        raise PayloadTooLargeError(
            f"{' and '.join(shapes)} hold {cells} values; this server takes at most "
            f"{limits.max_cells} per request (MAX_CELLS, env GORDO_SERVER_MAX_CELLS)"
        )


def read_json(request, limits: BodyLimits = BodyLimits()) -> Any:
    """The parsed JSON body of ``request``; malformed JSON is a bad request.

    A body with more value separators than ``limits.max_cells`` is refused
    unparsed (413).
    """
    data = request_body(request)
    if not data:
        raise BadRequestError("The request has no body; send JSON or use ?format=parquet")
    # each value takes a byte and a separator: only a body of 2 * max_cells bytes can be over
    if len(data) >= 2 * limits.max_cells and data.count(b",") >= limits.max_cells:
        raise PayloadTooLargeError(
            f"The JSON body holds more than {limits.max_cells} values (counted by their "
            "separators, before decoding); this server takes at most "
            f"{limits.max_cells} per request (MAX_CELLS, env GORDO_SERVER_MAX_CELLS)"
        )
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BadRequestError(f"Malformed JSON body: {exc}") from None


def _parquet_shape(data: bytes | memoryview, name: str) -> tuple[int, int]:
    try:
        return parquet_shape(data)
    except Exception as exc:  # pyarrow raises several types for bad bytes
        raise BadRequestError(f"Malformed parquet in file {name!r}: {exc}") from None


def _parquet_part(
    files: dict[str, bytes | memoryview], name: str, required: bool = False
) -> pd.DataFrame | None:
    data = files.get(name)
    if data is None:
        if required:
            raise BadRequestError(
                f"?format=parquet expects a multipart body with a file {name!r} "
                "(made with gordo.server.utils.dataframe_into_parquet_bytes)"
            )
        return None
    try:
        return dataframe_from_parquet_bytes(data)
    except Exception as exc:  # pyarrow raises several types for bad bytes
        raise BadRequestError(f"Malformed parquet in file {name!r}: {exc}") from None


def frame_from_json(value: Any, what: str, parsed_labels: dict | None = None) -> pd.DataFrame:
    """A frame from the JSON value of ``X`` or ``y`` (list, list of lists, or dict).

    ``parsed_labels`` is passed on to :func:`gordo.server.frame_codecs.dataframe_from_dict`.
    """
    if isinstance(value, dict):
        try:
            return dataframe_from_dict(value, parsed_labels, object_columns=True)
        except (ValueError, TypeError) as exc:
            raise BadRequestError(f"{what} is not a valid data frame dict: {exc}") from None
    if isinstance(value, list) and value:
        rows = value if isinstance(value[0], list) else [value]
        try:
            array = np.array(rows)
        except ValueError:
            raise BadRequestError(f"{what} rows must all have the same length") from None
        if array.ndim != 2:
            raise BadRequestError(f"{what} must be a list of numbers or a list of rows")
        _check_numeric(array, rows, what)
        return pd.DataFrame(array.astype(np.float64))
    raise BadRequestError(f"{what} must be a non-empty list, list of lists or data frame dict")


def _check_numeric(array: np.ndarray, rows: list, what: str) -> None:
    booleans = array.dtype.kind in "biu" and any(type(cell) is bool for row in rows for cell in row)
    if array.dtype.kind not in "iuf" or booleans:
        raise BadRequestError(f"{what} must hold only numbers (found {_first_bad(rows)!r})")


def _first_bad(cells: np.ndarray | list) -> Any:
    flat = cells.ravel().tolist() if isinstance(cells, np.ndarray) else cells
    for cell in (c for row in flat for c in (row if isinstance(row, list) else [row])):
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            return cell
    return None


def conform(df: pd.DataFrame, tags: list[str], what: str) -> pd.DataFrame:
    """``df`` as float64 with columns ``tags``, or a bad request naming the problem.

    Unnamed columns (numbered 0, 1, ... as in a list payload) are taken in
    order. Named columns must be the tags, in any order: they are reordered to
    the tags' order, and a missing tag or an unknown column is a bad request
    naming them. Float64 values in the tags' order are not copied.

    >>> conform(pd.DataFrame([[1.0, 2.0]], columns=["a", "c"]), ["a", "b"], "X")
    Traceback (most recent call last):
    ...
    gordo.exceptions.BadRequestError: X lacks tag(s) ['b'] and has unknown column(s) ['c']; the model expects ['a', 'b']
    """
    if len(df) == 0:
        raise BadRequestError(f"{what} has no rows")
    columns = df.columns.tolist()
    names = [str(c) for c in columns]
    order = None
    if names != tags:
        if names == [str(position) for position in range(len(names))]:
            if len(names) != len(tags):
                raise BadRequestError(
                    f"{what} has {len(names)} feature(s) but the model expects {len(tags)}: {tags}"
                )
        else:
            order = _tag_order(names, tags, what)
    values = df.to_numpy()
    if values.dtype.kind not in "iuf":
        _check_numeric_columns(df, names, what)
        values = df.to_numpy(dtype=np.float64, na_value=np.nan)
    values = values.astype(np.float64, copy=False)
    if order is not None:
        values = values[:, order]
    finite = np.isfinite(values)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        raise BadRequestError(
            f"{what} has a missing or non-finite value in column {tags[col]!r} "
            f"at row {df.index[row]}"
        )
    labels = df.columns if order is None and columns == tags else pd.Index(tags, dtype=object)
    return pd.DataFrame(values, index=df.index, columns=labels, copy=False)


def _tag_order(names: list[str], tags: list[str], what: str) -> list[int]:
    """The position of each tag among the column ``names``, or a bad request naming the mismatch."""
    expected = set(tags)
    if not expected.intersection(names):
        raise BadRequestError(
            f"{what} has no column named like the model's tags: it has {names[:10]}, the model "
            f"expects {tags} (columns numbered 0, 1, ..., as in a list of rows, go by position)"
        )
    missing = [tag for tag in tags if tag not in set(names)]
    unknown = [name for name in names if name not in expected]
    problems = [f"lacks tag(s) {missing}"] if missing else []
    problems += [f"has unknown column(s) {unknown}"] if unknown else []
    if len(set(names)) != len(names):
        problems.append(
            f"has repeated column(s) {sorted({n for n in names if names.count(n) > 1})}"
        )
    if problems:
        raise BadRequestError(f"{what} {' and '.join(problems)}; the model expects {tags}")
    return [names.index(tag) for tag in tags]


def _check_numeric_columns(df: pd.DataFrame, names: list[str], what: str) -> None:
    """A bad request naming the first column of ``df`` that does not hold numbers."""
    for position, dtype in enumerate(df.dtypes):
        if dtype.kind not in "iuf":
            bad = _first_bad(df.iloc[:, position].to_numpy())
            raise BadRequestError(
                f"{what} column {names[position]!r} must hold only numbers (found {bad!r})"
            )
