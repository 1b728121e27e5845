"""The shipped welfare datasets (real indicators, synthetic sample, messy XLSX, points) and the
points reader."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from mapping.datasets import (
    SEED,
    build_welfare_datasets,
    indicator_dictionary,
    psks_points,
    sarulla_sites,
    synthetic_sample,
)
from mapping.errors import InputError, Problem, ValidationFailed
from mapping.gazetteer import Gazetteer
from mapping.indicators import Rate
from mapping.join import join_table
from mapping.points import count_points, read_point_counts, read_points
from mapping.settings import Settings, get_settings
from mapping.tables import read_welfare


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Path]]:
    s = dataclasses.replace(
        get_settings(), data_dir=tmp_path_factory.mktemp("data"), use_network=False
    )
    return s, build_welfare_datasets(settings=s)


@pytest.fixture(scope="module")
def sample(built: tuple[Settings, dict[str, Path]]) -> pd.DataFrame:
    return read_welfare(built[1]["sample_csv"]).data


def test_files_are_labelled_and_idempotent(built: tuple[Settings, dict[str, Path]]) -> None:
    s, paths = built
    assert all(p.parent == s.data_dir / "welfare" and p.is_file() for p in paths.values())
    for key in ("sample_csv", "sample_xlsx", "points"):
        assert "contoh-sintetis" in paths[key].name
    mtimes = {k: p.stat().st_mtime_ns for k, p in paths.items()}
    assert build_welfare_datasets(settings=s) == paths
    assert {k: p.stat().st_mtime_ns for k, p in paths.items()} == mtimes
    header = paths["sample_csv"].read_text(encoding="utf-8").splitlines()[0]
    assert "value (contoh sintetis)" in header and "keterangan" in header


def test_real_indicators(built: tuple[Settings, dict[str, Path]]) -> None:
    tidy = pd.read_csv(built[1]["indicators"], dtype={"area_code": str})
    assert tidy["area_code"].nunique() == 252 and tidy["category"].nunique() == 15
    fam = tidy[tidy["category"] == "keluarga"]
    assert fam["value"].sum() == 33127  # both schemas (JUMLAH KEL / JUMLAH_KEL) read
    tarutung = tidy[tidy["area_code"].str.startswith("12.02.01.")]
    assert tarutung.loc[tarutung["category"] == "keluarga", "value"].notna().all()
    assert tarutung.loc[tarutung["category"] == "dana_stunting", "value"].isna().all()
    neg = tidy[tidy["catatan"].fillna("").str.contains("negatif")]
    assert neg[["area_code", "category"]].values.tolist() == [
        ["12.02.04.2008", "tim_pendamping_keluarga"]
    ]
    assert neg["value"].isna().all()
    assert tidy["year"].isna().all()  # the source gives no year
    table = read_welfare(built[1]["indicators"])
    assert table.report.errors == [] and len(table.data) == len(tidy)
    dictionary = indicator_dictionary()
    assert dictionary["meaning_inferred"].all()
    assert dictionary.set_index("category").at["keluarga", "raw_columns"] == (
        "JUMLAH KEL / JUMLAH_KEL"
    )


def test_sample_design(sample: pd.DataFrame, desa: gpd.GeoDataFrame) -> None:
    assert len(sample) == 252 * 38 and set(sample["year"]) == {2024}
    wide = sample.pivot(index="area_code", columns="category", values="value")
    assert (wide["tksk"].groupby(wide.index.str[:8]).sum() == 1).all()  # one per kecamatan
    assert 0.75 < wide["kartar"].mean() < 0.97  # most desa, not all
    sites = sarulla_sites(desa)
    assert sites["silangkitang"] == "12.02.06.2004"
    assert sites["namora_i_langit"].startswith("12.02.05.")  # Pahae Julu
    assert set(wide.index[wide["du"] > 0]) == set(sites.values())
    assert wide["psm"].sum() > 252 and wide["lks"].gt(0).sum() > 10
    assert (wide.drop(columns=["km", "kat"]).sum() > 0).all()
    assert wide["fm"].sum() > wide["lut"].sum() > wide["odha"].sum()


def test_sample_is_seeded(desa: gpd.GeoDataFrame) -> None:
    fam = pd.Series(150.0, index=desa["code"])
    a = synthetic_sample(desa, fam)
    b = synthetic_sample(desa, fam)
    c = synthetic_sample(desa, fam, seed=SEED + 1)
    pd.testing.assert_frame_equal(a, b)
    assert not a["value"].equals(c["value"])
    big = synthetic_sample(desa, fam * 10)
    assert (
        big.loc[big["category"] == "fm", "value"].sum()
        > 5 * a.loc[a["category"] == "fm", "value"].sum()
    )


@pytest.mark.parametrize("sheet", ["PMKS", "PSKS"])
def test_messy_xlsx_reads_back_exactly(
    built: tuple[Settings, dict[str, Path]], sample: pd.DataFrame, sheet: str
) -> None:
    t = read_welfare(built[1]["sample_xlsx"], sheet=sheet, strict=True)
    assert t.synthetic and "CONTOH SINTETIS" in t.title[0]
    assert t.report.problems == []  # totals add up, every BPS name is placed
    assert (t.rows["method"] == "total-row").sum() == 1
    assert [r for r, _ in t.skipped] == [6, 261]  # column numbers, footnote
    assert "Not data: row 6 (column numbers under the header); row 261 (footnote" in t.summary()
    assert t.rows["input_name"].iloc[0].isupper()  # BPS capitals, matched all the same
    assert set(t.data["year"]) == {2024}
    got = t.data.set_index(["area_code", "category"])["value"]
    want = sample[sample["group"] == sheet.lower()].set_index(["area_code", "category"])["value"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


def test_join_sample_marks_synthetic(built: tuple[Settings, dict[str, Path]]) -> None:
    joined, report = join_table(
        read_welfare(built[1]["sample_xlsx"], sheet="PMKS"), level="kecamatan"
    )
    assert joined.attrs["synthetic"] and "contoh sintetis" in joined.attrs["caption"]
    assert report.n_input == report.n_joined + report.n_reported == 253
    assert joined["fm"].notna().all()


def test_sample_and_families_joined_with_rates_per_1000(
    built: tuple[Settings, dict[str, Path]],
) -> None:
    paths = built[1]
    pmks = read_welfare(paths["sample_xlsx"], sheet="PMKS")
    families = read_welfare(paths["indicators"])  # real, undated: kept with year=2024
    rates = {"fm_per_1000": Rate("fm", "keluarga")}
    desa, _ = join_table([pmks, families], level="desa", year=2024, rates=rates)
    kec, report = join_table([pmks, families], level="kecamatan", year=2024, rates=rates)
    assert report.n_input == report.n_joined + report.n_reported == 253 + len(families.rows)
    assert kec.attrs["synthetic"] and "contoh sintetis" in kec.attrs["caption"]
    assert desa["keluarga"].sum() == 33127 and kec["keluarga"].sum() == 33127
    by_kec = desa.groupby("kecamatan_code")[["fm", "keluarga"]].sum()
    want = by_kec["fm"] / by_kec["keluarga"] * 1000  # sum over sum, per kecamatan
    got = kec.set_index("code")["fm_per_1000"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    mean_of_desa_rates = desa.groupby("kecamatan_code")["fm_per_1000"].mean()
    assert not (got.sort_index() - mean_of_desa_rates.sort_index()).abs().lt(1e-9).all()


def test_namora_i_langit_is_not_a_desa_so_the_sample_uses_a_stand_in(
    built: tuple[Settings, dict[str, Path]], desa: gpd.GeoDataFrame
) -> None:
    m = Gazetteer.load("desa").match_one("Namora-I-Langit", kecamatan="Pahae Julu")
    assert not m.taken  # not in the Kemendagri, BPS or BIG lists
    pts = gpd.read_file(built[1]["points"])
    du = pts[pts["kategori"] == "du"].set_index("desa_code")["nama"]
    assert set(du.index) == set(sarulla_sites(desa).values())
    assert "Silangkitang" in du["12.02.06.2004"]
    assert "Namora-I-Langit, lokasi pengganti" in du[sarulla_sites(desa)["namora_i_langit"]]


def test_points_count_back_to_the_sample(
    built: tuple[Settings, dict[str, Path]], sample: pd.DataFrame, desa: gpd.GeoDataFrame
) -> None:
    pts = gpd.read_file(built[1]["points"])
    assert (pts["keterangan"] == "contoh sintetis").all()
    assert pts["nama"].str.contains("contoh sintetis").all()
    table = read_point_counts(built[1]["points"], strict=True)
    assert table.report.problems == []
    got = table.data.set_index(["area_code", "category"])["value"].sort_index()
    want = (
        sample[sample["category"].isin(["tksk", "lks", "du"])]
        .set_index(["area_code", "category"])["value"]
        .sort_index()
    )
    pd.testing.assert_series_equal(got, want, check_names=False)
    again = psks_points(sample, desa)
    assert again.geometry.geom_equals_exact(pts.geometry, tolerance=1e-9).all()


def test_points_csv_outside_and_bad_rows(
    tmp_path: Path, desa: gpd.GeoDataFrame, missing_fields: Callable[[Problem], list[str]]
) -> None:
    path = tmp_path / "lokasi.csv"
    path.write_text(
        "nama;lintang;bujur;jenis\n"
        "Panti A;2,0176;98,9650;LKS\n"  # row 2: Tarutung, decimal commas
        "Medan;3.5952;98.6722;LKS\n"  # row 3: outside Tapanuli Utara
        "Swapped;98.97;2.02;LKS\n"  # row 4: lat/lon swapped
        "Kosong;;;LKS\n"  # row 5: no coordinates
        "Kucing;2.0176;98.9650;Kucing\n",  # row 6: unknown category
        encoding="utf-8",
    )
    table = read_point_counts(path, year=2024)
    kinds = {(p.kind, p.row) for p in table.report}
    assert kinds == {("outside", 3), ("bad-point", 4), ("bad-point", 5), ("unknown-category", 6)}
    outside = next(p for p in table.report if p.kind == "outside")
    assert "nearest desa" in outside.suggestion and "km away" in outside.suggestion
    swapped = next(p for p in table.report if p.row == 4)
    assert swapped.suggestion == "latitude and longitude look swapped"
    for p in table.report:
        assert p.file == "lokasi.csv" and missing_fields(p) == [], p.describe()
    assert outside.column == "lintang, bujur"
    assert list(table.rows["method"]) == [
        "spatial",
        "outside",
        "unmatched",
        "unmatched",
        "unmatched",
    ]
    assert table.data["value"].sum() == 1 and len(table.data) == 252  # zero elsewhere
    joined, report = join_table(table, level="desa")
    assert report.n_input == report.n_joined + report.n_reported == 5
    with pytest.raises(ValidationFailed, match=r"4 problem\(s\) in lokasi.csv"):
        read_point_counts(path, strict=True)


def test_point_errors(tmp_path: Path, desa: gpd.GeoDataFrame) -> None:
    path = tmp_path / "p.csv"
    path.write_text("nama,ODHA\nA,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="No latitude/longitude columns in p.csv"):
        read_points(path)
    gdf = gpd.GeoDataFrame(
        {"nama": ["a"]}, geometry=[shapely.Point(98.965, 2.0176)], crs="EPSG:4326"
    )
    with pytest.raises(InputError, match="No category for the points"):
        count_points(gdf, desa=desa)
    with pytest.raises(InputError, match="category='xx' is not a category code"):
        count_points(gdf, desa=desa, category="xx")
    got = count_points(gdf, desa=desa, category="lks")
    assert got.data.loc[got.data["value"] > 0, "area_code"].tolist() == [got.rows.at[0, "code"]]
    assert not got.data["value"].isna().any()


def test_unreadable_point_files(tmp_path: Path) -> None:
    broken = tmp_path / "lokasi.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(InputError, match=r"Cannot read lokasi.geojson as GEOJSON points: .*QGIS"):
        read_points(broken)
    folder = tmp_path / "titik.gpkg"
    folder.mkdir()
    with pytest.raises(InputError, match="titik.gpkg is a directory; expected a file"):
        read_points(folder)
    gpd.GeoDataFrame(geometry=[shapely.Point(98.965, 2.0176)], crs="EPSG:4326").to_file(
        tmp_path / "p.gpkg", layer="psks"
    )
    with pytest.raises(
        InputError, match=r"layer='lks' not found in p.gpkg; its layers are \['psks'\]"
    ):
        read_points(tmp_path / "p.gpkg", layer="lks")


def test_points_gpkg_and_xlsx_sheet(
    tmp_path: Path, desa: gpd.GeoDataFrame, missing_fields: Callable[[Problem], list[str]]
) -> None:
    gdf = gpd.GeoDataFrame(
        {"kategori": ["LKS", "Panti Asuhan", "TKSK"], "nama": ["a", "b", "Medan"]},
        geometry=[
            shapely.Point(98.9650, 2.0176),
            shapely.Point(98.9650, 2.0176),
            shapely.Point(98.6722, 3.5952),
        ],
        crs="EPSG:4326",
    ).to_crs("EPSG:32647")  # any CRS: read back in EPSG:4326
    gdf.loc[len(gdf)] = ["LKS", "line", shapely.LineString([(0, 0), (1, 1)])]
    path = tmp_path / "lokasi.gpkg"
    gdf.to_file(path, layer="psks")
    table = read_point_counts(path, layer="psks", year=2024)
    assert list(table.rows["method"]) == ["spatial", "spatial", "outside", "unmatched"]
    assert table.data.loc[table.data["value"] > 0, ["category", "value"]].values.tolist() == [
        ["lks", 2.0]
    ]
    assert {(p.kind, p.row) for p in table.report} == {("outside", 3), ("bad-point", 4)}
    assert all(missing_fields(p) == [] for p in table.report)
    xlsx = tmp_path / "titik.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="Catatan", index=False)
        pd.DataFrame({"Nama": ["x"], "Lat": [2.0176], "Lon": [98.965]}).to_excel(
            writer, sheet_name="Titik", index=False
        )
    table = read_point_counts(xlsx, sheet="Titik", category="psm")
    assert table.sheet == "Titik" and table.data["value"].sum() == 1
