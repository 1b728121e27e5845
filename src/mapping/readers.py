"""Reading CSV/XLSX cells as government offices lay them out: header, numbers, totals."""

from __future__ import annotations

import codecs
import csv
import math
import re
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from mapping.errors import InputError, MissingColumns, Problem
from mapping.names import fold

Cell = Any  # str, int, float, None as read from the file

#: Tried in order; a UTF-16 file (Excel's "Unicode Text") is recognised by its byte-order mark.
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS: tuple[str, ...] = (",", ";", "\t")
#: How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 30
#: Most cells read from one sheet or CSV file (after trailing blank cells are dropped); a
#: larger file is refused with an error rather than filling the memory.
MAX_CELLS = 5_000_000
#: Longest CSV cell, in characters (Python's csv module stops at 131,072 by default).
MAX_CELL_CHARS = 1_000_000
#: Longest value quoted in a message; longer values are cut with an ellipsis.
MAX_SHOWN_CHARS = 80

# Header keys (after :func:`role_key`) of the columns that are not categories.
_ROLES: dict[str, frozenset[str]] = {
    "no": frozenset({"no", "no urut", "nomor", "nomor urut", "nmr", "nr"}),
    "code": frozenset({"kode", "code", "area code", "kode area", "kdepum", "kdcpum", "id"}),
    "desa": frozenset(
        {
            "desa",
            "kelurahan",
            "desa kelurahan",
            "kelurahan desa",
            "desa kel",
            "kel desa",
            "nama desa",
            "nama kelurahan",
            "nama desa kelurahan",
            "village",
            "wadmkd",
            "namobj",
        }
    ),
    "kecamatan": frozenset(
        {"kecamatan", "kec", "nama kecamatan", "district", "subdistrict", "wadmkc"}
    ),
    "area": frozenset({"wilayah", "nama wilayah", "area", "nama", "name", "nama area"}),
    "year": frozenset({"tahun", "year", "thn", "tahun data"}),
    "category": frozenset(
        {
            "kategori",
            "jenis",
            "jenis pmks",
            "jenis psks",
            "jenis pmks psks",
            "category",
            "indikator",
            "indicator",
            "uraian",
            "jenis kategori",
        }
    ),
    "value": frozenset(
        {
            "jumlah",
            "nilai",
            "value",
            "count",
            "total",
            "banyaknya",
            "jumlah jiwa",
            "jumlah orang",
            "jumlah unit",
            "jml",
            "jumlah pmks",
            "jumlah psks",
            "total pmks",
            "total psks",
            "jumlah pmks psks",
            "total pmks psks",
            "jml pmks",
            "jml psks",
            "jumlah seluruhnya",
            "jumlah keseluruhan",
        }
    ),
    "note": frozenset({"keterangan", "ket", "catatan", "sumber", "note", "notes", "remarks"}),
    "meta": frozenset(
        {
            "level",
            "tingkat",
            "group",
            "kelompok",
            "source file",
            "source row",
            "sheet",
            "kabupaten",
            "kab",
            "provinsi",
        }
    ),
}
_ROLE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("kode ", "code"),
    ("nama desa", "desa"),
    ("desa ", "desa"),
    ("kelurahan ", "desa"),
    ("nama kecamatan", "kecamatan"),
    ("kecamatan ", "kecamatan"),
    ("keterangan ", "note"),
    ("catatan ", "note"),
)
_TOTAL_WORDS = frozenset(
    {
        "jumlah",
        "total",
        "jumlah total",
        "total jumlah",
        "grand total",
        "sub total",
        "subtotal",
        "jumlah seluruhnya",
        "jumlah keseluruhan",
        "total keseluruhan",
        "jumlah kabupaten",
        "total kabupaten",
        "kabupaten",
        "jumlah kab",
        "kabupaten tapanuli utara",
        "tapanuli utara",
        "jumlah total kabupaten",
        "jumlah akhir",
    }
)
_TOTAL_PREFIXES = ("jumlah ", "total ", "sub total ", "subtotal ")
#: Key roles a user can give a column by name (``columns:`` of a config input), overriding
#: detection; ``kecamatan_code`` is the code of a desa's kecamatan.
KEY_ROLES: tuple[str, ...] = (
    "desa", "kecamatan", "code", "kecamatan_code", "year", "category", "value",
)  # fmt: skip
#: Roles of the columns that name the area of a row.
_AREA_ROLES = frozenset({"code", "desa", "kecamatan", "area"})
_FOOTNOTE_WORDS = frozenset({"sumber", "keterangan", "catatan", "ket", "note", "notes", "source"})


def role_key(label: object) -> str:
    """Header key used to recognise key columns ("Nama Desa/Kel." -> ``nama desa kel``)."""
    key = fold(label)
    return re.sub(r"\bcontoh sintetis\b", " ", key).strip().replace("  ", " ")


def column_role(label: object) -> str:
    """The role of a column from its header: no, code, desa, kecamatan, area, year, category,
    value, note, meta, or ``""`` (a data column, e.g. a category).

    >>> [column_role(h) for h in ["No.", "Nama Desa/Kelurahan", "KEC", "Kode BPS", "ODHA"]]
    ['no', 'desa', 'kecamatan', 'code', '']
    """
    key = role_key(label)
    if not key:
        return ""
    for role, keys in _ROLES.items():
        if key in keys:
            return role
    for prefix, role in _ROLE_PREFIXES:
        if key.startswith(prefix):
            return role
    return ""


