"""Hostile and awkward input files (issue 9): each gives a clear message and loses no row."""

from __future__ import annotations

import csv
import re
import tracemalloc
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook

from mapping.categories import match_header
from mapping.cli import main
from mapping.errors import InputError, Problem, ProblemReport
from mapping.files import neutralize_formulas, write_layer
from mapping.gazetteer import Gazetteer
from mapping.join import join_table
from mapping.readers import read_cells, read_raw_table
from mapping.tables import WelfareTable, read_welfare
from mapping.validation import describe_problems

# Two desa of Kecamatan Tarutung and their Kemendagri codes.
HUTAPEA, HUTAPEA_CODE = "Hutapea Banuarea", "12.02.01.2010"
HUTATORUAN, HUTATORUAN_CODE = "Hutatoruan VII", "12.02.01.1004"


@pytest.fixture(scope="module")
def gz_desa() -> Gazetteer:
    return Gazetteer.load(level="desa")


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _csv_rows(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]], *, merge: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in rows:
        ws.append(row)
    for ref in merge:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def _no_row_lost(table: WelfareTable, desa: gpd.GeoDataFrame, n_records: int) -> None:
    """The project's row invariant: input rows = joined + reported."""
    _, report = join_table(table, level="desa", layer=desa)
    assert report.n_input == report.n_joined + report.n_reported == n_records


def _kinds(report: ProblemReport) -> list[str]:
    return [p.kind for p in report if p.kind != "missing-area"]


# --- bounded reading ------------------------------------------------------------------------


def _add_to_sheet_xml(
    path: Path, *, dimension: str, after_data: str = "", rows: str = "", cells: str = ""
) -> Path:
    """Rewrite the first sheet's XML: a stated size, extra `rows` at the end of <sheetData>,
    extra `cells` at the end of its last row and extra elements after it."""
    out = path.with_name("hostile-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = re.sub(
                    r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', text
                )
                text = text.replace("</row></sheetData>", cells + "</row></sheetData>", 1)
                text = text.replace("</sheetData>", rows + "</sheetData>" + after_data, 1)
                data = text.encode()
            dst.writestr(item, data)
    return out


def test_merged_range_to_the_end_of_the_sheet_is_clipped(
    tmp_path: Path, gz_desa: Gazetteer, desa: gpd.GeoDataFrame
) -> None:
    plain = _xlsx(
        tmp_path / "t.xlsx",
        [["No", "Desa", "ODHA"], [1, HUTAPEA, 2], [2, HUTATORUAN, 3]],
    )
    hostile = _add_to_sheet_xml(
        plain,
        dimension="A1:XFD1048576",
        after_data='<mergeCells count="1"><mergeCell ref="E1:XFD1048576"/></mergeCells>',
    )
    assert hostile.stat().st_size < 10_000
    tracemalloc.start()
    try:
        sheet = read_cells(hostile)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000  # 3.6 GB before: memory now follows the cells, not the range
    assert [len(r) for r in sheet.rows] == [3, 3, 3]
    assert sheet.merged == ()  # the range starts right of the used cells: nothing to fill
    table = read_welfare(hostile, gazetteer=gz_desa)
    assert table.data.set_index("area_code")["value"].to_dict() == {
        HUTAPEA_CODE: 2.0,
        HUTATORUAN_CODE: 3.0,
    }
    _no_row_lost(table, desa, 2)


def test_merged_range_is_clipped_to_the_used_range(tmp_path: Path) -> None:
    plain = _xlsx(tmp_path / "t.xlsx", [["No", "Desa", "Kecamatan"], [1, HUTAPEA, "Tarutung"]])
    hostile = _add_to_sheet_xml(
        plain,
        dimension="A1:C2",
        after_data='<mergeCells count="1"><mergeCell ref="C2:C1048576"/></mergeCells>',
    )
    sheet = read_cells(hostile)
    assert sheet.merged == ((2, 3, 2, 3),)
    assert len(sheet.rows) == 2


