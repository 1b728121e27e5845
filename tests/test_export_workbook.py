"""The generic formatted-workbook writer, read back with openpyxl."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from mapping.errors import InputError
from mapping.export import neutralise_formula, sheet_name, write_workbook


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["12.02.06.2004", "12.02.05.2007", "12.02.01.1001"],
            "name": ["Silangkitang", '=HYPERLINK("http://x")', "@SUM(A1)"],
            "score": [0.71234, np.nan, 0.5],
            "share": [1.0, 0.25, 0.0],
            "rank": pd.array([1, pd.NA, 2], dtype="Int64"),
            "note": ["-5 km", "+62 812", "biasa"],
        }
    )


def test_headers_formats_freeze_filter(tmp_path, frame) -> None:
    path = write_workbook(
        tmp_path / "t.xlsx",
        {"Data": frame, "Lain": frame.head(1)},
        headers={"code": "Kode desa", "score": "Skor"},
        number_formats={"score": "0.000", "share": "0%"},
        wrap={"note"},
    )
    wb = load_workbook(path)
    assert wb.sheetnames == ["Data", "Lain"]
    ws = wb["Data"]
    assert [c.value for c in ws[1]] == ["Kode desa", "name", "Skor", "share", "rank", "note"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F4"
    assert wb["Lain"].auto_filter.ref == "A1:F2"
    assert ws["C2"].value == pytest.approx(0.71234) and ws["C2"].number_format == "0.000"
    assert ws["C3"].value is None  # NaN -> empty cell, not 0 or "nan"
    assert ws["D3"].number_format == "0%" and ws["D3"].value == 0.25
    assert ws["E2"].value == 1 and ws["E3"].value is None
    assert ws["A2"].value == "12.02.06.2004"  # codes stay text
    assert ws["F2"].alignment.wrap_text
    assert 6 <= ws.column_dimensions["A"].width <= 80
    assert ws.column_dimensions["A"].width >= len("12.02.06.2004")


def test_formula_like_text_is_not_run(tmp_path, frame) -> None:
    ws = load_workbook(write_workbook(tmp_path / "f.xlsx", {"Data": frame}))["Data"]
    for ref in ("B3", "B4", "F2", "F3"):  # = @ - +
        cell = ws[ref]
        assert cell.data_type == "s" and cell.quotePrefix, ref
    assert ws["B3"].value == '=HYPERLINK("http://x")'  # shown as typed, stored as text
    assert not ws["B2"].quotePrefix
    assert neutralise_formula("=1+1") == "'=1+1" and neutralise_formula("Desa") == "Desa"


def test_sheet_names_made_valid_and_unique(tmp_path, frame) -> None:
    long = "Kecamatan Siborongborong dan sekitarnya"
    sheets = {"a/b:c*?": frame, long: frame, long + " 2": frame, "'quoted'": frame}
    wb = load_workbook(write_workbook(tmp_path / "s.xlsx", sheets))
    names = wb.sheetnames
    assert names[0] == "a-b-c--"
    assert names[1] == long[:31].rstrip() and len(names[2]) <= 31 and names[2].endswith("(2)")
    assert names[3] == "quoted"
    assert sheet_name("Ringkasan", ["RINGKASAN", "Ringkasan (2)"]) == "Ringkasan (3)"


def test_workbook_errors(tmp_path, frame) -> None:
    with pytest.raises(InputError, match=r"Cannot write a workbook as 't.csv'; use a .xlsx"):
        write_workbook(tmp_path / "t.csv", {"Data": frame})
    with pytest.raises(InputError, match=r"no sheets given"):
        write_workbook(tmp_path / "t.xlsx", {})
    assert not (tmp_path / "t.xlsx").exists()
