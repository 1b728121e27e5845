"""One A4 PDF profile per kecamatan and a regency summary page, for TKSK and camat.

A kecamatan profile (:func:`plot_profile`) holds on one A4 portrait page: the desa map of the
need measure (families at risk of stunting per 1,000 families, Empirical Bayes, from
:func:`mapping.analysis.coverage_analysis`) with the neighbouring kecamatan in light grey; the
key coverage figures of the kecamatan (:func:`kecamatan_figures`); the desa of the worst
severity classes; the PMKS by category and PSKS by kind of the synthetic sample, labelled
"contoh sintetis" (:func:`protected_counts`); the sources, the build date and the caveat on
"keluarga". :func:`plot_summary` is the regency page: the same map for every desa and one row
of key figures per kecamatan. :func:`write_profiles` writes them all as PDF.

Every count printed is protected (:mod:`mapping.privacy`): kecamatan totals of people or
families go through :func:`mapping.privacy.protect` (with the regency as their group), desa
values come from :func:`mapping.analysis.publishable`, and a suppressed cell reads "< 5". No
desa-level count is printed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping import export, privacy
from mapping.analysis import CoverageAnalysis, publishable
from mapping.cartography import to_metric
from mapping.categories import CATEGORY_BY_CODE
from mapping.classify import Classification, Indicator
from mapping.coverage import SEVERITY, caveat
from mapping.errors import InputError
from mapping.labels import check_language, format_date, format_number
from mapping.maps import slug
from mapping.regions import Region, default_region, tapanuli_utara
from mapping.static import (
    A4_PORTRAIT,
    OUTLINE,
    SYNTHETIC_COLOR,
    _legend_handles,
    _new_figure,
    draw_areas,
    draw_outlines,
    draw_scale_bar,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Folder of the profiles in the build's outputs.
PROFILE_DIR = "profil"
#: File name of the regency summary page.
SUMMARY_STEM = "ringkasan-kabupaten"
#: Severity levels whose desa are listed by name (the two worst classes).
WORST_LEVELS: tuple[int, ...] = (4, 5)
#: Tolerance (m) of the simplified desa borders drawn (half a printed point at most).
SIMPLIFY_M = 25.0
#: Resolution of the raster parts of a profile (hatches, if any).
PROFILE_DPI = 150

_T: dict[str, dict[str, str]] = {
    "id": {
        "title": "Profil Kecamatan {name}",
        "subtitle": "{region} · untuk TKSK dan camat · dibuat {date}",
        "summary_title": "Ringkasan {region}",
        "summary_subtitle": "{n} kecamatan, {d} desa/kelurahan · dibuat {date}",
        "map": "Keluarga berisiko stunting per 1.000 keluarga (Empirical Bayes)",
        "other": "Kecamatan lain",
        "puskesmas": "Puskesmas (lokasi perkiraan)",
        "figures": "Angka utama (data sebenarnya)",
        "n_desa": "Desa/kelurahan",
        "families": "Jumlah keluarga (sasaran)",
        "need": "Keluarga berisiko stunting",
        "need_rate": "Per 1.000 keluarga",
        "reached": "Penerima PKH",
        "coverage": "Cakupan PKH thd. keluarga berisiko",
        "severity": "Desa per kelas keparahan kesenjangan",
        "no_data": "tanpa data",
        "distance": "Jarak ke puskesmas terdekat",
        "median": "median",
        "max": "terjauh",
        "distance_note": "lokasi perkiraan; garis lurus x {f}",
        "hnlc": "Desa kebutuhan tinggi, kapasitas rendah",
        "worst": "Desa dengan kesenjangan terparah (kelas {levels})",
        "worst_none": "Tidak ada desa di kelas {levels}.",
        "worst_row": "{name}: kelas {level}, cakupan {coverage}",
        "pmks": "PMKS per kategori",
        "psks": "PSKS per jenis",
        "count": "Jumlah",
        "total": "Jumlah semua",
        "synthetic": "CONTOH SINTETIS — bukan data Dinas Sosial",
        "sources": "Sumber",
        "hidden": "“< 5”: jumlah 1-4 disembunyikan (kendali pengungkapan), begitu pula sel "
        "yang dapat membukanya.",
        "col_kecamatan": "Kecamatan",
        "col_desa": "Desa",
        "col_families": "Keluarga (sasaran)",
        "col_need": "Keluarga berisiko stunting",
        "col_rate": "Per 1.000 keluarga",
        "col_coverage": "Cakupan PKH",
        "col_worst": "Desa kelas 4-5",
        "col_km": "Jarak median (km)",
        "col_pmks": "PMKS*",
        "col_psks": "PSKS*",
        "regency": "Kabupaten",
        "star": "* PMKS dan PSKS: contoh sintetis, bukan data Dinas Sosial.",
    },
    "en": {
        "title": "Kecamatan profile: {name}",
        "subtitle": "{region} · for the TKSK and the camat · made {date}",
        "summary_title": "Summary of {region}",
        "summary_subtitle": "{n} kecamatan, {d} villages · made {date}",
        "map": "Families at risk of stunting per 1,000 families (Empirical Bayes)",
        "other": "Other kecamatan",
        "puskesmas": "Puskesmas (approximate location)",
        "figures": "Key figures (real data)",
        "n_desa": "Villages",
        "families": "Families (programme target)",
        "need": "Families at risk of stunting",
        "need_rate": "Per 1,000 families",
        "reached": "PKH recipients",
        "coverage": "PKH coverage of families at risk",
        "severity": "Villages per gap severity class",
        "no_data": "no data",
        "distance": "Distance to the nearest puskesmas",
        "median": "median",
        "max": "farthest",
        "distance_note": "approximate locations; straight line x {f}",
        "hnlc": "Villages with high need, low capacity",
        "worst": "Villages with the worst gaps (class {levels})",
        "worst_none": "No village in class {levels}.",
        "worst_row": "{name}: class {level}, coverage {coverage}",
        "pmks": "PMKS by category",
        "psks": "PSKS by kind",
        "count": "Count",
        "total": "All",
        "synthetic": "SYNTHETIC EXAMPLE (contoh sintetis) — not Dinas Sosial data",
        "sources": "Sources",
        "hidden": "“< 5”: counts of 1-4 are suppressed (disclosure control), and so are the "
        "cells that would give them back.",
        "col_kecamatan": "Kecamatan",
        "col_desa": "Villages",
        "col_families": "Families (target)",
        "col_need": "Families at risk of stunting",
        "col_rate": "Per 1,000 families",
        "col_coverage": "PKH coverage",
        "col_worst": "Villages class 4-5",
        "col_km": "Median distance (km)",
        "col_pmks": "PMKS*",
        "col_psks": "PSKS*",
        "regency": "Regency",
        "star": "* PMKS and PSKS: synthetic example (contoh sintetis), not Dinas Sosial data.",
    },
}

#: Columns of the summary table (keys of its headers).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "kecamatan", "desa", "families", "need", "rate", "coverage", "worst", "km", "pmks", "psks",
)  # fmt: skip

#: The sources printed on every page (Indonesian, English).
SOURCES: dict[str, str] = {
    "id": "Batas desa BIG 2022; jumlah keluarga, keluarga berisiko stunting dan penerima PKH: "
    "portal stunting Kab. Tapanuli Utara (arti kolom disimpulkan dari label portal); puskesmas: "
    "web-GIS kabupaten, ditempatkan di titik tengah desanya (lokasi perkiraan); PMKS/PSKS: "
    "contoh sintetis peta-kesos.",
    "en": "BIG village boundaries 2022; families, families at risk of stunting and PKH "
    "recipients: Tapanuli Utara stunting portal (column meanings inferred from its labels); "
    "puskesmas: district web-GIS, placed at the centre of their village (approximate "
    "locations); PMKS/PSKS: peta-kesos synthetic sample.",
}


def _codes(group: str) -> list[str]:
    return [c for c, cat in CATEGORY_BY_CODE.items() if cat.group == group]


def protected_counts(
    desa: pd.DataFrame,
    kecamatan: pd.DataFrame,
    *,
    published: pd.DataFrame | None = None,
    k: int = privacy.DEFAULT_K,
    k_by_column: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The kecamatan PMKS/PSKS counts of the synthetic sample, safe to print in a table.

    `desa` and `kecamatan` are the unprotected synthetic layers
    (:func:`mapping.pipeline.synthetic_layers`). Every PMKS category and ``pmks_total`` go
    through :func:`mapping.privacy.protect` with the desa of each kecamatan and the kecamatan
    of the regency as groups, and each kecamatan's categories as the parts of its
    ``pmks_total`` (a table that prints every category and the total must not let one hidden
    category be the total minus the others). PSKS count organisations and volunteers and are
    printed as they are. Cells hidden in `published` (the same kecamatan already published
    with another suppression pattern, e.g. by the maps) are hidden here too, so that the two
    never give a cell back together; more hidden cells keep every group safe. `k` and
    `k_by_column` (a stricter k for some categories) are those of :func:`mapping.privacy.protect`.
    """
    pmks = [c for c in _codes("pmks") if c in kecamatan.columns]
    psks = [c for c in _codes("psks") if c in kecamatan.columns]
    missing = [c for c in ("code", "pmks_total", "psks_total") if c not in kecamatan.columns]
    if missing or not pmks:
        msg = (
            f"protected_counts needs the synthetic kecamatan layer with 'code', 'pmks_total', "
            f"'psks_total' and PMKS category columns; missing: {missing or 'PMKS categories'}."
        )
        raise InputError(msg)
    counts = [*pmks, "pmks_total"]
    _, safe = privacy.protect(
        desa, kecamatan, counts=counts, totals={"pmks_total": pmks}, k=k,
        k_by_column={c: v for c, v in (k_by_column or {}).items() if c in counts},
    )  # fmt: skip
    assert safe is not None  # protect returns a kecamatan frame when given one
    cols = ["code", "name", *pmks, "pmks_total", *psks, "psks_total"]
    table = pd.DataFrame(safe[cols]).copy()
    hidden = {c: list(v) for c, v in (safe.attrs.get(privacy.SUPPRESSED_ATTR) or {}).items()}
    if published is not None:
        by_code = pd.Series(table.index, index=table["code"].astype(str))
        for col in counts:
            if col not in published.columns:
                continue
            mask = privacy.suppressed_mask(published, col)
            codes = published.loc[mask.to_numpy(), "code"].astype(str)
            labels = [by_code[c] for c in codes if c in by_code.index]
            if labels:
                table[col] = table[col].astype(float)
                table.loc[labels, col] = np.nan
                hidden[col] = list(dict.fromkeys([*hidden.get(col, []), *labels]))
    table.attrs = {**safe.attrs, privacy.SUPPRESSED_ATTR: hidden}
    return table


