"""Coverage maps, the shortlist files and the coverage/shortlist commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from mapping.analysis import coverage_analysis, priority_components
from mapping.cli import main
from mapping.coveragemaps import (
    build_coverage_maps,
    build_shortlist_outputs,
    coverage_indicators,
    shortlist_stem,
    sites_label,
)
from mapping.interactive import embedded_data
from mapping.pipeline import real_indicator_layers
from mapping.targeting import shortlist


@pytest.fixture(scope="module")
def layers():
    desa, kec, _ = real_indicator_layers()
    return desa, kec


@pytest.fixture(scope="module")
def analysis(layers):
    desa, _ = layers
    return coverage_analysis(desa, permutations=199)


def test_coverage_maps(tmp_path: Path, layers, analysis) -> None:
    _, kec = layers
    items = build_coverage_maps(analysis, kec, tmp_path, dpi=40)
    files = [f for item in items for f in item.files]
    assert all(f.is_file() for f in files)
    pngs = [f for f in files if f.suffix == ".png"]
    assert len(pngs) == 8 + 3  # 8 indicators and 3 cluster maps
    page = next(f for f in files if f.suffix == ".html")
    html = page.read_text(encoding="utf-8")
    assert "lokasi perkiraan" in html and "Puskesmas (lokasi perkiraan)" in html
    assert "Tingkat keparahan kesenjangan (1-5)" in html
    data, config, _ = embedded_data(html)
    titles = [layer["title"] for layer in config["layers"]]
    assert len(titles) == 11 and any("Kritis" in layer["legend"] for layer in config["layers"])
    assert len(data["features"]) == 252
    with Image.open(next(p for p in pngs if "severity" in p.name)) as im:
        assert im.size[0] > 200


def test_shortlist_outputs(tmp_path: Path, layers, analysis) -> None:
    desa, kec = layers
    frame, components = priority_components(analysis)
    sl = shortlist(frame, components=components, top_n=10, draws=100)
    items, tables = build_shortlist_outputs(sl, desa, kec, tmp_path, dpi=40)
    names = sorted([*(f.name for item in items for f in item.files), *(f.name for f in tables)])
    assert names == sorted(f"sasaran-csr-sarulla.{s}" for s in ("csv", "xlsx", "png", "html"))
    html = (tmp_path / "sasaran-csr-sarulla.html").read_text(encoding="utf-8")
    assert "Radius 15 km" in html and "lokasi pengganti" in html
    _, config, _ = embedded_data(html)
    assert config["title"] == "Daftar pendek sasaran CSR Sarulla"
    assert "Lokasi Sarulla adalah lokasi pengganti, bukan lokasi pembangkit." in config["caption"]
    table = pd.read_csv(tmp_path / "sasaran-csr-sarulla.csv", encoding="utf-8-sig")
    assert len(table) == len(sl.table)


def test_shortlist_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "daftar.csv"
    code = main(["-q", "shortlist", "--radius-km", "10", "--top", "5",
                 "--weights", "need=0.5,gap=0.3,access=0.2", "-o", str(out)])  # fmt: skip
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    for column in ("code", "name", "kecamatan", "distance_km", "need_component", "score", "rank",
                   "top_n_share", "reason"):  # fmt: skip
        assert column in table.columns
    assert (table["distance_km"] <= 10).all()
    assert table["rank"].tolist() == sorted(table["rank"].tolist())
    printed = capsys.readouterr().out
    assert "1. " in printed and "simulasi" in printed


def test_shortlist_workbook_with_new_sites(tmp_path: Path) -> None:
    out = tmp_path / "daftar.xlsx"
    assert main(["-q", "shortlist", "--kecamatan", "Pahae Jae", "--new-sites", "2",
                 "-o", str(out)]) == 0  # fmt: skip
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[0] == "Ringkasan" and "Lokasi baru" in wb.sheetnames
    assert wb.sheetnames[-1] == "Metode"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "Jauh=3.5,99.0"], "km outside Kabupaten Tapanuli Utara"),
        (["--weights", "need=1,biaya=2"], "unknown weight name"),
        (["--weights", "need=-1"], "negative weight"),
        (["--radius-km", "-2"], "radius_km=-2 is not allowed"),
        (["--kecamatan", "Lumban Julu"], "Lumban Julu"),
        (
            [
                "--site",
                "Kantor=1.84,99.09",
                "--radius-km",
                "0.01",
                "--kecamatan",
                "Muara",
                "--top",
                "3",
            ],
            "",
        ),  # fmt: skip
    ],
)
def test_shortlist_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["-q", "shortlist", *args, "-o", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    if not message:  # the union of a tiny radius and a kecamatan is fine
        assert code == 0
        return
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_coverage_command_refuses_kecamatan_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["-q", "coverage", "--level", "kecamatan", "--clusters", "-o", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "needs at least 30 areas" in err and "desa level" in err
    assert main(["-q", "coverage", "--level", "kecamatan", "-o", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "cakupan-kecamatan.csv", encoding="utf-8-sig")
    assert len(table) == 15
    assert json.dumps(table["severity_label"].dropna().unique().tolist())


def test_shortlist_of_own_sites_is_named_after_them(tmp_path: Path, layers, analysis) -> None:
    desa, kec = layers
    frame, components = priority_components(analysis)
    sites = ["Kantor Tarutung=2.0167,98.9667", "Gudang Siborongborong=2.2100,99.1700"]
    sl = shortlist(frame, sites, components=components, top_n=5, draws=50)
    assert sites_label(sl.sites) == "Kantor Tarutung, Gudang Siborongborong"
    items, tables = build_shortlist_outputs(sl, desa, kec, tmp_path, dpi=40)
    stem = "sasaran-csr-kantor-tarutung-gudang-siborongborong"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{stem}.{s}" for s in ("csv", "xlsx", "png", "html")
    )
    title = "Daftar pendek sasaran CSR Kantor Tarutung, Gudang Siborongborong"
    assert [item.title for item in items] == [f"{title} (interaktif)", title]
    _, config, _ = embedded_data((tmp_path / f"{stem}.html").read_text(encoding="utf-8"))
    caption = str(config["caption"])
    assert config["title"] == title and "peringkat 5 desa teratas." in caption
    assert "Sarulla" not in caption and "pengganti" not in caption


def test_default_sites_keep_the_sarulla_names(layers, analysis) -> None:
    desa, _ = layers
    frame, components = priority_components(analysis, language="en")
    sl = shortlist(frame, components=components, top_n=5, draws=20, language="en")
    assert sites_label(sl.sites) == "Sarulla" and shortlist_stem(sl) == "sasaran-csr-sarulla"
    many = [f"S{i}={1.8 + i / 100},99.0" for i in range(5)]
    assert sites_label(shortlist(frame, many, components=components, draws=20).sites,
                       language="en") == "S0, S1 and 3 more"  # fmt: skip


def test_coverage_of_a_catalogue_count_is_named_from_the_catalogue(layers) -> None:
    desa, _ = layers
    # fakir miskin reached: half of the families at risk of stunting in every desa
    own = desa.assign(fm=(desa["keluarga_berisiko_stunting"] // 2))
    result = coverage_analysis(own, reached="fm", clusters=False)
    _, components = priority_components(result)
    gap = next(c for c in components if c.name == "gap")
    assert (gap.label("id"), gap.label("en")) == (
        "Cakupan Fakir Miskin (%)",
        "Poor people coverage (%)",
    )
    titles = [i.title for i in coverage_indicators(result)]
    assert titles[1].startswith("Cakupan Fakir Miskin terhadap keluarga berisiko stunting")
    assert titles[2].startswith("Kesenjangan: keluarga berisiko stunting belum menerima Fakir")
    assert not any("FM" in t for t in titles)
