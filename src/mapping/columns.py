"""What a welfare table's columns hold: area keys, level, totals rows, years, categories, values."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from mapping.categories import (
    CATEGORY_BY_CODE,
    HEADER_TAKEN,
    configured_header,
    match_header,
    match_headers,
)
from mapping.errors import InputError, Problem, ProblemReport
from mapping.gazetteer import TAKEN_METHODS
from mapping.names import fold, parse_code
from mapping.readers import (
    Cell,
    NumberFormatError,
    RawTable,
    is_blank,
    is_total_label,
    parse_number,
    shorten,
    year_in_title,
)
from mapping.regions import Region

Level = Literal["desa", "kecamatan"]
LEVELS: tuple[str, ...] = ("desa", "kecamatan")
#: The row-log method of a totals row (``JUMLAH``).
TOTAL_ROW = "total-row"
#: Methods of input records that reach an area (gazetteer matches and points inside a desa).
JOINED_METHODS: frozenset[str] = TAKEN_METHODS | {"spatial"}


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


# --- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """The column of each key role (None when absent) and the data and row-total columns."""

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


def find_columns(raw: RawTable, report: ProblemReport) -> Columns:
    """The columns of `raw` by role; a second column of a key role is reported and ignored.

    A column the user named (``raw.role_overrides``) comes first in its role, so it is the one
    used and a detected column of the same role is the one reported.
    """
    roles = raw.roles()
    by_role: dict[str, list[str]] = {}
    for col, role in roles.items():
        by_role.setdefault(role, []).append(col)
    for cols in by_role.values():
        cols.sort(key=lambda c: c not in raw.role_overrides)  # stable: the user's first

    def first(role: str) -> str | None:
        cols = by_role.get(role, [])
        for extra in cols[1:]:
            report.add(
                table_problem(
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
    kec_codes = [
        *by_role.get("kecamatan_code", []),
        *(c for c in codes if "kec" in fold(c) and c not in raw.role_overrides),
    ]
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
    return Columns(
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


def table_problem(raw: RawTable, kind: str, message: str, **kw: Any) -> Problem:
    """A problem in `raw`'s file and sheet; a long value is cut (:func:`readers.shorten`)."""
    if "value" in kw:
        kw["value"] = shorten(kw["value"])
    return Problem(kind=kind, message=message, file=raw.file, sheet=raw.sheet, **kw)


def _header_row(raw: RawTable) -> int | None:
    """The file row of the (lower) header row: where a column's label is."""
    return raw.header_rows[-1] if raw.header_rows else None


def infer_level(
    raw: RawTable, cols: Columns, level: str | None, *, region: Region | None = None
) -> Level:
    """`level` checked against the columns, or the level the codes and columns show (codes
    of `region`, default Tapanuli Utara)."""
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
        counts = Counter(raw.cells[code_col].map(repr))  # each distinct code parsed once
        firsts = dict(zip(raw.cells[code_col].map(repr), raw.cells[code_col], strict=True))
        levels = [
            p.level
            for key, n in counts.items()
            if (p := parse_code(firsts[key], region=region)) is not None
            for _ in range(n)
        ]
        n_desa, n_kec = levels.count("desa"), levels.count("kecamatan")
        if n_desa or n_kec:
            return "kecamatan" if n_kec > n_desa else "desa"
    if cols.name is None and (cols.kecamatan or cols.kecamatan_code) is not None:
        return "kecamatan"
    return "desa"


def key_inputs(
    raw: RawTable, cols: Columns, level: Level
) -> tuple[list[Cell], list[Cell], list[Cell]]:
    """Per row: the name, the kecamatan (desa level) and the code to match."""
    cells = raw.cells
    n = len(cells)

    def col(c: str | None) -> list[Cell]:
        return [None if is_blank(v) else v for v in cells[c]] if c else [None] * n

    if level == "kecamatan":
        return col(cols.name or cols.kecamatan), [None] * n, col(cols.code or cols.kecamatan_code)
    return col(cols.name), col(cols.kecamatan or cols.kecamatan_code), col(cols.code)


def _total_cells(raw: RawTable, cols: Columns, i: int) -> list[Cell]:
    """Row `i`'s cells that say it is a totals row: a total word in a key column (No, names,
    codes: "JUMLAH", "Jumlah Kec. Muara") or alone in a long table's category column (there
    "Jumlah Keluarga" is a category, the number of families)."""
    keys = (cols.no, cols.name, cols.kecamatan, cols.code, cols.kecamatan_code)
    cells = [raw.cells.iat[i, raw.cells.columns.get_loc(c)] for c in keys if c]
    found = [c for c in cells if is_total_label(c)]
    if cols.category:
        cell = raw.cells.iat[i, raw.cells.columns.get_loc(cols.category)]
        if is_total_label(cell, prefix=False):
            found.append(cell)
    return found


def total_rows(raw: RawTable, cols: Columns) -> list[bool]:
    """:func:`is_total_row` of every row, reading each column once."""
    keys = [c for c in (cols.no, cols.name, cols.kecamatan, cols.code, cols.kecamatan_code) if c]
    out = [False] * len(raw.cells)
    for col in keys:
        for i, cell in enumerate(raw.cells[col].tolist()):
            out[i] = out[i] or is_total_label(cell)
    if cols.category:
        for i, cell in enumerate(raw.cells[cols.category].tolist()):
            out[i] = out[i] or is_total_label(cell, prefix=False)
    return out


