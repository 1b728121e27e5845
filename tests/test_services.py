"""Service points: the 17 puskesmas at approximate points, per-desa counts, user points."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from mapping.errors import InputError, ValidationFailed
from mapping.services import (
    SERVICE_COLUMNS,
    area_points,
    as_services,
    load_puskesmas,
    puskesmas_points,
    read_puskesmas_table,
    read_services,
    services_from_counts,
)
from mapping.settings import CRS_METRIC, CRS_STORAGE


@pytest.fixture(scope="module")
def puskesmas(desa) -> gpd.GeoDataFrame:
    return load_puskesmas(desa=desa)


def test_seventeen_puskesmas_each_inside_its_desa_or_kecamatan(desa, kecamatan, puskesmas):
    assert len(puskesmas) == 17
    assert list(puskesmas.columns) == list(SERVICE_COLUMNS)
    assert puskesmas.crs == CRS_STORAGE
    assert puskesmas["id"].is_unique
    assert puskesmas["lokasi_perkiraan"].all()
    desa_geom = desa.set_index("code").geometry
    kec_geom = kecamatan.set_index("code").geometry
    with_desa = puskesmas[puskesmas["desa_code"].notna()]
    assert len(with_desa) == 14
    for row in with_desa.itertuples():
        assert desa_geom[row.desa_code].contains(row.geometry), row.name
        assert row.location_note_id.startswith("Lokasi perkiraan: titik tengah desa ")
    without = puskesmas[puskesmas["desa_code"].isna()]
    assert sorted(without["kecamatan"]) == ["Garoga", "Siatas Barita", "Siborongborong"]
    for row in without.itertuples():
        assert kec_geom[row.kecamatan_code].contains(row.geometry), row.name
        assert "Kecamatan" in row.location_note_id
        assert row.location_note_en.startswith("Approximate location: representative point")


def test_puskesmas_sit_at_the_desa_representative_point(desa, puskesmas) -> None:
    points = area_points(desa).to_crs(CRS_STORAGE)
    onan = puskesmas.set_index("name").loc["Puskesmas Onan Hasang"]
    assert onan["desa_code"] == "12.02.05.1001" and onan["desa"] == "Onan Hasang"
    assert onan.geometry.distance(points["12.02.05.1001"]) < 1e-9


def test_shipped_table_matches_the_reference_source() -> None:
    table = read_puskesmas_table()
    assert len(table) == 17
    assert (table["desa_code"] == "").sum() == 3
    assert "Puskesmas Janji Angkola" in set(table["puskesmas"])


def test_bad_puskesmas_codes_are_reported_together(desa) -> None:
    table = read_puskesmas_table()
    table.loc[0, "desa_code"] = "12.02.01.9999"  # names no desa
    table.loc[1, "kecamatan_code"] = "12.02.99"  # names no kecamatan
    table.loc[2, "kecamatan_code"] = "12.02.01"  # Pagarbatu lies in Sipoholon, not Tarutung
    table.loc[3, "puskesmas"] = table.loc[2, "puskesmas"]
    with pytest.raises(ValidationFailed) as info:
        puskesmas_points(table, desa)
    text = str(info.value)
    assert text.startswith("4 problem(s) in puskesmas-tapanuli-utara.csv")
    assert "row 2, column 'desa_code': desa code names no desa (value: '12.02.01.9999')" in text
    assert "row 3, column 'kecamatan_code': kecamatan code names no kecamatan" in text
    assert "row 4, column 'desa_code': desa lies in another kecamatan" in text
    assert "row 5, column 'puskesmas': same name as line 4" in text
    with pytest.raises(InputError, match=r"Column\(s\) \['kecamatan_code'\] not found"):
        puskesmas_points(table.drop(columns="kecamatan_code"), desa)


def test_counts_become_points_with_capacity(desa) -> None:
    codes = desa["code"].iloc[:3].tolist()
    counts = pd.Series([2, 0, 5], index=codes, name="posyandu")
    pts = services_from_counts(counts, kind="posyandu", desa=desa)
    assert pts["desa_code"].tolist() == [codes[0], codes[2]]  # 0 posyandu: no point
    assert pts["capacity"].tolist() == [2.0, 5.0]
    assert pts["lokasi_perkiraan"].all() and pts["kind"].eq("posyandu").all()
    bad = pd.Series([1, -1, None], index=[codes[0], codes[1], "12.02.01.9999"], name="posyandu")
    with pytest.raises(ValidationFailed) as info:
        services_from_counts(bad, kind="posyandu", desa=desa)
    text = str(info.value)
    assert "code names no desa (value: '12.02.01.9999')" in text
    assert f"column '{codes[1]}': count is missing, negative or not a number" in text


def _user_points(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    inside = area_points(desa.iloc[[0]]).to_crs(CRS_STORAGE).iloc[0]
    return gpd.GeoDataFrame(
        {"nama": ["LKS Kasih", "Jauh"], "jenis": ["lks", "lks"], "kapasitas": [3, 1]},
        geometry=[inside, shapely.Point(98.0, 2.0)],
        crs=CRS_STORAGE,
    )


def test_user_points_are_joined_to_their_desa_and_outside_points_refused(desa) -> None:
    pts = _user_points(desa)
    ok = as_services(
        pts.iloc[[0]], kind_column="jenis", name_column="nama", capacity_column="kapasitas",
        desa=desa,
    )  # fmt: skip
    assert ok.loc[0, "desa_code"] == desa["code"].iloc[0]
    assert ok.loc[0, "capacity"] == 3 and ok.loc[0, "name"] == "LKS Kasih"
    assert not ok["lokasi_perkiraan"].any()
    with pytest.raises(ValidationFailed, match=r"row 2, column 'geometry': point lies outside "):
        as_services(pts, kind="lks", desa=desa)
    with pytest.raises(InputError, match=r"exactly one of kind= .* or kind_column="):
        as_services(pts, desa=desa)


def test_read_services_from_csv(tmp_path, desa) -> None:
    inside = area_points(desa.iloc[[5]]).to_crs(CRS_STORAGE).iloc[0]
    path = tmp_path / "lks.csv"
    path.write_text(f"nama,lat,lon\nLKS A,{inside.y},{inside.x}\nLKS B,,\n")
    with pytest.raises(ValidationFailed, match=r"lks.csv, row 3, column 'lat, lon'"):
        read_services(path, kind="lks", name_column="nama", desa=desa)
    path.write_text(f"nama,lat,lon\nLKS A,{inside.y},{inside.x}\n")
    got = read_services(path, kind="lks", name_column="nama", desa=desa)
    assert got.loc[0, "desa_code"] == desa["code"].iloc[5]
    assert got.loc[0, "location_note_id"] == "Koordinat dari lks.csv"


def test_area_points_refuses_areas_without_crs() -> None:
    areas = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.raises(InputError, match=r"The areas have no CRS"):
        area_points(areas)
    metric = areas.set_crs(CRS_METRIC)
    assert area_points(metric)["a"].equals(shapely.Point(0.5, 0.5))
