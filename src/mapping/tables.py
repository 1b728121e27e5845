"""Turning welfare spreadsheets (wide/long, desa/kecamatan) into the validated canonical table."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from mapping.categories import CATEGORY_BY_CODE, HEADER_TAKEN, match_header, match_headers
from mapping.errors import InputError, Problem, ProblemReport
from mapping.gazetteer import MATCH_COLUMNS, TAKEN_METHODS, Gazetteer
from mapping.names import fold, parse_code
from mapping.readers import (
    Cell,
    NumberFormatError,
    RawTable,
    is_blank,
    is_total_label,
    parse_number,
    read_raw_table,
    year_in_title,
)
from mapping.settings import Settings

log = logging.getLogger(__name__)

Level = Literal["desa", "kecamatan"]
LEVELS: tuple[str, ...] = ("desa", "kecamatan")

#: The canonical long table: one row per area, year and category.
CANONICAL_COLUMNS: list[str] = [
    "area_code",
    "level",
    "year",
    "group",
    "category",
    "value",
    "source_file",
    "source_row",
]
#: One row per input record (table row or point): where it went and why, and its year.
ROW_LOG_COLUMNS: list[str] = ["source_file", "sheet", "source_row", "year", *MATCH_COLUMNS[1:]]
TOTAL_ROW = "total-row"
#: Methods of input records that reach an area (gazetteer matches and points inside a desa).
JOINED_METHODS: frozenset[str] = TAKEN_METHODS | {"spatial"}
SYNTHETIC_LABEL = "contoh sintetis"


def as_level(value: object, *, what: str = "level") -> Level:
    """`value` as a table level (``desa`` or ``kecamatan``); an error naming `what` otherwise.

    >>> as_level("kecamatan")
    'kecamatan'
    """
    if value == "desa":
        return "desa"
    if value == "kecamatan":
        return "kecamatan"
    msg = f"{what}={value!r} is not a table level; expected one of {list(LEVELS)}."
    raise InputError(msg)


@dataclass
class WelfareTable:
    """A welfare input read into the canonical long table, with its row log and problems.

    ``data`` has :data:`CANONICAL_COLUMNS` (matched areas only; a value that was blank or
    invalid is NaN). ``rows`` has :data:`ROW_LOG_COLUMNS`: one line per input record, in input
    order, with the match method (``total-row`` for totals rows). ``report`` lists every problem.
    ``skipped`` lists the file rows that are not records (column numbers under the header,
    footnotes) with the reason; blank rows are not listed.
    """

    data: pd.DataFrame
    rows: pd.DataFrame
    report: ProblemReport
    level: Level
    layout: str
    source_file: str
    sheet: str = ""
    title: tuple[str, ...] = ()
    headers: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: tuple[tuple[int, str], ...] = ()

    @property
    def synthetic(self) -> bool:
        """True when the file says it is a synthetic sample (``contoh sintetis``)."""
        texts = [self.source_file, *self.title, *map(str, self.headers.get("header", []))]
        return any(SYNTHETIC_LABEL in fold(t) for t in texts)

    def summary(self) -> str:
        """One line: rows read, layout, level, categories, errors, warnings, skipped rows."""
        n_cat = self.data["category"].nunique()
        joined = int(self.rows["method"].isin(JOINED_METHODS).sum())
        where = self.source_file + (f" (sheet '{self.sheet}')" if self.sheet else "")
        text = (
            f"{where}: {len(self.rows)} input rows ({self.layout}, {self.level} level), "
            f"{joined} matched to an area, {n_cat} categories, {len(self.data)} values; "
            f"{len(self.report.errors)} error(s), {len(self.report.warnings)} warning(s)."
        )
        if self.skipped:
            text += " Not data: " + "; ".join(f"row {r} ({why})" for r, why in self.skipped) + "."
        return text


def canonical_frame(records: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A canonical table with the right columns and dtypes from records (or a frame)."""
    df = pd.DataFrame(records if not isinstance(records, pd.DataFrame) else records.copy())
    missing = [c for c in CANONICAL_COLUMNS if c not in df.columns]
    if missing:
        msg = (
            f"A canonical welfare table needs columns {CANONICAL_COLUMNS}; missing {missing}."
            if len(df.columns)
            else ""
        )
        if msg:
            raise InputError(msg)
        df = pd.DataFrame({c: [] for c in CANONICAL_COLUMNS})
    out = pd.DataFrame(
        {
            "area_code": df["area_code"].astype("string"),
            "level": df["level"].astype("string"),
            "year": pd.to_numeric(df["year"], errors="coerce").astype("Int64"),
            "group": df["group"].astype("string"),
            "category": df["category"].astype("string"),
            "value": pd.to_numeric(df["value"], errors="coerce").astype("float64"),
            "source_file": df["source_file"].astype("string"),
            "source_row": pd.to_numeric(df["source_row"], errors="coerce").astype("Int64"),
        }
    )
    return out.reset_index(drop=True)


