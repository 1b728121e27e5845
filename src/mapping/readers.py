"""Reading CSV/XLSX cells as government offices lay them out: header, numbers, totals."""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mapping.errors import InputError, Problem
from mapping.names import fold

Cell = Any  # str, int, float, None as read from the file

#: Tried in order; a UTF-16 file (Excel's "Unicode Text") is recognised by its byte-order mark.
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS: tuple[str, ...] = (",", ";", "\t")
#: How many rows from the top are searched for the header.
HEADER_SEARCH_ROWS = 30

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


def is_total_label(text: object) -> bool:
    """True when a cell says the row is a total ("JUMLAH", "Total", "Jumlah Kec. Muara").

    >>> is_total_label("JUMLAH"), is_total_label("Jumlah Kec. Muara"), is_total_label("Lobu")
    (True, True, False)
    """
    key = fold(text)
    return key in _TOTAL_WORDS or key.startswith(_TOTAL_PREFIXES)


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
    text = str(value).replace("\u00a0", " ").strip()
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
    msg = f"{value!r} is not a number"
    raise NumberFormatError(msg)


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
    their cells read as blank.
    """

    rows: list[list[Cell]]
    row_numbers: list[int]
    file: str
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    uncalculated: tuple[tuple[int, int, str], ...] = ()


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
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
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
        widths = pd.Series([len(r) for r in csv.reader(lines, delimiter=delim)], dtype="int64")
        widths = widths[widths > 1]
        if widths.empty:
            continue
        mode = int(widths.mode().max())
        score = int((widths == mode).sum()) * mode
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_cells(path: Path) -> Sheet:
    """Cells of a CSV file in utf-8 (with or without BOM), cp1252/latin-1 or UTF-16 with BOM,
    delimited by , ; or tab (the one that splits most lines into the same number of fields)."""
    path = Path(path)
    text, encoding = _decode(path.read_bytes(), path)
    delim = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    start = 1
    for row in reader:
        rows.append([c if c.strip() else None for c in row])
        numbers.append(start)
        start = reader.line_num + 1
    return Sheet(rows, numbers, path.name, "", encoding, delim)


def _sheet_title(names: Sequence[str], sheet: str | int | None, path: Path) -> str:
    """The sheet named `sheet` (exactly, then ignoring case and spacing), else the sheet at
    index `sheet`: a sheet named "2023" is found by its name, "1" is the second sheet."""
    listing = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    if sheet is None:
        return names[0]
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


def _cell_value(value: Cell) -> Cell:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def read_xlsx_cells(path: Path, *, sheet: str | int | None = None) -> Sheet:
    """Cells of one sheet of an XLSX file (by name or 0-based index); merged cells filled in."""
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        msg = f"Cannot open {path} as an XLSX workbook: {type(exc).__name__}: {exc}"
        raise InputError(msg) from exc
    title = _sheet_title(wb.sheetnames, sheet, path)
    ws = wb[title]
    grid = [
        [_cell_value(v) for v in row]
        for row in ws.iter_rows(
            min_row=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True
        )
    ]
    uncalculated = _uncalculated(path, title, grid) if _has_formulas(path) else ()
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                grid[r][c] = top
    wb.close()
    return Sheet(grid, list(range(1, len(grid) + 1)), path.name, title, uncalculated=uncalculated)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(path: Path) -> bool:
    """True when any sheet of the workbook holds a formula (a cheap look at the XML)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return any(
            _FORMULA_TAG.search(zf.read(name))
            for name in zf.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _uncalculated(
    path: Path, title: str, grid: list[list[Cell]]
) -> tuple[tuple[int, int, str], ...]:
    """(row, column index, formula) of sheet `title`'s formula cells whose value in `grid`
    (read with the cached values) is blank: the formula was never calculated."""
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=False)
    found = []
    for row in wb[title].iter_rows(max_row=len(grid)):
        for cell in row:
            if cell.data_type != "f" or cell.column > len(grid[cell.row - 1]):
                continue
            if is_blank(grid[cell.row - 1][cell.column - 1]):
                formula = getattr(cell.value, "text", cell.value)  # ArrayFormula or str
                found.append((cell.row, cell.column - 1, str(formula)))
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


def read_cells(path: Path | str, *, sheet: str | int | None = None) -> Sheet:
    """Cells of a CSV or XLSX file (``sheet`` picks an XLSX sheet by name or 0-based index)."""
    path = check_input_file(path)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx_cells(path, sheet=sheet)
    if suffix in {".csv", ".txt", ".tsv"}:
        if sheet not in (None, "", 0, "0"):
            msg = f"sheet={sheet!r} given, but {path.name} is a CSV file, which has no sheets."
            raise InputError(msg)
        return read_csv_cells(path)
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
    value, as (file row, column label, formula).
    """

    cells: pd.DataFrame
    file: str
    sheet: str
    header_rows: tuple[int, ...]
    title: tuple[str, ...] = ()
    groups: dict[str, str] = field(default_factory=dict)
    skipped: tuple[tuple[int, str], ...] = ()
    uncalculated: tuple[tuple[int, str, str], ...] = ()

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
        """The role of each column (see :func:`column_role`)."""
        return {c: column_role(c) for c in self.cells.columns}


def _nonblank(row: Sequence[Cell]) -> list[Cell]:
    return [c for c in row if not is_blank(c)]


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


def _is_footnote(row: Sequence[Cell], roles: Sequence[str]) -> bool:
    """One text (maybe merged across the row) starting "Sumber:", "Keterangan", "Catatan" ...

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


def locate_table(sheet: Sheet) -> RawTable:
    """Find the header (skipping title rows, joining a two-row header) and the data rows.

    Raises :class:`~mapping.errors.InputError` when the file has no rows, or no data rows
    under the header.
    """
    width = max((len(r) for r in sheet.rows), default=0)
    rows = [list(r) + [None] * (width - len(r)) for r in sheet.rows]
    where = f"{sheet.file}" + (f" (sheet '{sheet.sheet}')" if sheet.sheet else "")
    if not any(_nonblank(r) for r in rows):
        msg = f"{where} is empty: no cells with values."
        raise InputError(msg)
    search = range(min(len(rows), HEADER_SEARCH_ROWS))
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
    roles = [column_role(label) for label in labels]
    body: list[list[Cell]] = []
    index: list[int] = []
    skipped: list[tuple[int, str]] = []
    for i in range(header_rows[-1] + 1, len(rows)):
        row, number = rows[i], sheet.row_numbers[i]
        if not _nonblank(row):
            continue
        if i == header_rows[-1] + 1 and _is_column_number_row(row):
            skipped.append((number, "column numbers under the header"))
            continue
        if _is_footnote(row, roles):
            skipped.append((number, f"footnote: {_nonblank(row)[0]}"))
            continue
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
    )


def read_raw_table(path: Path | str, *, sheet: str | int | None = None) -> RawTable:
    """:func:`read_cells` then :func:`locate_table`."""
    return locate_table(read_cells(path, sheet=sheet))


_YEAR_RE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def year_in_title(title: Sequence[str]) -> int | None:
    """A year named in the title rows ("KEADAAN TAHUN 2023" -> 2023), if exactly one is.

    >>> year_in_title(["DATA PMKS KABUPATEN TAPANULI UTARA", "TAHUN 2023"])
    2023
    """
    years = {int(y) for line in title for y in _YEAR_RE.findall(line)}
    return years.pop() if len(years) == 1 else None
