"""Tests of ``peta-kesos map`` (one file in, readable maps out), catalogue titles, ``join`` XLSX."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import matplotlib.pyplot as plt
import openpyxl
import pandas as pd
import pytest

from mapping import interactive, static
from mapping.classify import Indicator, as_indicators
from mapping.cli import main
from mapping.datasets import build_welfare_datasets
from mapping.errors import InputError
from mapping.quickmap import REPORT_NAME, quick_map

PSKS_TKSK = "Tenaga Kesejahteraan Sosial Kecamatan per 1.000 keluarga"


@pytest.fixture(scope="module")
def sample() -> Path:
    return build_welfare_datasets()["sample_xlsx"]


def _run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["-q", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def _config(page: Path) -> tuple[dict, dict]:
    data, config, _ = interactive.embedded_data(page.read_text(encoding="utf-8"))
    return data, config


def _number(text: str) -> float:
    """An Indonesian-formatted number ("1.234,5") as a float."""
    return float(text.replace(".", "").replace(",", "."))


def test_as_indicators_titles_from_the_catalogue() -> None:
    inds = as_indicators(["fm", "fm_per_1000", "tksk", "pmks_total_per_1000", "skor"])
    assert [i.title for i in inds] == [
        "Fakir Miskin",
        "Fakir Miskin per 1.000 keluarga",
        "Tenaga Kesejahteraan Sosial Kecamatan",
        "PMKS (semua kategori) per 1.000 keluarga",
        "skor",  # not a catalogue column: kept as it is
    ]
    en = as_indicators(["fm_per_1000", "keluarga"], language="en")
    assert [i.title for i in en] == ["Poor people per 1,000 families", "Families"]
    # a label given by the caller wins
    assert as_indicators({"fm": "Miskin"})[0].title == "Miskin"
    assert as_indicators([Indicator("fm", "Sendiri")])[0].title == "Sendiri"


def test_map_sample_sheet(sample: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "psks"
    code, printed, _ = _run(capsys, "map", sample, "--sheet", "PSKS", "--dpi", 50, "-o", out)
    assert code == 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) == 24  # 12 PSKS kinds per 1,000 families, desa and kecamatan
    assert {"peta-desa.html", "peta-kecamatan.html", "index.html", REPORT_NAME} <= {
        p.name for p in out.iterdir()
    }
    for level in ("desa", "kecamatan"):
        _, config = _config(out / f"peta-{level}.html")
        titles = [layer["title"] for layer in config["layers"]]
        assert len(titles) == 12 and PSKS_TKSK in titles
        assert all(t.endswith("per 1.000 keluarga") for t in titles)
        assert not any("_" in t or t.islower() for t in titles)  # no raw codes
        assert config["synthetic"] is True
        assert "contoh sintetis" in config["caption"]
    page = (out / "peta-desa.html").read_text(encoding="utf-8")
    assert "CONTOH SINTETIS" in page and "tksk_per_1000" not in re.sub(r"\s", "", page)
    # every input row is in the match report: joined, or reported with the reason
    report = pd.read_csv(out / REPORT_NAME)
    rows = report[report["source_row"].notna()]
    assert len(rows) == 253 and set(rows["status"]) == {"joined", "reported"}
    assert rows.loc[rows["source_row"] == 259, "method"].tolist() == ["total-row"]
    n_joined = int((rows["status"] == "joined").sum())
    assert n_joined >= 247  # five misspelt desa: joined, or reported with candidates
    assert rows.loc[rows["method"] == "unmatched", "candidates"].notna().all()
    # the printed summary: what was read, the problems, the layers and the files
    assert "pmks-psks-desa-contoh-sintetis.xlsx (sheet 'PSKS'): 253 input rows" in printed
    assert "contoh sintetis" in printed and f"253 input rows: {n_joined} joined" in printed
    assert PSKS_TKSK in printed and str(out / "index.html") in printed


@pytest.mark.slow
def test_map_sample_pmks_sheet_in_english(sample: Path, tmp_path: Path, capsys) -> None:
    code, _, _ = _run(
        capsys, "map", sample, "--sheet", 0, "--language", "en", "--dpi", 50, "-o", tmp_path
    )
    assert code == 0
    _, config = _config(tmp_path / "peta-desa.html")
    titles = [layer["title"] for layer in config["layers"]]
    assert "Poor people per 1,000 families" in titles
    assert all(t.endswith("per 1,000 families") for t in titles)
    assert len(list(tmp_path.glob("*.png"))) == 2 * len(titles)
    assert config["synthetic"] is True


def _small_csv(desa, path: Path) -> Path:
    """Fakir miskin and families of every desa of Tarutung (6 per 200) and Sipoholon (10 per
    125): rates 30 and 80 per 1,000 families in each desa and in each kecamatan."""
    rows = []
    for kec, fm, kk in (("Tarutung", 6, 200), ("Sipoholon", 10, 125)):
        for name in desa.loc[desa["kecamatan"] == kec, "name"]:
            rows.append({"Kecamatan": kec, "Desa/Kelurahan": name, "Fakir Miskin": fm,
                         "Jumlah KK": kk})  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_map_small_csv_with_its_own_families(desa, tmp_path: Path, capsys) -> None:
    src = _small_csv(desa, tmp_path / "fakir-miskin.csv")
    out = tmp_path / "out"
    code, printed, _ = _run(capsys, "map", src, "--dpi", 50, "-o", out)
    assert code == 0
    # one category: its rate, its count and the families (fewer than a usual map set)
    assert len(list(out.glob("*.png"))) == 6
    data, config = _config(out / "peta-kecamatan.html")
    titles = [layer["title"] for layer in config["layers"]]
    assert titles == ["Fakir Miskin per 1.000 keluarga", "Fakir Miskin", "Jumlah Keluarga"]
    assert config["synthetic"] is False and "contoh sintetis" not in printed
    rate = {f["properties"]["n"]: f["properties"]["v"][0] for f in data["features"]}
    assert _number(rate["Tarutung"]) == 30 and _number(rate["Sipoholon"]) == 80
    assert rate["Siborongborong"] == "Tidak ada data"
    data, _ = _config(out / "peta-desa.html")
    by_kec = {f["properties"]["k"]: _number(f["properties"]["v"][0]) for f in data["features"]
              if f["properties"]["k"] in ("Tarutung", "Sipoholon")}  # fmt: skip
    assert by_kec == {"Tarutung": 30, "Sipoholon": 80}
    assert "jumlah keluarga dari berkas ini" in printed


def test_map_bad_input_is_one_clear_line(tmp_path: Path, capsys) -> None:
    code, out, err = _run(capsys, "map", tmp_path / "tidak-ada.xlsx")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"peta-kesos map: error: Input file {tmp_path / 'tidak-ada.xlsx'} not found."
    ]
    notes = tmp_path / "catatan.md"
    notes.write_text("# bukan tabel\n")
    code, _, err = _run(capsys, "map", notes)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "suffix '.md'" in err
    animals = tmp_path / "ternak.csv"
    animals.write_text("Kecamatan,Desa,Jumlah Sapi\nTarutung,Partoli Toruan,4\n")
    code, _, err = _run(capsys, "map", animals, "-o", tmp_path / "out")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "No PMKS/PSKS category" in err and "['Jumlah Sapi']" in err
    nowhere = tmp_path / "antah.csv"
    nowhere.write_text("Kecamatan,Desa,Fakir Miskin\nAntah,Berantah,3\n")
    with pytest.raises(InputError, match=r"No PMKS/PSKS .* in antah\.csv .* 0 of 1 rows matched"):
        quick_map(nowhere, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_map_partial_file_cannot_total_a_kecamatan(desa, tmp_path: Path) -> None:
    src = tmp_path / "sebagian.csv"
    src.write_text("Kecamatan,Desa,Fakir Miskin\nTarutung,Partoli Toruan,12\n")
    with pytest.raises(InputError, match="No kecamatan has a value for every one of its desa"):
        quick_map(src, tmp_path / "out")


@pytest.mark.parametrize(("level", "n_rows", "name_header"), [
    ("kecamatan", 15, "Kecamatan"), ("desa", 252, "Desa/kelurahan"),
])  # fmt: skip
def test_join_writes_xlsx_with_indonesian_headers(
    sample: Path, tmp_path: Path, capsys, level: str, n_rows: int, name_header: str
) -> None:
    target = tmp_path / "gabung.xlsx"
    code, printed, _ = _run(
        capsys, "join", sample, "--sheet", "PSKS", "--level", level, "--lenient", "-o", target
    )
    assert code == 0 and f"Wrote {n_rows} {level} to {target}" in printed
    assert (tmp_path / "gabung_match_report.csv").is_file()
    ws = openpyxl.load_workbook(target).active
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Kode Kemendagri", name_header]
    assert "Tenaga Kesejahteraan Sosial Kecamatan" in header and "tksk" not in header
    codes = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert len(codes) == n_rows == len(set(codes))  # one row per area
    tksk = header.index("Tenaga Kesejahteraan Sosial Kecamatan") + 1
    assert ws.cell(2, tksk).number_format == "#,##0" and ws.freeze_panes == "A2"


def test_desa_maps_draw_kecamatan_outlines_by_default(desa) -> None:
    gdf = desa.assign(x=range(len(desa)))
    fig = static.plot_choropleth(gdf, "x", date="2025-01-31")
    names = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"Tarutung", "Siborongborong", "Garoga"} <= names  # the 15 kecamatan, labelled
    fig = static.plot_choropleth(gdf, "x", outlines=False, date="2025-01-31")
    assert "Tarutung" not in {t.get_text() for ax in fig.axes for t in ax.texts}
    plt.close("all")
    _, _, extra = interactive.embedded_data(
        interactive.choropleth_map(gdf, ["x"]).get_root().render()
    )
    assert len(extra["labels"]) == 15 and "outlines" in extra
    page = interactive.choropleth_map(gdf, ["x"], outlines=False).get_root().render()
    assert "labels" not in interactive.embedded_data(page)[2]