def _empty_log() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ROW_LOG_COLUMNS})


# --- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    name: str | None
    kecamatan: str | None
    code: str | None
    kecamatan_code: str | None
    no: str | None
    year: str | None
    category: str | None
    value: str | None
    data: tuple[str, ...]
    row_totals: tuple[str, ...]


def _find_columns(raw: RawTable, report: ProblemReport) -> _Columns:
    roles = raw.roles()
    by_role: dict[str, list[str]] = {}
    for col, role in roles.items():
        by_role.setdefault(role, []).append(col)

    def first(role: str) -> str | None:
        cols = by_role.get(role, [])
        for extra in cols[1:]:
            report.add(
                _problem(
                    raw,
                    "extra-key-column",
                    f"second {role} column ignored",
                    row=_header_row(raw),
                    column=extra,
                    value=extra,
                    expected=f"one {role} column",
                    severity="warning",
                    suggestion=f"the first one, {cols[0]!r}, is used; rename or delete the other",
                )
            )
        return cols[0] if cols else None

    codes = by_role.get("code", [])
    kec_codes = [c for c in codes if "kec" in fold(c)]
    by_role["code"] = [c for c in codes if c not in kec_codes]
    kecamatan = first("kecamatan")
    name = first("desa") or first("area")
    long = bool(by_role.get("category")) and bool(by_role.get("value"))
    blank_unnamed = {
        c
        for c in by_role.get("", [])
        if c.startswith("column ") and raw.cells[c].map(is_blank).all()
    }
    data = tuple(c for c in by_role.get("", []) if c not in blank_unnamed)
    return _Columns(
        name=name,
        kecamatan=kecamatan,
        code=first("code"),
        kecamatan_code=kec_codes[0] if kec_codes else None,
        no=first("no"),
        year=first("year"),
        category=first("category") if long else None,
        value=first("value") if long else None,
        data=() if long else data,
        row_totals=() if long else tuple(by_role.get("value", [])),
    )


def _problem(raw: RawTable, kind: str, message: str, **kw: Any) -> Problem:
    return Problem(kind=kind, message=message, file=raw.file, sheet=raw.sheet, **kw)


def _header_row(raw: RawTable) -> int | None:
    """The file row of the (lower) header row: where a column's label is."""
    return raw.header_rows[-1] if raw.header_rows else None


def _infer_level(raw: RawTable, cols: _Columns, level: str | None) -> Level:
    if level is not None:
        lvl = as_level(level)
        if lvl == "kecamatan" and cols.name is not None and cols.kecamatan is not None:
            msg = (
                f"level='kecamatan' but {raw.file} has a desa column {cols.name!r} as well as "
                f"{cols.kecamatan!r}: read it with level='desa' and aggregate it with "
                "join_table(..., level='kecamatan')."
            )
            raise InputError(msg)
        return lvl
    code_col = cols.code or (cols.kecamatan_code if cols.name is None else None)
    if code_col is not None:
        levels = [p.level for p in map(parse_code, raw.cells[code_col]) if p is not None]
        n_desa, n_kec = levels.count("desa"), levels.count("kecamatan")
        if n_desa or n_kec:
            return "kecamatan" if n_kec > n_desa else "desa"
    if cols.name is None and (cols.kecamatan or cols.kecamatan_code) is not None:
        return "kecamatan"
    return "desa"


def _key_inputs(
    raw: RawTable, cols: _Columns, level: Level
) -> tuple[list[Cell], list[Cell], list[Cell]]:
    """Per row: the name, the kecamatan (desa level) and the code to match."""
    cells = raw.cells
    n = len(cells)

    def col(c: str | None) -> list[Cell]:
        return [None if is_blank(v) else v for v in cells[c]] if c else [None] * n

    if level == "kecamatan":
        return col(cols.name or cols.kecamatan), [None] * n, col(cols.code or cols.kecamatan_code)
    return col(cols.name), col(cols.kecamatan or cols.kecamatan_code), col(cols.code)


def _key_cells(raw: RawTable, cols: _Columns, i: int) -> list[Cell]:
    """Row `i`'s cells in the columns that can say it is a totals row (No, names, codes)."""
    keys = (cols.no, cols.name, cols.kecamatan, cols.code, cols.kecamatan_code, cols.category)
    return [raw.cells.iat[i, raw.cells.columns.get_loc(c)] for c in keys if c]