def is_total_label(text: object, *, prefix: bool = True) -> bool:
    """True when a cell says the row is a total ("JUMLAH", "Total", "Jumlah Kec. Muara").

    With ``prefix=False`` only a total word alone counts, so a category cell such as
    "Jumlah Keluarga" (the number of families) is not a total.

    >>> is_total_label("JUMLAH"), is_total_label("Jumlah Kec. Muara"), is_total_label("Lobu")
    (True, True, False)
    >>> is_total_label("Jumlah Keluarga", prefix=False)
    False
    """
    if text is None or isinstance(text, int | float):
        return False
    key = _fold_text(str(text))
    return key in _TOTAL_WORDS or (prefix and key.startswith(_TOTAL_PREFIXES))


@lru_cache(maxsize=1 << 16)
def _fold_text(text: str) -> str:
    """:func:`mapping.names.fold`, remembered: tables repeat the same names many times."""
    return fold(text)


def shorten(value: object, *, limit: int = MAX_SHOWN_CHARS) -> object:
    """`value` as it is, or its text cut to `limit` characters with an ellipsis (for messages).

    >>> len(shorten("x" * 100)), shorten("x" * 100).endswith("\u2026"), shorten(7)
    (80, True, 7)
    """
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "\u2026"
    return value


# --- numbers --------------------------------------------------------------------------------

_DASHES = frozenset({"-", "--", "\u2013", "\u2014", "\u2012", "\u2212"})
_ZERO_WORDS = frozenset({"nihil", "nil"})
_NUMBER_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    # pattern, thousands separator to drop, decimal separator
    (re.compile(r"\d+"), "", ""),
    (re.compile(r"\d{1,3}(?:\.\d{3})+"), ".", ""),  # 1.234 (Indonesian thousands)
    (re.compile(r"\d{1,3}(?:\.\d{3})*,\d+"), ".", ","),  # 1.234,5
    (re.compile(r"\d+,\d+"), "", ","),  # 1234,5
    (re.compile(r"\d{1,3}(?:,\d{3})+\.\d+"), ",", "."),  # 1,234.5 (both: the last is decimal)
    (re.compile(r"\d+\.\d+"), "", "."),  # 12.25: not a group of three, so a decimal point
    (re.compile(r"\d{1,3}(?: \d{3})+"), " ", ""),  # 1 234
)


class NumberFormatError(InputError):
    """A cell that should hold a number does not."""


def parse_number(value: Cell) -> float:
    """A cell as a number, reading Indonesian formats; NaN for a blank cell.

    ``1.234`` is one thousand two hundred and thirty-four, ``1.234,5`` has a decimal comma,
    ``-`` (or ``nihil``) means zero. Numbers typed into Excel cells are taken as they are.

    >>> parse_number("1.234"), parse_number("1.234,5"), parse_number("-"), parse_number(7)
    (1234.0, 1234.5, 0.0, 7.0)
    >>> parse_number("  ")
    nan
    >>> parse_number("dua")
    Traceback (most recent call last):
    ...
    mapping.readers.NumberFormatError: 'dua' is not a number
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        msg = f"{value!r} is not a number"
        raise NumberFormatError(msg)
    if isinstance(value, int | float):
        return float(value)
    parsed = _parse_text(str(value))
    if parsed is None:
        msg = f"{shorten(value)!r} is not a number"
        raise NumberFormatError(msg)
    return parsed


@lru_cache(maxsize=1 << 16)
def _parse_text(value: str) -> float | None:
    """:func:`parse_number` of a text, None when it is not a number (remembered)."""
    text = value.replace("\u00a0", " ").strip()
    if not text:
        return math.nan
    if text in _DASHES or text.lower() in _ZERO_WORDS:
        return 0.0
    sign = 1.0
    if text[0] in "-+\u2212" and len(text) > 1:
        sign = -1.0 if text[0] != "+" else 1.0
        text = text[1:].strip()
    for pattern, thousands, decimal in _NUMBER_PATTERNS:
        if pattern.fullmatch(text):
            if thousands:
                text = text.replace(thousands, "")
            if decimal:
                text = text.replace(decimal, ".")
            return sign * float(text)
    return None


def _is_number(value: Cell) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return not math.isnan(parse_number(value)) and not _is_dash(value)
    except NumberFormatError:
        return False


def _is_dash(value: Cell) -> bool:
    return isinstance(value, str) and value.strip() in _DASHES


def is_blank(value: Cell) -> bool:
    """True for None, NaN and text that is only whitespace."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


