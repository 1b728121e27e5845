"""Joining canonical welfare tables to desa/kecamatan layers; the MatchReport; aggregation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.categories import CATALOGUE, CATEGORY_BY_CODE
from mapping.columns import JOINED_METHODS, TOTAL_ROW, Level, as_level
from mapping.errors import InputError, Problem, ProblemReport, report_language
from mapping.indicators import Rate, add_rates
from mapping.labels import text
from mapping.settings import Settings
from mapping.tables import ROW_LOG_COLUMNS, WelfareTable, canonical_frame, combine_tables

JoinLevel = Level
#: Method of input rows left out because they are of another year than the one joined.
OTHER_YEAR = "other-year"
#: What :func:`join_table` takes: a table, a canonical DataFrame, or several of them.
JoinInput: TypeAlias = WelfareTable | pd.DataFrame | Sequence[WelfareTable | pd.DataFrame]
#: Every method a MatchReport counts, in display order.
REPORT_METHODS: tuple[str, ...] = (
    "code",
    "exact",
    "normalized",
    "alias",
    "fuzzy",
    "spatial",
    "ambiguous",
    "unmatched",
    "outside",
    TOTAL_ROW,
    OTHER_YEAR,
)
_ORDER = {c.code: i for i, c in enumerate(CATALOGUE)}
#: Methods whose rows a person should look at: a name taken because it is similar, and rows
#: that reached no area.
REVIEW_METHODS: tuple[str, ...] = ("fuzzy", "ambiguous", "unmatched", "outside")
#: Headers of :meth:`MatchReport.to_table` in Indonesian and English.
MATCH_HEADERS: dict[str, dict[str, str]] = {
    "source_file": {"id": "berkas", "en": "file"},
    "sheet": {"id": "lembar", "en": "sheet"},
    "source_row": {"id": "baris", "en": "row"},
    "year": {"id": "tahun", "en": "year"},
    "input_name": {"id": "nama di berkas", "en": "name in file"},
    "input_kecamatan": {"id": "kecamatan di berkas", "en": "kecamatan in file"},
    "input_code": {"id": "kode di berkas", "en": "code in file"},
    "code": {"id": "kode wilayah", "en": "area code"},
    "name": {"id": "nama wilayah", "en": "area name"},
    "kecamatan": {"id": "kecamatan", "en": "kecamatan"},
    "method": {"id": "cara pencocokan", "en": "match method"},
    "score": {"id": "skor kemiripan", "en": "similarity score"},
    "candidates": {"id": "kandidat", "en": "candidates"},
    "status": {"id": "status", "en": "status"},
    "review": {"id": "perlu diperiksa", "en": "needs review"},
}
#: Match methods and row statuses in words.
METHOD_TEXTS: dict[str, dict[str, str]] = {
    "code": {"id": "kode", "en": "code"},
    "exact": {"id": "nama sama persis", "en": "exact name"},
    "normalized": {"id": "nama sama (ejaan dirapikan)", "en": "same name (normalised)"},
    "alias": {"id": "ejaan lain yang dikenal", "en": "known other spelling"},
    "fuzzy": {"id": "nama mirip (perlu diperiksa)", "en": "similar name (review)"},
    "spatial": {"id": "lokasi titik", "en": "point location"},
    "ambiguous": {"id": "nama ganda (tidak digabung)", "en": "ambiguous (not joined)"},
    "unmatched": {"id": "tidak ditemukan", "en": "not found"},
    "outside": {"id": "di luar kabupaten", "en": "outside the regency"},
    TOTAL_ROW: {"id": "baris jumlah", "en": "totals row"},
    OTHER_YEAR: {"id": "tahun lain", "en": "other year"},
    "joined": {"id": "digabung", "en": "joined"},
    "reported": {"id": "dilaporkan (tidak digabung)", "en": "reported (not joined)"},
    "no-data": {"id": "wilayah tanpa data", "en": "area without data"},
}
_YES = {"id": "ya", "en": "yes"}


@dataclass
class MatchReport:
    """What happened to every input row of a join, and which areas got no data.

    ``rows`` has the row log (see :data:`mapping.tables.ROW_LOG_COLUMNS`) plus ``status``:
    ``joined`` (the row reached an area) or ``reported`` (a totals row, an unmatched or
    ambiguous name, a point outside the regency, a row of another year than the one joined:
    method ``other-year``). ``missing`` lists the areas of the input level without any data
    of the joined year. Invariant: ``n_input == n_joined + n_reported``.
    """

    level: str
    rows: pd.DataFrame
    missing: pd.DataFrame
    problems: ProblemReport = field(default_factory=ProblemReport)

    @property
    def n_input(self) -> int:
        """Input rows (records) read."""
        return len(self.rows)

    @property
    def n_joined(self) -> int:
        """Input rows that reached an area."""
        return int((self.rows["status"] == "joined").sum())

    @property
    def n_reported(self) -> int:
        """Input rows that did not reach an area; each has a line in :meth:`to_frame`."""
        return int((self.rows["status"] == "reported").sum())

    def counts(self) -> pd.DataFrame:
        """Per method: the number of rows and their source row numbers."""
        out = []
        for method in REPORT_METHODS:
            part = self.rows[self.rows["method"] == method]
            if len(part):
                out.append(
                    {
                        "method": method,
                        "n_rows": len(part),
                        "rows": _ranges(part["source_row"].astype(int).tolist()),
                    }
                )
        return pd.DataFrame(out, columns=["method", "n_rows", "rows"])

    def to_frame(self) -> pd.DataFrame:
        """One line per input row (status joined/reported) and per area without data
        (status ``no-data``), for ``*_match_report.csv``."""
        no_data = pd.DataFrame(
            {
                "code": self.missing["code"],
                "name": self.missing["name"],
                "kecamatan": self.missing["kecamatan"],
                "method": "",
                "status": "no-data",
            }
        )
        out = pd.concat([self.rows, no_data], ignore_index=True)[[*ROW_LOG_COLUMNS, "status"]]
        return out.astype({"source_row": "Int64"})

    def to_table(self, *, language: str = "id") -> pd.DataFrame:
        """:meth:`to_frame` for people: headers, methods and statuses in `language` (id/en),
        and a column saying which rows need review (similar names, rows not joined)."""
        lang = report_language(language)
        frame = self.to_frame()
        frame["review"] = np.where(frame["method"].isin(REVIEW_METHODS), _YES[lang], "")
        for col in ("method", "status"):
            frame[col] = frame[col].map(lambda v: METHOD_TEXTS.get(v, {}).get(lang, v))
        return frame.rename(columns={k: v[lang] for k, v in MATCH_HEADERS.items()})

    def review(self) -> list[Problem]:
        """Warnings for the rows joined by a similar name (see :func:`review_problems`)."""
        return review_problems(self.rows)

    def describe(self) -> str:
        """The report in plain words; names matched by similarity are listed for review."""
        lines = [
            f"{self.n_input} input rows: {self.n_joined} joined to a {self.level}, "
            f"{self.n_reported} reported (not joined)."
        ]
        for _, r in self.counts().iterrows():
            rows = r["rows"] if len(r["rows"]) <= 60 else r["rows"][:60].rsplit(",", 1)[0] + ", ..."
            lines.append(f"  {r['method']:<11} {r['n_rows']:>5}  rows {rows}")
        bad = self.rows[self.rows["method"].isin(["ambiguous", "unmatched", "outside"])]
        for _, r in bad.iterrows():
            cands = f"; candidates: {r['candidates']}" if r["candidates"] else ""
            lines.append(f"  row {r['source_row']}: {r['input_name']!r} {r['method']}{cands}")
        fuzzy = self.rows[self.rows["method"] == "fuzzy"]
        if len(fuzzy):
            lines.append(f"{len(fuzzy)} name(s) matched by similarity, to review:")
        for _, r in fuzzy.iterrows():
            lines.append(
                f"  row {r['source_row']}: {r['input_name']!r} taken as {r['name']} "
                f"({r['code']}, score {r['score']})"
            )
        if len(self.missing):
            names = ", ".join(self.missing["name"].head(10))
            more = f" and {len(self.missing) - 10} more" if len(self.missing) > 10 else ""
            lines.append(f"{len(self.missing)} {self.level} without data: {names}{more}.")
        return "\n".join(lines)


def review_problems(rows: pd.DataFrame) -> list[Problem]:
    """One warning per row of a row log (``WelfareTable.rows``, ``MatchReport.rows``) whose
    name was matched by similarity (method ``fuzzy``): taken, but a person should confirm it.
    """
    out = []
    for _, r in rows[rows["method"] == "fuzzy"].iterrows():
        row = r.get("source_row")
        out.append(
            Problem(
                "fuzzy-match",
                f"{r['input_name']!r} was taken as {r['name']} ({r['code']}, kecamatan "
                f"{r['kecamatan']}) because the names are similar (score {r['score']})",
                file=str(r.get("source_file", "") or ""),
                sheet=str(r.get("sheet", "") or ""),
                row=None if pd.isna(row) else int(row),
                value=r["input_name"],
                expected=f"the name of a desa/kecamatan as written in the reference ({r['name']})",
                suggestion=f"check that it is {r['name']}; if so, write {r['name']!r} or the "
                f"code {r['code']} in the file; if not, correct the name",
                severity="warning",
            )
        )
    return out


def _ranges(rows: Sequence[int]) -> str:
    """Row numbers as ranges.

    >>> _ranges([7, 2, 3, 4, 9])
    '2-4, 7, 9'
    """
    out: list[str] = []
    values = sorted(set(rows))
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        out.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ", ".join(out)


def _as_table(table: JoinInput, level: Level) -> WelfareTable:
    if isinstance(table, WelfareTable):
        return table
    if not isinstance(table, pd.DataFrame):
        return combine_tables([_as_table(t, level) for t in table])
    data = canonical_frame(table)
    levels = sorted(set(data["level"].dropna()))
    if len(levels) > 1:
        msg = f"The table mixes levels {levels}; join one level at a time."
        raise InputError(msg)
    rows = pd.DataFrame(
        {
            "source_file": data["source_file"],
            "sheet": "",
            "source_row": data["source_row"],
            "year": data["year"],
            "input_name": "",
            "input_kecamatan": "",
            "input_code": data["area_code"],
            "code": data["area_code"],
            "name": "",
            "kecamatan": "",
            "method": "code",
            "score": 100.0,
            "candidates": "",
        }
    )
    return WelfareTable(
        data=data,
        rows=rows,
        report=ProblemReport(),
        level=as_level(levels[0], what="the table's level") if levels else level,
        layout="canonical",
        source_file=",".join(sorted(set(data["source_file"].dropna()))),
    )


def _of_year(data: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The values of `year`, and those without a year (the real indicators' source gives
    none); every value when `year` is None and the table has at most one year."""
    years = sorted({int(y) for y in data["year"].dropna()})
    if year is not None:
        if year not in years:
            msg = f"year={year} is not in the table; it has years {years}."
            raise InputError(msg)
        return data[(data["year"] == year).fillna(True)]
    if len(years) > 1:
        msg = f"The table has several years {years}; pass year= (or --year) to choose one."
        raise InputError(msg)
    return data