def _is_total_row(raw: RawTable, cols: _Columns, i: int) -> bool:
    return any(is_total_label(c) for c in _key_cells(raw, cols, i))


# --- values -------------------------------------------------------------------------------


def _value(
    raw: RawTable, cell: Any, *, row: int, column: str, category: str, report: ProblemReport
) -> float:
    """The parsed cell, or NaN with a problem recorded."""
    try:
        value = parse_number(cell)
    except NumberFormatError:
        report.add(
            _problem(
                raw,
                "non-numeric",
                "not a number",
                row=row,
                column=column,
                value=cell,
                expected="a number such as 12, 1.234 or '-' for zero",
                suggestion="leave the cell blank if the value is unknown",
            )
        )
        return math.nan
    if math.isnan(value):
        return value
    if value < 0:
        report.add(
            _problem(
                raw,
                "negative",
                "negative value",
                row=row,
                column=column,
                value=cell,
                expected="a value of 0 or more",
                suggestion="leave the cell blank if the value is unknown",
            )
        )
        return math.nan
    cat = CATEGORY_BY_CODE.get(category)
    if cat is not None and cat.kind == "count" and not float(value).is_integer():
        thousands = isinstance(cell, str) and re.fullmatch(r"\s*\d{1,3},\d{3}\s*", cell)
        hint = (
            f"if {cell!r} means {int(round(value * 1000))}, write it as "
            f"{int(round(value * 1000))} or with a dot ({_dotted(value * 1000)})"
            if thousands
            else "counts of people or units are whole numbers"
        )
        report.add(
            _problem(
                raw,
                "fractional-count",
                "fractional count",
                row=row,
                column=column,
                value=cell,
                expected="a whole number",
                suggestion=hint,
            )
        )
        return math.nan
    return value


def _dotted(value: float) -> str:
    return f"{int(round(value)):,}".replace(",", ".")


def _year(
    raw: RawTable, cols: _Columns, year: int | None, report: ProblemReport
) -> list[int | None]:
    """The year of each row: its ``Tahun`` cell, else the year in the title rows, else `year`.

    `year` only fills rows the file does not date; it never overrides a year the file gives.
    """
    titled = year_in_title(raw.title)
    undated = titled if titled is not None else year
    if cols.year is None:
        return [undated] * len(raw.cells)
    out: list[int | None] = []
    for row, cell in zip(raw.cells.index, raw.cells[cols.year], strict=True):
        try:
            value = parse_number(cell)
        except NumberFormatError:
            value = math.nan
        if math.isnan(value) and is_blank(cell):
            out.append(undated)
        elif math.isnan(value) or not value.is_integer() or not 1900 <= value <= 2100:
            report.add(
                _problem(
                    raw,
                    "invalid-year",
                    "not a year",
                    row=int(row),
                    column=cols.year,
                    value=cell,
                    expected="a year such as 2024",
                    suggestion="write the year in four digits, or leave the cell blank and "
                    "pass year= (--year), which fills blank cells",
                )
            )
            out.append(None)
        else:
            out.append(int(value))
    return out


def _group_hint(raw: RawTable, column: str) -> tuple[str, ...] | None:
    top = fold(raw.groups.get(column, ""))
    if "pmks" in top or "penyandang masalah" in top:
        return ("pmks",)
    if "psks" in top or "potensi" in top or "sumber kesejahteraan" in top:
        return ("psks",)
    return None


def _match_categories(raw: RawTable, cols: _Columns, report: ProblemReport) -> pd.DataFrame:
    rows = []
    for col in cols.data:
        hint = _group_hint(raw, col)
        m = match_header(col, groups=hint)
        if m["method"] not in HEADER_TAKEN and hint is not None:
            m = match_header(col)
        rows.append(m)
    headers = match_headers([]) if not rows else pd.DataFrame(rows)
    for _, m in headers.iterrows():
        if m["method"] not in HEADER_TAKEN:
            what = "fits several categories" if m["method"] == "ambiguous" else "is not a category"
            report.add(
                _problem(
                    raw,
                    "unknown-category",
                    f"column header {what}; column skipped",
                    row=_header_row(raw),
                    column=m["header"],
                    value=m["header"],
                    expected="a PMKS/PSKS category or desa indicator",
                    suggestion=_closest(m["candidates"]) + "; rename the header",
                )
            )
    taken = headers[headers["method"].isin(HEADER_TAKEN)] if len(headers) else headers
    for code, dup in taken.groupby("category") if len(taken) else []:
        if len(dup) > 1:
            names = list(dup["header"])
            report.add(
                _problem(
                    raw,
                    "duplicate-category-column",
                    f"columns {names} all mean {CATEGORY_BY_CODE[code].label}",
                    row=_header_row(raw),
                    column=names[1],
                    value=names[1],
                    expected="one column per category",
                    suggestion=f"only {names[0]!r} is used; merge or rename the others",
                )
            )
    return headers


