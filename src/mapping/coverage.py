"""Coverage gaps (3W style): need, reached, gap, coverage %, severity 1-5 and quadrants.

For each area: ``need`` (e.g. families at risk of stunting), ``reached`` (e.g. families
receiving PKH), ``gap = need - reached`` (never below 0; the excess is kept in ``surplus``),
``coverage_pct = reached / need * 100`` and a severity class from 1 "Minimal" to 5 "Kritis"
(:data:`SEVERITY`). :func:`quadrants` splits areas into high/low need and high/low capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mapping.errors import InputError
from mapping.indicators import area_label, rate
from mapping.labels import check_language


@dataclass(frozen=True)
class SeverityClass:
    """One class of the 1-5 severity scale: areas whose coverage is at least `min_coverage` %."""

    level: int
    min_coverage: float
    label_id: str
    label_en: str

    def label(self, language: str = "id") -> str:
        """The class name in `language`."""
        return self.label_en if check_language(language) == "en" else self.label_id


#: The severity scale, from the best class to the worst, after the 1-5 phases of humanitarian
#: needs analyses (JIAF: minimal, stressed, severe, extreme, catastrophic). An area takes the
#: first class whose `min_coverage` (percent of need reached) its coverage reaches:
#: 1 at 90 % or more, 2 from 70 % to under 90 %, 3 from 50 % to under 70 %, 4 from 25 % to under
#: 50 %, 5 below 25 %. Two adjustments: an area with no need (need 0) is class 1, and an area
#: whose gap is smaller than ``min_gap`` (default :data:`MIN_GAP`) is at most class 2, since a
#: handful of families is not a severe gap however low the percentage.
SEVERITY: tuple[SeverityClass, ...] = (
    SeverityClass(1, 90.0, "Minimal", "Minimal"),
    SeverityClass(2, 70.0, "Tertekan", "Stressed"),
    SeverityClass(3, 50.0, "Parah", "Severe"),
    SeverityClass(4, 25.0, "Sangat parah", "Extreme"),
    SeverityClass(5, 0.0, "Kritis", "Catastrophic"),
)
#: A gap smaller than this (families, people...) caps the severity at class 2.
MIN_GAP = 5

#: What "keluarga" is, to show with every coverage map and table (Indonesian, English).
CAVEAT: dict[str, str] = {
    "id": 'Catatan: "keluarga" adalah keluarga sasaran program stunting (sekitar separuh dari '
    "rumah tangga Sensus 2020), bukan semua rumah tangga. Cakupan membandingkan jumlah penerima "
    "dengan jumlah keluarga berisiko; keduanya tidak dicocokkan per keluarga, sehingga penerima "
    "bisa saja keluarga lain dan cakupan di atas 100% mungkin terjadi.",
    "en": 'Note: "keluarga" are the stunting programme\'s target families (about half the '
    "households of the 2020 census), not all households. Coverage compares the number of "
    "recipients with the number of families at risk; they are not matched family by family, "
    "so recipients may be other families and coverage above 100% can occur.",
}

#: Default coverage question on the real desa indicators: PKH reach among families at risk of
#: stunting (``reached="penerima_bpnt"`` asks the same of BPNT).
REAL_COVERAGE: dict[str, str] = {
    "need": "keluarga_berisiko_stunting",
    "reached": "penerima_pkh",
    "denominator": "keluarga",
}

#: Quadrant codes (need level, capacity level) and their names.
QUADRANTS: dict[str, dict[str, str]] = {
    "high_need_low_capacity": {
        "id": "Kebutuhan tinggi, kapasitas rendah",
        "en": "High need, low capacity",
    },
    "high_need_high_capacity": {
        "id": "Kebutuhan tinggi, kapasitas tinggi",
        "en": "High need, high capacity",
    },
    "low_need_low_capacity": {
        "id": "Kebutuhan rendah, kapasitas rendah",
        "en": "Low need, low capacity",
    },
    "low_need_high_capacity": {
        "id": "Kebutuhan rendah, kapasitas tinggi",
        "en": "Low need, high capacity",
    },
}

COVERAGE_COLUMNS: tuple[str, ...] = (
    "need", "reached", "gap", "surplus", "coverage_pct", "severity", "severity_label",
)  # fmt: skip


def caveat(language: str = "id") -> str:
    """The :data:`CAVEAT` about "keluarga" in `language`, for maps and reports."""
    return CAVEAT[check_language(language)]


def severity_table(language: str = "id") -> pd.DataFrame:
    """The severity scale as a legend table: level, label, coverage range (percent).

    >>> severity_table()["coverage"].tolist()
    ['>= 90%', '70% - < 90%', '50% - < 70%', '25% - < 50%', '< 25%']
    """
    lang = check_language(language)
    rows = []
    for i, c in enumerate(SEVERITY):
        upper = SEVERITY[i - 1].min_coverage if i else None
        if upper is None:
            span = f">= {c.min_coverage:g}%"
        elif c.min_coverage == 0:
            span = f"< {upper:g}%"
        else:
            span = f"{c.min_coverage:g}% - < {upper:g}%"
        rows.append({"severity": c.level, "label": c.label(lang), "coverage": span})
    return pd.DataFrame(rows)


def severity_class(
    coverage_pct: pd.Series,
    gap: pd.Series,
    need: pd.Series,
    *,
    min_gap: float = MIN_GAP,
) -> pd.Series:
    """The 1-5 class of :data:`SEVERITY` of each area; ``<NA>`` where need or coverage is missing.

    An area with no need (0) is class 1; a gap below `min_gap` caps the class at 2.

    >>> cov = pd.Series([95.0, 60.0, 10.0, 10.0, np.nan, np.nan])
    >>> severity_class(cov, pd.Series([1, 40, 90, 3, 0, np.nan]),
    ...                pd.Series([20, 100, 100, 4, 0, np.nan])).tolist()
    [1, 3, 5, 2, 1, <NA>]
    """
    if min_gap < 0:
        msg = f"min_gap={min_gap!r} is negative; expected 0 or more (e.g. {MIN_GAP})."
        raise InputError(msg)
    cov = pd.to_numeric(coverage_pct, errors="coerce")
    level = pd.Series(pd.NA, index=cov.index, dtype="Int64")
    for c in reversed(SEVERITY):  # worst first, so better classes overwrite
        level = level.mask(cov >= c.min_coverage, c.level)
    small = pd.to_numeric(gap, errors="coerce") < min_gap
    level = level.mask(small & (level > 2), 2)
    level = level.mask(pd.to_numeric(need, errors="coerce") == 0, 1)
    return level.rename("severity")


def coverage_gap(
    frame: pd.DataFrame,
    *,
    need: str,
    reached: str,
    denominator: str | None = None,
    per: float = 1_000,
    min_gap: float = MIN_GAP,
    prefix: str = "",
    language: str = "id",
) -> pd.DataFrame:
    """A copy of `frame` with the coverage columns of each area (3W style).

    Adds (each name after `prefix`, e.g. ``prefix="pkh_"``): ``need`` and ``reached`` (the
    counts of columns `need` and `reached`), ``gap = need - reached``, floored at 0: when more
    are reached than in need, ``gap`` is 0 and the excess is ``surplus``; ``coverage_pct``,
    ``reached / need * 100``, not capped (above 100 when reached exceeds need), missing when
    need is 0 or missing; ``severity`` (1-5, :func:`severity_class`) and ``severity_label``
    (:data:`SEVERITY` in `language`). With a `denominator` column (e.g. ``keluarga``) also
    ``gap_per_1000``: the gap per `per` units of it, to map gaps of desa of different sizes.
    Show :func:`caveat` with the results. A missing count gives missing results, never 0.

    >>> df = pd.DataFrame({"krs": [100, 50, 0, 10], "pkh": [30, 60, 5, None]})
    >>> out = coverage_gap(df, need="krs", reached="pkh")
    >>> out[["gap", "surplus", "coverage_pct"]].values.tolist()[:3]
    [[70.0, 0.0, 30.0], [0.0, 10.0, 120.0], [0.0, 5.0, nan]]
    >>> out["severity_label"].tolist()
    ['Sangat parah', 'Minimal', 'Minimal', 'Tidak ada data']
    """
    lang = check_language(language)
    _check_columns(frame, [need, reached, *([denominator] if denominator else [])])
    n = pd.to_numeric(frame[need], errors="coerce").astype("float64")
    r = pd.to_numeric(frame[reached], errors="coerce").astype("float64")
    _check_not_negative(frame, {need: n, reached: r})
    out = frame.copy()
    diff = n - r
    gap = diff.clip(lower=0)
    cols = {
        "need": n,
        "reached": r,
        "gap": gap,
        "surplus": (-diff).clip(lower=0),
        "coverage_pct": rate(r, n, per=100),
    }
    cols["severity"] = severity_class(cols["coverage_pct"], gap, n, min_gap=min_gap)
    labels = {c.level: c.label(lang) for c in SEVERITY}
    no_data = "Tidak ada data" if lang == "id" else "No data"
    cols["severity_label"] = cols["severity"].map(lambda v: no_data if pd.isna(v) else labels[v])
    if denominator:
        cols[f"gap_per_{per:g}"] = rate(gap, frame[denominator], per=per)
    for name, values in cols.items():
        out[prefix + name] = values.to_numpy()
    out[prefix + "severity"] = out[prefix + "severity"].astype("Int64")
    out.attrs = {**frame.attrs, f"{prefix}coverage": {"need": need, "reached": reached}}
    return out


def quadrants(
    frame: pd.DataFrame,
    *,
    need: str,
    capacity: str,
    need_threshold: float | None = None,
    capacity_threshold: float | None = None,
    prefix: str = "",
    language: str = "id",
) -> pd.DataFrame:
    """A copy of `frame` with each area's quadrant of need vs capacity.

    A value above its threshold is high, at or below it low; the thresholds default to the
    median of the column over the areas that have both values (so at least half are low).
    Adds ``quadrant`` (a key of :data:`QUADRANTS`, e.g. ``high_need_low_capacity``; missing
    when either value is missing) and ``quadrant_label`` in `language`; the thresholds used
    are in ``attrs["quadrant_thresholds"]``.

    >>> df = pd.DataFrame({"need": [10, 50, 60, 5], "cap": [1, 1, 9, 8]})
    >>> quadrants(df, need="need", capacity="cap")["quadrant_label"].tolist()
    ['Kebutuhan rendah, kapasitas rendah', 'Kebutuhan tinggi, kapasitas rendah', \
'Kebutuhan tinggi, kapasitas tinggi', 'Kebutuhan rendah, kapasitas tinggi']
    """
    lang = check_language(language)
    _check_columns(frame, [need, capacity])
    x = pd.to_numeric(frame[need], errors="coerce").astype("float64")
    y = pd.to_numeric(frame[capacity], errors="coerce").astype("float64")
    both = x.notna() & y.notna()
    tx = float(x[both].median()) if need_threshold is None else float(need_threshold)
    ty = float(y[both].median()) if capacity_threshold is None else float(capacity_threshold)
    if np.isnan(tx) or np.isnan(ty):
        msg = (
            f"quadrants needs areas with values in both {need!r} and {capacity!r} to find "
            "their medians; there are none. Pass need_threshold= and capacity_threshold=."
        )
        raise InputError(msg)
    key = (
        np.where(x > tx, "high_need", "low_need").astype(object)
        + "_"
        + np.where(y > ty, "high_capacity", "low_capacity").astype(object)
    )
    quadrant = pd.Series(key, index=frame.index, dtype=object).where(x.notna() & y.notna())
    no_data = "Tidak ada data" if lang == "id" else "No data"
    out = frame.copy()
    out[prefix + "quadrant"] = quadrant
    out[prefix + "quadrant_label"] = quadrant.map(
        lambda q: no_data if pd.isna(q) else QUADRANTS[q][lang]
    )
    out.attrs = {**frame.attrs, f"{prefix}quadrant_thresholds": {need: tx, capacity: ty}}
    return out


def _check_columns(frame: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = (
            f"Column(s) {missing} not found; the frame has {list(frame.columns)}. Add the "
            "measures first (mapping.measures.add_measures) or name existing columns."
        )
        raise InputError(msg)


def _check_not_negative(frame: pd.DataFrame, values: dict[str, pd.Series]) -> None:
    """Raise once listing every area with a negative count."""
    bad = [
        f"{area_label(frame.iloc[pos], int(pos))} has {col} = {v.iloc[pos]:g}"
        for col, v in values.items()
        for pos in (v < 0).to_numpy().nonzero()[0]
    ]
    if bad:
        msg = (
            "Counts cannot be negative: "
            + "; ".join(bad[:20])
            + (" ..." if len(bad) > 20 else "")
            + ". Fix the source figures (a negative count is a typing error)."
        )
        raise InputError(msg)