def test_a_stray_value_far_from_the_table_is_refused_before_reading(tmp_path: Path) -> None:
    # Laid out as a grid, one value in the sheet's last cell makes 17 billion cells: refused
    # with a message (it crashed the process when the reader allocated the grid).
    plain = _xlsx(tmp_path / "t.xlsx", [["No", "Desa", "ODHA"], [1, HUTAPEA, 2]])
    hostile = _add_to_sheet_xml(
        plain,
        dimension="A1:C2",
        rows='<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>',
    )
    with pytest.raises(
        InputError,
        match=r"t.xlsx \(sheet 'Data'\) holds more than 5,000,000 cells \(reached at "
        r"row 306\).*Delete the unused rows and columns",
    ):
        read_cells(hostile)
    styled = _add_to_sheet_xml(  # an empty formatted cell there is no value: read as usual
        plain, dimension="A1:XFD1048576", rows='<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    )
    assert read_cells(styled).rows == [["No", "Desa", "ODHA"], [1, HUTAPEA, 2]]


def test_error_values_are_read_as_their_text(tmp_path: Path, gz_desa: Gazetteer) -> None:
    plain = _xlsx(tmp_path / "t.xlsx", [["No", "Desa", "ODHA"], [1, HUTAPEA, 2]])
    hostile = _add_to_sheet_xml(
        plain,
        dimension="A1:C3",
        rows='<row r="3"><c r="A3"><v>2</v></c><c r="B3" t="inlineStr"><is><t>'
        f'{HUTATORUAN}</t></is></c><c r="C3" t="e"><v>#DIV/0!</v></c></row>',
    )
    assert read_cells(hostile).rows[2] == [2, HUTATORUAN, "#DIV/0!"]
    table = read_welfare(hostile, gazetteer=gz_desa)
    (problem,) = [p for p in table.report if p.kind == "non-numeric"]
    assert (problem.row, problem.column, problem.value) == (3, "ODHA", "#DIV/0!")


def test_whole_numbers_are_ints_and_dates_iso_text(tmp_path: Path) -> None:
    from datetime import date, datetime

    path = _xlsx(
        tmp_path / "t.xlsx",
        [
            ["Kode", "Tahun", "Tanggal", "Waktu", "ODHA"],
            [1202012010, 2023, date(2023, 5, 1), datetime(2023, 5, 1, 9, 30), 2.5],
        ],
    )
    assert read_cells(path).rows[1] == [1202012010, 2023, "2023-05-01", "2023-05-01T09:30:00", 2.5]
    assert [type(v) for v in read_cells(path).rows[1][:2]] == [int, int]


def test_too_many_cells_is_a_clear_error(tmp_path: Path) -> None:
    rows = [["No", "Desa", "ODHA"]] + [[i, HUTAPEA, i] for i in range(1, 10)]
    xlsx = _xlsx(tmp_path / "t.xlsx", rows)
    with pytest.raises(InputError, match=r"t.xlsx \(sheet 'Data'\) holds more than 20 cells"):
        read_cells(xlsx, max_cells=20)
    csv = _csv(tmp_path / "t.csv", "\n".join(",".join(map(str, r)) for r in rows))
    with pytest.raises(InputError, match="t.csv holds more than 20 cells .*max_cells"):
        read_cells(csv, max_cells=20)


def test_a_200_kb_csv_cell_is_read_and_a_huge_one_refused(
    tmp_path: Path, gz_desa: Gazetteer
) -> None:
    note = "x" * 200_000
    path = _csv(tmp_path / "t.csv", f'Desa,ODHA,Keterangan\n{HUTAPEA},2,"{note}"\n')
    table = read_welfare(path, gazetteer=gz_desa)
    assert table.data["value"].tolist() == [2.0]
    huge = _csv(tmp_path / "huge.csv", f"Desa,ODHA,Keterangan\n{HUTAPEA},2,{'x' * 1_100_000}\n")
    with pytest.raises(InputError, match=r"huge.csv, line 2: a cell is longer than 1,000,000"):
        read_cells(huge)


def test_long_values_are_cut_in_messages(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(tmp_path / "t.csv", f"Desa,ODHA\n{HUTAPEA},{'tidak ada ' * 50}\n")
    table = read_welfare(path, gazetteer=gz_desa)
    (problem,) = [p for p in table.report if p.kind == "non-numeric"]
    assert len(problem.value) == 80 and problem.value.endswith("\u2026")
    assert len(problem.describe()) < 300


def test_many_problems_give_a_summary_not_a_line_each() -> None:
    report = ProblemReport(
        [
            Problem(kind="non-numeric", message="not a number", file="f.csv", row=r)
            for r in range(2, 502)
        ]
    )
    text = describe_problems(report)
    assert len(text.splitlines()) == 21
    assert text.splitlines()[-1].startswith("[error] ... and 480 more non-numeric problem(s)")
    assert len(describe_problems(report, max_per_kind=None).splitlines()) == 500


# --- output encoding ------------------------------------------------------------------------


def test_formula_looking_names_are_neutralised_in_match_output(tmp_path: Path) -> None:
    names = ['=HYPERLINK("http://x","klik")', "+1+1", "-2+3", "@SUM(A1)", HUTAPEA]
    src = _csv_rows(tmp_path / "in.csv", [["Desa"], *([n] for n in names)])
    out = tmp_path / "out.csv"
    assert main(["match", str(src), "-o", str(out)]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got["input_name"]) == ["'" + n for n in names[:-1]] + [HUTAPEA]
    assert got["code"].iloc[-1] == HUTAPEA_CODE


def test_written_csv_tables_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=bad": ["=1+2", "\tx", "ok", None], "n": [-1, 2, 3, 4]})
    path = write_layer(frame, tmp_path / "report.csv")
    got = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(got.columns) == ["'=bad", "n"]
    assert list(got["'=bad"]) == ["'=1+2", "'\tx", "ok", ""]
    assert list(got["n"]) == ["-1", "2", "3", "4"]  # numbers are not text: left alone
    assert list(frame["=bad"])[0] == "=1+2"  # the input frame is not changed
    assert neutralize_formulas(pd.DataFrame({"a": ["\rx"]}))["a"].tolist() == ["'\rx"]


# --- awkward government files ---------------------------------------------------------------

_FOOTERS = [
    "Sumber Data : Dinas Sosial Kabupaten Tapanuli Utara",
    "Ket. : - = nihil",
    "NB: data sementara",
    "*) angka sementara",
    "Tarutung, 12 Januari 2024",
    "Kepala Dinas Sosial",
    "Kabupaten Tapanuli Utara",
    "Drs. Contoh Nama, M.Si",
    "NIP. 19700101 199003 1 001",
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_government_footers_are_not_data(
    tmp_path: Path, fmt: str, gz_desa: Gazetteer, desa: gpd.GeoDataFrame
) -> None:
    rows: list[list[object]] = [
        ["No", "Desa", "ODHA"],
        [1, HUTAPEA, 2],
        [2, HUTATORUAN, 3],
        ["", "JUMLAH", 5],
        [],
    ]
    rows += [[text, "", ""] for text in _FOOTERS[:4]]  # notes under the No column
    rows += [["", "", text] for text in _FOOTERS[4:]]  # the signature block on the right
    if fmt == "xlsx":
        path = _xlsx(tmp_path / "t.xlsx", rows)
    else:
        path = _csv_rows(tmp_path / "t.csv", rows)
    table = read_welfare(path, gazetteer=gz_desa, strict=True)  # strict: no error at all
    assert _kinds(table.report) == []
    skipped = dict(table.skipped)
    assert sorted(skipped) == list(range(6, 6 + len(_FOOTERS)))
    assert skipped[6] == f"footnote: {_FOOTERS[0]}"
    assert skipped[9] == "footnote: *) angka sementara"
    assert skipped[10] == "place and date: Tarutung, 12 Januari 2024"
    assert skipped[11] == "signature block: Kepala Dinas Sosial"
    assert skipped[13] == "footer: Drs. Contoh Nama, M.Si"  # the signer's name follows
    assert skipped[14].startswith("signature block: NIP. 19700101")
    assert "Not data: " in table.summary() and "row 10 (place and date" in table.summary()
    _no_row_lost(table, desa, 3)


def test_a_place_named_like_a_footer_word_with_values_is_data(tmp_path: Path) -> None:
    path = _csv(tmp_path / "t.csv", f"No,Desa,ODHA\n1,{HUTAPEA},2\n2,Kepala Danau,-\n")
    raw = read_raw_table(path)
    assert list(raw.cells["Desa"]) == [HUTAPEA, "Kepala Danau"] and raw.skipped == ()


def test_hidden_first_sheet_is_skipped_with_a_warning(tmp_path: Path, gz_desa: Gazetteer) -> None:
    wb = Workbook()
    old = wb.active
    old.title = "Lama"
    old.append(["Desa", "ODHA"])
    old.append([HUTAPEA, 99])
    old.sheet_state = "hidden"
    new = wb.create_sheet("Data")
    new.append(["Desa", "ODHA"])
    new.append([HUTAPEA, 2])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    table = read_welfare(path, gazetteer=gz_desa)
    assert table.sheet == "Data" and table.data["value"].tolist() == [2.0]
    (warning,) = [p for p in table.report if p.kind == "hidden-sheet"]
    assert warning.severity == "warning"
    assert re.search(r"hidden sheet\(s\) \['Lama'\] skipped.*sheet='Lama'", warning.describe())
    hidden = read_welfare(path, gazetteer=gz_desa, include_hidden=True)
    assert hidden.sheet == "Lama" and hidden.data["value"].tolist() == [99.0]
    asked = read_welfare(path, gazetteer=gz_desa, sheet="Lama")
    assert [p.message for p in asked.report if p.kind == "hidden-sheet"] == [
        "this sheet is hidden in the workbook; read because it was asked for"
    ]


def test_a_data_cell_merged_across_categories_is_an_error_not_a_copy(
    tmp_path: Path, gz_desa: Gazetteer, desa: gpd.GeoDataFrame
) -> None:
    path = _xlsx(
        tmp_path / "t.xlsx",
        [
            ["DATA PMKS", None, None, None],
            ["No", "Desa", "ODHA", "Penyandang Cacat"],
            [1, HUTAPEA, 4, None],
            [2, HUTATORUAN, 1, 2],
        ],
        merge=("A1:D1", "C3:D3"),  # a merged title is fine; a merged data cell is not
    )
    table = read_welfare(path, gazetteer=gz_desa)
    (error,) = [p for p in table.report if p.kind == "merged-data-cell"]
    assert error.severity == "error" and error.row == 3 and error.column == "ODHA"
    assert "cell C3:D3 is merged across the category columns ['ODHA', 'Penyandang Cacat']" in (
        error.describe()
    )
    values = table.data.set_index(["area_code", "category"])["value"]
    assert values[(HUTAPEA_CODE, "odha")] != values[(HUTAPEA_CODE, "odha")]  # NaN, not 4
    assert values[(HUTAPEA_CODE, "pd")] != values[(HUTAPEA_CODE, "pd")]
    assert values[(HUTATORUAN_CODE, "pd")] == 2.0
    _no_row_lost(table, desa, 2)


def test_an_unbalanced_quote_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "t.csv",
        f'No,Desa,ODHA\n1,"{HUTAPEA},2\n2,{HUTATORUAN},3\n3,Lobu,1\n',
    )
    with pytest.raises(InputError, match=r"t.csv, line 2: a quote .* not closed before line 4"):
        read_cells(path)
    ok = _csv(tmp_path / "ok.csv", f'No,Desa,"Jumlah\nODHA"\n1,{HUTAPEA},2\n')  # a typed break
    assert read_cells(ok).rows[0] == ["No", "Desa", "Jumlah\nODHA"]


def test_mixed_encodings_are_reported_with_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        b"Desa,ODHA,Keterangan\n"
        + f"{HUTAPEA},2,Jalan Café\n".encode()
        + f"{HUTATORUAN},3,Jalan Café\n".encode("cp1252")
        + f"{HUTATORUAN},3,Jalan Café\n".encode("cp1252")
    )
    with pytest.raises(
        InputError,
        match=r"mixes text encodings: UTF-8 on line\(s\) 2, not UTF-8 .* line\(s\) 3, 4,",
    ):
        read_cells(path)
    single = _csv(tmp_path / "cp.csv", f"Desa,Keterangan\n{HUTAPEA},Café\n", "cp1252")
    assert read_cells(single).rows[1][1] == "Café"  # one encoding throughout: read as before


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("A.B.H.", "abh"),
        ("A B H", "abh"),
        ("O.D.H.A", "odha"),
        ("Anak Terlantar (AT)", "at"),
        ("Orang dengan HIV/AIDS (ODHA)", "odha"),
        ("FAKIR MISKIN (KK)", "fm"),  # a unit in brackets, not an abbreviation
    ],
)
def test_dotted_spaced_and_bracketed_abbreviations(header: str, code: str) -> None:
    assert match_header(header)["category"] == code