def _closest(candidates: str) -> str:
    if not candidates:
        return "no close category"
    return "closest: " + ", ".join(candidates.split(";"))


# --- the canonical table --------------------------------------------------------------------


def canonicalize(
    raw: RawTable,
    *,
    level: Level | None = None,
    year: int | None = None,
    strict: bool = False,
    settings: Settings | None = None,
    gazetteer: Gazetteer | None = None,
) -> WelfareTable:
    """The canonical long table of a located raw table, validated.

    Parameters
    ----------
    raw
        The table body from :func:`mapping.readers.locate_table`.
    level
        ``desa`` or ``kecamatan``; inferred from the columns and codes when None.
    year
        The year of the rows the file does not date: rows without a ``Tahun`` cell (blank, or
        no such column) in a file whose title rows name no year. A year the file gives is
        never overridden; to map one year of a multi-year table, read it whole and
        pass the year to :func:`mapping.join.join_table`, which reports the other years' rows.
    strict
        Raise :class:`~mapping.errors.ValidationFailed` listing every error instead of
        keeping the errors in ``report``.
    gazetteer
        A :class:`mapping.gazetteer.Gazetteer` of the level (loaded when None).
    """
    report = ProblemReport(raw.uncalculated_problems())
    cols = _find_columns(raw, report)
    where = raw.where
    if all(c is None for c in (cols.name, cols.code, cols.kecamatan, cols.kecamatan_code)):
        msg = (
            f"No area column found in {where}; found: {list(raw.cells.columns)}. Name the column "
            "of desa names 'Desa' or 'Kelurahan', of kecamatan names 'Kecamatan', or of codes "
            "'Kode'."
        )
        raise InputError(msg)
    lvl = _infer_level(raw, cols, level)
    if cols.category is None and not cols.data:
        msg = (
            f"No data columns in {where}; found: {list(raw.cells.columns)}. Expected one column "
            "per category (wide) or 'Kategori' and 'Jumlah' columns (long)."
        )
        raise InputError(msg)
    if gazetteer is None:
        gazetteer = Gazetteer.load(level=lvl, settings=settings)
    elif gazetteer.level != lvl:
        msg = f"gazetteer is of level {gazetteer.level!r}; the table is read at level {lvl!r}."
        raise InputError(msg)
    headers = _match_categories(raw, cols, report)
    years = _year(raw, cols, year, report)

    n = len(raw.cells)
    totals = [_is_total_row(raw, cols, i) for i in range(n)]
    names, kecs, codes = _key_inputs(raw, cols, lvl)
    data_idx = [i for i in range(n) if not totals[i]]
    matches = gazetteer.match(
        [names[i] for i in data_idx],
        kecamatan=[kecs[i] for i in data_idx],
        codes=[codes[i] for i in data_idx],
    )
    log_rows = _row_log(raw, cols, totals, years, (names, kecs, codes), data_idx, matches)
    _area_problems(raw, log_rows, cols, lvl, report)
    _code_name_conflicts(raw, log_rows, gazetteer, cols, lvl, report)

    if cols.category is not None and cols.value is not None:
        values = _long_values(raw, cols.category, cols.value, totals, report)
    else:
        values = _wide_values(raw, cols, headers, report)
    _check_totals(raw, values, totals, report)
    _check_row_totals(raw, cols, values, totals, report)

    records = []
    for i in data_idx:
        area = log_rows[i]
        if area["method"] not in JOINED_METHODS:
            continue
        for category, _column, value in values[i]:
            if category is None:
                continue
            records.append(
                {
                    "area_code": area["code"],
                    "level": lvl,
                    "year": years[i],
                    "group": CATEGORY_BY_CODE[category].group,
                    "category": category,
                    "value": value,
                    "source_file": raw.file,
                    "source_row": int(raw.cells.index[i]),
                }
            )
    columns = {cat: col for row_values in values for cat, col, _ in row_values if cat}
    data = _deduplicate(raw, canonical_frame(records), columns, report)
    _missing_areas(raw, data, gazetteer, cols, lvl, report)
    rows = pd.DataFrame(log_rows, columns=ROW_LOG_COLUMNS) if log_rows else _empty_log()
    table = WelfareTable(
        data=data,
        rows=rows,
        report=report,
        level=lvl,
        layout="long" if cols.category else "wide",
        source_file=raw.file,
        sheet=raw.sheet,
        title=raw.title,
        headers=headers,
        skipped=raw.skipped,
    )
    log.debug(table.summary())
    if strict:
        report.raise_if_errors(context=where)
    return table