def kecamatan_figures(analysis: CoverageAnalysis, *, k: int = privacy.DEFAULT_K) -> pd.DataFrame:
    """The key coverage figures of each kecamatan, one row each, safe to print.

    Columns: ``kecamatan_code``, ``kecamatan``, ``n_desa``, ``keluarga`` (families, the
    denominator, published as it is), ``need`` and ``reached`` (families at risk and reached,
    summed over the desa, then protected with the regency as their group: "< 5" when hidden),
    ``need_per_1000``, ``coverage_pct`` (hidden with their count), ``severity_<level>`` and
    ``severity_none`` (desa per class, and without data), ``km_median`` and ``km_max``
    (distance to the nearest puskesmas, approximate locations) and ``high_need_low_capacity``
    (desa in that quadrant). Counts of desa and distances are not counts of people.
    """
    frame = analysis.desa
    need_col = "need"
    by = frame.groupby("kecamatan_code", sort=True)
    num = frame.assign(
        need=pd.to_numeric(frame[need_col], errors="coerce"),
        reached=pd.to_numeric(frame["reached"], errors="coerce"),
        keluarga=pd.to_numeric(frame[analysis.options.denominator], errors="coerce"),
    ).groupby("kecamatan_code", sort=True)
    out = pd.DataFrame(
        {
            "kecamatan": by["kecamatan"].first(),
            "n_desa": by.size(),
            "keluarga": num["keluarga"].sum(min_count=1),
            "need": num["need"].sum(min_count=1),
            "reached": num["reached"].sum(min_count=1),
        }
    )
    out["need_per_1000"] = out["need"] / out["keluarga"] * 1000
    out["coverage_pct"] = out["reached"] / out["need"] * 100
    severity = pd.to_numeric(frame["severity"], errors="coerce")
    for c in SEVERITY:
        out[f"severity_{c.level}"] = (severity == c.level).groupby(frame["kecamatan_code"]).sum()
    out["severity_none"] = severity.isna().groupby(frame["kecamatan_code"]).sum()
    km = pd.to_numeric(frame["puskesmas_km"], errors="coerce").groupby(frame["kecamatan_code"])
    out["km_median"], out["km_max"] = km.median(), km.max()
    hnlc = (frame["quadrant"] == "high_need_low_capacity").groupby(frame["kecamatan_code"])
    out["high_need_low_capacity"] = hnlc.sum()
    out = out.reset_index()
    rates = {"need_per_1000": "need", "coverage_pct": ["need", "reached"]}
    safe, _ = privacy.protect(
        out, counts=["need", "reached"], rates=rates, k=k, desa_key="regency"
    )  # fmt: skip
    return safe


