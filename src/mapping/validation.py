"""Checking welfare values: totals, duplicates, missing and unmatched areas, code/name conflicts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from mapping.categories import CATEGORY_BY_CODE
from mapping.columns import (
    ALL_CATEGORIES,
    JOINED_METHODS,
    TOTAL_ROW,
    Columns,
    Level,
    Values,
    area_column,
    table_problem,
)
from mapping.errors import ProblemReport
from mapping.gazetteer import TAKEN_METHODS, Gazetteer
from mapping.names import example_code, fold, parse_code
from mapping.readers import NumberFormatError, RawTable, parse_number, shorten
from mapping.regions import Region, default_region


def check_totals(
    raw: RawTable, values: Values, totals: Sequence[bool], report: ProblemReport
) -> None:
    """Warn when a totals row equals neither the sum of the data rows since the previous
    totals row (a subtotal) nor the sum of every data row above it (a grand total)."""
    since: dict[str, float] = {}
    above: dict[str, float] = {}
    start = 0
    source_rows = [int(r) for r in raw.cells.index.tolist()]
    for i, cells in enumerate(values):
        if not totals[i]:
            for cat, _, v in cells:
                if cat is not None and not math.isnan(v):
                    for key in (cat, ALL_CATEGORIES):
                        since[key] = since.get(key, 0.0) + v
                        above[key] = above.get(key, 0.0) + v
            continue
        row = source_rows[i]
        block = source_rows[start:i]
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
            what = "every category" if cat == ALL_CATEGORIES else CATEGORY_BY_CODE[cat].name_id
            report.add(
                table_problem(
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


def check_row_totals(
    raw: RawTable,
    cols: Columns,
    values: Values,
    totals: Sequence[bool],
    report: ProblemReport,
) -> None:
    """Warn when a wide table's total column ('Jumlah', 'Total', 'Jumlah PMKS') differs from
    the sum of the row's categories (of its group only, for 'Jumlah PMKS' or a 'Jumlah' under
    a 'PSKS' header)."""
    for col in cols.row_totals:
        group = _total_group(col, raw.groups.get(col, ""))
        for i, row in enumerate(raw.cells.index):
            cell = raw.cells.iat[i, raw.cells.columns.get_loc(col)]
            try:
                total = parse_number(cell)
            except NumberFormatError:
                total = math.nan
            parts = [
                v
                for cat, _, v in values[i]
                if cat is not None
                and not math.isnan(v)
                and (group is None or CATEGORY_BY_CODE[cat].group == group)
            ]
            if math.isnan(total) or not parts:
                continue
            if not math.isclose(total, sum(parts), abs_tol=1e-6):
                report.add(
                    table_problem(
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


def _total_group(label: str, upper: str) -> str | None:
    """The category group a total column sums ("Jumlah PMKS" -> pmks), None for all.

    >>> _total_group("Jumlah PMKS", ""), _total_group("Jumlah", "PSKS"), _total_group("Total", "")
    ('pmks', 'psks', None)
    """
    for text in (label, upper):
        words = fold(text).split()
        for group in ("pmks", "psks"):
            if group in words:
                return group
    return None


def _fmt(value: float) -> str:
    return f"{value:g}" if not float(value).is_integer() else f"{int(value)}"


def deduplicate(
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
                table_problem(
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
                table_problem(
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


def missing_areas(
    raw: RawTable,
    data: pd.DataFrame,
    gazetteer: Gazetteer,
    cols: Columns,
    level: Level,
    report: ProblemReport,
) -> None:
    """Warn about each area of the gazetteer that has no row in `data`."""
    present = set(data["area_code"].dropna())
    for code, area in sorted(gazetteer.areas.items()):
        if code in present:
            continue
        where = f", Kec. {area.kecamatan}" if level == "desa" else ""
        report.add(
            table_problem(
                raw,
                "missing-area",
                f"{area.name} ({code}{where}) has no row; its values stay missing, not zero",
                column=area_column(cols, level),
                value=area.name,
                expected=f"a row for every {level} of {gazetteer.region}",
                suggestion="add a row for it: blank cells for unknown values, '-' for zero",
                severity="warning",
            )
        )


def area_problems(
    raw: RawTable,
    log_rows: Iterable[Mapping[str, Any]],
    cols: Columns,
    level: Level,
    report: ProblemReport,
    *,
    region: str = "Tapanuli Utara",
) -> None:
    """Report each row of the log that reaches no area: blank, ambiguous or unknown.

    `region` names the region in the expected values ("one desa of Tapanuli Utara").
    """
    column = area_column(cols, level)
    for r in log_rows:
        method = r["method"]
        if method in JOINED_METHODS or method == TOTAL_ROW:
            continue
        value = r["input_name"] or r["input_code"]
        if not value:
            report.add(
                table_problem(
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
                table_problem(
                    raw,
                    "ambiguous-area",
                    f"{level} name fits several areas",
                    row=r["source_row"],
                    column=column,
                    value=value,
                    expected=f"one {level} of {region}",
                    suggestion=f"add a kecamatan column or a code; candidates: {cands}",
                )
            )
        else:
            where = f" in kecamatan {r['input_kecamatan']!r}" if r["input_kecamatan"] else ""
            report.add(
                table_problem(
                    raw,
                    "unknown-area",
                    f"unknown {level}{where}",
                    row=r["source_row"],
                    column=column,
                    value=value,
                    expected=f"a {level} of {region}",
                    suggestion=f"closest: {cands}" if cands else "no close name",
                )
            )


def code_name_conflicts(
    raw: RawTable,
    log_rows: Iterable[Mapping[str, Any]],
    gazetteer: Gazetteer,
    cols: Columns,
    level: Level,
    report: ProblemReport,
) -> None:
    """Warn when a row's code and its name clearly name different areas (the code is used)."""
    rows = [
        r
        for r in log_rows
        if r["method"] == "code"
        and r["input_name"]
        and parse_code(r["input_name"], region=gazetteer.definition) is None
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
            table_problem(
                raw,
                "code-name-mismatch",
                f"the code gives {r['name']} ({r['code']}) but the name is {m['name']} "
                f"({m['code']}); the code is used",
                row=r["source_row"],
                column=area_column(cols, level),
                value=r["input_name"],
                expected=f"the name of {level} {r['code']}, {r['name']}",
                suggestion="correct the code or the name",
                severity="warning",
            )
        )