def _row_log(
    raw: RawTable,
    cols: _Columns,
    totals: Sequence[bool],
    years: Sequence[int | None],
    keys: tuple[Sequence[Any], Sequence[Any], Sequence[Any]],
    data_idx: Sequence[int],
    matches: pd.DataFrame,
) -> list[dict[str, Any]]:
    """One log line per row; `keys` are the rows' (name, kecamatan, code) inputs."""
    names, kecs, codes = keys
    by_pos = dict(zip(data_idx, matches.to_dict("records"), strict=True))
    rows = []
    for i in range(len(totals)):
        base = {
            "source_file": raw.file,
            "sheet": raw.sheet,
            "source_row": int(raw.cells.index[i]),
            "year": years[i],
            "input_name": "" if names[i] is None else str(names[i]).strip(),
            "input_kecamatan": "" if kecs[i] is None else str(kecs[i]).strip(),
            "input_code": "" if codes[i] is None else str(codes[i]).strip(),
        }
        if totals[i]:
            base["input_name"] = base["input_name"] or _total_label(raw, cols, i)
            base.update(
                code="", name="", kecamatan="", method=TOTAL_ROW, score=math.nan, candidates=""
            )
        else:
            m = by_pos[i]
            base.update(
                {k: m[k] for k in ("code", "name", "kecamatan", "method", "score", "candidates")}
            )
        rows.append(base)
    return rows


def _total_label(raw: RawTable, cols: _Columns, i: int) -> str:
    """The text that makes row `i` a totals row ("JUMLAH"), in whichever key column it is."""
    cells = _key_cells(raw, cols, i)
    return str(next((c for c in cells if is_total_label(c)), "")).strip()


def _area_column(cols: _Columns, level: Level) -> str:
    """The column whose value names the area of a row."""
    if level == "kecamatan":
        return cols.name or cols.kecamatan or cols.code or cols.kecamatan_code or ""
    return cols.name or cols.code or ""


def _area_problems(
    raw: RawTable,
    log_rows: list[dict[str, Any]],
    cols: _Columns,
    level: Level,
    report: ProblemReport,
) -> None:
    column = _area_column(cols, level)
    for r in log_rows:
        method = r["method"]
        if method in JOINED_METHODS or method == TOTAL_ROW:
            continue
        value = r["input_name"] or r["input_code"]
        if not value:
            report.add(
                _problem(
                    raw,
                    "unknown-area",
                    "row has no area name or code",
                    row=r["source_row"],
                    column=column,
                    value="(blank)",
                    expected=f"a {level} name or code",
                    suggestion="fill in the name, or delete the row if it holds no data",
                )
            )
            continue
        cands = ", ".join(r["candidates"].split(";")) if r["candidates"] else ""
        if method == "ambiguous":
            report.add(
                _problem(
                    raw,
                    "ambiguous-area",
                    f"{level} name fits several areas",
                    row=r["source_row"],
                    column=column,
                    value=value,
                    expected=f"one {level} of Tapanuli Utara",
                    suggestion=f"add a kecamatan column or a code; candidates: {cands}",
                )
            )
        else:
            where = f" in kecamatan {r['input_kecamatan']!r}" if r["input_kecamatan"] else ""
            report.add(
                _problem(
                    raw,
                    "unknown-area",
                    f"unknown {level}{where}",
                    row=r["source_row"],
                    column=column,
                    value=value,
                    expected=f"a {level} of Tapanuli Utara",
                    suggestion=f"closest: {cands}" if cands else "no close name",
                )
            )


def _code_name_conflicts(
    raw: RawTable,
    log_rows: list[dict[str, Any]],
    gazetteer: Gazetteer,
    cols: _Columns,
    level: Level,
    report: ProblemReport,
) -> None:
    """Warn when a row's code and its name clearly name different areas (the code is used)."""
    rows = [
        r
        for r in log_rows
        if r["method"] == "code" and r["input_name"] and parse_code(r["input_name"]) is None
    ]
    if not rows:
        return
    by_name = gazetteer.match(
        [r["input_name"] for r in rows],
        kecamatan=[r["input_kecamatan"] or None for r in rows],
    )
    for r, m in zip(rows, by_name.to_dict("records"), strict=True):
        if m["method"] not in TAKEN_METHODS or m["code"] == r["code"]:
            continue
        report.add(
            _problem(
                raw,
                "code-name-mismatch",
                f"the code gives {r['name']} ({r['code']}) but the name is {m['name']} "
                f"({m['code']}); the code is used",
                row=r["source_row"],
                column=_area_column(cols, level),
                value=r["input_name"],
                expected=f"the name of {level} {r['code']}, {r['name']}",
                suggestion="correct the code or the name",
                severity="warning",
            )
        )


