"""Checks shared by the analysis tests (as momepy's ``assert_result``)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["assert_result"]


def _index_of(like: Any) -> pd.Index:
    if isinstance(like, pd.Index):
        return like
    index = getattr(like, "index", None)
    if isinstance(index, pd.Index):
        return index
    raise TypeError(f"cannot take an index from {type(like).__name__}")


def _same(value: Any, wanted: Any, rel: float, abs_: float) -> bool:
    if wanted is None or (isinstance(wanted, float) and math.isnan(wanted)):
        return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    if isinstance(wanted, bool | np.bool_) or isinstance(wanted, str):
        return bool(value == wanted)
    if isinstance(wanted, int | float | np.number):
        if value is None or value is pd.NA:
            return False
        return math.isclose(float(value), float(wanted), rel_tol=rel, abs_tol=abs_)
    return bool(value == wanted)


def assert_result(
    result: pd.DataFrame | pd.Series,
    like: Any,
    expected: Mapping[str, Mapping[Any, Any] | Sequence[Any]] | Sequence[Any] | None = None,
    *,
    subset: bool = False,
    rel: float = 1e-9,
    tol: float = 1e-9,
) -> None:
    """Assert that a result is indexed like its input and holds the expected values.

    Parameters
    ----------
    result
        What the analysis returned (DataFrame, GeoDataFrame or Series).
    like
        The input it must be indexed like (a frame, a series, an index, or anything with an
        ``index``, such as :class:`analyses.network.snapping.SnappedPoints`).
    expected
        For a frame: column → values, either a mapping index label → value or a sequence in the
        order of ``like``; for a series: the values themselves in one of these two forms.
        ``None`` or NaN expects a missing value; numbers compare with ``rel`` / ``abs``.
    subset
        The result holds only some rows of the input (e.g. the gap cells, sorted by population):
        its labels must be unique and taken from ``like``.
    rel, tol
        Relative and absolute tolerance for numbers.
    """
    assert isinstance(result, pd.DataFrame | pd.Series), type(result)
    index = _index_of(like)
    if subset:
        assert result.index.is_unique, "result has duplicate labels"
        assert result.index.isin(index).all(), list(result.index.difference(index))
    else:
        assert result.index.equals(index), (list(result.index), list(index))
        assert result.index.dtype == index.dtype, (result.index.dtype, index.dtype)
        assert result.index.names == index.names, (result.index.names, index.names)
    if expected is None:
        return
    columns: Mapping[str | None, Any]
    if isinstance(result, pd.Series):
        columns = {None: expected}
    else:
        assert isinstance(expected, Mapping), "expected must map columns to values"
        columns = expected
    for column, values in columns.items():
        series = result if column is None else result[column]
        if isinstance(values, Mapping):
            wanted = dict(values)
        else:
            labels = result.index if subset else index
            assert len(values) == len(labels), (column, len(values), len(labels))
            wanted = dict(zip(labels, values, strict=True))
        for label, value in wanted.items():
            got = series.loc[label]
            assert _same(got, value, rel, tol), f"{column}[{label!r}] = {got!r}, expected {value!r}"