def test_name_and_abbreviation_that_disagree_are_ambiguous() -> None:
    m = match_header("Anak Terlantar (ABT)")
    assert m["method"] == "ambiguous" and m["candidates"].startswith("at:Anak Telantar;abt:")
    assert match_header("K.M.")["method"] == "unmatched"  # KM is usually kilometres


@pytest.mark.parametrize("total", ["Jumlah", "Total", "Jumlah PMKS"])
def test_total_columns_are_recognised_and_checked(
    tmp_path: Path, total: str, gz_desa: Gazetteer
) -> None:
    path = _csv(
        tmp_path / "t.csv",
        f"Desa,ODHA,Penyandang Cacat,{total}\n{HUTAPEA},2,3,5\n{HUTATORUAN},1,1,7\n",
    )
    table = read_welfare(path, gazetteer=gz_desa)
    assert _kinds(table.report) == ["row-total-mismatch"]
    (p,) = [p for p in table.report if p.kind == "row-total-mismatch"]
    assert (p.row, p.column, p.value, p.expected, p.severity) == (3, total, "7", "2", "warning")
    assert set(table.data["category"]) == {"odha", "pd"}


def test_a_group_total_column_sums_only_its_group(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(tmp_path / "t.csv", f"Desa,ODHA,Tagana,Jumlah PMKS\n{HUTAPEA},2,9,2\n")
    table = read_welfare(path, gazetteer=gz_desa)
    assert _kinds(table.report) == []  # Tagana is a PSKS: not part of Jumlah PMKS


def test_codes_that_name_no_area_are_warnings(
    tmp_path: Path, gz_desa: Gazetteer, desa: gpd.GeoDataFrame
) -> None:
    path = _csv(
        tmp_path / "t.csv",
        f"Kode,Desa,ODHA\n12.02.99.9999,{HUTAPEA},2\n1.20201E+09,{HUTATORUAN},3\n"
        f"{HUTATORUAN_CODE},{HUTATORUAN},3\n",
    )
    table = read_welfare(path, gazetteer=gz_desa)
    warnings = [p for p in table.report if p.kind == "unknown-code"]
    assert [(p.row, p.severity, p.column) for p in warnings] == [
        (2, "warning", "Kode"),
        (3, "warning", "Kode"),
    ]
    assert "code 12.02.99.9999 names no desa of Tapanuli Utara; the name" in warnings[0].message
    assert "turned into a rounded number by Excel" in warnings[1].message
    assert "format the code column as text" in warnings[1].describe()
    _no_row_lost(table, desa, 3)


def test_implausible_counts_are_warnings(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(
        tmp_path / "t.csv",
        "Desa,Jumlah Keluarga,ODHA,Keluarga Berisiko Stunting,Penyandang Cacat\n"
        f"{HUTAPEA},100,9999999999999999999999,150,1001\n{HUTATORUAN},100,1,99,999\n",
    )
    table = read_welfare(path, gazetteer=gz_desa)
    found = [(p.row, p.column, p.severity) for p in table.report if p.kind == "implausible-value"]
    assert found == [
        (2, "ODHA", "warning"),
        (2, "Keluarga Berisiko Stunting", "warning"),
        (2, "Penyandang Cacat", "warning"),
    ]
    messages = [p.describe() for p in table.report if p.kind == "implausible-value"]
    assert "(value: '1e+22'); expected at most 1000" in messages[0]
    assert "more than the row's 100 families" in messages[1]


# --- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["join", "match"])
def test_output_path_equal_to_the_input_is_refused(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"Desa,ODHA\n{HUTAPEA},2\n"
    src = _csv(tmp_path / "t.csv", text)
    extra = ["--level", "desa"] if command == "join" else []
    assert main([command, str(src), *extra, "-o", str(tmp_path / "." / "t.csv")]) == 1
    assert "is the input file" in capsys.readouterr().err
    assert src.read_text() == text


def test_a_long_tables_jumlah_keluarga_category_is_not_a_totals_row(
    tmp_path: Path, gz_desa: Gazetteer
) -> None:
    path = _csv(
        tmp_path / "t.csv",
        f"Kode Desa,Kategori,Jumlah\n{HUTAPEA_CODE},Jumlah Keluarga,120\n"
        f"{HUTAPEA_CODE},ODHA,2\n,Jumlah,2\n",
    )
    table = read_welfare(path, gazetteer=gz_desa)
    assert list(table.rows["method"]) == ["code", "code", "total-row"]
    assert dict(zip(table.data["category"], table.data["value"], strict=True)) == {
        "keluarga": 120.0,
        "odha": 2.0,
    }