_Values = list[list[tuple[str | None, str, float]]]  # per row: (category, column, value)


def _wide_values(
    raw: RawTable, cols: _Columns, headers: pd.DataFrame, report: ProblemReport
) -> _Values:
    seen: set[str] = set()
    use: list[tuple[str, str]] = []
    for _, m in headers.iterrows():
        if m["method"] in HEADER_TAKEN and m["category"] not in seen:
            seen.add(m["category"])
            use.append((m["header"], m["category"]))
    out: _Values = []
    for i, row in enumerate(raw.cells.index):
        out.append(
            [
                (
                    cat,
                    col,
                    _value(
                        raw,
                        raw.cells.iat[i, raw.cells.columns.get_loc(col)],
                        row=int(row),
                        column=col,
                        category=cat,
                        report=report,
                    ),
                )
                for col, cat in use
            ]
        )
    return out


def _long_values(
    raw: RawTable,
    category_col: str,
    value_col: str,
    totals: Sequence[bool],
    report: ProblemReport,
) -> _Values:
    """Per row: the one (category, column, value) of a long table.

    A totals row whose category cell is blank or a total word ("Jumlah") totals every
    category (:data:`_ALL`); one naming a category totals that category.
    """
    cache: dict[str, dict[str, object]] = {}
    out: _Values = []
    for i, (row, label, cell) in enumerate(
        zip(raw.cells.index, raw.cells[category_col], raw.cells[value_col], strict=True)
    ):
        key = "" if is_blank(label) else str(label).strip()
        m = cache.get(key) or cache.setdefault(key, match_header(key))
        taken = m["method"] in HEADER_TAKEN
        if totals[i]:
            cat = str(m["category"]) if taken and not is_total_label(key) else _ALL
            v = _value(raw, cell, row=int(row), column=value_col, category=cat, report=report)
            out.append([(cat, value_col, v)])
            continue
        if not taken:
            report.add(
                _problem(
                    raw,
                    "unknown-category",
                    "not a category; row skipped",
                    row=int(row),
                    column=category_col,
                    value=key or "(blank)",
                    expected="a PMKS/PSKS category or desa indicator",
                    suggestion=_closest(str(m["candidates"])),
                )
            )
            out.append([(None, value_col, math.nan)])
            continue
        cat = str(m["category"])
        v = _value(raw, cell, row=int(row), column=value_col, category=cat, report=report)
        out.append([(cat, value_col, v)])
    return out


#: The category of a long table's totals row that sums every category of its rows.
_ALL = "*"


def _check_totals(
    raw: RawTable, values: _Values, totals: Sequence[bool], report: ProblemReport
) -> None:
    """Warn when a totals row equals neither the sum of the data rows since the previous
    totals row (a subtotal) nor the sum of every data row above it (a grand total)."""
    since: dict[str, float] = {}
    above: dict[str, float] = {}
    start = 0
    for i, cells in enumerate(values):
        if not totals[i]:
            for cat, _, v in cells:
                if cat is not None and not math.isnan(v):
                    for key in (cat, _ALL):
                        since[key] = since.get(key, 0.0) + v
                        above[key] = above.get(key, 0.0) + v
            continue
        row = int(raw.cells.index[i])
        block = [int(r) for r in raw.cells.index[start:i]]
        for cat, col, v in cells:
            if cat is None or math.isnan(v):
                continue
            part, whole = since.get(cat, 0.0), above.get(cat, 0.0)
            if math.isclose(v, part, abs_tol=1e-6) or math.isclose(v, whole, abs_tol=1e-6):
                continue
            sums = []
            if block:
                sums.append(f"{_fmt(part)} (sum of rows {block[0]}-{block[-1]})")
            if not block or not math.isclose(part, whole, abs_tol=1e-6):
                sums.append(f"{_fmt(whole)} (sum of all data rows above)")
            what = "every category" if cat == _ALL else CATEGORY_BY_CODE[cat].name_id
            report.add(
                _problem(
                    raw,
                    "total-mismatch",
                    f"totals row does not equal the sum of its rows ({what})",
                    row=row,
                    column=col,
                    value=_fmt(v),
                    expected=" or ".join(sums),
                    suggestion="check the rows above or the total",
                    severity="warning",
                )
            )
        since = {}
        start = i + 1