def regency_figures(
    analysis: CoverageAnalysis, synthetic_kecamatan: pd.DataFrame, *, k: int = privacy.DEFAULT_K
) -> pd.Series:
    """The regency totals of the summary page, the figures of :func:`kecamatan_figures` plus
    ``pmks_total`` and ``psks_total`` of the synthetic sample.

    The regency is the total of the kecamatan groups of :func:`mapping.privacy.protect`
    (published; the kecamatan hidden in it are at least two that add up to k or more). A
    person count from 1 to k - 1 is NaN with its rates (none is so small in Tapanuli Utara).
    """
    frame = analysis.desa
    num = {c: pd.to_numeric(frame[c], errors="coerce") for c in ("need", "reached")}
    families = pd.to_numeric(frame[analysis.options.denominator], errors="coerce").sum()
    severity = pd.to_numeric(frame["severity"], errors="coerce")
    km = pd.to_numeric(frame["puskesmas_km"], errors="coerce")
    out = pd.Series(
        {
            "n_desa": float(len(frame)),
            "keluarga": families,
            "need": num["need"].sum(min_count=1),
            "reached": num["reached"].sum(min_count=1),
            "worst": float(severity.isin(WORST_LEVELS).sum()),
            "km_median": km.median(),
            "km_max": km.max(),
            "high_need_low_capacity": float((frame["quadrant"] == "high_need_low_capacity").sum()),
            "pmks_total": pd.to_numeric(synthetic_kecamatan["pmks_total"]).sum(min_count=1),
            "psks_total": pd.to_numeric(synthetic_kecamatan["psks_total"]).sum(min_count=1),
        }
    )
    for col in ("need", "reached", "pmks_total"):
        if 1 <= out[col] < k:
            out[col] = np.nan
    out["need_per_1000"] = out["need"] / out["keluarga"] * 1000
    out["coverage_pct"] = out["reached"] / out["need"] * 100
    return out


