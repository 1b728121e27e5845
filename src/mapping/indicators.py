"""Indicator columns: rates per 1,000, shares, and their recomputation after aggregation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from mapping.errors import InputError


class Rate(NamedTuple):
    """A rate column: ``numerator / denominator * per`` (columns of one frame)."""

    numerator: str
    denominator: str
    per: float = 1_000.0


def rate(
    numerator: pd.Series,
    denominator: pd.Series,
    *,
    per: float = 1_000,
) -> pd.Series:
    """Rate of `numerator` per `per` units of `denominator`.

    A zero or missing denominator gives NaN, never inf; a missing numerator stays missing.

    >>> rate(pd.Series([5, 1, 2]), pd.Series([1000, 0, None])).tolist()
    [5.0, nan, nan]
    """
    num = pd.to_numeric(numerator, errors="coerce").astype("float64")
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    den = den.where(den > 0, np.nan)
    out = num / den * per
    out.name = numerator.name
    return out


def share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """`part` as a percentage of `whole` (0-100); NaN where `whole` is zero or missing.

    >>> share(pd.Series([1, 3]), pd.Series([4, 0])).tolist()
    [25.0, nan]
    """
    return rate(part, whole, per=100)


def add_rates(frame: pd.DataFrame, rates: Mapping[str, Rate]) -> pd.DataFrame:
    """A copy of `frame` with one column per entry of `rates`, computed from the counts.

    Rates are always recomputed from their numerator and denominator, so calling this after
    summing desa to kecamatan gives the kecamatan rate (sum over sum), never an average of
    desa rates.

    >>> df = pd.DataFrame({"stunting": [2], "keluarga": [400]})
    >>> add_rates(df, {"stunting_per_1000": Rate("stunting", "keluarga")})["stunting_per_1000"][0]
    np.float64(5.0)
    """
    out = frame.copy()
    for name, spec in rates.items():
        missing = [c for c in (spec.numerator, spec.denominator) if c not in out.columns]
        if missing:
            msg = f"Rate {name!r} needs column(s) {missing}; found {list(out.columns)}."
            raise InputError(msg)
        out[name] = rate(out[spec.numerator], out[spec.denominator], per=spec.per)
    return out
