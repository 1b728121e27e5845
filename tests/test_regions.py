"""The region definition: region files, its checks, the metric CRS of data, the default region."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from mapping import settings
from mapping.gazetteer import Gazetteer
from mapping.regions import (
    Desa,
    Kecamatan,
    Region,
    RegionError,
    load_region,
    metric_crs_of,
    tapanuli_utara,
)

KEC = (Kecamatan("34.90.01", "", "Ngemplak Kidul", "Ngemplak Kidul"),)


def test_default_region_is_the_old_constants() -> None:
    tu = tapanuli_utara()
    assert tu.metric_crs == settings.CRS_METRIC == "EPSG:32647"  # derived: crs is null
    assert tu.crs is None
    assert (settings.KABUPATEN_CODE, settings.KABUPATEN_BPS_CODE) == ("12.02", "1205")
    assert settings.KABUPATEN_NAME == "Tapanuli Utara"
    assert (settings.EXPECTED_N_DESA, settings.EXPECTED_N_KECAMATAN) == (252, 15)
    assert settings.EXPECTED_AREA_KM2 == 3895.6
    by_code = tu.kecamatan_by_code
    assert by_code["12.02.09"].name_big == "Siborong-Borong"
    assert by_code["12.02.03"] == Kecamatan("12.02.03", "1205040", "Adiankoting", "Adian Koting")
    d = tu.desa_by_code["12.02.13.2005"]
    assert (d.name, d.kind, d.bps_code) == ("Lumban Siregar", "desa", "1205090015")
    assert "LUMBAN SORMIN" in d.aliases
    assert sum(x.kind == "kelurahan" for x in tu.desa) == 11


def test_gazetteer_from_the_default_region_matches_the_layers_one() -> None:
    from_region = Gazetteer.from_region(tapanuli_utara())
    loaded = Gazetteer.load()
    assert from_region.areas == loaded.areas
    kec_region = from_region.parent
    assert kec_region is not None and loaded.parent is not None
    assert sorted(kec_region.areas) == sorted(loaded.parent.areas)
    for name, kec in [("Lumban Sormin", "Pangaribuan"), ("hutatoruan v", None),
                      ("Sitolu Ama", "Kec. Pahae Julu"), ("Desa Silangkitang", None)]:  # fmt: skip
        found = from_region.match_one(name, kecamatan=kec)
        assert found.taken and found.code == loaded.match_one(name, kecamatan=kec).code
    expected = {"Siborong Borong": "12.02.09", "ADIAN KOTING": "12.02.03", "1205080": "12.02.06"}
    for name, code in expected.items():
        assert kec_region.match_one(name, code=name).code == code
        assert loaded.parent.match_one(name, code=name).code == code


def _write(tmp_path: Path, doc: dict[str, object]) -> Path:
    (tmp_path / "kec.csv").write_text(
        "kemendagri_code,bps_code_2018,name_kemendagri_2025,name_bps_mfd_2018,name_big_wadmkc\n"
        "34.90.01,3490010,Ngemplak Kidul,NGEMPLAK KIDUL,Ngemplak Kidul\n"
        "34.90.02,3490020,Sidoarum,SIDOARUM,Sido Arum\n",
        encoding="utf-8",
    )
    path = tmp_path / "region.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_load_region_file(tmp_path: Path) -> None:
    path = _write(tmp_path, {"code": "34.90", "name": "Merapi Kidul", "kind": "Kota",
                             "centre": [110.4, -7.8], "kecamatan_crosswalk": "kec.csv",
                             "sites": ["Kantor=-7.8,110.4"]})  # fmt: skip
    r = load_region(path)
    assert r.title() == "Kota Merapi Kidul" and r.title("en") == "Merapi Kidul City"
    assert r.metric_crs == "EPSG:32749"
    assert [k.name_big for k in r.kecamatan] == ["Ngemplak Kidul", "Sido Arum"]
    assert r.desa == () and r.sites == ("Kantor=-7.8,110.4",)
    assert r.expected_n_desa is None  # nothing to check the layers against


def test_load_region_file_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, {"name": "Merapi Kidul", "centre_lon": 110.4})
    with pytest.raises(RegionError, match=r"lacks key\(s\) \['code'\] or has unknown key\(s\) "
                       r"\['centre_lon'\]"):  # fmt: skip
        load_region(path)
    path = _write(tmp_path, {"code": "34.90", "name": "X", "areas": "desa.csv"})
    with pytest.raises(RegionError, match="no 'kecamatan_crosswalk'.*mapping.areas.read_region"):
        load_region(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RegionError, match="Cannot read region file .*expected JSON"):
        load_region(path)
    doc = {"code": "34.90", "name": "X", "crs": "EPSG:32749", "kecamatan_crosswalk": "nope.csv"}
    with pytest.raises(RegionError, match=r"Crosswalk .*nope\.csv named by a region file"):
        load_region(_write(tmp_path, doc))


def test_region_lists_every_problem() -> None:
    desa = (
        Desa("34.90.01.2001", "Wonokerto", "34.90.01"),
        Desa("34.90.01.2001", "Wonokerto Lor", "34.90.01"),
        Desa("34.90.05.2001", "Tirtoadi", "34.90.05"),
    )
    with pytest.raises(RegionError) as err:
        Region("34.90", "Merapi Kidul", KEC * 2, desa, kind="Kecamatan")
    message = str(err.value)
    for part in ("kind 'Kecamatan' is not one of ['Kabupaten', 'Kota']",
                 "kecamatan codes ['34.90.01'] appear more than once",
                 "desa codes ['34.90.01.2001'] appear more than once",
                 "desa lie in kecamatan ['34.90.05'] that are not in its list",
                 "neither its metric CRS nor its centre"):  # fmt: skip
        assert part in message
    with pytest.raises(RegionError, match="it has no kecamatan"):
        Region("34.90", "Merapi Kidul", (), crs="EPSG:32749")


def test_metric_crs_of_data() -> None:
    box = shapely.box(110.3, -7.9, 110.5, -7.7)
    yogya = gpd.GeoSeries([box], crs="EPSG:4326")
    assert metric_crs_of(yogya) == "EPSG:32749"
    assert metric_crs_of(yogya.to_crs("EPSG:3857")) == "EPSG:32749"  # metres, but not UTM
    assert metric_crs_of(yogya.to_crs("EPSG:32749")) == "EPSG:32749"
    assert metric_crs_of(yogya, region=tapanuli_utara()) == "EPSG:32647"  # the region wins
    empty = gpd.GeoSeries([], crs="EPSG:4326")
    assert metric_crs_of(empty) == "EPSG:32647"
    with pytest.raises(RegionError, match="no CRS"):
        metric_crs_of(gpd.GeoSeries([box]))


def test_metric_crs_of_the_real_layers(desa: gpd.GeoDataFrame) -> None:
    assert metric_crs_of(desa) == "EPSG:32647"
    assert metric_crs_of(desa.iloc[:1]) == "EPSG:32647"  # one desa: the same zone