def _count(frame: pd.DataFrame, row: object, column: str, language: str) -> str:
    """A printed count: "< 5" when suppressed, else the number."""
    if privacy.suppressed_mask(frame, column).loc[row]:
        return privacy.suppressed_text(privacy.disclosure_k(frame, column))
    return format_number(frame.loc[row, column], language=language)


def _value(
    frame: pd.DataFrame,
    row: object,
    column: str,
    language: str,
    *,
    decimals: int = 0,
    unit: str = "",
) -> str:
    """A printed rate or share: "< 5" when its count is suppressed, else the value."""
    if privacy.suppressed_mask(frame, column).loc[row]:
        return privacy.suppressed_text(privacy.disclosure_k(frame, column))
    value = frame.loc[row, column]
    return format_number(value, decimals=decimals, language=language) + (
        unit if pd.notna(value) else ""
    )


def need_indicator(analysis: CoverageAnalysis) -> Indicator:
    """The indicator of the profiles' map: the need measure's EB rate per 1,000 families."""
    lang = analysis.language
    return Indicator("need_rate", _T[lang]["map"], palette="YlOrRd")


@dataclass(frozen=True)
class ProfileData:
    """What every profile page shares, made once by :func:`prepare_profiles`.

    Attributes
    ----------
    analysis
        The analysis as published (:func:`mapping.analysis.publishable`).
    figures
        :func:`kecamatan_figures` (protected kecamatan totals).
    counts
        :func:`protected_counts` (synthetic PMKS/PSKS per kecamatan).
    areas, outlines, services
        The desa, the kecamatan outlines and the puskesmas in the metric CRS, for the maps.
    classification
        The need map's classes over every desa of the regency (the same bins on every page).
    regency
        The regency's totals (:func:`regency_figures`).
    region
        The region the pages are of (its name heads every page); default Tapanuli Utara.
    """

    analysis: CoverageAnalysis
    figures: pd.DataFrame
    counts: pd.DataFrame
    areas: gpd.GeoDataFrame
    outlines: gpd.GeoDataFrame
    services: gpd.GeoDataFrame
    classification: Classification
    regency: pd.Series
    region: Region = field(default_factory=tapanuli_utara)

    @property
    def language(self) -> str:
        """The language of the pages (that of the analysis)."""
        return self.analysis.language

    def kecamatan_codes(self) -> list[str]:
        """The codes of the kecamatan, in code order."""
        return [str(c) for c in self.figures["kecamatan_code"]]