# --- raw cells ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """The cells of one CSV file or XLSX sheet as read, with the file row number of each row.

    ``uncalculated`` lists the formula cells that have no calculated value (files written by a
    script and never opened in a spreadsheet program) as (file row, column index, formula);
    their cells read as blank. ``merged`` lists the merged ranges, clipped to the cells read,
    as 1-based (first row, first column, last row, last column); their cells hold the value of
    the top-left cell. ``notices`` are problems met while reading (a hidden sheet skipped).
    """

    rows: list[list[Cell]]
    row_numbers: list[int]
    file: str
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    uncalculated: tuple[tuple[int, int, str], ...] = ()
    merged: tuple[tuple[int, int, int, int], ...] = ()
    notices: tuple[Problem, ...] = ()


def _lines_list(numbers: Sequence[int], *, limit: int = 10) -> str:
    shown = ", ".join(map(str, numbers[:limit]))
    return shown + (f" and {len(numbers) - limit} more" if len(numbers) > limit else "")


def _mixed_encoding(raw: bytes, path: Path) -> None:
    """Raise when some lines are UTF-8 and others are not: decoding the file one way would
    silently garble the other lines (``JosÃ©`` or ``Jos\\ufffd``)."""
    utf8, other = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    if utf8 and other:
        msg = (
            f"{path.name} mixes text encodings: UTF-8 on line(s) {_lines_list(utf8)}, not UTF-8 "
            f"(probably Windows cp1252) on line(s) {_lines_list(other)}, so some names would be "
            "garbled. Open the file in a text editor or spreadsheet, fix those lines and save "
            "the whole file as UTF-8."
        )
        raise InputError(msg)


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:4096]:  # text never holds NUL bytes; UTF-16 without a BOM does
        what = (
            "an XLSX workbook renamed; give it the .xlsx suffix"
            if raw.startswith(b"PK\x03\x04")
            else "an old .xls workbook renamed; save it as .xlsx in Excel or LibreOffice"
            if raw.startswith(b"\xd0\xcf\x11\xe0")
            else "UTF-16 text without a byte-order mark; save it as UTF-8 (or UTF-16 with BOM)"
        )
        msg = f"{path.name} holds NUL bytes, so it is not a plain CSV file: it looks like {what}."
        raise InputError(msg)
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            if encoding.startswith("utf-8"):
                _mixed_encoding(raw, path)
            continue
        return text, encoding
    msg = f"Cannot decode {path} as {list(ENCODINGS)}."  # latin-1 never fails; kept for safety
    raise InputError(msg)


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving the most lines with the same (largest) number of fields.

    Lines with one field (titles, footnotes) say nothing about the delimiter and are not
    counted, so three title lines above a two-line table cannot outvote it.

    >>> _sniff_delimiter("JUDUL\\nJUDUL 2\\nJUDUL 3\\nNo;Desa;PMKS\\n1;Lobu;2\\n")
    ';'
    """
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    best, best_score = ",", -1
    for delim in DELIMITERS:
        try:
            found = [len(r) for r in csv.reader(lines, delimiter=delim)]
        except csv.Error:  # a cell over the size limit: reported with its line when read
            continue
        widths = pd.Series(found, dtype="int64")
        widths = widths[widths > 1]
        if widths.empty:
            continue
        mode = int(widths.mode().max())
        score = int((widths == mode).sum()) * mode
        if score > best_score:
            best, best_score = delim, score
    return best


def _unbalanced_quote(row: Sequence[str], delim: str) -> bool:
    """True when a record read over several lines holds whole lines of fields in one cell: a
    quote opened and never closed, not a header cell with a line break typed in it."""
    return any(
        "\n" in cell and any(delim in line for line in cell.splitlines()[1:]) for cell in row
    )


def read_csv_cells(path: Path, *, max_cells: int = MAX_CELLS) -> Sheet:
    """Cells of a CSV file in utf-8 (with or without BOM), cp1252/latin-1 or UTF-16 with BOM,
    delimited by , ; or tab (the one that splits most lines into the same number of fields).

    Raises :class:`~mapping.errors.InputError` for a file mixing UTF-8 and cp1252 lines, a
    quote that is opened and not closed (naming its line), a cell longer than
    :data:`MAX_CELL_CHARS` characters or more than `max_cells` cells.
    """
    path = Path(path)
    text, encoding = _decode(path.read_bytes(), path)
    head = text[: _nth_newline(text, 200)]
    del text  # the file is read again as a stream: never two copies of a big file at once
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    start, n_cells = 1, 0
    old_limit = csv.field_size_limit(MAX_CELL_CHARS)
    stack = ExitStack()
    try:
        delim = _sniff_delimiter(head)
        stream = stack.enter_context(path.open(encoding=encoding, newline=""))
        reader = csv.reader(stream, delimiter=delim)
        shared: dict[str, str] = {}  # one object per distinct short text: names repeat
        for row in reader:
            if reader.line_num > start and _unbalanced_quote(row, delim):
                msg = (
                    f'{path.name}, line {start}: a quote (") opened on this line is not closed '
                    f"before line {reader.line_num}, so lines {start}-{reader.line_num} would "
                    "become one row. Remove the stray quote or close it, or save the file "
                    "again from the spreadsheet."
                )
                raise InputError(msg)
            rows.append(
                [
                    (shared.setdefault(c, c) if len(c) < 100 else c) if c.strip() else None
                    for c in row
                ]
            )
            numbers.append(start)
            n_cells += len(row)
            if n_cells > max_cells:
                msg = _too_many_cells(path.name, start, max_cells)
                raise InputError(msg)
            start = reader.line_num + 1
    except csv.Error as exc:
        msg = (
            f"{path.name}, line {start}: a cell is longer than {MAX_CELL_CHARS:,} characters "
            "(or a quote is not closed), which no welfare table needs. Check the line in a "
            f"text editor. ({exc})"
        )
        raise InputError(msg) from exc
    finally:
        csv.field_size_limit(old_limit)
        stack.close()
    return Sheet(rows, numbers, path.name, "", encoding, delim)


def _nth_newline(text: str, n: int) -> int:
    """The end of the `n`-th line of `text` (its length if it has fewer lines)."""
    end = -1
    for _ in range(n):
        end = text.find("\n", end + 1)
        if end < 0:
            return len(text)
    return end + 1