def _check_row_totals(
    raw: RawTable,
    cols: _Columns,
    values: _Values,
    totals: Sequence[bool],
    report: ProblemReport,
) -> None:
    """Warn when a wide table's 'Jumlah' column differs from the sum of the row's categories."""
    for col in cols.row_totals:
        for i, row in enumerate(raw.cells.index):
            cell = raw.cells.iat[i, raw.cells.columns.get_loc(col)]
            try:
                total = parse_number(cell)
            except NumberFormatError:
                total = math.nan
            parts = [v for cat, _, v in values[i] if cat is not None and not math.isnan(v)]
            if math.isnan(total) or not parts:
                continue
            if not math.isclose(total, sum(parts), abs_tol=1e-6):
                report.add(
                    _problem(
                        raw,
                        "row-total-mismatch",
                        "row total does not equal the sum of the row's categories",
                        row=int(row),
                        column=col,
                        value=_fmt(total),
                        expected=_fmt(sum(parts)),
                        suggestion="check the row's cells or its total",
                        severity="warning",
                    )
                )


def _fmt(value: float) -> str:
    return f"{value:g}" if not float(value).is_integer() else f"{int(value)}"


def _deduplicate(
    raw: RawTable, data: pd.DataFrame, columns: Mapping[str, str], report: ProblemReport
) -> pd.DataFrame:
    """One row per area, category and year; identical repeats warned, conflicts are errors.

    `columns` gives the file column of each category, for the report.
    """
    key = ["area_code", "category", "year"]
    dup = data.duplicated(key, keep=False)
    if not dup.any():
        return data
    keep = ~dup
    for (code, cat, yr), part in data[dup].groupby(key, dropna=False, sort=False):
        rows = [int(r) for r in part["source_row"]]
        vals = part["value"]
        first = part.index[0]
        same = vals.nunique(dropna=False) == 1
        what = f"{code} {CATEGORY_BY_CODE[str(cat)].name_id}" + (
            "" if pd.isna(yr) else f", year {yr}"
        )
        shown = [_fmt(v) if not math.isnan(v) else "blank" for v in vals]
        if same:
            report.add(
                _problem(
                    raw,
                    "duplicate",
                    f"{what} appears in rows {rows} with the same value; counted once",
                    row=rows[1],
                    column=columns.get(str(cat), str(cat)),
                    value=shown[0],
                    expected="one row per area, category and year",
                    suggestion="delete the repeated row",
                    severity="warning",
                )
            )
        else:
            listed = ", ".join(f"row {r}: {v}" for r, v in zip(rows, shown, strict=True))
            report.add(
                _problem(
                    raw,
                    "duplicate-conflict",
                    f"{what} has different values ({listed}); kept as missing",
                    row=rows[1],
                    column=columns.get(str(cat), str(cat)),
                    value=" / ".join(shown),
                    expected="one value per area, category and year",
                    suggestion="remove or correct the repeated row",
                )
            )
            data.loc[first, "value"] = math.nan
        keep[first] = True
    return data[keep].reset_index(drop=True)


def _missing_areas(
    raw: RawTable,
    data: pd.DataFrame,
    gazetteer: Gazetteer,
    cols: _Columns,
    level: Level,
    report: ProblemReport,
) -> None:
    present = set(data["area_code"].dropna())
    for code, area in sorted(gazetteer.areas.items()):
        if code in present:
            continue
        where = f", Kec. {area.kecamatan}" if level == "desa" else ""
        report.add(
            _problem(
                raw,
                "missing-area",
                f"{area.name} ({code}{where}) has no row; its values stay missing, not zero",
                column=_area_column(cols, level),
                value=area.name,
                expected=f"a row for every {level} of Tapanuli Utara",
                suggestion="add a row for it: blank cells for unknown values, '-' for zero",
                severity="warning",
            )
        )


def describe_problems(report: ProblemReport, *, max_missing: int = 10) -> str:
    """The report in plain words, errors first; long lists of missing areas are shortened."""
    missing = [p for p in report if p.kind == "missing-area"]
    others = ProblemReport([p for p in report if p.kind != "missing-area"])
    lines = [others.describe()] if len(others) or not missing else []
    if missing:
        names = ", ".join(str(p.value) for p in missing[:max_missing])
        more = f" and {len(missing) - max_missing} more" if len(missing) > max_missing else ""
        lines.append(
            f"[warning] {len(missing)} area(s) have no row (values stay missing, not "
            f"zero): {names}{more}."
        )
    return "\n".join(lines)


