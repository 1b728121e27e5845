"""Indicator columns: rates per 1,000, shares, Empirical-Bayes smoothing and checks of rates."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.errors import InputError, Problem


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


#: Below this many units of the denominator (default: families) a desa's rate is too unstable
#: to map alone: one family more or less moves a rate per 1,000 by 20 or more. Such areas are
#: flagged (see :func:`small_denominator`) and their Empirical-Bayes rate should be shown.
MIN_DENOMINATOR = 50

SMOOTHING: tuple[str, ...] = ("global", "spatial")


def small_denominator(denominator: pd.Series, *, threshold: float = MIN_DENOMINATOR) -> pd.Series:
    """True where `denominator` is below `threshold` (or missing or zero): too small to map alone.

    >>> small_denominator(pd.Series([7, 50, 400, None, 0])).tolist()
    [True, False, False, True, True]
    """
    if threshold < 0:
        msg = f"threshold={threshold!r} is negative; expected a number of units >= 0 (e.g. 50)."
        raise InputError(msg)
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    out = ~(den >= threshold) | ~(den > 0)
    return out.rename(f"{denominator.name}_small" if denominator.name else None)


def smooth_rate(
    numerator: pd.Series,
    denominator: pd.Series,
    *,
    per: float = 1_000,
    method: str = "global",
    geometry: gpd.GeoSeries | None = None,
    weights: Any = None,
) -> pd.Series:
    """Empirical-Bayes rate of `numerator` per `per` units of `denominator` (``esda``).

    ``method="global"`` (:class:`esda.smoothing.Empirical_Bayes`, Marshall 1991) pulls each
    area's raw rate towards the overall rate ``sum(numerator) / sum(denominator)``, the more so
    the smaller its denominator: ``eb_i = m + w_i (r_i - m)`` with
    ``w_i = s2 / (s2 + m / n_i)`` and ``s2 = sum n_i (r_i - m)^2 / sum n_i - m / mean(n)``.
    When ``s2 <= 0`` (the raw rates vary no more than chance alone would make them) every
    area gets ``m``, as Marshall prescribes (esda's global estimator leaves this case
    undefined, its spatial one clamps it the same way). ``method="spatial"``
    (:class:`esda.smoothing.Spatial_Empirical_Bayes`) uses the rate of each area and its queen
    neighbours (``libpysal``) instead of the overall rate; it needs `geometry`, or `weights`
    already built by :func:`queen_weights` (faster when smoothing many columns).

    Areas whose denominator is zero or missing, or whose numerator is missing or negative
    (see :func:`impossible_counts`), get NaN and take no part in the smoothing of the others.

    >>> smooth_rate(pd.Series([1, 10, 0]), pd.Series([10, 100, 0])).round(1).tolist()
    [100.0, 100.0, nan]
    """
    if method not in SMOOTHING:
        msg = f"method={method!r} is not a smoothing method; expected one of {list(SMOOTHING)}."
        raise InputError(msg)
    num = pd.to_numeric(numerator, errors="coerce").astype("float64")
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    out = pd.Series(np.nan, index=numerator.index, name=numerator.name, dtype="float64")
    ok = num.notna() & (den > 0) & (num >= 0)
    if not ok.any():
        return out
    e, b = num[ok].to_numpy(), den[ok].to_numpy()
    if method == "global":
        smoothed = _global_eb(e, b)
    else:
        if weights is None:
            if geometry is None or not geometry.index.equals(numerator.index):
                msg = (
                    "smooth_rate(method='spatial') needs geometry=<the areas' GeoSeries>, with "
                    "the same index as the numerator (e.g. geometry=gdf.geometry), or weights="
                    "queen_weights(gdf.geometry)."
                )
                raise InputError(msg)
            weights = queen_weights(geometry)
        if weights.n != len(numerator):
            msg = f"weights has {weights.n} areas but the numerator has {len(numerator)} rows."
            raise InputError(msg)
        smoothed = _spatial_eb(e, b, weights, np.flatnonzero(ok.to_numpy()))
    out[ok] = smoothed * per
    return out


def _global_eb(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    """esda's global Empirical-Bayes rates, with Marshall's ``s2 <= 0`` case handled."""
    from esda.smoothing import Empirical_Bayes

    m = e.sum() / b.sum()
    s2 = (b * (e / b - m) ** 2).sum() / b.sum() - m / b.mean()
    if s2 <= 0 or m == 0:
        return np.full(len(e), m)
    return np.asarray(Empirical_Bayes(e, b).r, dtype="float64").ravel()


def queen_weights(geometry: gpd.GeoSeries) -> Any:
    """Queen-contiguity weights (``libpysal``) of the areas, ids 0..n-1 in row order.

    Areas touching at a corner are neighbours; an area with none is an island (libpysal's
    warning about it is silenced: spatial smoothing leaves an island's rate as it is).
    """
    from libpysal.weights import Queen

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = gpd.GeoDataFrame(geometry=geometry.reset_index(drop=True))
        w = Queen.from_dataframe(frame, use_index=False)
    w.id_order = list(range(len(frame)))
    return w


def _spatial_eb(e: np.ndarray, b: np.ndarray, weights: Any, rows: np.ndarray) -> np.ndarray:
    """esda's spatial Empirical-Bayes rates of the `rows` (positions) of `weights`."""
    from esda.smoothing import Spatial_Empirical_Bayes
    from libpysal.weights import w_subset

    ids = [weights.id_order[i] for i in rows]
    with warnings.catch_warnings():  # islands left by the subset
        warnings.simplefilter("ignore")
        # a copy either way: esda sets the weights' transform to binary
        w = copy.deepcopy(weights) if len(rows) == weights.n else w_subset(weights, ids)
    w.id_order = ids
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.asarray(Spatial_Empirical_Bayes(e, b, w).r, dtype="float64").ravel()
    # An area whose neighbourhood has no events at all: the local rate is 0 (0 / 0 weight).
    return np.where(np.isnan(r), 0.0, r)


def impossible_counts(
    frame: pd.DataFrame,
    numerator: str,
    denominator: str,
    *,
    per: float = 1_000,
    bounded: bool = True,
    label: str = "",
    source: str = "",
) -> list[Problem]:
    """Warnings for rows where `numerator` is negative or (if `bounded`) above `denominator`.

    `bounded` means the numerator counts part of the denominator (families at risk of stunting
    among families): a count above its denominator is a share above `per` per `per`, which
    cannot be true, so the row is reported (not changed). A negative count is always
    reported. Each problem names the area (code and name when the frame has them), the
    column, the value and the denominator.

    >>> df = pd.DataFrame({"code": ["a", "b"], "name": ["A", "B"], "krs": [5, 12],
    ...                    "keluarga": [10, 8]})
    >>> [p.message for p in impossible_counts(df, "krs", "keluarga")]
    ['B (b): krs 12 > keluarga 8 (1500.0 per 1000)']
    """
    missing = [c for c in (numerator, denominator) if c not in frame.columns]
    if missing:
        msg = f"impossible_counts needs column(s) {missing}; found {list(frame.columns)}."
        raise InputError(msg)
    num = pd.to_numeric(frame[numerator], errors="coerce")
    den = pd.to_numeric(frame[denominator], errors="coerce")
    problems = []
    what = label or numerator
    bad = (num < 0) | ((den > 0) & (num > den) & bounded)
    for pos in bad.to_numpy().nonzero()[0]:
        n, d = float(num.iloc[pos]), float(den.iloc[pos])
        area = area_label(frame.iloc[pos], int(pos))
        if n < 0:
            message = f"{area}: {what} {n:g} < 0"
            expected = "a count of 0 or more"
        else:
            message = f"{area}: {what} {n:g} > {denominator} {d:g} ({n / d * per:.1f} per {per:g})"
            expected = f"at most {denominator} ({d:g}), i.e. at most {per:g} per {per:g}"
        problems.append(
            Problem(
                kind="impossible-value",
                message=message,
                file=source,
                column=numerator,
                value=float(n),
                expected=expected,
                suggestion="check the source figures of this area; the value is kept as given",
                severity="warning",
            )
        )
    return problems


def area_label(row: pd.Series, pos: int) -> str:
    """``name (code)`` of an area's row, for messages; its position when it has neither.

    >>> area_label(pd.Series({"code": "12.02.01.1001", "name": "Partoli Toruan"}), 0)
    'Partoli Toruan (12.02.01.1001)'
    """
    code = row.get("code")
    name = row.get("name")
    if pd.notna(name) and pd.notna(code):
        return f"{name} ({code})"
    return str(name if pd.notna(name) else code if pd.notna(code) else f"row {pos}")