def _too_many_cells(where: str, row: int, max_cells: int) -> str:
    return (
        f"{where} holds more than {max_cells:,} cells (reached at row {row}), more than a "
        "welfare table needs; refused to keep the memory bounded. Delete the unused rows and "
        "columns, split the file, or pass a larger max_cells."
    )


def _sheet_title(
    names: Sequence[str],
    sheet: str | int | None,
    path: Path,
    *,
    hidden: Sequence[str] = (),
) -> str:
    """The sheet named `sheet` (exactly, then ignoring case and spacing), else the sheet at
    index `sheet`: a sheet named "2023" is found by its name, "1" is the second sheet. With no
    `sheet`, the first sheet not in `hidden` (the first sheet if all are hidden)."""
    listing = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    if sheet is None:
        return next((n for n in names if n not in hidden), names[0])
    if isinstance(sheet, str):
        for name in names:
            if name == sheet:
                return name
        for name in names:
            if fold(name) == fold(sheet):
                return name
    if isinstance(sheet, int) or sheet.strip().isdigit():
        idx = int(sheet)
        if 0 <= idx < len(names):
            return names[idx]
        named = f"named {sheet!r} or " if isinstance(sheet, str) else ""
        msg = (
            f"sheet={sheet!r}: {path.name} has no sheet {named}with index {idx}; "
            f"sheets are {listing}."
        )
        raise InputError(msg)
    msg = f"sheet={sheet!r} not found in {path.name}; sheets are {listing} (index from 0)."
    raise InputError(msg)


def _cannot_open(path: Path, exc: Exception) -> str:
    return f"Cannot open {path} as an XLSX workbook: {type(exc).__name__}: {exc}"


