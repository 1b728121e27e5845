"""The welfare commands of the command line: validate, join and sample."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from mapping.cli import main
from mapping.errors import InputError
from mapping.files import write_layer
from mapping.labels import text

GOOD = "No;Kecamatan;Desa;Fakir Miskin;ODHA\n1;Tarutung;Hutauruk;10;1\n2;Muara;Aritonang;3;-\n"
BAD = GOOD + "3;Tarutung;Desa Antah;1;x\n"


def _write(tmp_path: Path, text: str, name: str = "pmks.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_ok_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "validate", str(_write(tmp_path, GOOD))]) == 0
    out = capsys.readouterr().out
    assert "pmks.csv: 2 input rows (wide, desa level), 2 matched" in out
    assert "0 error(s)" in out and "250 area(s) have no row" in out
    assert main(["-q", "validate", str(_write(tmp_path, BAD)), "--level", "desa"]) == 1
    out = capsys.readouterr().out
    assert "[error] pmks.csv, row 4, column 'Desa': unknown desa in kecamatan 'Tarutung'" in out
    assert "[error] pmks.csv, row 4, column 'ODHA': not a number (value: 'x')" in out


def test_validate_header_only_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path, "No;Kecamatan;Desa;Fakir Miskin;ODHA\n", name="kosong.csv")
    assert main(["-q", "validate", str(src)]) == 1
    assert "No data rows under the header (row 1) in kosong.csv" in capsys.readouterr().err
    out = tmp_path / "k.gpkg"
    assert main(["-q", "join", str(src), "--level", "desa", "-o", str(out)]) == 1
    assert not out.exists()  # no all-NaN layer


def test_validate_xlsx_sheet_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    df = pd.DataFrame({"Desa": ["Hutauruk"], "Kecamatan": ["Tarutung"], "ODHA": [1]})
    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as writer:
        df.to_excel(writer, sheet_name="PMKS", index=False)
    assert main(["-q", "validate", str(path), "--sheet", "PMKS"]) == 0
    assert main(["-q", "validate", str(path), "--sheet", "PSKS"]) == 1
    assert "sheet='PSKS' not found in w.xlsx" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_join_writes_layer_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = tmp_path / "out" / f"peta{suffix}"
    assert main(["-q", "join", str(_write(tmp_path, GOOD)), "--level", "desa", "-o", str(out)]) == 0
    report = pd.read_csv(tmp_path / "out" / "peta_match_report.csv")
    assert report["status"].value_counts().to_dict() == {"wilayah tanpa data": 250, "digabung": 2}
    xlsx = pd.read_excel(tmp_path / "out" / "peta_match_report.xlsx")
    assert list(xlsx.columns) == list(report.columns) and len(xlsx) == 252
    assert (tmp_path / "out" / "peta_validation_report.xlsx").is_file()
    if suffix == ".csv":
        layer = pd.read_csv(out, dtype={"code": str})
    else:
        layer = gpd.read_file(out)
        assert layer.crs.to_epsg() == 4326
    assert len(layer) == 252
    # published: small counts show "< 5" (the column becomes text), larger ones their value
    fm = layer.set_index("code")["fm"]
    assert float(fm["12.02.01.2012"]) == 10
    assert (fm == "< 5").sum() == 1 and (layer["odha"] == "< 5").sum() == 1
    assert fm.replace("", None).isna().sum() == 250
    assert "2 input rows: 2 joined to a desa" in capsys.readouterr().out


def test_join_strict_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path, BAD)
    out = tmp_path / "k.gpkg"
    assert main(["-q", "join", str(src), "--level", "kecamatan", "-o", str(out)]) == 1
    assert "2 problem(s) in pmks.csv" in capsys.readouterr().err and not out.exists()
    assert main(["-q", "join", str(src), "--level", "kecamatan", "-o", str(out), "--lenient"]) == 0
    report = pd.read_csv(tmp_path / "k_match_report.csv")
    assert (report["status"] == "dilaporkan (tidak digabung)").sum() == 1
    problems = pd.read_csv(tmp_path / "k_validation_report.csv")
    assert (problems["tingkat"] == "kesalahan").sum() == 2
    assert len(gpd.read_file(out)) == 15


def test_join_refuses_to_split_kecamatan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path, "Kecamatan,ODHA\nTarutung,3\n", name="kec.csv")
    assert main(["-q", "join", str(src), "--level", "desa", "-o", str(tmp_path / "x.csv")]) == 1
    assert "cannot be joined at desa level" in capsys.readouterr().err
    bad_out = tmp_path / "x.shp"
    assert main(["-q", "join", str(src), "--level", "kecamatan", "-o", str(bad_out)]) == 1
    assert "Cannot save a table as 'x.shp'; use a suffix of" in capsys.readouterr().err


def test_sample_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PETA_KESOS_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("PETA_KESOS_OFFLINE", "1")
    assert main(["-q", "sample"]) == 0
    out = capsys.readouterr().out
    assert "pmks-psks-desa-contoh-sintetis.xlsx" in out
    xlsx = tmp_path / "data" / "welfare" / "pmks-psks-desa-contoh-sintetis.xlsx"
    assert main(["-q", "validate", str(xlsx), "--sheet", "PSKS"]) == 0
    points = tmp_path / "data" / "welfare" / "psks-lokasi-contoh-sintetis.geojson"
    assert main(["-q", "validate", str(points)]) == 0
    out = tmp_path / "kec.csv"
    args = ["-q", "join", str(xlsx), "--sheet", "PMKS", "--level", "kecamatan", "-o", str(out)]
    assert main(args) == 0
    layer = pd.read_csv(out)
    assert (layer["keterangan"] == text("synthetic")).all()  # the maps' wording
    assert len(layer) == 15 and layer["fm"].notna().all()


def test_validate_reports_long_kecamatan_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = (
        "Kecamatan;Tahun;Jenis PMKS;Jumlah\nTarutung;2024;Lansia Terlantar;3\nMuara;2024;Kucing;1\n"
    )
    src = _write(tmp_path, table, name="long.csv")
    assert main(["-q", "validate", str(src), "--level", "kecamatan"]) == 1
    out = capsys.readouterr().out
    assert "long.csv: 2 input rows (long, kecamatan level), 2 matched" in out
    assert "[error] long.csv, row 3, column 'Jenis PMKS': not a category" in out
    assert "14 area(s) have no row" in out  # Muara's only row holds no category


LONG = (
    "Kecamatan;Desa;Tahun;Kategori;Jumlah\n"
    "Siborongborong;Sitampurung;2023;Fakir Miskin;5\n"
    "Siborongborong;Sitampurung;2024;Fakir Miskin;6\n"
    "Siatas Barita;Lobu Hole;2023;Lansia Terlantar;2\n"
)


@pytest.mark.parametrize("lenient", [False, True])
def test_join_year_selects_rows_of_a_long_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lenient: bool
) -> None:
    out = tmp_path / "out.csv"
    args = ["-q", "join", str(_write(tmp_path, LONG, "long.csv")), "--level", "desa"]
    args += ["--year", "2024", "-o", str(out)] + (["--lenient"] if lenient else [])
    assert main(args) == 0, capsys.readouterr().err  # no false duplicate-conflict
    layer = pd.read_csv(out, dtype={"code": str}).set_index("code")
    assert layer.at["12.02.09.2004", "fm"] == 6
    assert "lut" not in layer.columns  # Lobu Hole's 2023 value is not published as 2024
    report = pd.read_csv(tmp_path / "out_match_report.csv")
    rows = report[report["status"] != "wilayah tanpa data"]
    assert rows[["baris", "tahun", "cara pencocokan", "status"]].values.tolist() == [
        [2, 2023, "tahun lain", "dilaporkan (tidak digabung)"],
        [3, 2024, "nama sama persis", "digabung"],
        [4, 2023, "tahun lain", "dilaporkan (tidak digabung)"],
    ]
    assert "3 input rows: 1 joined to a desa, 2 reported" in capsys.readouterr().out


def test_year_only_dates_undated_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dated = _write(tmp_path, "DATA PMKS TAHUN 2023\n" + GOOD, "dated.csv")
    out = tmp_path / "d.csv"
    args = ["-q", "join", str(dated), "--level", "desa", "-o", str(out)]
    assert main([*args, "--year", "2024"]) == 1  # the title's 2023 is kept, not relabelled
    assert "year=2024 is not in the table; it has years [2023]" in capsys.readouterr().err
    assert main([*args, "--year", "2023"]) == 0
    undated = _write(tmp_path, GOOD, "undated.csv")
    args = ["-q", "join", str(undated), "--level", "desa", "-o", str(out), "--year", "2024"]
    assert main(args) == 0
    assert set(pd.read_csv(tmp_path / "d_match_report.csv")["tahun"].dropna()) == {2024}


def test_validate_prints_the_summary_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mapping")
    assert main(["validate", str(_write(tmp_path, GOOD))]) == 0
    printed = capsys.readouterr().out.count("2 input rows (wide, desa level)")
    logged = [r for r in caplog.records if r.levelno >= logging.INFO and "input rows" in r.message]
    assert (printed, logged) == (1, [])


def test_help_says_what_year_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["join", "--help"])
    assert "reported as other-year" in " ".join(capsys.readouterr().out.split())


def test_write_layer_is_atomic(
    tmp_path: Path, desa: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "peta.gpkg"
    write_layer(desa.head(2), out)
    before = out.read_bytes()

    def half_written(self: gpd.GeoDataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_bytes(b"half a layer")
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(gpd.GeoDataFrame, "to_file", half_written)
        with pytest.raises(OSError, match="disk full"):
            write_layer(desa, out)
    assert out.read_bytes() == before  # the old layer, not half a new one
    assert sorted(p.name for p in tmp_path.iterdir()) == ["peta.gpkg"]  # no temp files left
    with pytest.raises(InputError, match="a .geojson file needs a GeoDataFrame; use .csv"):
        write_layer(pd.DataFrame({"a": [1]}), tmp_path / "t.geojson")
    with pytest.raises(InputError, match="expected a .gpkg, .geojson or .csv file name"):
        write_layer(desa, tmp_path / "peta.shp")
    write_layer(desa.head(2), tmp_path / "peta.csv")
    assert "geometry" not in pd.read_csv(tmp_path / "peta.csv").columns


FUZZY = "No;Kecamatan;Desa;Fakir Miskin\n1;Tarutung;Hutauruk;10\n2;Muara;Aritonangg;3\n"


def test_similar_names_are_warnings_to_review_not_no_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path, FUZZY)
    report = tmp_path / "laporan" / "validasi"
    assert main(["-q", "validate", str(src), "-o", str(report)]) == 0
    out = capsys.readouterr().out
    assert "[warning] pmks.csv, row 3: 'Aritonangg' was taken as Aritonang" in out
    assert "No problems found" not in out
    table = pd.read_csv(report.with_suffix(".csv"), dtype=str, keep_default_na=False)
    fuzzy = table[table["jenis masalah"].str.startswith("nama dicocokkan karena mirip")]
    assert fuzzy[["tingkat", "baris", "nilai"]].values.tolist() == [
        ["peringatan (perlu diperiksa)", "3", "Aritonangg"]
    ]
    from openpyxl import load_workbook

    ws = load_workbook(report.with_suffix(".xlsx")).active
    shaded = {r[0].value: r[0].fill.fgColor.rgb for r in ws.iter_rows(min_row=2)}
    assert shaded["peringatan (perlu diperiksa)"].endswith("FFF2CC")  # warnings stand out


def test_join_reports_in_english_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "peta.csv"
    args = ["-q", "join", str(_write(tmp_path, FUZZY)), "--level", "desa", "-o", str(out)]
    assert main([*args, "--language", "en"]) == 0
    assert "'Aritonangg' was taken as Aritonang" in capsys.readouterr().err
    report = pd.read_csv(tmp_path / "peta_match_report.csv", dtype=str, keep_default_na=False)
    row = report[report["name in file"] == "Aritonangg"].iloc[0]
    assert (row["match method"], row["status"], row["needs review"]) == (
        "similar name (review)",
        "joined",
        "yes",
    )