def describe_problems(
    report: ProblemReport, *, max_missing: int = 10, max_per_kind: int | None = 20
) -> str:
    """The report in plain words, errors first; long lists of missing areas are shortened.

    At most `max_per_kind` lines are shown per kind of problem (``None``: all), then one line
    counting the rest, so a file with 200,000 bad rows gives a summary, not 200,000 lines;
    the full list is in :meth:`ProblemReport.to_frame` (the report file).
    """
    missing = [p for p in report if p.kind == "missing-area"]
    others = [p for p in report if p.kind != "missing-area"]
    ordered = [p for p in others if p.severity == "error"]
    ordered += [p for p in others if p.severity != "error"]
    shown: dict[str, int] = {}
    lines: list[str] = []
    hidden: dict[tuple[str, str], int] = {}
    for p in ordered:
        n = shown.get(p.kind, 0)
        if max_per_kind is None or n < max_per_kind:
            lines.append(p.describe())
            shown[p.kind] = n + 1
        else:
            hidden[(p.severity, p.kind)] = hidden.get((p.severity, p.kind), 0) + 1
    for (severity, kind), n in hidden.items():
        lines.append(
            f"[{severity}] ... and {n} more {kind} problem(s) like those above; the report file "
            "lists every one."
        )
    if not lines and not missing:
        lines.append("No problems found.")
    if missing:
        names = ", ".join(str(p.value) for p in missing[:max_missing])
        more = f" and {len(missing) - max_missing} more" if len(missing) > max_missing else ""
        lines.append(
            f"[warning] {len(missing)} area(s) have no row (values stay missing, not "
            f"zero): {names}{more}."
        )
    return "\n".join(lines)


