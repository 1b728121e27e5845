"""Reading cells as government files lay them out: encodings, delimiters, sheets, headers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from openpyxl import Workbook

from mapping.errors import InputError
from mapping.readers import (
    NumberFormatError,
    column_role,
    is_total_label,
    parse_number,
    read_cells,
    read_raw_table,
    year_in_title,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12.0),
        ("1.234", 1234.0),
        ("1.234.567", 1234567.0),
        ("1.234,5", 1234.5),
        ("12,5", 12.5),
        ("1,234.5", 1234.5),
        ("2.25", 2.25),
        ("1 234", 1234.0),
        ("-", 0.0),
        ("\u2013", 0.0),
        ("nihil", 0.0),
        ("-3", -3.0),
        (" 7 ", 7.0),
        (5, 5.0),
        (2.5, 2.5),
    ],
)
def test_parse_number(text: object, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("blank", [None, "", "   ", "\u00a0"])
def test_blank_is_missing(blank: object) -> None:
    assert math.isnan(parse_number(blank))


@pytest.mark.parametrize("bad", ["dua", "12 orang", "1.23.4", "1,2,3", True])
def test_non_numbers_raise(bad: object) -> None:
    with pytest.raises(NumberFormatError, match="is not a number"):
        parse_number(bad)


def test_roles_and_totals() -> None:
    assert column_role("No.") == "no"
    assert column_role("Kode Desa (Kemendagri)") == "code"
    assert column_role("Desa/Kel") == "desa"
    assert column_role("Nama Kecamatan") == "kecamatan"
    assert column_role("Fakir Miskin") == ""
    assert is_total_label("JUMLAH") and is_total_label("Total Kabupaten")
    assert is_total_label("Jumlah Kec. Tarutung") and not is_total_label("Hutauruk")
    assert year_in_title(["Data 2022 dan 2023"]) is None


TEXT = "Desa,Kecamatan,ODHA\nHutauruk,Tarutung,3\nS\u00edtampurung,Siborongborong,1\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delim", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delim: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.replace(",", delim).encode(encoding))
    sheet = read_cells(path)
    assert sheet.delimiter == delim
    assert sheet.rows[0] == ["Desa", "Kecamatan", "ODHA"]
    assert sheet.rows[2][0] == "S\u00edtampurung"


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Desa;Fakir Miskin\nHutauruk;1.234,5\nLobu;2,5\n", encoding="utf-8")
    assert read_cells(path).delimiter == ";"


def test_title_rows_column_numbers_and_footnote(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "DATA PMKS KABUPATEN TAPANULI UTARA,,\nTAHUN 2023,,\n,,\nNo,Desa,ODHA\n(1),(2),(3)\n"
        "1,Hutauruk,3\n2,Lobu Pining,-\nSumber: Dinas Sosial,,\n",
        encoding="utf-8",
    )
    raw = read_raw_table(path)
    assert raw.title == ("DATA PMKS KABUPATEN TAPANULI UTARA", "TAHUN 2023")
    assert raw.header_rows == (4,)
    assert list(raw.cells.columns) == ["No", "Desa", "ODHA"]
    assert list(raw.cells.index) == [6, 7]
    assert [r for r, _ in raw.skipped] == [5, 8]


def test_two_row_header_csv(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("No;Desa;PMKS;;PSKS\n;;Lansia;ODHA;PSM\n1;Hutauruk;1;2;3\n", encoding="utf-8")
    raw = read_raw_table(path)
    assert list(raw.cells.columns) == ["No", "Desa", "Lansia", "ODHA", "PSM"]
    assert raw.groups == {"Lansia": "PMKS", "ODHA": "PMKS", "PSM": "PSKS"}
    assert list(raw.cells.index) == [3]


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    ws.append(["nothing here"])
    ws2 = wb.create_sheet("PMKS 2023")
    ws2.append(["REKAP PMKS"])
    ws2.append(["No", "Kecamatan", "Desa", "Jenis PMKS", None])
    ws2.append([None, None, None, "Fakir Miskin", "Lansia Terlantar"])
    ws2.append([1, "TARUTUNG", "HUTAURUK", 12, "-"])
    ws2.append([2, None, "HAPOLTAHAN", 1234, 2])
    for col in (1, 2, 3):
        ws2.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws2.merge_cells("D2:E2")
    ws2.merge_cells("B4:B5")
    wb.save(path)
    return path


def test_xlsx_sheet_by_name_and_index_and_merged_cells(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "w.xlsx")
    for sheet in ("PMKS 2023", "pmks 2023", 1, "1"):
        raw = read_raw_table(path, sheet=sheet)
        assert raw.sheet == "PMKS 2023"
        assert list(raw.cells.columns) == [
            "No",
            "Kecamatan",
            "Desa",
            "Fakir Miskin",
            "Lansia Terlantar",
        ]
        assert raw.groups["Fakir Miskin"] == "Jenis PMKS"
        assert list(raw.cells["Kecamatan"]) == ["TARUTUNG", "TARUTUNG"]  # merged down
        assert list(raw.cells.index) == [4, 5]
    assert read_cells(path).sheet == "Ringkasan"


def test_xlsx_missing_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "w.xlsx")
    with pytest.raises(InputError, match=r"sheet='PSKS' not found in w.xlsx; sheets are 0: "):
        read_cells(path, sheet="PSKS")
    with pytest.raises(InputError, match="has no sheet with index 5"):
        read_cells(path, sheet=5)


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_cells(tmp_path / "nope.csv")
    (tmp_path / "a.xls").write_bytes(b"x")
    with pytest.raises(InputError, match="save .xls files as .xlsx"):
        read_cells(tmp_path / "a.xls")
    (tmp_path / "e.csv").write_text(",,\n,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="e.csv is empty"):
        read_raw_table(tmp_path / "e.csv")
    (tmp_path / "c.csv").write_text("Desa,ODHA\n", encoding="utf-8")
    with pytest.raises(InputError, match="is a CSV file, which has no sheets"):
        read_cells(tmp_path / "c.csv", sheet="PMKS")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="Cannot open .* as an XLSX workbook"):
        read_cells(tmp_path / "broken.xlsx")


def test_latin1_and_utf16_files(tmp_path: Path) -> None:
    latin = tmp_path / "l.csv"  # 0x81 is undefined in cp1252: only latin-1 decodes it
    latin.write_bytes("Desa;ODHA\nS\u00edtampurung;1\n".encode("latin-1") + b"X\x81;2\n")
    sheet = read_cells(latin)
    assert (sheet.encoding, sheet.delimiter) == ("latin-1", ";")
    assert sheet.rows[1][0] == "S\u00edtampurung"
    utf16 = tmp_path / "u.txt"  # Excel's "Unicode Text": UTF-16 with a BOM, tab-delimited
    utf16.write_bytes("Desa\tODHA\r\nS\u00edtampurung\t1\r\n".encode("utf-16"))
    sheet = read_cells(utf16)
    assert (sheet.encoding, sheet.delimiter) == ("utf-16", "\t")
    assert sheet.rows == [["Desa", "ODHA"], ["S\u00edtampurung", "1"]]


def test_sheet_named_like_a_number_is_found_by_name(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "2022"
    wb.create_sheet("2023")
    wb.create_sheet("Rekap")
    path = tmp_path / "y.xlsx"
    wb.save(path)
    assert read_cells(path, sheet="2023").sheet == "2023"  # the name, not index 2023
    assert read_cells(path, sheet="2").sheet == "Rekap"  # no sheet named '2': index 2
    assert read_cells(path, sheet=0).sheet == "2022"
    with pytest.raises(InputError, match="has no sheet named '7' or with index 7"):
        read_cells(path, sheet="7")


def test_merged_footnote_is_skipped_but_a_place_named_sumber_is_data(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["No", "Desa", "ODHA", "Keterangan"])
    ws.append([1, "Sumber Jaya", None, None])  # a data row: the name of a place, no colon
    ws.append([2, "Hutauruk", 2, None])
    ws.append(["Sumber : Dinas Sosial Kab. Tapanuli Utara", None, None, None])
    ws.merge_cells("A4:D4")  # merged across the table: the text fills every cell
    ws.append(["Ket. baris kosong"])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    raw = read_raw_table(path)
    assert list(raw.cells.index) == [2, 3]
    assert [r for r, _ in raw.skipped] == [4, 5]
    assert raw.skipped[0][1].startswith("footnote: Sumber : Dinas Sosial")


def test_title_lines_do_not_outvote_the_delimiter(tmp_path: Path) -> None:
    # Found by the Hypothesis test of test_tables: three one-cell title lines above a short
    # ';'-delimited table made the sniffer pick ','.
    path = tmp_path / "t.csv"
    path.write_text(
        "JUDUL TABEL 0\nJUDUL TABEL 1\nJUDUL TABEL 2\n"
        "No;Kecamatan;Desa/Kelurahan;FAKIR MISKIN (KK)\n1;Tarutung;Partoli Toruan;0\n",
        encoding="utf-8",
    )
    raw = read_raw_table(path)
    assert list(raw.cells.columns) == ["No", "Kecamatan", "Desa/Kelurahan", "FAKIR MISKIN (KK)"]
    assert raw.title == ("JUDUL TABEL 0", "JUDUL TABEL 1", "JUDUL TABEL 2")


def test_a_directory_is_not_a_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "data.csv"
    folder.mkdir()
    with pytest.raises(InputError, match=r"data.csv is a directory; expected a file"):
        read_cells(folder)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_refused(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes("Desa;ODHA\nSitampurung;1\n".encode(encoding))
    with pytest.raises(
        InputError, match=r"u.csv holds NUL bytes.*save it as UTF-8 \(or UTF-16 with BOM\)"
    ):
        read_cells(path)


def test_renamed_workbook_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "w.xlsx").rename(tmp_path / "w.csv")
    with pytest.raises(InputError, match="an XLSX workbook renamed; give it the .xlsx suffix"):
        read_cells(path)


def test_header_without_data_rows(tmp_path: Path) -> None:
    csv_path = tmp_path / "h.csv"
    csv_path.write_text("REKAP PMKS\nNo;Desa;ODHA\n(1);(2);(3)\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"No data rows under the header \(row 2\) in h.csv:"):
        read_raw_table(csv_path)
    wb = Workbook()
    wb.active.title = "PMKS"
    wb.active.append(["Desa", "Kecamatan", "ODHA"])
    wb.save(tmp_path / "h.xlsx")
    with pytest.raises(
        InputError, match=r"No data rows under the header \(row 1\) in h.xlsx \(sheet 'PMKS'\)"
    ):
        read_raw_table(tmp_path / "h.xlsx")


def test_formulas_without_calculated_values_are_reported(tmp_path: Path) -> None:
    wb = Workbook()  # written by a script: openpyxl stores formulas without their results
    ws = wb.active
    ws.title = "PMKS"
    for row in (["Desa", "ODHA", "PSM"], ["Hutauruk", 2, "=B2*2"], ["Jumlah", "=SUM(B2:B2)", 4]):
        ws.append(row)
    wb.save(tmp_path / "f.xlsx")
    raw = read_raw_table(tmp_path / "f.xlsx")
    assert raw.uncalculated == ((2, "PSM", "=B2*2"), (3, "ODHA", "=SUM(B2:B2)"))
    problems = raw.uncalculated_problems()
    assert [(p.kind, p.row, p.column, p.value) for p in problems] == [
        ("formula-not-calculated", 2, "PSM", "=B2*2"),
        ("formula-not-calculated", 3, "ODHA", "=SUM(B2:B2)"),
    ]
    assert "open and save the file in Excel/LibreOffice" in problems[0].suggestion
    plain = read_raw_table(_workbook(tmp_path / "w.xlsx"), sheet="PMKS 2023")
    assert plain.uncalculated == ()
    ws["D2"] = "=B2+1"  # right of every value: the sheet's cells as read end at column C
    wb.save(tmp_path / "f.xlsx")
    raw = read_raw_table(tmp_path / "f.xlsx")
    assert raw.uncalculated == (
        (2, "PSM", "=B2*2"),
        (2, "column 4", "=B2+1"),
        (3, "ODHA", "=SUM(B2:B2)"),
    )


def test_a_chart_sheet_first_is_passed_over(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in (["Desa", "ODHA"], ["Hutauruk", 1], ["Hapoltahan", 2]):
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3))
    wb.create_chartsheet("Grafik", 0).add_chart(chart)
    wb.save(tmp_path / "c.xlsx")
    sheet = read_cells(tmp_path / "c.xlsx")
    assert (sheet.sheet, sheet.rows[2], sheet.notices) == ("Data", ["Hapoltahan", 2], ())