def prepare_profiles(
    analysis: CoverageAnalysis,
    synthetic_desa: pd.DataFrame,
    synthetic_kecamatan: pd.DataFrame,
    *,
    published: pd.DataFrame | None = None,
    k: int = privacy.DEFAULT_K,
    k_by_column: Mapping[str, int] | None = None,
    region: Region | None = None,
) -> ProfileData:
    """The shared data of the profiles: protected figures and counts, map layers, classes.

    `analysis` is :func:`mapping.analysis.coverage_analysis` of the real desa (clusters are
    not needed); `synthetic_desa` and `synthetic_kecamatan` are the unprotected synthetic
    layers and `published` the kecamatan layer already published from them (see
    :func:`protected_counts`). `k` and `k_by_column` are the disclosure thresholds
    (:func:`mapping.privacy.protect`).
    """
    safe = publishable(analysis, k=k, k_by_column=k_by_column)
    areas = to_metric(safe.desa)
    # Shared borders simplified together (no gaps): far below a printed point, smaller PDFs.
    areas = areas.set_geometry(areas.geometry.simplify_coverage(SIMPLIFY_M))
    outlines = areas[["kecamatan", "kecamatan_code", areas.geometry.name]].dissolve(
        by="kecamatan_code", as_index=False, method="coverage"
    )
    return ProfileData(
        analysis=safe,
        figures=kecamatan_figures(analysis, k=k),
        counts=protected_counts(
            synthetic_desa,
            synthetic_kecamatan,
            published=published,
            k=k,
            k_by_column=k_by_column,
        ),  # fmt: skip
        areas=areas,
        outlines=outlines.rename(columns={"kecamatan": "name"}),
        services=to_metric(safe.services),
        classification=need_indicator(safe).classify(
            safe.desa["need_rate"], language=safe.language
        ),
        regency=regency_figures(analysis, synthetic_kecamatan, k=k),
        region=default_region(region),
    )


