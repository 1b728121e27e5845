"""Scanning a sheet's XML before reading it: extent, merged ranges, error cells, formulas."""

from __future__ import annotations

import io

import pytest

from mapping import sheetxml
from mapping.sheetxml import scan_sheet


def _sheet(rows: str, after: str = "", prefix: str = "") -> io.BytesIO:
    ns = f"xmlns{':' + prefix[:-1] if prefix else ''}"
    text = (
        f'<?xml version="1.0"?><{prefix}worksheet {ns}="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><{prefix}sheetData>{rows}</{prefix}sheetData>{after}'
        f"</{prefix}worksheet>"
    )
    return io.BytesIO(text.encode())


ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>7</v></c>'
    '<c r="F2" s="3"/></row>'  # an empty styled cell: not part of the extent
    '<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" t="e"><v>#N/A</v></c>'
    '<c r="C3"><f>B2*2</f><v></v></c></row>'
)


def test_extent_merged_errors_and_formulas() -> None:
    after = '<mergeCells count="2"><mergeCell ref="A2:A3"/><mergeCell ref="$B$1:C1"/></mergeCells>'
    scan = scan_sheet(_sheet(ROWS, after), limit=100)
    assert (scan.n_rows, scan.n_columns, scan.n_cells) == (3, 3, 7)
    assert scan.merged == ((2, 1, 3, 1), (1, 2, 1, 3))
    assert scan.errors == ((3, 2, "#N/A"),)
    assert scan.uncalculated  # C3's formula has an empty value
    assert scan.over == 0


def test_namespace_prefix_and_small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = ROWS.replace("<", "<x:").replace("<x:/", "</x:")
    monkeypatch.setattr(sheetxml, "CHUNK_BYTES", 40)  # every cell crosses a piece boundary
    scan = scan_sheet(_sheet(rows, prefix="x:"), limit=100)
    assert (scan.n_rows, scan.n_columns, scan.n_cells) == (3, 3, 7)
    assert scan.errors == ((3, 2, "#N/A"),)
    assert scan.uncalculated


def test_no_formulas_and_an_escaped_error_text() -> None:
    scan = scan_sheet(_sheet('<row r="1"><c r="A1" t="e"><v>#A&amp;B</v></c></row>'), limit=10)
    assert scan.errors == ((1, 1, "#A&B"),)
    assert not scan.uncalculated


def test_formulas_with_values_need_no_second_reading() -> None:
    calculated = (
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">'
        'A1*2</f><v>4</v></c></row><row r="2"><c r="B2"><f t="shared" si="0"/><v> 6</v></c>'
        '<c r="C2" t="str"><f>"x"</f><v>x</v></c></row>'
    )
    assert not scan_sheet(_sheet(calculated), limit=10).uncalculated
    for missing in (
        '<c r="D2"><f>1</f></c>',
        '<c r="D2"><f>1</f><v/></c>',
        '<c r="D2"><f>1</f><v> </v></c>',
    ):
        rows = calculated[: -len("</row>")] + missing + "</row>"
        assert scan_sheet(_sheet(rows), limit=10).uncalculated, missing


def test_a_stray_far_cell_passes_the_limit_at_its_row() -> None:
    rows = ROWS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    scan = scan_sheet(_sheet(rows), limit=5_000_000)
    # 16,384 columns wide: 5,000,000 cells are passed at row 5,000,000 // 16,384 + 1 = 306
    assert scan.over == 306


def test_too_many_cells_stop_the_scan() -> None:
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 31))
    assert scan_sheet(_sheet(rows), limit=20).over == 21
    assert scan_sheet(_sheet(rows), limit=30).over == 0


def test_cells_without_a_reference_widen_the_bounds() -> None:
    # The reference is optional: such a cell follows the one before it.
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>'
        "<row><c><v>4</v></c></row>"
    )
    scan = scan_sheet(_sheet(rows), limit=100)
    assert scan.n_cells == 4
    assert scan.n_rows >= 2
    assert scan.n_columns >= 3