def _wide(data: pd.DataFrame) -> pd.DataFrame:
    """One row per area code, one column per category (catalogue order)."""
    dup = data.duplicated(["area_code", "category"], keep=False)
    if dup.any():
        example = data[dup].head(3)[["area_code", "category", "source_row"]].to_dict("records")
        msg = (
            f"The table has {int(dup.sum())} rows repeating an area and category "
            f"(e.g. {example}); read it with read_welfare, which reports and resolves them."
        )
        raise InputError(msg)
    wide = data.pivot(index="area_code", columns="category", values="value")
    cols = sorted(wide.columns, key=lambda c: (_ORDER.get(c, len(_ORDER)), c))
    return wide[cols].astype(float)


def join_table(
    table: JoinInput,
    *,
    level: JoinLevel = "desa",
    year: int | None = None,
    layer: gpd.GeoDataFrame | None = None,
    rates: Mapping[str, Rate] | None = None,
    settings: Settings | None = None,
    desa: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, MatchReport]:
    """Join a canonical table to the desa or kecamatan layer.

    Returns the layer with one column per category (every area present; an area without data
    keeps NaN, never 0) and a :class:`MatchReport`. Desa data joined at ``level='kecamatan'``
    is summed per kecamatan (see :func:`aggregate_to_kecamatan`); kecamatan data cannot be
    joined at desa level.

    Parameters
    ----------
    table
        A :class:`~mapping.tables.WelfareTable` or a DataFrame with the canonical columns, or
        a list of them (of one level, e.g. the PMKS sheet and the family counts): they are
        combined with :func:`~mapping.tables.combine_tables` and reported together.
    level
        The layer to join to.
    year
        The year to join; needed when the table has several. Values of other years are left
        out and their input rows reported with method ``other-year``; values without a year
        (the real indicators) are kept.
    layer
        The layer of `level` (the canonical one is loaded when None).
    desa
        The desa layer desa data is joined to before it is summed per kecamatan (at
        ``level='kecamatan'``); default `layer` at desa level, else the canonical one. Give
        it, with `layer`, for a region other than Tapanuli Utara
        (:func:`mapping.layers.region_layers`).
    rates
        Rate columns to add, computed from the joined (or summed) counts.
    """
    if level not in ("desa", "kecamatan"):
        msg = f"level={level!r} cannot be joined; expected 'desa' or 'kecamatan'."
        raise InputError(msg)
    t = _as_table(table, level)
    if t.level == "kecamatan" and level == "desa":
        msg = (
            f"{t.source_file} holds kecamatan totals; they cannot be joined at desa level "
            "because nothing says how each total divides among the kecamatan's desa (any split "
            "would invent numbers). Join it with level='kecamatan', or get the desa figures."
        )
        raise InputError(msg)
    from mapping.boundaries import load_layer

    if layer is not None and t.level == level:
        base = layer.copy()
    elif desa is not None and t.level == "desa":
        base = desa.copy()
    else:
        base = load_layer(t.level, settings=settings)
    data = _of_year(t.data, year)
    wide = _wide(data)
    joined = base.merge(wide, how="left", left_on="code", right_index=True)
    joined["has_data"] = joined["code"].isin(wide.index)
    categories = list(wide.columns)
    if t.level == "desa" and level == "kecamatan":
        kec = layer.copy() if layer is not None else load_layer("kecamatan", settings=settings)
        joined = aggregate_to_kecamatan(joined, columns=categories, kecamatan=kec)
    if rates:
        joined = add_rates(joined, rates)
    report = _report(t, base, data, year)
    joined = gpd.GeoDataFrame(joined, geometry="geometry", crs=base.crs)
    joined.attrs.update(
        source_file=t.source_file,
        synthetic=t.synthetic,
        caption=text("synthetic") if t.synthetic else "",
        categories=categories,
    )
    return joined, report


