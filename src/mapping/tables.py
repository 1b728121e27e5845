"""Turning welfare spreadsheets (wide/long, desa/kecamatan) into the validated canonical table."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from mapping.categories import CATEGORY_BY_CODE
from mapping.columns import (
    JOINED_METHODS,
    TOTAL_ROW,
    Columns,
    Level,
    find_columns,
    infer_level,
    key_inputs,
    long_values,
    match_categories,
    row_years,
    total_label,
    total_rows,
    wide_values,
)
from mapping.errors import InputError, MissingColumns, ProblemReport
from mapping.gazetteer import MATCH_COLUMNS, Gazetteer
from mapping.names import fold
from mapping.readers import KEY_ROLES, RawTable, is_blank, named_headers, read_raw_table
from mapping.settings import Settings
from mapping.validation import (
    area_problems,
    check_plausible,
    check_row_totals,
    check_totals,
    code_name_conflicts,
    code_problems,
    deduplicate,
    missing_areas,
)

log = logging.getLogger(__name__)

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
SYNTHETIC_LABEL = "contoh sintetis"


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


# --- the canonical table --------------------------------------------------------------------


def canonicalize(
    raw: RawTable,
    *,
    level: Level | None = None,
    year: int | None = None,
    strict: bool = False,
    settings: Settings | None = None,
    gazetteer: Gazetteer | None = None,
    categories: Mapping[str, str] | None = None,
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
    categories
        ``{header: catalogue code}`` for headers the catalogue does not recognise (or gets
        wrong); in a long table also ``{category label: code}`` for the labels in its category
        column. A header or label named here that the table lacks raises
        :class:`~mapping.errors.MissingColumns` (keys ``categories.<header>``).
    """
    report = ProblemReport([*raw.notices, *raw.uncalculated_problems()])
    raw, cols, by_header, by_label = _with_categories(raw, categories or {}, report)
    where = raw.where
    if all(c is None for c in (cols.name, cols.code, cols.kecamatan, cols.kecamatan_code)):
        msg = (
            f"No area column found in {where}; found: {list(raw.cells.columns)}. Name the column "
            "of desa names 'Desa' or 'Kelurahan', of kecamatan names 'Kecamatan', or of codes "
            "'Kode'; or name it with columns={'desa': HEADER} (`columns:` of a config input)."
        )
        raise InputError(msg)
    lvl = infer_level(raw, cols, level, region=None if gazetteer is None else gazetteer.definition)
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
    headers = match_categories(raw, cols, report, chosen=by_header)
    years = row_years(raw, cols, year, report)

    n = len(raw.cells)
    totals = total_rows(raw, cols)
    names, kecs, codes = key_inputs(raw, cols, lvl)
    data_idx = [i for i in range(n) if not totals[i]]
    matches = _match_unique(gazetteer, [(names[i], kecs[i], codes[i]) for i in data_idx])
    row_log = _row_log(raw, cols, totals, years, (names, kecs, codes), data_idx, matches)
    del matches, names, kecs, codes  # big files: free what is no longer needed
    area_problems(raw, _log_records(row_log), cols, lvl, report, region=gazetteer.region)
    code_problems(raw, _log_records(row_log), cols, lvl, report, region=gazetteer.region,
                  definition=gazetteer.definition)  # fmt: skip
    code_name_conflicts(raw, _log_records(row_log), gazetteer, cols, lvl, report)

    if cols.category is not None and cols.value is not None:
        values = long_values(raw, cols.category, cols.value, totals, report, chosen=by_label)
    else:
        values = wide_values(raw, cols, headers, report)
    check_totals(raw, values, totals, report)
    check_row_totals(raw, cols, values, totals, report)
    check_plausible(raw, values, totals, report, region=gazetteer.definition)

    # Big files: one (row, category, value) triple per value; the other columns are taken
    # from the row log by position, never as one Python list per column and value.
    positions: list[int] = []
    value_codes: list[str] = []
    numbers: list[float] = []
    for i in data_idx:
        if row_log["method"][i] not in JOINED_METHODS:
            continue
        for category, _column, value in values[i]:
            if category is not None:
                positions.append(i)
                value_codes.append(category)
                numbers.append(value)
    columns = {cat: col for row_values in values for cat, col, _ in row_values if cat}
    del values
    frame = _canonical_values(positions, value_codes, numbers, row_log, years, lvl, raw.file)
    del positions, value_codes, numbers, data_idx, totals, years
    data = deduplicate(raw, frame, columns, report)
    missing_areas(raw, data, gazetteer, cols, lvl, report)
    # Column by column, each list freed once converted: never the log twice in memory.
    rows = (
        pd.DataFrame({c: pd.Series(row_log.pop(c)) for c in ROW_LOG_COLUMNS}) if n else _empty_log()
    )
    del row_log
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