#: More people than live in any regency or city of Indonesia (Kabupaten Bogor, the largest,
#: had about 5.4 million at the 2020 census): the limit for a region of unknown population.
MAX_REGENCY_COUNT = 6_000_000
#: Categories counted in families (or family units), which cannot exceed a desa's families.
FAMILY_CATEGORIES = frozenset(
    {
        "kbsp",
        "kp",
        "keluarga_berisiko_stunting",
        "penerima_bst",
        "penerima_bpnt",
        "penerima_pkh",
        "penerima_sembako",
    }
)
#: People per family above which a count of people is implausible next to the row's families.
MAX_PEOPLE_PER_FAMILY = 10


def check_plausible(
    raw: RawTable,
    values: Values,
    totals: Sequence[bool],
    report: ProblemReport,
    *,
    region: Region | None = None,
) -> None:
    """Warn about counts that cannot be true: more than live in `region` (its
    :attr:`~mapping.regions.Region.max_plausible_count`: 400,000 for Tapanuli Utara, the
    default, of about 312,000 people; :data:`MAX_REGENCY_COUNT` when its population is
    unknown), a family count above the row's ``Jumlah Keluarga``, or people above ten per
    family of the row."""
    reg = default_region(region)
    top = reg.max_plausible_count
    top_why = (
        f"more than the population of {reg.name}"
        if top is not None
        else "more than the population of any regency or city of Indonesia"
    )
    source_rows = [int(r) for r in raw.cells.index.tolist()]
    for i, cells in enumerate(values):
        row = source_rows[i]
        families = next((v for cat, _, v in cells if cat == "keluarga"), math.nan)
        for cat, col, v in cells:
            if cat is None or math.isnan(v) or cat not in CATEGORY_BY_CODE:
                continue
            if CATEGORY_BY_CODE[cat].kind != "count":
                continue
            limit: float = MAX_REGENCY_COUNT if top is None else top
            why = top_why
            if not totals[i] and cat != "keluarga" and families > 0:
                per = 1 if cat in FAMILY_CATEGORIES else MAX_PEOPLE_PER_FAMILY
                if families * per < limit:
                    limit = families * per
                    why = (
                        f"more than the row's {_fmt(families)} families"
                        if per == 1
                        else f"more than {per} per family of the row's {_fmt(families)} families"
                    )
            if v > limit:
                report.add(
                    table_problem(
                        raw,
                        "implausible-value",
                        f"implausible count: {why}",
                        row=row,
                        column=col,
                        value=_fmt(v) if v < 1e15 else f"{v:.3g}",
                        expected=f"at most {_fmt(limit)}",
                        suggestion="check the cell for extra digits or a value typed into "
                        "the wrong column",
                        severity="warning",
                    )
                )


def code_problems(
    raw: RawTable,
    log_rows: Iterable[Mapping[str, Any]],
    cols: Columns,
    level: Level,
    report: ProblemReport,
    *,
    region: str = "Tapanuli Utara",
    definition: Region | None = None,
) -> None:
    """Warn about each row whose code names no area, so that its name was used instead (or
    nothing): a mistyped code (``12.02.99.9999``) or one Excel stored as a rounded number
    (``1.20201E+09``). Codes are those of `definition` (default Tapanuli Utara), named
    `region` in messages."""
    column = cols.code or cols.kecamatan_code or ""
    for r in log_rows:
        code = r["input_code"]
        if not code or r["method"] in {"code", TOTAL_ROW}:
            continue
        used = (
            f"the name {shorten(r['input_name'])!r} was used"
            if r["method"] in JOINED_METHODS
            else "the row reaches no area"
        )
        if "e+" in code.lower():
            message = f"code {code} was turned into a rounded number by Excel; {used}"
            suggestion = "format the code column as text and type the codes again"
        elif parse_code(code, region=definition) is None:
            message = f"{shorten(code)!r} is not a Kemendagri or BPS code of {region}; {used}"
            suggestion = (
                f"correct the code (e.g. {example_code(definition)}) or leave the cell blank"
            )
        else:
            message = f"code {code} names no {level} of {region}; {used}"
            suggestion = "correct the code (see the desa layer's codes) or leave it blank"
        report.add(
            table_problem(
                raw,
                "unknown-code",
                message,
                row=r["source_row"],
                column=column,
                value=shorten(code),
                expected=f"the code of a {level} of {region}",
                suggestion=suggestion,
                severity="warning",
            )
        )