# --- entry points ---------------------------------------------------------------------------


def read_welfare(
    path: Path | str,
    *,
    level: Level | None = None,
    sheet: str | int | None = None,
    year: int | None = None,
    strict: bool = False,
    settings: Settings | None = None,
    gazetteer: Gazetteer | None = None,
) -> WelfareTable:
    """Read a PMKS/PSKS/indicator CSV or XLSX file into the validated canonical long table.

    Handles title rows, a ``No`` column, merged or two-row headers, totals rows, Indonesian
    numbers (``1.234``, ``1.234,5``, ``-`` = 0, blank = missing), wide or long layouts, desa or
    kecamatan level, areas keyed by Kemendagri/BPS codes or by names. In lenient mode (the
    default) problems are kept in ``.report``; ``strict=True`` raises
    :class:`~mapping.errors.ValidationFailed` listing every error.

    `year` only dates the rows the file does not date (see :func:`canonicalize`); the year
    to map is chosen at the join, ``join_table(..., year=)``.
    """
    raw = read_raw_table(path, sheet=sheet)
    return canonicalize(
        raw, level=level, year=year, strict=strict, settings=settings, gazetteer=gazetteer
    )


def from_frame(
    frame: pd.DataFrame,
    *,
    name: str = "<DataFrame>",
    level: Level | None = None,
    year: int | None = None,
    strict: bool = False,
    settings: Settings | None = None,
    gazetteer: Gazetteer | None = None,
) -> WelfareTable:
    """:func:`read_welfare` for a DataFrame already in memory (row ``i`` is reported as i+2,
    as if the frame had been read from a file with one header line)."""
    cells = frame.astype(object).where(frame.notna(), None).copy()
    cells.columns = [str(c) for c in cells.columns]
    cells.index = pd.Index(range(2, len(cells) + 2), name="source_row")
    raw = RawTable(cells=cells, file=name, sheet="", header_rows=(1,))
    return canonicalize(
        raw, level=level, year=year, strict=strict, settings=settings, gazetteer=gazetteer
    )


def combine_tables(tables: Sequence[WelfareTable]) -> WelfareTable:
    """Several welfare tables of one level as one table, to join them in one call.

    For example the PMKS and PSKS sheets of a workbook, or a sample and the family counts its
    rates are computed from. Values, row logs and problem reports are concatenated, so the
    join invariant (input rows = joined + reported) still holds over all the inputs.

    Raises :class:`~mapping.errors.InputError` when the levels differ or when two tables give
    a value for the same area, category and year.
    """
    if not tables:
        msg = "combine_tables needs at least one table; got none."
        raise InputError(msg)
    files = [t.source_file + (f" (sheet '{t.sheet}')" if t.sheet else "") for t in tables]
    levels = {t.level for t in tables}
    if len(levels) > 1:
        listed = ", ".join(f"{f}: {t.level}" for f, t in zip(files, tables, strict=True))
        msg = (
            f"Cannot combine tables of different levels ({listed}); join the desa tables with "
            "level='kecamatan' and merge the layers instead."
        )
        raise InputError(msg)
    data = canonical_frame(pd.concat([t.data for t in tables], ignore_index=True))
    key = ["area_code", "category", "year"]
    overlap = data[data.duplicated(key, keep=False)]
    if len(overlap):
        example = overlap.head(4)[[*key, "source_file"]].to_dict("records")
        msg = (
            f"{len(overlap)} values of {files} repeat an area, category and year found in "
            f"another table (e.g. {example}); combine tables that hold different categories "
            "or years."
        )
        raise InputError(msg)
    logs = [t.rows for t in tables if len(t.rows)]
    headers = [t.headers for t in tables if len(t.headers)]
    return WelfareTable(
        data=data,
        rows=pd.concat(logs, ignore_index=True) if logs else _empty_log(),
        report=ProblemReport([p for t in tables for p in t.report]),
        level=tables[0].level,
        layout="+".join(dict.fromkeys(t.layout for t in tables)),
        source_file=", ".join(dict.fromkeys(t.source_file for t in tables)),
        sheet=", ".join(dict.fromkeys(t.sheet for t in tables if t.sheet)),
        title=tuple(line for t in tables for line in t.title),
        headers=pd.concat(headers, ignore_index=True) if headers else pd.DataFrame(),
        skipped=tuple(s for t in tables for s in t.skipped),
    )
