"""Loading the canonical layers."""

from __future__ import annotations

import geopandas as gpd
import pytest

from mapping.boundaries import load_desa, load_kabupaten, load_kecamatan, load_layer, to_metric
from mapping.settings import Settings


def test_loaders_return_the_canonical_layers(desa: gpd.GeoDataFrame, kecamatan) -> None:
    assert len(desa) == 252 and desa["code"].is_unique
    assert len(kecamatan) == 15
    assert len(load_kabupaten()) == 1
    assert desa.crs.to_epsg() == 4326
    assert set(desa["kecamatan_code"]) == set(kecamatan["code"])


def test_loaders_return_copies() -> None:
    first = load_desa()
    first.loc[0, "name"] = "changed"
    assert load_desa().loc[0, "name"] != "changed"


def test_loader_builds_on_first_use(tmp_settings: Settings) -> None:
    assert not tmp_settings.layers_path.exists()
    kec = load_kecamatan(settings=tmp_settings)
    assert tmp_settings.layers_path.is_file() and len(kec) == 15


def test_unknown_level() -> None:
    with pytest.raises(ValueError, match="level='provinsi' is not a boundary level"):
        load_layer("provinsi")  # type: ignore[arg-type]


def test_to_metric(kecamatan: gpd.GeoDataFrame) -> None:
    metric = to_metric(kecamatan)
    assert metric.crs.to_epsg() == 32647
    assert (metric.area / 1e6).sum() == pytest.approx(kecamatan["area_km2"].sum(), rel=1e-9)