def _workbook_sheets(path: Path) -> tuple[list[str], list[str], list[str], dict[str, str]]:
    """The sheet names of a workbook in order, the hidden ones, those that are not
    worksheets (chart sheets), and each one's XML part.

    Only the workbook's index is parsed (openpyxl's reader of it), never a sheet."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(_cannot_open(path, exc)) from exc
    try:
        reader.read_manifest()
        reader.read_workbook()
        sheets = [(s.name, s.state, rel) for s, rel in reader.parser.find_sheets()]
    except Exception as exc:
        raise InputError(_cannot_open(path, exc)) from exc
    finally:
        reader.archive.close()
    names = [name for name, _, _ in sheets]
    hidden = [name for name, state, _ in sheets if state not in (None, "visible")]
    charts = [name for name, _, rel in sheets if not str(rel.Type).endswith("/worksheet")]
    return names, hidden, charts, {name: rel.target.lstrip("/") for name, _, rel in sheets}


def _xlsx_value(value: Cell) -> Cell:
    """A value as calamine reads it, as the rest of the package expects it: a whole number
    as an int (Excel stores every number as a float: ``2023.0``), a date as ISO text."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _sheet_values(path: Path, title: str) -> list[list[Cell]]:
    """The values of sheet `title` from cell A1 on, each row without its trailing blank
    cells, read by calamine (python-calamine: Rust, some 50 times faster than openpyxl)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises many types for a broken file
        raise InputError(_cannot_open(path, exc)) from exc
    grid: list[list[Cell]] = []
    # One object per distinct short text and per number: names, codes and years repeat.
    shared: dict[str, str] = {}
    numbers: dict[float, Cell] = {}
    with wb:
        try:
            ws = wb.get_sheet_by_name(title)
        except Exception as exc:  # a sheet part calamine cannot parse
            raise InputError(_cannot_open(path, exc)) from exc
        start, end = ws.start, ws.end
        if start is None or end is None:
            return grid
        left: list[Cell] = []
        for values in ws.iter_rows():
            if not grid:  # some versions leave out the blank columns left of the cells
                left = [None] * (end[1] + 1 - len(values))
            row = [
                ((shared.setdefault(v, v) if len(v) < 100 else v) if v.strip() else None)
                if isinstance(v, str)
                else (numbers[v] if v in numbers else numbers.setdefault(v, _xlsx_value(v)))
                if type(v) is float  # not a bool: True == 1.0
                else _xlsx_value(v)
                for v in values
            ]
            while row and row[-1] is None:
                row.pop()
            grid.append([*left, *row] if left and row else row)
        del ws
    top = end[0] + 1 - len(grid)  # and the blank rows above them
    return [[] for _ in range(top)] + grid if top > 0 else grid


def read_xlsx_cells(
    path: Path,
    *,
    sheet: str | int | None = None,
    include_hidden: bool = False,
    max_cells: int = MAX_CELLS,
) -> Sheet:
    """Cells of one sheet of an XLSX file (by name or 0-based index); merged cells filled in.

    The sheet's XML is scanned first (:func:`mapping.sheetxml.scan_sheet`): a sheet holding
    more than `max_cells` cells, or whose cells span a grid of more than that (one stray
    value in cell XFD1048576), is an :class:`~mapping.errors.InputError` before any cell is
    read; merged ranges are clipped to the cells read (a range ``E1:XFD1048576`` costs
    nothing). The values are then read by calamine, error values (``#N/A``) as their text;
    only a sheet with formulas lacking a calculated value is read again, by openpyxl, for
    the formulas' text.
    With no `sheet`, chart sheets are skipped, and hidden sheets with a warning in
    ``notices``; ``include_hidden=True`` reads the first worksheet even if hidden.
    """
    import zipfile

    from mapping.sheetxml import scan_sheet

    path = Path(path)
    names, hidden, charts, parts = _workbook_sheets(path)
    skip = charts if include_hidden else [*hidden, *charts]  # when no sheet is named
    title = _sheet_title(names, sheet, path, hidden=tuple(skip))
    notices = _hidden_notices(path, names, hidden, title, sheet, include_hidden)
    try:
        with zipfile.ZipFile(path) as zf, zf.open(parts[title]) as src:
            scan = scan_sheet(src, limit=max_cells)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(_cannot_open(path, exc)) from exc
    if scan.over:
        where = f"{path.name} (sheet '{title}')"
        raise InputError(_too_many_cells(where, scan.over, max_cells))
    grid = _sheet_values(path, title)
    for row, column, text in scan.errors:
        if row <= len(grid):
            cells = grid[row - 1]
            cells.extend([None] * (column - len(cells)))
            cells[column - 1] = text
    while grid and not grid[-1]:
        grid.pop()
    width = max((len(r) for r in grid), default=0)
    for r in grid:
        r.extend([None] * (width - len(r)))
    merged = _clip_merged(scan.merged, len(grid), width)
    uncalculated = (
        _uncalculated(path, title, grid, n_rows=scan.n_rows, n_columns=scan.n_columns)
        if scan.uncalculated
        else ()
    )
    for r1, c1, r2, c2 in merged:
        top = grid[r1 - 1][c1 - 1]
        for i in range(r1 - 1, r2):
            for j in range(c1 - 1, c2):
                grid[i][j] = top
    return Sheet(
        grid,
        list(range(1, len(grid) + 1)),
        path.name,
        title,
        uncalculated=uncalculated,
        merged=tuple(merged),
        notices=notices,
    )


def _clip_merged(
    ranges: Sequence[tuple[int, int, int, int]], n_rows: int, width: int
) -> list[tuple[int, int, int, int]]:
    """The merged ranges cut to the first `n_rows` rows and `width` columns (the used range).

    >>> _clip_merged([(1, 5, 1048576, 16384), (1, 1, 1, 3), (9, 1, 9, 2)], 4, 6)
    [(1, 5, 4, 6), (1, 1, 1, 3)]
    """
    out = []
    for r1, c1, r2, c2 in ranges:
        if r1 <= n_rows and c1 <= width:
            out.append((r1, c1, min(r2, n_rows), min(c2, width)))
    return out


def _hidden_notices(
    path: Path,
    names: Sequence[str],
    hidden: Sequence[str],
    title: str,
    sheet: str | int | None,
    include_hidden: bool,
) -> tuple[Problem, ...]:
    """A warning when a hidden sheet was skipped, or when the sheet read is hidden."""
    if title in hidden:
        return (
            Problem(
                kind="hidden-sheet",
                message="this sheet is hidden in the workbook; read because it was asked for",
                file=path.name,
                sheet=title,
                severity="warning",
                suggestion="check that it holds the current data, not an old copy",
            ),
        )
    skipped = [n for n in names[: names.index(title)] if n in hidden]
    if sheet is not None or include_hidden or not skipped:
        return ()
    return (
        Problem(
            kind="hidden-sheet",
            message=f"hidden sheet(s) {skipped} skipped; read the first visible sheet",
            file=path.name,
            sheet=title,
            severity="warning",
            suggestion=f"to read a hidden sheet, pass sheet={skipped[0]!r} (--sheet) or "
            "include_hidden=True",
        ),
    )


def _uncalculated(
    path: Path, title: str, grid: list[list[Cell]], *, n_rows: int, n_columns: int
) -> tuple[tuple[int, int, str], ...]:
    """(row, column index, formula) of sheet `title`'s formula cells, within the first
    `n_rows` rows and `n_columns` columns, whose value in `grid` (read with the cached
    values) is blank: the formula was never calculated."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=False, read_only=True)
    found = []
    try:
        ws = wb[title]
        ws.reset_dimensions()
        for row in ws.iter_rows(max_row=n_rows, max_col=n_columns):
            for cell in row:
                if getattr(cell, "data_type", None) != "f":
                    continue
                i, j = cell.row - 1, cell.column - 1
                if i >= len(grid) or j >= len(grid[i]) or is_blank(grid[i][j]):
                    formula = getattr(cell.value, "text", cell.value)  # ArrayFormula or str
                    found.append((cell.row, j, str(formula)))
    finally:
        wb.close()
    return tuple(found)


def check_input_file(path: Path | str) -> Path:
    """`path` as a Path if it is a file; otherwise an error saying what it is instead."""
    path = Path(path)
    if path.is_dir():
        msg = f"Input {path} is a directory; expected a file (give the file's path in it)."
        raise InputError(msg)
    if not path.is_file():
        msg = f"Input file {path} not found."
        raise InputError(msg)
    return path


def read_cells(
    path: Path | str,
    *,
    sheet: str | int | None = None,
    include_hidden: bool = False,
    max_cells: int = MAX_CELLS,
) -> Sheet:
    """Cells of a CSV or XLSX file (``sheet`` picks an XLSX sheet by name or 0-based index;
    with none, the first visible sheet, or the first sheet when ``include_hidden``)."""
    path = check_input_file(path)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx_cells(
            path, sheet=sheet, include_hidden=include_hidden, max_cells=max_cells
        )
    if suffix in {".csv", ".txt", ".tsv"}:
        if sheet not in (None, "", 0, "0"):
            msg = f"sheet={sheet!r} given, but {path.name} is a CSV file, which has no sheets."
            raise InputError(msg)
        return read_csv_cells(path, max_cells=max_cells)
    msg = (
        f"Input file {path.name} has suffix {suffix!r}; expected .csv, .txt, .tsv or .xlsx "
        "(save .xls files as .xlsx first)."
    )
    raise InputError(msg)


# --- layout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawTable:
    """The body of a table: one row per data row, columns labelled from the header row(s).

    ``cells`` has object dtype, blank cells as None and the file row numbers as its index.
    ``groups`` gives, per column, the upper label of a two-row header ("PMKS", "PSKS").
    ``skipped`` lists rows that are not data (column-number and footnote rows) with the reason.
    ``uncalculated`` lists the header and data cells holding a formula without a calculated
    value, as (file row, column label, formula). ``notices`` are problems found while reading
    (a hidden sheet skipped, a data cell merged across categories). ``role_overrides`` gives
    the role of the columns the user named (header label -> role; ``""`` for a data column),
    which win over the roles read from the headers.
    """

    cells: pd.DataFrame
    file: str
    sheet: str
    header_rows: tuple[int, ...]
    title: tuple[str, ...] = ()
    groups: dict[str, str] = field(default_factory=dict)
    skipped: tuple[tuple[int, str], ...] = ()
    uncalculated: tuple[tuple[int, str, str], ...] = ()
    notices: tuple[Problem, ...] = ()
    role_overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """``file`` or ``file (sheet 'name')``, for messages."""
        return self.file + (f" (sheet '{self.sheet}')" if self.sheet else "")

    def uncalculated_problems(self) -> list[Problem]:
        """A ``formula-not-calculated`` problem per formula cell without a value."""
        return [
            Problem(
                kind="formula-not-calculated",
                message="formula has no calculated value, so the cell reads as blank",
                file=self.file,
                sheet=self.sheet,
                row=row,
                column=column,
                value=formula,
                expected="the formula's result stored in the file",
                suggestion="open and save the file in Excel/LibreOffice so the formulas are "
                "calculated",
            )
            for row, column, formula in self.uncalculated
        ]

    def roles(self) -> dict[str, str]:
        """The role of each column: the user's (``role_overrides``), else :func:`column_role`."""
        return {c: self.role_overrides.get(c, column_role(c)) for c in self.cells.columns}


def _nonblank(row: Sequence[Cell]) -> list[Cell]:
    """The cells that are not blank (:func:`is_blank`, inlined: it runs for every cell)."""
    return [
        c
        for c in row
        if c is not None and (c.strip() != "" if isinstance(c, str) else c == c)  # NaN != NaN
    ]


def _is_header_row(row: Sequence[Cell]) -> bool:
    cells = _nonblank(row)
    if len(cells) < 2 or any(_is_number(c) for c in cells):
        return False
    return any(column_role(c) in _AREA_ROLES for c in cells)


def _is_subheader(top: Sequence[Cell], row: Sequence[Cell]) -> bool:
    cells = _nonblank(row)
    if not cells or any(_is_number(c) or _is_dash(c) for c in cells):
        return False
    for t, b in zip(top, row, strict=True):
        role = column_role(t)
        if role in {"code", "desa", "kecamatan", "area", "no"} and not is_blank(b) and b != t:
            return False  # a data row: it has a name under the name header
    return True


def _is_column_number_row(row: Sequence[Cell]) -> bool:
    cells = _nonblank(row)
    if len(cells) < 3:
        return False
    numbers = []
    for c in cells:
        text = str(c).strip().strip("()")
        if not text.isdigit():
            return False
        numbers.append(int(text))
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


_NOTE_START = re.compile(
    r"^\s*(?:sumber(?:\s+data)?|ket(?:erangan)?|catatan|nb|n\.\s*b|note|notes|source)\s*\.?\s*:",
    re.IGNORECASE,
)
_NOTE_MARK = re.compile(r"^\s*(?:\*+\s*\)?|\(\s*\*+\s*\))\s*\S")
_MONTHS = (
    "januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|nopember|"
    "november|desember|january|february|march|may|june|july|august|october|december|"
    "jan|feb|mar|apr|jun|jul|agu|agt|aug|sep|sept|okt|oct|nov|nop|des|dec"
)
_PLACE_DATE = re.compile(
    rf"^\s*[^\W\d][\w .'-]*,\s*(?:(?:\d{{1,2}}\s+)?(?:{_MONTHS})\.?\s+\d{{4}}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^\s*(?:(?:kepala|sekretaris|plt|plh|kabid|camat|bupati|ttd|mengetahui|disetujui|"
    r"diketahui|dibuat\s+oleh|yang\s+membuat|pembina|penata|nip)\b|a\.\s*n\.|an\.\s)",
    re.IGNORECASE,
)


def footer_kind(text: object) -> str:
    """What kind of footer line `text` is ("footnote", "place and date", "signature block"),
    or ``""`` when it is not one.

    >>> [footer_kind(t) for t in ["Sumber Data : Dinas Sosial", "*) angka sementara",
    ...  "Tarutung, 12 Januari 2024", "NIP. 19700101 199003 1 001", "Sumber Jaya"]]
    ['footnote', 'footnote', 'place and date', 'signature block', '']
    """
    if not isinstance(text, str):
        return ""
    if _NOTE_START.match(text) or _NOTE_MARK.match(text):
        return "footnote"
    if _PLACE_DATE.match(text):
        return "place and date"
    if _SIGNATURE.match(text):
        return "signature block"
    return ""


def _is_footnote(row: Sequence[Cell], roles: Sequence[str]) -> bool:
    """One text (maybe merged across the row) starting "Sumber", "Keterangan", "Catatan" ...

    Without a colon, text under a name or code column is data ("Sumber Jaya" is a place).
    """
    texts = {str(c).strip() for c in _nonblank(row)}
    if len(texts) != 1:
        return False
    text = texts.pop()
    words = fold(text).split()
    if not words or words[0] not in _FOOTNOTE_WORDS:
        return False
    under_key = {roles[j] for j, c in enumerate(row) if not is_blank(c)} & _AREA_ROLES
    return ":" in text or not under_key


def _footer_reason(row: Sequence[Cell], roles: Sequence[str], after_footer: bool) -> str:
    """Why a row is a footer and not data, or ``""``: a note ("Sumber Data : ...", "NB:",
    "*) angka sementara"), a place-and-date line or a signature block ("Kepala Dinas ...",
    "NIP. ..."). A row holding a number or a dash is data. After a footer, any row of text
    alone is the footer's continuation (the signer's name, a second note line)."""
    cells = _nonblank(row)
    for c in cells:  # a number, a dash or "nihil" anywhere: a data row
        if not isinstance(c, str) or _parse_text(c) is not None:
            return ""
    if not cells:
        return ""
    first = str(cells[0]).strip()
    if _is_footnote(row, roles):
        return f"footnote: {shorten(first)}"
    kinds = [footer_kind(c) for c in cells]
    kind = next((k for k in kinds if k), "")
    if kind:
        return f"{kind}: {shorten(first)}"
    if after_footer:
        return f"footer: {shorten(first)}"
    return ""


def _merged_data_cells(
    sheet: Sheet, rows: list[list[Cell]], labels: Sequence[str], roles: Sequence[str], body: int
) -> list[Problem]:
    """Blank the copies of cells merged across two or more data (category) columns in the
    rows from `body` (0-based) on, and report each such range as an error."""
    from openpyxl.utils.cell import get_column_letter

    data_cols = {j + 1 for j, role in enumerate(roles) if role == ""}
    problems = []
    for r1, c1, r2, c2 in sheet.merged:
        cols = [c for c in range(c1, c2 + 1) if c in data_cols]
        if r2 <= body or len(cols) < 2:
            continue
        value = rows[r1 - 1][c1 - 1]
        for r in range(max(r1, body + 1) - 1, r2):
            rows[r] = list(rows[r])  # a copy: the sheet's own rows are not changed
            for c in range(c1 - 1, c2):
                rows[r][c] = None
        ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"
        names = [labels[c - 1] for c in cols]
        problems.append(
            Problem(
                kind="merged-data-cell",
                message=f"cell {ref} is merged across the category columns {names}; its value "
                "is not copied into each (that would count it twice) and is left missing",
                file=sheet.file,
                sheet=sheet.sheet,
                row=sheet.row_numbers[r1 - 1],
                column=labels[c1 - 1],
                value=shorten(value),
                expected="one cell per category",
                suggestion=f"unmerge {ref} and write each category's value in its own cell",
            )
        )
    return problems


def _labels(top: list[Cell], bottom: list[Cell] | None) -> tuple[list[str], dict[str, str]]:
    n = len(top)
    top_s = ["" if is_blank(c) else str(c).strip() for c in top]
    if bottom is None:
        labels = top_s
        groups: dict[str, str] = {}
    else:
        bot_s = ["" if is_blank(c) else str(c).strip() for c in bottom]
        for j in range(1, n):  # a CSV two-row header names the group only above its first column
            if not top_s[j] and bot_s[j] and top_s[j - 1] and bot_s[j - 1] != top_s[j - 1]:
                top_s[j] = top_s[j - 1]
        labels, groups = [], {}
        for t, b in zip(top_s, bot_s, strict=True):
            label = b or t
            labels.append(label)
            if t and b and t != b:
                groups[label] = t
    out: list[str] = []
    seen: dict[str, int] = {}
    for j, label in enumerate(labels):
        label = label or f"column {j + 1}"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        out.append(label)
    return out, groups


def named_headers(
    named: Mapping[str, str], labels: Sequence[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The labels of `labels` that the headers of `named` name, and those named but not found:
    ``({label: value}, {header: value})`` (a value is a role, or a category code).

    A header names the label written the same (spaces around it aside), else the one label
    equal to it after :func:`mapping.names.fold` (case, punctuation, spacing).

    >>> named_headers({"Nama Desa/Kel": "desa", "Thn": "year"}, ["No", "NAMA DESA / KEL.", "X"])
    ({'NAMA DESA / KEL.': 'desa'}, {'Thn': 'year'})
    """
    found: dict[str, str] = {}
    missing: dict[str, str] = {}
    for header, role in named.items():
        text = str(header).strip()
        folded = [label for label in labels if fold(label) == fold(text)]
        if text in labels:
            found[text] = role
        elif len(folded) == 1:
            found[folded[0]] = role
        else:
            missing[header] = role
    return found, missing


def _check_roles(roles: Mapping[str, str]) -> None:
    wrong = {h: r for h, r in roles.items() if r not in (*KEY_ROLES, "")}
    if wrong:
        msg = f"roles={wrong} name unknown column roles; allowed: {list(KEY_ROLES)} or ''."
        raise InputError(msg)


def locate_table(sheet: Sheet, *, roles: Mapping[str, str] | None = None) -> RawTable:
    """Find the header (skipping title rows, joining a two-row header) and the data rows.

    `roles` (header label -> one of :data:`KEY_ROLES`, or ``""`` for a data column) names
    columns whose role detection would miss or get wrong: a row holding one of them is taken
    as the header row, and their roles win over detection (see :meth:`RawTable.roles`).

    Raises :class:`~mapping.errors.InputError` when the file has no rows, or no data rows
    under the header, and :class:`~mapping.errors.MissingColumns` (keys ``columns.<role>``)
    when a header of `roles` is not in the header row.
    """
    named = dict(roles or {})
    _check_roles(named)
    width = max((len(r) for r in sheet.rows), default=0)
    rows = [r if len(r) == width else [*r, *[None] * (width - len(r))] for r in sheet.rows]
    where = f"{sheet.file}" + (f" (sheet '{sheet.sheet}')" if sheet.sheet else "")
    if not any(_nonblank(r) for r in rows):
        msg = f"{where} is empty: no cells with values."
        raise InputError(msg)
    search = range(min(len(rows), HEADER_SEARCH_ROWS))
    wanted = {fold(h) for h in named}
    header = next(
        (i for i in search if wanted and wanted & {fold(c) for c in _nonblank(rows[i])}), None
    )
    if header is None:
        header = next((i for i in search if _is_header_row(rows[i])), None)
    if header is None:
        header = next(i for i in range(len(rows)) if len(_nonblank(rows[i])) >= 1)
    title = tuple(
        " ".join(str(c) for c in dict.fromkeys(_nonblank(rows[i])))
        for i in range(header)
        if _nonblank(rows[i])
    )
    header_rows = [header]
    bottom = None
    if header + 1 < len(rows) and _is_subheader(rows[header], rows[header + 1]):
        bottom = rows[header + 1]
        header_rows.append(header + 1)
    labels, groups = _labels(rows[header], bottom)
    overrides, missing = named_headers(named, labels)
    if missing:
        keys = {f"columns.{role}" if role else f"categories.{h}": h for h, role in missing.items()}
        raise MissingColumns(
            where, keys, labels, header_rows=[sheet.row_numbers[i] for i in header_rows]
        )
    label_roles = [overrides.get(label, column_role(label)) for label in labels]
    notices = [*sheet.notices]
    if sheet.merged:
        notices += _merged_data_cells(sheet, rows, labels, label_roles, header_rows[-1] + 1)
    body: list[list[Cell]] = []
    index: list[int] = []
    skipped: list[tuple[int, str]] = []
    after_footer = False
    for i in range(header_rows[-1] + 1, len(rows)):
        row, number = rows[i], sheet.row_numbers[i]
        if not _nonblank(row):
            continue
        if i == header_rows[-1] + 1 and _is_column_number_row(row):
            skipped.append((number, "column numbers under the header"))
            continue
        reason = _footer_reason(row, label_roles, after_footer)
        if reason:
            skipped.append((number, reason))
            after_footer = True
            continue
        after_footer = False
        body.append(row)
        index.append(number)
    header_numbers = tuple(sheet.row_numbers[i] for i in header_rows)
    if not body:
        msg = (
            f"No data rows under the header (row {header_numbers[-1]}) in {where}: the table "
            "has a header and nothing else. Fill in one row per area, or check that this is "
            "the right file" + (" and sheet." if sheet.sheet else ".")
        )
        raise InputError(msg)
    cells = pd.DataFrame(
        body, columns=labels, index=pd.Index(index, name="source_row"), dtype=object
    )
    kept = set(index) | set(header_numbers)
    return RawTable(
        cells=cells,
        file=sheet.file,
        sheet=sheet.sheet,
        header_rows=header_numbers,
        title=title,
        groups=groups,
        skipped=tuple(skipped),
        uncalculated=tuple(
            (r, labels[c] if c < len(labels) else f"column {c + 1}", f)
            for r, c, f in sheet.uncalculated
            if r in kept
        ),
        notices=tuple(notices),
        role_overrides=overrides,
    )


def read_raw_table(
    path: Path | str,
    *,
    sheet: str | int | None = None,
    include_hidden: bool = False,
    max_cells: int = MAX_CELLS,
    roles: Mapping[str, str] | None = None,
) -> RawTable:
    """:func:`read_cells` then :func:`locate_table` (with the user's column `roles`)."""
    return locate_table(
        read_cells(path, sheet=sheet, include_hidden=include_hidden, max_cells=max_cells),
        roles=roles,
    )


_YEAR_RE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def year_in_title(title: Sequence[str]) -> int | None:
    """A year named in the title rows ("KEADAAN TAHUN 2023" -> 2023), if exactly one is.

    >>> year_in_title(["DATA PMKS KABUPATEN TAPANULI UTARA", "TAHUN 2023"])
    2023
    """
    years = {int(y) for line in title for y in _YEAR_RE.findall(line)}
    return years.pop() if len(years) == 1 else None