def _with_categories(
    raw: RawTable, categories: Mapping[str, str], report: ProblemReport
) -> tuple[RawTable, Columns, dict[str, str], dict[str, str]]:
    """`raw` with the headers of `categories` as data columns, its columns, and the user's
    categories by header and (long tables) by category label."""
    by_header, rest = named_headers(categories, list(raw.cells.columns))
    if by_header:
        data = dict.fromkeys(by_header, "")
        raw = replace(raw, role_overrides={**data, **raw.role_overrides})
    cols = find_columns(raw, report)
    by_label: dict[str, str] = {}
    if rest and cols.category is not None:
        labels = {fold(c) for c in raw.cells[cols.category] if not is_blank(c)}
        by_label = {h: code for h, code in rest.items() if fold(h) in labels}
    missing = {f"categories.{h}": h for h in rest if h not in by_label}
    if missing:
        raise MissingColumns(raw.where, missing, list(raw.cells.columns))
    return raw, cols, by_header, by_label


def _canonical_values(
    positions: Sequence[int],
    categories: Sequence[str],
    values: Sequence[Any],
    row_log: Mapping[str, Sequence[Any]],
    years: Sequence[int | None],
    level: str,
    file: str,
) -> pd.DataFrame:
    """The canonical frame of one value per (row position, category), the area, year and
    source row taken from the row log and `years` at each position."""
    at = pd.Index(positions, dtype="int64")
    cats = pd.Series(categories, dtype="string")
    group = {code: c.group for code, c in CATEGORY_BY_CODE.items()}
    n = len(at)
    return pd.DataFrame(
        {
            "area_code": pd.array(row_log["code"], dtype="string")[at],
            "level": pd.array([level] * n, dtype="string"),
            "year": pd.array(pd.Series(years, dtype="object"), dtype="Int64")[at],
            "group": cats.map(group).astype("string").array,
            "category": cats.array,
            "value": pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce")
            .astype("float64")
            .to_numpy(),
            "source_file": pd.array([file] * n, dtype="string"),
            "source_row": pd.array(row_log["source_row"], dtype="Int64")[at],
        },
        columns=CANONICAL_COLUMNS,
    )


def _row_log(
    raw: RawTable,
    cols: Columns,
    totals: Sequence[bool],
    years: Sequence[int | None],
    keys: tuple[Sequence[Any], Sequence[Any], Sequence[Any]],
    data_idx: Sequence[int],
    matches: Sequence[Mapping[str, Any]],
) -> dict[str, list[Any]]:
    """One log line per row, as columns (:data:`ROW_LOG_COLUMNS`); `keys` are the rows'
    (name, kecamatan, code) inputs."""
    names, kecs, codes = keys
    by_pos = dict(zip(data_idx, matches, strict=True))
    log: dict[str, list[Any]] = {c: [] for c in ROW_LOG_COLUMNS}
    source_rows = raw.cells.index.tolist()
    matched = ("code", "name", "kecamatan", "method", "score", "candidates")
    total = dict.fromkeys(matched, "") | {"method": TOTAL_ROW, "score": math.nan}
    for i in range(len(totals)):
        name = "" if names[i] is None else str(names[i]).strip()
        if totals[i]:
            name = name or total_label(raw, cols, i)
        m = total if totals[i] else by_pos[i]
        for key, value in (
            ("source_file", raw.file),
            ("sheet", raw.sheet),
            ("source_row", int(source_rows[i])),
            ("year", years[i]),
            ("input_name", name),
            ("input_kecamatan", "" if kecs[i] is None else str(kecs[i]).strip()),
            ("input_code", "" if codes[i] is None else str(codes[i]).strip()),
        ):
            log[key].append(value)
        for key in matched:
            log[key].append(m[key])
    return log


