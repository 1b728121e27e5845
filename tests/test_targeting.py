"""The CSR shortlist on the real desa (seeded stand-in components) and its XLSX and CSV files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from mapping.errors import InputError
from mapping.export import write_shortlist
from mapping.priority import priority_score
from mapping.targeting import ID_COLUMNS, SENSITIVITY_COLUMNS, shortlist

REQUIRED = ["code", "name", "kecamatan", "distance_km", "need", "gap", "access_km", "capacity",
            "score", "rank", "top_n_share", "reason"]  # fmt: skip


@pytest.fixture(scope="module")
def with_components(desa) -> pd.DataFrame:
    """The real desa with seeded made-up components (a test of wiring, not of the data)."""
    rng = np.random.default_rng(42)
    n = len(desa)
    out = desa.copy()
    out["need"] = rng.gamma(2, 10, n)
    out["gap"] = rng.normal(50, 20, n)
    out["access_km"] = rng.uniform(0, 30, n)
    out["capacity"] = rng.integers(0, 8, n).astype(float)
    out.loc[out["code"] == "12.02.06.2004", "need"] = np.nan  # Silangkitang lacks need data
    return out


@pytest.fixture(scope="module")
def sarulla(with_components):
    return shortlist(with_components, radius_km=15, top_n=10, draws=300)


def test_shortlist_table(sarulla, with_components) -> None:
    t = sarulla.table
    assert all(c in t.columns for c in REQUIRED)
    assert list(t.columns[: len(ID_COLUMNS)]) == list(ID_COLUMNS)
    assert all(c in t.columns for c in SENSITIVITY_COLUMNS)
    assert len(t) == 65 and (t["distance_km"] <= 15).all()
    assert t["rank"].is_monotonic_increasing and t["rank"].iloc[0] == 1
    assert t["shortlisted"].sum() == 10 and t["shortlisted"].iloc[:10].all()
    assert t["top_n_share"].between(0, 1).all()
    assert (t["rank_min"] <= t["rank_p05"]).all() and (t["rank_p95"] <= t["rank_max"]).all()
    # scores are the priority scores over the desa of the area of influence only
    cand = with_components[with_components["code"].isin(t["code"])]
    expected = priority_score(cand).set_index("code")["score"]
    assert t.set_index("code")["score"].to_numpy() == pytest.approx(
        expected.loc[t["code"]].to_numpy()
    )
    silang = t.set_index("code").loc["12.02.06.2004"]
    assert silang["distance_km"] == 0 and silang["incomplete"]
    assert "data tidak ada: kebutuhan" in silang["reason"]
    assert sarulla.n_desa == 252 and sarulla.radius_km == 15
    assert all(s.stand_in for s in sarulla.sites)


def test_shortlist_by_kecamatan_only(with_components) -> None:
    sl = shortlist(with_components, kecamatan=["Kec. Pahae Jae"], top_n=3, draws=50)
    n_jae = int((with_components["kecamatan"] == "Pahae Jae").sum())
    assert len(sl.table) == n_jae and set(sl.table["kecamatan"]) == {"Pahae Jae"}
    assert sl.radius_km is None and sl.kecamatan == ("Kec. Pahae Jae",)


def test_shortlist_errors_come_first(with_components) -> None:
    with pytest.raises(InputError, match=r"unknown weight name\(s\) \['poverty'\]"):
        shortlist(with_components, weights="need=1,poverty=1")
    with pytest.raises(InputError, match=r"negative weight"):
        shortlist(with_components, weights={"need": -1})
    with pytest.raises(InputError, match=r"\['capacity'\] not found"):
        shortlist(with_components.drop(columns="capacity"))
    with pytest.raises(InputError, match=r"site 'Medan' .* km outside Kabupaten Tapanuli Utara"):
        shortlist(with_components, ["Medan=3.5952,98.6722"])
    with pytest.raises(InputError, match=r"radius_km=-5 is not allowed"):
        shortlist(with_components, radius_km=-5)


def test_workbook_for_people(tmp_path, sarulla) -> None:
    path = write_shortlist(sarulla, tmp_path / "sarulla.xlsx")
    wb = load_workbook(path)
    kecs = sorted(sarulla.table["kecamatan"].unique())
    assert wb.sheetnames == ["Ringkasan", "Peringkat", *[f"Kecamatan {k}" for k in kecs], "Metode"]
    for ws in wb:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    ranked = wb["Peringkat"]
    heads = [c.value for c in ranked[1]]
    assert heads[:5] == ["Kode desa", "Desa/kelurahan", "Kecamatan",
                         "Jarak ke lokasi terdekat (km)", "Lokasi terdekat"]  # fmt: skip
    col = {h: i + 1 for i, h in enumerate(heads)}
    assert "Tetap di 10 teratas (% simulasi)" in col and "Alasan" in col
    assert ranked.max_row == len(sarulla.table) + 1
    assert ranked.cell(2, col["Peringkat"]).value == 1
    assert ranked.cell(2, col["Skor prioritas (0-1)"]).number_format == "0.000"
    assert ranked.cell(2, col["Tetap di 10 teratas (% simulasi)"]).number_format == "0%"
    assert ranked.cell(2, col["Jarak ke lokasi terdekat (km)"]).number_format == "0.0"
    assert ranked.cell(2, col["Masuk daftar pendek"]).value == "ya"
    assert ranked.cell(2, col["Alasan"]).value == sarulla.table["reason"].iloc[0]
    for k in kecs:
        n = int((sarulla.table["kecamatan"] == k).sum())
        assert wb[f"Kecamatan {k}"].max_row == n + 1
    summary = {r[0]: r[1] for r in wb["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Desa di wilayah pengaruh"] == "65 dari 252"
    assert "lokasi pengganti, bukan lokasi pembangkit" in summary["Catatan lokasi"]
    assert summary["Stabilitas"] == sarulla.sensitivity.message
    assert summary["Bobot"].startswith("Kebutuhan 0,35; Kesenjangan layanan 0,25")
    assert summary["Peringkat 1"].startswith(sarulla.table["name"].iloc[0])
    method = [r for r in wb["Metode"].iter_rows(min_row=2, values_only=True)]
    topics = [r[0] for r in method]
    assert {"Normalisasi", "Sensitivitas", "Data tidak ada"} <= set(topics)
    assert any("bobot 0,35" in r[1] for r in method)
    assert [c.value for c in wb["Metode"][1]] == ["Topik", "Penjelasan"]


def test_workbook_in_english(tmp_path, with_components) -> None:
    sl = shortlist(with_components, radius_km=5, top_n=5, draws=50, language="en")
    wb = load_workbook(write_shortlist(sl, tmp_path / "en.xlsx"))
    assert wb.sheetnames[:2] == ["Summary", "Ranking"] and wb.sheetnames[-1] == "Method"
    assert [c.value for c in wb["Ranking"][1]][:2] == ["Village code", "Village"]
    assert "stand-in location, not the plant site" in sl.sites[0].note


def test_csv_for_programs(tmp_path, with_components) -> None:
    sl = shortlist(with_components, ['=HYPERLINK("x")=1.8395,99.0992'], radius_km=5, draws=50)
    path = write_shortlist(sl, tmp_path / "s.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"code": str})
    assert all(c in back.columns for c in REQUIRED) and "geometry" not in back.columns
    assert back["code"].tolist() == sl.table["code"].tolist()
    assert back["rank"].is_monotonic_increasing
    assert set(back["nearest_site"]) == {'\'=HYPERLINK("x")'}  # neutralised, not a formula
    assert back["reason"].tolist() == sl.table["reason"].tolist()
    with pytest.raises(InputError, match=r"use a .xlsx or .csv suffix"):
        write_shortlist(sl, tmp_path / "s.json")