def _draw_need_map(ax: Axes, data: ProfileData, *, kecamatan_code: str | None) -> list[object]:
    """The desa need map on `ax` (one kecamatan in colour, the others grey); legend handles."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from shapely.geometry import box

    t = _T[data.language]
    areas, cls = data.areas, data.classification
    inside = (
        pd.Series(True, index=areas.index)
        if kecamatan_code is None
        else areas["kecamatan_code"].astype(str) == kecamatan_code
    )
    x0, y0, x1, y1 = areas[inside].total_bounds
    pad = 0.06 * max(x1 - x0, y1 - y0)
    view = box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    near = areas.intersects(view)  # only what shows is drawn (smaller, faster PDFs)
    others = near & ~inside
    if others.any():
        areas[others].plot(ax=ax, color="#eeeeee", edgecolor="#ffffff", linewidth=0.3)
    width = 0.25 if kecamatan_code is None else 0.5
    draw_areas(ax, areas[inside], cls.color_of()[inside], linewidth=width)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    lines = data.outlines
    if kecamatan_code is None:
        draw_outlines(ax, lines, fontsize=6)
    else:
        mine = lines["kecamatan_code"].astype(str) == kecamatan_code
        lines[~mine & lines.intersects(view)].boundary.plot(ax=ax, color="#9e9e9e", linewidth=0.6)
        lines[mine].boundary.plot(ax=ax, color=OUTLINE, linewidth=1.4, zorder=4)
    pts = data.services[data.services.intersects(view)]
    ax.scatter(
        pts.geometry.x, pts.geometry.y, marker="P", s=34, color="#1f1f1f",
        edgecolor="white", linewidth=0.6, zorder=6,
    )  # fmt: skip
    draw_scale_bar(ax, language=data.language)
    entries = privacy.legend_entries(cls, data.analysis.desa[inside], "need_rate")
    handles: list[object] = list(_legend_handles(cls, counts=False, entries=entries))
    if kecamatan_code is not None:
        handles.append(Patch(facecolor="#eeeeee", edgecolor="#9e9e9e", label=t["other"]))
    handles.append(
        Line2D([], [], marker="P", color="#1f1f1f", linestyle="", markersize=7,
               label=t["puskesmas"])
    )  # fmt: skip
    return handles


def _wrap(text_: str, width: int) -> str:
    return textwrap.fill(text_, width, break_long_words=False)


def _rows_table(
    fig: Figure,
    rows: Sequence[tuple[str, str]],
    *,
    x: float,
    top: float,
    width: float,
    header: tuple[str, str],
    row_height: float,
    fontsize: float = 7,
    bold_last: bool = True,
) -> float:
    """Two-column rows (name, value) with a header and light banding; returns the bottom y."""
    from matplotlib.patches import Rectangle

    y = top
    fig.text(x, y, header[0], fontsize=fontsize, fontweight="bold", va="top")
    fig.text(x + width, y, header[1], fontsize=fontsize, fontweight="bold", va="top", ha="right")
    y -= row_height
    fig.add_artist(
        Rectangle((x, y + 0.25 * row_height), width, 0.0008, transform=fig.transFigure,
                  facecolor="#636363", edgecolor="none")
    )  # fmt: skip
    for i, (name, value) in enumerate(rows):
        last = bold_last and i == len(rows) - 1
        if i % 2 == 0:
            fig.add_artist(
                Rectangle((x, y - 0.78 * row_height), width, row_height,
                          transform=fig.transFigure, facecolor="#f3f3f3", edgecolor="none",
                          zorder=0)
            )  # fmt: skip
        weight = "bold" if last else "normal"
        fig.text(x + 0.004, y, name, fontsize=fontsize, va="top", fontweight=weight)
        fig.text(x + width - 0.004, y, value, fontsize=fontsize, va="top", ha="right",
                 fontweight=weight)  # fmt: skip
        y -= row_height
    return y


def _header(fig: Figure, title: str, subtitle: str) -> None:
    fig.text(0.05, 0.968, title, fontsize=17, fontweight="bold", va="top")
    fig.text(0.05, 0.937, subtitle, fontsize=9.5, color="#404040", va="top")


def _footer(fig: Figure, language: str, *, top: float) -> None:
    t = _T[language]
    notes = [
        f"{t['sources']}: {SOURCES[language]}",
        caveat(language),
        t["hidden"],
    ]
    y = top
    for note in notes:
        wrapped = _wrap(note, 150)
        fig.text(0.05, y, wrapped, fontsize=6.5, color="#404040", va="top", linespacing=1.3)
        y -= 0.0125 * (wrapped.count("\n") + 1) + 0.004


def _severity_text(figs: pd.DataFrame, row: object, language: str) -> list[tuple[str, str]]:
    t = _T[language]
    rows = [
        (f"   {c.level} {c.label(language)}", format_number(figs.loc[row, f"severity_{c.level}"]))
        for c in SEVERITY
    ]
    if figs.loc[row, "severity_none"] > 0:
        rows.append((f"   {t['no_data']}", format_number(figs.loc[row, "severity_none"])))
    return rows


def _key_rows(figs: pd.DataFrame, row: object, analysis: CoverageAnalysis) -> list[tuple[str, str]]:
    lang = analysis.language
    t = _T[lang]
    f = analysis.options.detour_factor
    median, longest = (
        format_number(figs.loc[row, c], decimals=1, language=lang) + " km"
        for c in ("km_median", "km_max")
    )
    return [
        (t["n_desa"], format_number(figs.loc[row, "n_desa"], language=lang)),
        (t["families"], format_number(figs.loc[row, "keluarga"], language=lang)),
        (t["need"], _count(figs, row, "need", lang)),
        (t["need_rate"], _value(figs, row, "need_per_1000", lang, decimals=1)),
        (t["reached"], _count(figs, row, "reached", lang)),
        (t["coverage"], _value(figs, row, "coverage_pct", lang, unit=" %")),
        (t["severity"], ""),
        *_severity_text(figs, row, lang),
        (t["distance"], ""),
        (f"   {t['median']}", median),
        (f"   {t['max']}", longest),
        (f"   ({t['distance_note'].format(f=format_number(f, decimals=1, language=lang))})", ""),
        (t["hnlc"], format_number(figs.loc[row, "high_need_low_capacity"], language=lang)),
    ]


def _worst_rows(safe: CoverageAnalysis, kecamatan_code: str) -> list[str]:
    """Lines "desa: severity, coverage" of the kecamatan's desa in :data:`WORST_LEVELS`."""
    lang = safe.language
    frame = safe.desa[safe.desa["kecamatan_code"].astype(str) == kecamatan_code]
    severity = pd.to_numeric(frame["severity"], errors="coerce")
    marked = frame.assign(_s=severity)  # (assigning to an empty frame would add rows)
    worst = marked[severity.isin(WORST_LEVELS).to_numpy()]
    worst = worst.sort_values(["_s", "coverage_pct"], ascending=[False, True])
    return [
        _T[lang]["worst_row"].format(
            name=r["name"], level=int(r["_s"]),
            coverage=_value(worst, i, "coverage_pct", lang, unit=" %"),
        )
        for i, r in worst.iterrows()
    ]  # fmt: skip


def _category_rows(
    counts: pd.DataFrame, row: object, group: str, language: str
) -> list[tuple[str, str]]:
    codes = [c for c in _codes(group) if c in counts.columns]
    rows = []
    for code in codes:
        cat = CATEGORY_BY_CODE[code]
        name = cat.name_en if language == "en" else cat.name_id
        rows.append(
            (textwrap.shorten(name, 52, placeholder="…"), _count(counts, row, code, language))
        )
    rows.append((_T[language]["total"], _count(counts, row, f"{group}_total", language)))
    return rows


def _synthetic_label(fig: Figure, x: float, y: float, language: str) -> None:
    fig.text(
        x, y, _T[language]["synthetic"], fontsize=8.5, fontweight="bold", color=SYNTHETIC_COLOR,
        va="top",
        bbox={"boxstyle": "square,pad=0.35", "facecolor": "white", "edgecolor": SYNTHETIC_COLOR,
              "linewidth": 1.2},
    )  # fmt: skip


