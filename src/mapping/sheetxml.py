"""Scanning one XLSX sheet's XML in bounded memory: its extent, merged ranges and error cells."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import IO
from xml.sax.saxutils import unescape

#: Bytes of the unzipped sheet XML looked at in one piece.
CHUNK_BYTES = 1 << 20

_ROOT = re.compile(rb"<(\w+:)?worksheet[\s>]")
# The reference of a cell element (only cells have r="A1"-like references; a row's r is a
# number): column letters, row number, and "/" when the element is empty (<c r="A1" s="2"/>).
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"[^>/]*(/?)>')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z0-9:$]+)"')
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")


@dataclass(frozen=True)
class SheetScan:
    """What a sheet's XML says about its cells, found before any cell is read.

    ``n_rows`` and ``n_columns`` bound the last row and column holding a cell that is not
    empty (1-based; exact when every cell names its position, as every spreadsheet program
    writes it); ``n_cells`` counts the cell elements. ``merged`` lists the merged ranges as
    written, 1-based (first row, first column, last row, last column). ``errors`` lists the
    cells holding an error value (``#N/A``, ``#DIV/0!``) as (row, column, text), 1-based.
    ``uncalculated`` is True when a formula cell has no calculated value (no ``<v>``, or a
    blank one: a file written by a script and never opened in a spreadsheet program).
    ``over`` is 0, or the row at which the sheet passed the scan's `limit` of cells (the scan
    stopped there).
    """

    n_rows: int = 0
    n_columns: int = 0
    n_cells: int = 0
    merged: tuple[tuple[int, int, int, int], ...] = ()
    errors: tuple[tuple[int, int, str], ...] = ()
    uncalculated: bool = False
    over: int = 0


@lru_cache(maxsize=8)
def _patterns(prefix: bytes) -> tuple[re.Pattern[bytes], ...]:
    """The row-reference, error-cell and calculated-formula patterns for tags with namespace
    `prefix` (``x:``)."""
    p = re.escape(prefix)
    row_ref = re.compile(rb"<" + p + rb'row\s[^>]*?\br="([0-9]{1,7})"')
    error = re.compile(
        rb"<" + p + rb'c\s([^>]*?\bt="e"[^>]*)(?<!/)>(.*?)</' + p + rb"c>", re.DOTALL
    )
    calculated = re.compile(  # a formula followed by a value that is not blank
        rb"(?:</" + p + rb"f>|<" + p + rb"f\s[^>]*/>)\s*<" + p + rb"v>\s*[^<\s]"
    )
    return row_ref, error, calculated


def _pieces(head: bytes, src: IO[bytes], cell_start: bytes) -> Iterator[bytes]:
    """`head`, then the rest of `src`, in pieces of about :data:`CHUNK_BYTES`, each cut
    before a cell element starts (or, where none starts, before a tag), so that no cell is
    split between two pieces."""
    tail, chunk = b"", head
    while chunk:
        buffer = tail + chunk
        cut = max(buffer.rfind(cell_start + b" "), buffer.rfind(cell_start + b">"))
        if cut <= 0:
            cut = buffer.rfind(b"<")
        cut = cut if cut > 0 else len(buffer)
        yield buffer[:cut]
        tail = buffer[cut:]
        chunk = src.read(CHUNK_BYTES)
    if tail:
        yield tail


def scan_sheet(src: IO[bytes], *, limit: int) -> SheetScan:
    """Scan the XML of one worksheet (an open binary stream) for its extent, merged ranges,
    error cells and formulas without a value, without building any cell.

    The scan stops as soon as the sheet holds more than `limit` cells, or its cells span a
    grid of more than `limit` (a stray value in cell XFD1048576 makes a grid of 17 billion
    cells), and says where in ``over``.

    A cell element that gives no position (the attribute is optional) comes after the one
    before it, so the bounds add one row or column per such element: an upper bound, never
    less than the grid a reader builds.
    """
    from openpyxl.utils.cell import column_index_from_string, range_boundaries

    head = src.read(CHUNK_BYTES)
    found = _ROOT.search(head)
    prefix = (found.group(1) or b"") if found else b""
    row_ref, error_cell, calculated = _patterns(prefix)
    cell_start, row_start = b"<" + prefix + b"c", b"<" + prefix + b"row"
    formula_tags = (b"<" + prefix + b"f>", b"<" + prefix + b"f ")
    last_row = last_column = n_cells = rows_without_ref = cells_without_ref = 0
    merged: list[tuple[int, int, int, int]] = []
    errors: list[tuple[int, int, str]] = []
    uncalculated = False
    n_rows = n_columns = over = 0
    for piece in _pieces(head, src, cell_start):
        refs = _CELL_REF.findall(piece)
        tags = piece.count(cell_start + b" ") + piece.count(cell_start + b">")
        without_ref = max(tags - len(refs), 0)
        filled = [ref for ref in refs if not ref[2]]  # empty cells (<c r="A1" s="2"/>) aside
        n_cells += len(filled) + without_ref
        cells_without_ref += without_ref
        if filled:
            last_row = max(last_row, max(map(int, map(itemgetter(1), filled))))
            columns = {
                column_index_from_string(c.decode()) for c in set(map(itemgetter(0), filled))
            }
            last_column = max(last_column, *columns)
        if cells_without_ref:
            rows = row_ref.findall(piece)
            n_row_tags = piece.count(row_start + b" ") + piece.count(row_start + b">")
            rows_without_ref += max(n_row_tags - len(rows), 0)
            last_row = max(last_row, max(map(int, rows), default=0))
        n_rows = last_row + rows_without_ref if cells_without_ref else last_row
        n_columns = last_column + cells_without_ref
        if n_cells > limit or n_rows * n_columns > limit:
            over = min(n_rows, limit // max(n_columns, 1) + 1)
            break
        if not uncalculated and any(tag in piece for tag in formula_tags):
            n_formulas = sum(piece.count(tag) for tag in formula_tags)
            uncalculated = n_formulas > len(calculated.findall(piece))
        if b't="e"' in piece:
            errors += _error_cells(piece, error_cell)
        if b"mergeCell" in piece and len(merged) <= limit:
            for match in _MERGE.finditer(piece):
                c1, r1, c2, r2 = range_boundaries(match.group(1).decode().replace("$", ""))
                merged.append((r1, c1, r2, c2))
    return SheetScan(
        n_rows=n_rows,
        n_columns=n_columns,
        n_cells=n_cells,
        merged=tuple(merged[: limit + 1]),
        errors=tuple(errors),
        uncalculated=uncalculated,
        over=over,
    )


def _error_cells(piece: bytes, pattern: re.Pattern[bytes]) -> list[tuple[int, int, str]]:
    """(row, column, text) of the error cells in `piece` that name their position."""
    from openpyxl.utils.cell import column_index_from_string

    out = []
    for match in pattern.finditer(piece):
        ref, value = _REF.search(match.group(1)), _VALUE.search(match.group(2))
        if ref and value:
            column = column_index_from_string(ref.group(1).decode())
            out.append((int(ref.group(2)), column, unescape(value.group(1).decode())))
    return out
