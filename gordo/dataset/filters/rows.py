"""Row filters: pandas ``eval`` expressions that keep the rows where they are True.

Columns are tag names; a name that is not an identifier goes in backticks
(``\\`GRA-TE  -23-0733.PV\\` > 0``); ``index`` is the DatetimeIndex. A list of
expressions is ANDed. With several aggregation methods (two-level columns),
write a column as ``tag__method`` (``\\`T-1__max\\` < 5``).

>>> import pandas as pd
>>> df = pd.DataFrame({"A-1": [1, 5, 2, 8, 3], "B": [0, 0, 1, 1, 1]},
...                   index=pd.date_range("2020", periods=5, freq="h", tz="UTC"))
>>> sorted(filter_variables("`A-1` > 2 & B == 1 & sin(B) < 1"))
['A-1', 'B']
>>> apply_row_filter(df, "`A-1` < 4")["A-1"].tolist()
[1, 2, 3]
>>> apply_row_filter(df, ["`A-1` < 4", "B == 1"])["A-1"].tolist()
[2, 3]
>>> apply_row_filter(df, "`A-1` < 6", buffer_size=1)["A-1"].tolist()
[1, 5]
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from gordo.exceptions import ConfigException

#: names that are not tags: pandas' eval keywords and math functions
RESERVED_NAMES = frozenset(
    {
        "index",
        "columns",
        "True",
        "False",
        "None",
        "abs",
        "sin",
        "cos",
        "tan",
        "arcsin",
        "arccos",
        "arctan",
        "arctan2",
        "sinh",
        "cosh",
        "tanh",
        "arcsinh",
        "arccosh",
        "arctanh",
        "log",
        "log10",
        "log1p",
        "exp",
        "expm1",
        "sqrt",
        "floor",
        "ceil",
    }
)
_BACKTICK = re.compile(r"`([^`]*)`")
#: separates tag and method in a filter over two-level columns
METHOD_SEPARATOR = "__"


def as_expressions(row_filter: str | Sequence[str] | None) -> list[str]:
    """The non-empty expressions of a ``row_filter`` given as a string or a list.

    >>> as_expressions(""), as_expressions("a > 1"), as_expressions(["a > 1", " "])
    ([], ['a > 1'], ['a > 1'])
    """
    if row_filter is None:
        return []
    if isinstance(row_filter, str):
        items: Iterable = [row_filter]
    elif isinstance(row_filter, Sequence):
        items = row_filter
    else:
        raise ConfigException(
            f"row_filter must be a string or a list of strings, not {row_filter!r}"
        )
    out = []
    for item in items:
        if not isinstance(item, str):
            raise ConfigException(f"row_filter item {item!r} is not a string")
        if item.strip():
            out.append(item.strip())
    return out


def _parse(expression: str) -> tuple[ast.Expression, dict[str, str]]:
    names: dict[str, str] = {}

    def placeholder(match: re.Match) -> str:
        key = f"__gordo_bt{len(names)}__"
        names[key] = match.group(1)
        return key

    text = _BACKTICK.sub(placeholder, expression)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise ConfigException(f"row_filter: cannot parse {expression!r}: {err.msg}") from None
    return tree, names


def filter_variables(row_filter: str | Sequence[str] | None) -> list[str]:
    """The tag names a row filter uses (backticks decoded, reserved names left out), unique."""
    found: dict[str, None] = {}
    for expression in as_expressions(row_filter):
        tree, names = _parse(expression)
        called = {
            id(node.func)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in called:
                name = names.get(node.id, node.id)
                if name not in RESERVED_NAMES:
                    found[name] = None
    return list(found)


def _eval_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with two-level ``(tag, method)`` columns flattened to ``tag__method``."""
    if isinstance(df.columns, pd.MultiIndex):
        flat = df.copy(deep=False)
        flat.columns = [METHOD_SEPARATOR.join(map(str, col)) for col in df.columns]
        return flat
    return df


def filter_mask(df: pd.DataFrame, row_filter: str | Sequence[str]) -> np.ndarray:
    """Boolean array: True for the rows every expression keeps."""
    frame = _eval_frame(df)
    keep = np.ones(len(df), dtype=bool)
    for expression in as_expressions(row_filter):
        _parse(expression)
        try:
            result = frame.eval(expression, engine="python")
        except Exception as err:  # pandas raises many kinds for a bad expression
            raise ConfigException(
                f"row_filter: cannot evaluate {expression!r} on columns "
                f"{list(map(str, frame.columns))}: {err}"
            ) from None
        result = np.asarray(result)
        if result.shape != (len(df),) or result.dtype != bool:
            raise ConfigException(
                f"row_filter: {expression!r} is not a boolean expression over rows"
            )
        keep &= result
    return keep


def buffer_mask(keep: np.ndarray, buffer_size: int) -> np.ndarray:
    """``keep`` with ``buffer_size`` more rows dropped before and after every dropped row.

    >>> buffer_mask(np.array([True, True, False, True, True, True]), 1).tolist()
    [True, False, False, False, True, True]
    """
    if buffer_size <= 0 or keep.all():
        return keep
    dropped = (~keep).astype(np.int64)
    window = np.ones(2 * buffer_size + 1, dtype=np.int64)
    return np.convolve(dropped, window, mode="same") == 0


def apply_row_filter(
    df: pd.DataFrame, row_filter: str | Sequence[str], buffer_size: int = 0
) -> pd.DataFrame:
    """The rows of ``df`` the filter keeps, minus ``buffer_size`` rows around each dropped one."""
    if not as_expressions(row_filter):
        return df
    return df[buffer_mask(filter_mask(df, row_filter), buffer_size)]