def _built_text(built: dt.date | dt.datetime | str | None, language: str) -> str:
    when = built if built is not None else dt.date.today()
    if isinstance(when, dt.datetime):
        return f"{format_date(when.date(), language=language)} {when:%H:%M} UTC"
    return format_date(when, language=language)


def plot_profile(
    data: ProfileData,
    kecamatan_code: str,
    *,
    built: dt.date | dt.datetime | str | None = None,
) -> Figure:
    """The A4 portrait profile page of one kecamatan (see the module docstring).

    Parameters
    ----------
    data
        :func:`prepare_profiles` (shared by every page); its language is the page's.
    kecamatan_code
        Code of the kecamatan (e.g. ``"12.02.01"``).
    built
        Build date printed on the page (default today).
    """
    lang = check_language(data.language)
    t = _T[lang]
    figs = data.figures.set_index("kecamatan_code", drop=False)
    if kecamatan_code not in figs.index:
        msg = (
            f"kecamatan_code={kecamatan_code!r} is not in the analysis; expected one of "
            f"{sorted(figs.index)}."
        )
        raise InputError(msg)
    counts, safe = data.counts, data.analysis
    crow = counts.index[counts["code"].astype(str) == kecamatan_code]
    name = str(figs.loc[kecamatan_code, "kecamatan"])
    fig = _new_figure(A4_PORTRAIT)
    _header(
        fig,
        t["title"].format(name=name),
        t["subtitle"].format(region=data.region.title(), date=_built_text(built, lang)),
    )

    fig.text(0.05, 0.912, _wrap(t["map"], 52), fontsize=9, fontweight="bold", va="top")
    ax = fig.add_axes((0.04, 0.545, 0.50, 0.335))
    handles = _draw_need_map(ax, data, kecamatan_code=kecamatan_code)
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.04, 0.54), frameon=False,
        fontsize=7, ncols=2, columnspacing=1.0, handlelength=1.4,
    )  # fmt: skip

    fig.text(0.58, 0.912, t["figures"], fontsize=9, fontweight="bold", va="top")
    bottom = _rows_table(
        fig, _key_rows(figs, kecamatan_code, safe), x=0.58, top=0.88, width=0.37,
        header=("", ""), row_height=0.0165, fontsize=7.5, bold_last=False,
    )  # fmt: skip
    levels = "/".join(str(x) for x in WORST_LEVELS)
    fig.text(0.58, bottom - 0.01, _wrap(t["worst"].format(levels=levels), 55), fontsize=8.5,
             fontweight="bold", va="top")  # fmt: skip
    worst = _worst_rows(safe, kecamatan_code) or [t["worst_none"].format(levels=levels)]
    per_col = 11
    shown = worst[: 2 * per_col] if len(worst) <= 2 * per_col else worst[: 2 * per_col - 1]
    if len(shown) < len(worst):
        shown.append(f"… (+{len(worst) - len(shown)})")
    cols = [shown] if len(shown) <= per_col else [shown[:per_col], shown[per_col:]]
    width = 0.37 / len(cols)
    for j, part in enumerate(cols):
        lines = [textwrap.shorten(w, 56 if len(cols) == 1 else 30, placeholder="…") for w in part]
        fig.text(0.58 + j * width, bottom - 0.03, "\n".join(lines), fontsize=7, va="top",
                 linespacing=1.45)  # fmt: skip

    top = 0.445
    _synthetic_label(fig, 0.05, top + 0.012, lang)
    if len(crow):
        r = crow[0]
        _rows_table(fig, _category_rows(counts, r, "pmks", lang), x=0.05, top=top - 0.018,
                    width=0.43, header=(t["pmks"], t["count"]), row_height=0.0105,
                    fontsize=6.8)  # fmt: skip
        _rows_table(fig, _category_rows(counts, r, "psks", lang), x=0.53, top=top - 0.018,
                    width=0.42, header=(t["psks"], t["count"]), row_height=0.0105,
                    fontsize=6.8)  # fmt: skip
    _footer(fig, lang, top=0.095)
    return fig


