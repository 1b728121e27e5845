"""Building the canonical layers and every validation failure."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import geopandas as gpd
import pooch
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Polygon

from mapping.boundaries import load_desa, load_kecamatan
from mapping.data import fetch_raw, load_reference_desa
from mapping.errors import BoundaryValidationError, DataSourceError
from mapping.layers import (
    DESA_COLUMNS,
    KECAMATAN_COLUMNS,
    area_km2,
    build_layers,
    canonical_desa,
    check_desa_within_kecamatan,
    dissolve_kecamatan,
    layers_damage,
    layers_stamp_path,
    read_raw_desa,
    repair_geometries,
    validate_desa,
)
from mapping.regions import KECAMATAN
from mapping.settings import EXPECTED_AREA_KM2, Settings


@pytest.fixture(scope="module")
def raw_desa() -> gpd.GeoDataFrame:
    return read_raw_desa(fetch_raw())


@pytest.fixture(scope="module")
def canon(raw_desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return canonical_desa(raw_desa, reference=load_reference_desa())


def test_build_layers_writes_three_layers(tmp_settings: Settings) -> None:
    path = build_layers(settings=tmp_settings)
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"desa", "kecamatan", "kabupaten"}
    desa = gpd.read_file(path, layer="desa")
    kec = gpd.read_file(path, layer="kecamatan")
    kab = gpd.read_file(path, layer="kabupaten")
    assert (len(desa), len(kec), len(kab)) == (252, 15, 1)
    assert list(desa.columns) == [*DESA_COLUMNS, "geometry"]
    assert list(kec.columns) == [*KECAMATAN_COLUMNS, "geometry"]
    assert desa.crs.to_epsg() == kec.crs.to_epsg() == 4326
    assert not desa.geometry.has_z.any()
    # Kecamatan tile the desa exactly: same total area, per kecamatan too.
    by_kec = desa.groupby("kecamatan_code")["area_km2"].sum()
    assert by_kec.to_dict() == pytest.approx(kec.set_index("code")["area_km2"].to_dict(), rel=1e-6)
    assert kab["area_km2"][0] == pytest.approx(desa["area_km2"].sum(), rel=1e-6)
    assert kab["area_km2"][0] == pytest.approx(EXPECTED_AREA_KM2, rel=0.01)
    # Facts from the crosswalk.
    assert dict(zip(kec["code"], kec["bps_code"], strict=True)) == {
        k.code: k.bps_code for k in KECAMATAN
    }
    assert kec.set_index("code").loc["12.02.01", "n_desa"] == 31
    assert desa["bps_code"].notna().all()
    tarutung = desa.set_index("code").loc["12.02.01.1004"]
    assert (tarutung["name"], tarutung["kind"], tarutung["kecamatan"]) == (
        "Hutatoruan VII",
        "kelurahan",
        "Tarutung",
    )
    assert (desa["kind"] == "kelurahan").sum() == 11


def test_build_layers_is_idempotent(tmp_settings: Settings) -> None:
    path = build_layers(settings=tmp_settings)
    before = path.stat().st_mtime_ns
    assert build_layers(settings=tmp_settings) == path
    assert path.stat().st_mtime_ns == before
    build_layers(settings=tmp_settings, force=True)
    assert path.stat().st_mtime_ns > before


def test_without_reference_folder_codes_and_names_come_from_the_shipped_crosswalk(
    tmp_settings: Settings,
) -> None:
    s = dataclasses.replace(tmp_settings, reference_dir=None)
    desa = gpd.read_file(build_layers(settings=s), layer="desa").set_index("code")
    assert len(desa) == 252
    assert desa["bps_code"].notna().all()
    # Kemendagri 2025 spellings, not BIG's NAMOBJ ("Pasar Siborong Borong").
    assert desa.loc["12.02.09.1001", "name"] == "Psr Siborong Borong"
    assert desa.loc["12.02.01.1001", "bps_code"] == "1205060030"


def test_canonical_desa_without_crosswalk_uses_big_names(raw_desa: gpd.GeoDataFrame) -> None:
    desa = canonical_desa(raw_desa).set_index("code")
    assert desa["bps_code"].isna().all()
    assert desa.loc["12.02.09.1001", "name"] == "Pasar Siborong Borong"


def test_valid_real_layer_passes(canon: gpd.GeoDataFrame) -> None:
    assert validate_desa(canon) is None  # no BoundaryValidationError: every check holds
    # the facts it checks, seen directly
    assert len(canon) == 252 and canon["code"].is_unique
    assert canon["kecamatan_code"].nunique() == 15
    assert canon.geometry.is_valid.all() and not canon.geometry.is_empty.any()
    # and the same layer with one broken geometry fails, so the pass above means something
    bad = canon.copy()
    bad.loc[bad.index[0], "geometry"] = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(
        BoundaryValidationError, match=r"has an invalid geometry \(Self-intersection"
    ):
        validate_desa(bad)


def test_duplicate_and_missing_codes(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    bad.loc[1, "code"] = bad.loc[0, "code"]
    with pytest.raises(BoundaryValidationError, match=r"duplicate desa codes.*\n.*251 unique"):
        validate_desa(bad)


def test_malformed_code(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    bad.loc[5, "code"] = "12.02.01.99"
    with pytest.raises(BoundaryValidationError, match="'12.02.01.99' is not a Tapanuli Utara"):
        validate_desa(bad)


def test_missing_kecamatan(canon: gpd.GeoDataFrame) -> None:
    bad = canon[canon["kecamatan_code"] != "12.02.15"]
    with pytest.raises(BoundaryValidationError, match="14 kecamatan; expected 15"):
        validate_desa(bad)


def test_code_disagreeing_with_big_kecamatan(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    bad.loc[3, "kdcpum"] = "12.02.02"
    with pytest.raises(BoundaryValidationError, match="lies in kecamatan 12.02.02 by BIG"):
        validate_desa(bad)


def test_desa_in_the_file_of_another_kecamatan(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    i = bad.index[bad["kecamatan_code"] == "12.02.01"][0]
    bad.loc[i, "source_file"] = "desa-muara.geojson"
    with pytest.raises(BoundaryValidationError, match="comes from desa-muara.geojson, the file of"):
        validate_desa(bad)


BOWTIE = Polygon([(98.9, 2.0), (98.91, 2.01), (98.91, 2.0), (98.9, 2.01), (98.9, 2.0)])


def test_broken_geometry_is_reported_then_repaired(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    bad.loc[7, "geometry"] = MultiPolygon([BOWTIE])
    with pytest.raises(BoundaryValidationError, match="invalid geometry .*Self-intersection"):
        validate_desa(bad)
    fixed, notes = repair_geometries(bad)
    assert len(notes) == 1 and "repaired invalid geometry of" in notes[0]
    assert fixed.geometry.is_valid.all()
    assert fixed.geometry[7].area > 0
    assert not bad.geometry[7].is_valid  # the input is not changed


def test_empty_geometry(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    bad.loc[9, "geometry"] = Polygon()
    with pytest.raises(BoundaryValidationError, match="has no geometry"):
        validate_desa(bad)


def test_overlap(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    # Grow one desa by ~300 m into its neighbours.
    grown = bad.iloc[[10]].to_crs(32647).buffer(300).to_crs(4326)
    bad.loc[bad.index[10], "geometry"] = grown.iloc[0]
    with pytest.raises(BoundaryValidationError, match=r"overlap by \d+\.\d+ km2"):
        validate_desa(bad)


def test_total_area_off(canon: gpd.GeoDataFrame) -> None:
    bad = canon.copy()
    # Shrink the largest desa to a point-sized square: the regency loses far more than 1%.
    i = area_km2(bad).idxmax()
    c = bad.geometry[i].representative_point()
    bad.loc[i, "geometry"] = c.buffer(0.001)
    with pytest.raises(BoundaryValidationError, match="total area .* not within 1%"):
        validate_desa(bad)


def test_desa_outside_its_kecamatan(canon: gpd.GeoDataFrame) -> None:
    kec = dissolve_kecamatan(canon)
    check_desa_within_kecamatan(canon, kec)
    moved = canon.copy()
    moved.loc[0, "kecamatan_code"] = "12.02.15"
    with pytest.raises(BoundaryValidationError, match="outside the kecamatan"):
        check_desa_within_kecamatan(moved, kec)


def test_raw_file_missing_columns(tmp_path) -> None:
    path = tmp_path / "x.geojson"
    gpd.GeoDataFrame({"A": [1]}, geometry=[BOWTIE.envelope], crs=4326).to_file(path)
    from mapping.errors import DataSourceError

    with pytest.raises(DataSourceError, match="lacks column"):
        read_raw_desa([path])


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def test_a_damaged_layer_cache_is_detected_and_rebuilt(
    tmp_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 9: a truncated GeoPackage is rebuilt (saying why), by the loaders and by fetch."""
    path = build_layers(settings=tmp_settings)
    assert layers_damage(settings=tmp_settings) is None
    _truncate(path)
    assert "damaged or was changed" in str(layers_damage(settings=tmp_settings))
    # A loader rebuilds it and reads the rebuilt file.
    with caplog.at_level(logging.INFO, logger="mapping.layers"):
        desa = load_desa(settings=tmp_settings)
    assert len(desa) == 252 and layers_damage(settings=tmp_settings) is None
    assert any("damaged or was changed" in r.getMessage() for r in caplog.records)
    # What 'peta-kesos fetch' runs: not "up to date" but a rebuild with the reason.
    _truncate(path)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mapping.layers"):
        build_layers(settings=tmp_settings)
    messages = [r.getMessage() for r in caplog.records]
    assert not any("up to date" in m for m in messages)
    assert any(m.startswith("building canonical layers") and "damaged" in m for m in messages)
    assert layers_damage(settings=tmp_settings) is None
    assert len(gpd.read_file(path, layer="kecamatan")) == 15
    # No stamp (an older version or an interrupted build): rebuilt too.
    layers_stamp_path(tmp_settings).unlink()
    assert "no readable stamp" in str(layers_damage(settings=tmp_settings))
    build_layers(settings=tmp_settings)
    assert layers_damage(settings=tmp_settings) is None


def test_an_unreadable_layer_file_gives_a_one_line_error(tmp_settings: Settings) -> None:
    """A file that cannot be read although its stamp agrees: a clear error naming the fix."""
    path = build_layers(settings=tmp_settings)
    _truncate(path)
    stamp = layers_stamp_path(tmp_settings)
    doc = json.loads(stamp.read_text(encoding="utf-8"))
    doc["sha256"] = pooch.file_hash(str(path), alg="sha256")
    stamp.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataSourceError, match=r"tapanuli-utara\.gpkg.*peta-kesos fetch --force"):
        load_kecamatan(settings=tmp_settings)
