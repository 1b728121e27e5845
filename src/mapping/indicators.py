"""Indicator columns: rates per 1,000, shares, and their recomputation after aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
    return (num / den * per).rename(numerator.name)


def share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """`part` as a percentage of `whole` (0-100); NaN where `whole` is zero or missing.

    >>> share(pd.Series([1, 3]), pd.Series([4, 0])).tolist()
    [25.0, nan]
    """
    return rate(part, whole, per=100)


def add_rates(
    frame: pd.DataFrame,
    numerators: list[str],
    *,
    denominator: str,
    per: float = 1_000,
    suffix: str = "_per_1000",
) -> pd.DataFrame:
    """A copy of `frame` with a rate column ``<numerator><suffix>`` for each numerator.

    Rates are always recomputed from the counts, so calling this after aggregating desa to
    kecamatan gives the kecamatan rate (sum over sum), never an average of desa rates.
    """
    missing = [c for c in [*numerators, denominator] if c not in frame.columns]
    if missing:
        msg = f"Columns {missing} not found; available: {list(frame.columns)}."
        raise KeyError(msg)
    out = frame.copy()
    for col in numerators:
        out[f"{col}{suffix}"] = rate(out[col], out[denominator], per=per)
    return out