def _report(
    t: WelfareTable, base: gpd.GeoDataFrame, data: pd.DataFrame, year: int | None
) -> MatchReport:
    """The MatchReport of `t` joined to `base`, `data` being the values of the joined year."""
    rows = t.rows.copy()
    joined = rows["method"].isin(JOINED_METHODS) & rows["code"].isin(base["code"])
    if year is not None:  # a row dated another year reached its area but is not in the layer
        years = pd.to_numeric(rows["year"], errors="coerce")
        other = joined & years.notna() & (years != year)
        rows.loc[other, "method"] = OTHER_YEAR
        joined &= ~other
    rows["status"] = np.where(joined, "joined", "reported")
    present = set(data["area_code"].dropna())
    missing_cols = [c for c in ("code", "name", "kecamatan") if c in base.columns]
    missing = base.loc[~base["code"].isin(present), missing_cols].copy()
    if "kecamatan" not in missing.columns:
        missing["kecamatan"] = missing["name"]
    return MatchReport(
        level=t.level, rows=rows, missing=missing.reset_index(drop=True), problems=t.report
    )


def aggregate_to_kecamatan(
    desa: gpd.GeoDataFrame,
    *,
    columns: Sequence[str],
    kecamatan: gpd.GeoDataFrame,
    rates: Mapping[str, Rate] | None = None,
    partial: Literal["missing", "sum"] = "missing",
) -> gpd.GeoDataFrame:
    """Sum desa `columns` per kecamatan onto the `kecamatan` layer; rates recomputed from sums.

    A kecamatan whose desa all lack a value gets NaN. With ``partial='missing'`` (default) a
    kecamatan where only some desa lack the value also gets NaN, because the sum would
    undercount; ``partial='sum'`` sums the desa that have it. ``n_desa_data`` says how many desa
    of the kecamatan have any data. Rates are never averaged: give them in `rates`.
    """
    if partial not in ("missing", "sum"):
        msg = f"partial={partial!r}; expected 'missing' or 'sum'."
        raise InputError(msg)
    missing = [c for c in ["kecamatan_code", *columns] if c not in desa.columns]
    if missing:
        msg = f"Cannot aggregate: desa layer lacks column(s) {missing}."
        raise InputError(msg)
    groups = desa.groupby("kecamatan_code")
    sums = groups[list(columns)].sum(min_count=1)
    if partial == "missing":
        complete = groups[list(columns)].count() == groups.size().to_numpy()[:, None]
        sums = sums.where(complete)
    n_data = groups["has_data"].sum() if "has_data" in desa.columns else groups.size()
    out = kecamatan.copy().merge(sums, how="left", left_on="code", right_index=True)
    out["n_desa_data"] = out["code"].map(n_data).fillna(0).astype(int)
    out["has_data"] = out["n_desa_data"] > 0
    if rates:
        out = add_rates(out, rates)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=kecamatan.crs)


def category_label(code: str) -> str:
    """The Indonesian name of a category column (or the code itself if not in the catalogue)."""
    cat = CATEGORY_BY_CODE.get(code)
    return cat.name_id if cat else code