def is_total_row(raw: RawTable, cols: Columns, i: int) -> bool:
    """True when a key cell of row `i` is a total word ("JUMLAH")."""
    return bool(_total_cells(raw, cols, i))


def total_label(raw: RawTable, cols: Columns, i: int) -> str:
    """The text that makes row `i` a totals row ("JUMLAH"), in whichever key column it is."""
    return str(next(iter(_total_cells(raw, cols, i)), "")).strip()


def area_column(cols: Columns, level: Level) -> str:
    """The column whose value names the area of a row."""
    if level == "kecamatan":
        return cols.name or cols.kecamatan or cols.code or cols.kecamatan_code or ""
    return cols.name or cols.code or ""


# --- values -------------------------------------------------------------------------------


def _value(
    raw: RawTable, cell: Any, *, row: int, column: str, category: str, report: ProblemReport
) -> float:
    """The parsed cell, or NaN with a problem recorded."""
    try:
        value = parse_number(cell)
    except NumberFormatError:
        report.add(
            table_problem(
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
            table_problem(
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
            table_problem(
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


def row_years(
    raw: RawTable, cols: Columns, year: int | None, report: ProblemReport
) -> list[int | None]:
    """The year of each row: its ``Tahun`` cell, else the year in the title rows, else `year`.

    `year` only fills rows the file does not date; it never overrides a year the file gives.
    """
    titled = year_in_title(raw.title)
    undated = titled if titled is not None else year
    if cols.year is None:
        return [undated] * len(raw.cells)
    out: list[int | None] = []
    for row, cell in zip(raw.cells.index.tolist(), raw.cells[cols.year].tolist(), strict=True):
        try:
            value = parse_number(cell)
        except NumberFormatError:
            value = math.nan
        if math.isnan(value) and is_blank(cell):
            out.append(undated)
        elif math.isnan(value) or not value.is_integer() or not 1900 <= value <= 2100:
            report.add(
                table_problem(
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


def match_categories(
    raw: RawTable,
    cols: Columns,
    report: ProblemReport,
    *,
    chosen: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The category of each data column header; unknown and repeated categories reported.

    `chosen` maps headers to the catalogue code the user gave them (method ``config``); the
    other headers are matched to the catalogue (:func:`mapping.categories.match_header`).
    """
    rows = []
    given = dict(chosen or {})
    for col in cols.data:
        if col in given:
            rows.append(configured_header(col, given[col]))
            continue
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
                table_problem(
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
                table_problem(
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


Values = list[list[tuple[str | None, str, float]]]  # per row: (category, column, value)
#: The category of a long table's totals row that sums every category of its rows.
ALL_CATEGORIES = "*"


def wide_values(
    raw: RawTable, cols: Columns, headers: pd.DataFrame, report: ProblemReport
) -> Values:
    """Per row: (category, column, value) of each category column of a wide table."""
    seen: set[str] = set()
    use: list[tuple[str, str]] = []
    for _, m in headers.iterrows():
        if m["method"] in HEADER_TAKEN and m["category"] not in seen:
            seen.add(m["category"])
            use.append((m["header"], m["category"]))
    out: Values = []
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


def long_values(
    raw: RawTable,
    category_col: str,
    value_col: str,
    totals: Sequence[bool],
    report: ProblemReport,
    *,
    chosen: Mapping[str, str] | None = None,
) -> Values:
    """Per row: the one (category, column, value) of a long table.

    A totals row whose category cell is blank or a total word ("Jumlah") totals every
    category (:data:`ALL_CATEGORIES`); one naming a category totals that category. `chosen`
    maps category labels, compared after :func:`mapping.names.fold`, to the catalogue code
    the user gave them. Rows with the same category and value share one (read-only) list: a
    long table of 200,000 rows repeats a few hundred of them.
    """
    given = {fold(label): code for label, code in (chosen or {}).items()}
    cache: dict[str, dict[str, object]] = {
        label: configured_header(label, code) for label, code in given.items()
    }
    shared: dict[tuple[str | None, float], list[tuple[str | None, str, float]]] = {}
    out: Values = []
    for i, (row, label, cell) in enumerate(
        zip(
            raw.cells.index.tolist(),
            raw.cells[category_col].tolist(),
            raw.cells[value_col].tolist(),
            strict=True,
        )
    ):
        key = "" if is_blank(label) else str(label).strip()
        m = cache.get(key) or cache.get(fold(key)) or cache.setdefault(key, match_header(key))
        taken = m["method"] in HEADER_TAKEN
        if totals[i]:
            cat = str(m["category"]) if taken and not is_total_label(key) else ALL_CATEGORIES
            v = _value(raw, cell, row=int(row), column=value_col, category=cat, report=report)
            out.append(shared.setdefault((cat, v), [(cat, value_col, v)]))
            continue
        if not taken:
            report.add(
                table_problem(
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
            out.append(shared.setdefault((None, math.nan), [(None, value_col, math.nan)]))
            continue
        cat = str(m["category"])
        v = _value(raw, cell, row=int(row), column=value_col, category=cat, report=report)
        out.append(shared.setdefault((cat, v), [(cat, value_col, v)]))
    return out