def _summary_rows(data: ProfileData) -> tuple[list[str], list[list[str]]]:
    """Header and rows (one per kecamatan, then the regency) of the summary table."""
    lang = data.language
    t = _T[lang]
    figs = data.figures
    counts = data.counts.set_index(data.counts["code"].astype(str))
    header = [t[f"col_{c}"] for c in SUMMARY_COLUMNS]
    rows = []
    for i, r in figs.iterrows():
        code = str(r["kecamatan_code"])
        worst = sum(int(r[f"severity_{lv}"]) for lv in WORST_LEVELS)
        pmks, psks = (
            _count(counts, code, c, lang) if code in counts.index else "–"
            for c in ("pmks_total", "psks_total")
        )
        rows.append([
            str(r["kecamatan"]), format_number(r["n_desa"], language=lang),
            format_number(r["keluarga"], language=lang), _count(figs, i, "need", lang),
            _value(figs, i, "need_per_1000", lang, decimals=1),
            _value(figs, i, "coverage_pct", lang, unit=" %"), format_number(worst, language=lang),
            format_number(r["km_median"], decimals=1, language=lang), pmks, psks,
        ])  # fmt: skip
    g = data.regency
    hidden = privacy.suppressed_text()

    def num(col: str, decimals: int = 0, unit: str = "") -> str:
        v = g[col]
        return hidden if pd.isna(v) else format_number(v, decimals=decimals, language=lang) + unit

    rows.append([
        t["regency"], num("n_desa"), num("keluarga"), num("need"), num("need_per_1000", 1),
        num("coverage_pct", 0, " %"), num("worst"), num("km_median", 1), num("pmks_total"),
        num("psks_total"),
    ])  # fmt: skip
    return header, rows


def plot_summary(data: ProfileData, *, built: dt.date | dt.datetime | str | None = None) -> Figure:
    """The A4 portrait summary page of the regency: the need map of every desa with the
    kecamatan outlines, and one row of key figures per kecamatan and for the regency."""
    lang = check_language(data.language)
    t = _T[lang]
    fig = _new_figure(A4_PORTRAIT)
    n_kec, n_desa = len(data.figures), len(data.areas)
    _header(
        fig, t["summary_title"].format(region=data.region.title()),
        t["summary_subtitle"].format(n=n_kec, d=n_desa, date=_built_text(built, lang)),
    )  # fmt: skip
    fig.text(0.05, 0.912, t["map"], fontsize=9, fontweight="bold", va="top")
    ax = fig.add_axes((0.04, 0.47, 0.62, 0.43))
    handles = _draw_need_map(ax, data, kecamatan_code=None)
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.88), frameon=False,
        fontsize=7.5, handlelength=1.4,
    )  # fmt: skip
    header, rows = _summary_rows(data)
    table_ax = fig.add_axes((0.05, 0.13, 0.90, 0.33))
    table_ax.set_axis_off()
    cells = [[_wrap(h, 10) for h in header], *rows]
    table = table_ax.table(cellText=cells, loc="upper center", cellLoc="right", edges="horizontal")
    table.auto_set_font_size(False)
    table.set_fontsize(6.8)
    widths = [0.16, 0.07, 0.11, 0.11, 0.10, 0.09, 0.09, 0.10, 0.09, 0.08]
    for (r, c), cell in table.get_celld().items():
        cell.set_width(widths[c])
        cell.set_height(0.052 if r == 0 else 0.052)
        cell.set_edgecolor("#bdbdbd")
        if c == 0:
            cell.set_text_props(ha="left")
            cell._loc = "left"  # type: ignore[attr-defined]  # (no public setter)
        if r == 0 or r == len(cells) - 1:
            cell.set_text_props(fontweight="bold")
        if r == 0:
            cell.set_height(0.10)
            cell.set_facecolor("#f0f0f0")
    fig.text(0.05, 0.125, t["star"], fontsize=7, color=SYNTHETIC_COLOR, fontweight="bold",
             va="top")  # fmt: skip
    _footer(fig, lang, top=0.10)
    return fig


def profile_stem(name: str) -> str:
    """File name (without suffix) of a kecamatan's profile.

    >>> profile_stem("Pahae Jae")
    'profil-pahae-jae'
    """
    return f"profil-{slug(name)}"


def write_profiles(
    data: ProfileData,
    out_dir: str | Path,
    *,
    built: dt.date | dt.datetime | str | None = None,
    codes: Sequence[str] | None = None,
    dpi: int = PROFILE_DPI,
) -> list[Path]:
    """Write the regency summary (``ringkasan-kabupaten.pdf``) and one profile per kecamatan
    (``profil-<name>.pdf``, or only those of `codes`) into `out_dir`; returns the paths,
    summary first."""
    out = Path(out_dir)
    wanted = data.kecamatan_codes() if codes is None else [str(c) for c in codes]
    paths = [export.save_figure(plot_summary(data, built=built), out / f"{SUMMARY_STEM}.pdf",
                                dpi=dpi)]  # fmt: skip
    names = data.figures.set_index(data.figures["kecamatan_code"].astype(str))["kecamatan"]
    for code in wanted:
        fig = plot_profile(data, code, built=built)
        stem = profile_stem(str(names.get(code, code)))
        paths.append(export.save_figure(fig, out / f"{stem}.pdf", dpi=dpi))
    return paths