def _log_records(log: Mapping[str, Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """The row log's lines one at a time, as dicts (never all at once: big files)."""
    keys = list(log)
    for values in zip(*(log[k] for k in keys), strict=True):
        yield dict(zip(keys, values, strict=True))


def _match_unique(
    gazetteer: Gazetteer, keys: Sequence[tuple[Any, Any, Any]]
) -> list[dict[str, Any]]:
    """The gazetteer's match of each (name, kecamatan, code), matching each distinct key once:
    a long table repeats its 252 desa many times."""
    index: dict[tuple[str, str, str], int] = {}
    unique: list[tuple[Any, Any, Any]] = []
    for key in keys:
        marker = (repr(key[0]), repr(key[1]), repr(key[2]))
        if marker not in index:
            index[marker] = len(unique)
            unique.append(key)
    found = gazetteer.match(
        [k[0] for k in unique], kecamatan=[k[1] for k in unique], codes=[k[2] for k in unique]
    )
    records = {c: found[c].tolist() for c in found.columns}
    per_key = [{c: v[j] for c, v in records.items()} for j in range(len(unique))]
    return [per_key[index[(repr(k[0]), repr(k[1]), repr(k[2]))]] for k in keys]


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
    include_hidden: bool = False,
    columns: Mapping[str, str] | None = None,
    categories: Mapping[str, str] | None = None,
) -> WelfareTable:
    """Read a PMKS/PSKS/indicator CSV or XLSX file into the validated canonical long table.

    Handles title rows, a ``No`` column, merged or two-row headers, totals rows, Indonesian
    numbers (``1.234``, ``1.234,5``, ``-`` = 0, blank = missing), wide or long layouts, desa or
    kecamatan level, areas keyed by Kemendagri/BPS codes or by names. In lenient mode (the
    default) problems are kept in ``.report``; ``strict=True`` raises
    :class:`~mapping.errors.ValidationFailed` listing every error.

    `year` only dates the rows the file does not date (see :func:`canonicalize`); the year
    to map is chosen at the join, ``join_table(..., year=)``.

    Without `sheet`, the first visible sheet of a workbook is read and hidden sheets before it
    are reported (a warning); ``include_hidden=True`` reads the first sheet even if hidden.
    Footers (notes, place and date, signature block) are not data: they are listed in
    ``skipped`` and in :meth:`WelfareTable.summary`.

    When detection fails, name the columns: `columns` maps key roles
    (:data:`mapping.readers.KEY_ROLES`: ``desa``, ``kecamatan``, ``code``, ``kecamatan_code``,
    ``year``, ``category``, ``value``) to headers, e.g. ``{"desa": "Lokasi"}``, and
    `categories` maps headers (or a long table's category labels) to catalogue codes, e.g.
    ``{"Orang tua terlantar": "lut"}``. Named columns win over detection; one the file lacks
    raises :class:`~mapping.errors.MissingColumns` naming the key, the header and the headers
    found.
    """
    raw = read_raw_table(
        path, sheet=sheet, include_hidden=include_hidden, roles=column_roles(columns)
    )
    return canonicalize(
        raw, level=level, year=year, strict=strict, settings=settings, gazetteer=gazetteer,
        categories=categories,
    )  # fmt: skip


def column_roles(columns: Mapping[str, str] | None) -> dict[str, str]:
    """``{header: role}`` of ``{role: header}`` (a role named once, a header given one role).

    >>> column_roles({"desa": "Lokasi", "year": "Thn"})
    {'Lokasi': 'desa', 'Thn': 'year'}
    """
    out: dict[str, str] = {}
    unknown = [role for role in columns or {} if role not in KEY_ROLES]
    if unknown:
        msg = f"columns: unknown role(s) {unknown}; allowed: {', '.join(KEY_ROLES)}."
        raise InputError(msg)
    for role, header in (columns or {}).items():
        if header in out:
            msg = (
                f"columns: header {header!r} is given two roles ({out[header]}, {role}); "
                "give each role its own column."
            )
            raise InputError(msg)
        out[header] = role
    return out


def from_frame(
    frame: pd.DataFrame,
    *,
    name: str = "<DataFrame>",
    level: Level | None = None,
    year: int | None = None,
    strict: bool = False,
    settings: Settings | None = None,
    gazetteer: Gazetteer | None = None,
    columns: Mapping[str, str] | None = None,
    categories: Mapping[str, str] | None = None,
) -> WelfareTable:
    """:func:`read_welfare` for a DataFrame already in memory (row ``i`` is reported as i+2,
    as if the frame had been read from a file with one header line); `columns` and
    `categories` name its columns as in :func:`read_welfare`."""
    cells = frame.astype(object).where(frame.notna(), None).copy()
    cells.columns = [str(c) for c in cells.columns]
    cells.index = pd.Index(range(2, len(cells) + 2), name="source_row")
    labels = list(cells.columns)
    overrides, missing = named_headers(column_roles(columns), labels)
    if missing:
        raise MissingColumns(name, {f"columns.{r}": h for h, r in missing.items()}, labels)
    raw = RawTable(cells=cells, file=name, sheet="", header_rows=(1,), role_overrides=overrides)
    return canonicalize(
        raw, level=level, year=year, strict=strict, settings=settings, gazetteer=gazetteer,
        categories=categories,
    )  # fmt: skip


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
