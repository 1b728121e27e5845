"""Naming columns on the command line: ``--column ROLE=HEADER`` and ``--category HEADER=CODE``
of ``peta-kesos map``, ``join`` and ``validate``."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from mapping import interactive
from mapping.cli import main

#: The options that read the messy workbook of :func:`_messy_xlsx`.
NAMED = [
    "--column", "desa=Lokasi", "--column", "kecamatan=Wilayah Kec",
    "--category", "Jumlah KK Miskin=fm", "--category", "Keluarga Sasaran = keluarga",
]  # fmt: skip


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["-q", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def messy(desa, tmp_path: Path) -> Path:
    """A workbook whose headers detection cannot read: title rows, the desa under 'Lokasi',
    the kecamatan under 'Wilayah Kec', poor families under 'Jumlah KK Miskin' and the families
    under 'Keluarga Sasaran'; a footnote. Every desa of Tarutung has 6 poor families of 200
    and every desa of Sipoholon 10 of 125: 30 and 80 per 1,000 families."""
    path = tmp_path / "rekap kk miskin.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rekap"
    ws.append(["REKAPITULASI KELUARGA MISKIN PER DESA"])
    ws.append(["Dinas Sosial Kabupaten Tapanuli Utara"])
    ws.append([])
    ws.append(["No", "Lokasi", "Wilayah Kec", "Jumlah KK Miskin", "Keluarga Sasaran"])
    n = 0
    for kec, fm, kk in (("Tarutung", 6, 200), ("Sipoholon", 10, 125)):
        for name in desa.loc[desa["kecamatan"] == kec, "name"]:
            n += 1
            ws.append([n, name, kec, fm, kk])
    ws.append([])
    ws.append(["Sumber: pendataan desa"])
    wb.save(path)
    return path


def test_validate_needs_the_named_columns(messy: Path, capsys) -> None:
    code, _, err = _run(capsys, "validate", messy)
    assert code == 1 and "No area column found in rekap kk miskin.xlsx" in err
    code, out, _ = _run(capsys, "validate", messy, "--column", "desa=Lokasi",
                        "--column", "kecamatan=Wilayah Kec")  # fmt: skip
    assert code == 1  # the areas are read, the two count headers are still unknown
    assert "column 'Jumlah KK Miskin': column header is not a category" in out
    code, out, _ = _run(capsys, "validate", messy, *NAMED)
    assert code == 0
    assert "45 input rows (wide, desa level), 45 matched to an area, 2 categories, 90 values; " \
        "0 error(s)" in out  # fmt: skip


def test_join_with_named_columns(desa, messy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "kk-miskin.csv"
    code, _, err = _run(capsys, "join", messy, "--level", "kecamatan", "-o", out)
    assert code == 1 and "No area column found" in err and not out.exists()
    code, printed, _ = _run(capsys, "join", messy, "--level", "kecamatan", "-o", out, *NAMED)
    assert code == 0, printed
    layer = pd.read_csv(out).set_index("name")
    n = desa["kecamatan"].value_counts()
    assert layer.loc["Tarutung", "fm"] == 6 * n["Tarutung"]
    assert layer.loc["Sipoholon", "keluarga"] == 125 * n["Sipoholon"]
    assert layer["fm"].notna().sum() == 2
    assert "45 input rows: 45 joined to a desa, 0 reported (not joined)." in printed
    assert "exact          45  rows 5-49" in printed


def test_map_with_named_columns(messy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "peta"
    code, _, err = _run(capsys, "map", messy, "-o", out, "--dpi", 50)
    assert code == 1 and "No area column found" in err and not out.exists()
    code, printed, _ = _run(capsys, "map", messy, "-o", out, "--dpi", 50, *NAMED)
    assert code == 0, printed
    assert "jumlah keluarga dari berkas ini" in printed  # 'Keluarga Sasaran' is the denominator
    page = (out / "peta-kecamatan.html").read_text(encoding="utf-8")
    data, config, _ = interactive.embedded_data(page)
    assert config["layers"][0]["title"] == "Fakir Miskin per 1.000 keluarga"
    rate = {f["properties"]["n"]: f["properties"]["v"][0] for f in data["features"]}
    assert (rate["Tarutung"], rate["Sipoholon"]) == ("30", "80")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--column", "dessa=Lokasi"], r"argument --column: unknown role 'dessa' in "
         r"'dessa=Lokasi'; allowed: desa, kecamatan, code, kecamatan_code, year, category, value"),
        (["--column", "Lokasi"], r"argument --column: 'Lokasi' is not ROLE=HEADER"),
        (["--category", "Jumlah KK Miskin=miskin"], r"argument --category: unknown category "
         r"code 'miskin' in 'Jumlah KK Miskin=miskin'; allowed: catalogue codes"),
        (["--category", "=fm"], r"'=fm' has no header before '='"),
    ],
)  # fmt: skip
def test_bad_option_names_what_is_allowed(
    messy: Path, capsys, args: list[str], message: str
) -> None:
    for command in ("validate", "map"):
        with pytest.raises(SystemExit) as exc:
            main([command, str(messy), *args])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert re.search(message, err), err


def test_header_not_in_the_file_names_file_sheet_and_headers(messy: Path, capsys) -> None:
    found = "headers found (header row 4): ['No', 'Lokasi', 'Wilayah Kec', 'Jumlah KK Miskin', "
    found += "'Keluarga Sasaran']"
    code, _, err = _run(capsys, "validate", messy, "--column", "desa=Lokasi",
                        "--column", "kecamatan=Nama Kecamatan")  # fmt: skip
    assert code == 1
    assert err.strip() == (
        "peta-kesos validate: error: Column(s) not found in rekap kk miskin.xlsx (sheet "
        f"'Rekap'): --column kecamatan 'Nama Kecamatan'; {found}. Write each header as in "
        "the file's header row (in quotes if it has spaces), or drop the option to let the "
        "column be detected."
    )
    code, _, err = _run(capsys, "map", messy, "--column", "desa=Lokasi", "--category",
                        "KK Miskin=fm", "-o", messy.parent / "peta")  # fmt: skip
    assert code == 1 and "--category fm 'KK Miskin'" in err and "(sheet 'Rekap')" in err
    assert not (messy.parent / "peta").exists()
    # no row holds the header: the row taken as the header row is named
    code, _, err = _run(capsys, "validate", messy, "--column", "desa=Nama Desa")
    assert code == 1
    assert "--column desa 'Nama Desa'; headers found (header rows 1-2): ['Dinas Sosial" in err


def test_misused_options_are_listed_together(messy: Path, capsys) -> None:
    code, _, err = _run(capsys, "join", messy, "--level", "desa", "-o", messy.with_suffix(".csv"),
                        "--column", "desa=Lokasi", "--column", "desa=Wilayah Kec",
                        "--category", "Lokasi=fm", "--category", "lks")  # fmt: skip
    assert code == 1
    assert "--column desa is given twice ('Lokasi', 'Wilayah Kec')" in err
    assert "['Lokasi'] named by both --column and --category" in err
    assert "--category lks (no header) is the category of every point" in err
    points = messy.with_name("titik.geojson")
    sites = [Point(98.9667, 2.0167), Point(98.97, 2.02)]
    gpd.GeoDataFrame({"nama": ["LKS A", "LKS B"]}, geometry=sites, crs=4326).to_file(points)
    code, _, err = _run(capsys, "validate", points, "--column", "desa=Lokasi")
    assert code == 1 and "name the columns of a CSV/XLSX table, not of points" in err
    # a bare code is still the category of every point
    code, out, _ = _run(capsys, "validate", points, "--category", "lks")
    assert code == 0 and "2 input rows (points, desa level), 2 matched to an area" in out
    code, _, err = _run(capsys, "validate", points, "--category", "lks", "--category", "du")
    assert code == 1 and "--category given 2 codes for the points (lks, du); give one." in err
