"""A second region, made up in code, runs through the whole chain with no code change.

"Kabupaten Merapi Kidul" (code 34.90) is a synthetic regency near Yogyakarta (110.4 E,
7.8 S): 3 kecamatan of 6 desa each, every desa a 2 km x 2 km square laid out on a grid in
UTM zone 49S (EPSG:32749), so each desa measures exactly 4 km2 there. Two desa in different
kecamatan share the name "Sumberejo". The region is defined from the polygons (BIG-style
columns), then loaded without any download, matched, joined, mapped and analysed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapping import access
from mapping.analysis import coverage_analysis
from mapping.areas import read_region, region_from_areas, region_from_desa
from mapping.cli import main
from mapping.config import ConfigError, load_config, parse_config
from mapping.errors import BoundaryValidationError, InputError, ValidationFailed
from mapping.gazetteer import Gazetteer
from mapping.influence import area_of_influence, default_sites
from mapping.interactive import choropleth_map, render_html
from mapping.join import aggregate_to_kecamatan, join_table
from mapping.layers import area_km2, region_layers
from mapping.matchfile import match_file
from mapping.names import example_code, parse_code
from mapping.pipeline import build_outputs
from mapping.points import count_points
from mapping.regions import Region, RegionError, metric_crs_of, tapanuli_utara, utm_crs
from mapping.services import as_services
from mapping.settings import Settings
from mapping.static import plot_choropleth
from mapping.tables import from_frame

#: Lower-left corner of the grid in UTM 49S, and the side of each desa, metres.
X0, Y0, SIDE = 430_000.0, 9_135_000.0, 2_000.0
UTM_49S = "EPSG:32749"

KECAMATAN = {
    "34.90.01": "Ngemplak Kidul",
    "34.90.02": "Sidoarum",
    "34.90.03": "Tegalrejo Wetan",
}
#: Per kecamatan: (code, name) of its 6 desa, in grid order (row by row, 2 columns).
DESA = {
    "34.90.01": [
        ("34.90.01.2001", "Wonokerto"),
        ("34.90.01.2002", "Sardonoharjo"),
        ("34.90.01.2003", "Widodomartani"),
        ("34.90.01.2004", "Bimomartani"),
        ("34.90.01.2005", "Sindumartani"),
        ("34.90.01.2006", "Sumberejo"),
    ],
    "34.90.02": [
        ("34.90.02.2001", "Sidomoyo"),
        ("34.90.02.2002", "Sidokarto"),
        ("34.90.02.2003", "Sidoagung"),
        ("34.90.02.2004", "Sidomulyo"),
        ("34.90.02.2005", "Sidorejo"),
        ("34.90.02.2006", "Margokaton"),
    ],
    "34.90.03": [
        ("34.90.03.1001", "Karangwaru"),
        ("34.90.03.2001", "Tirtoadi"),
        ("34.90.03.2002", "Margodadi"),
        ("34.90.03.2003", "Sumberejo"),
        ("34.90.03.2004", "Caturharjo"),
        ("34.90.03.2005", "Trimulyo"),
    ],
}


def _square(kec_index: int, j: int) -> shapely.Polygon:
    """The square of the `j`-th desa of the `kec_index`-th kecamatan, in UTM 49S."""
    col, row = 2 * kec_index + j % 2, j // 2
    x, y = X0 + col * SIDE, Y0 + row * SIDE
    return shapely.box(x, y, x + SIDE, y + SIDE)


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    """The desa polygons as a user would have them: BIG columns, in EPSG:4326."""
    rows, geoms = [], []
    for k, (kec_code, desa) in enumerate(DESA.items()):
        for j, (code, name) in enumerate(desa):
            rows.append(
                {"KDEPUM": code, "NAMOBJ": name, "KDCPUM": kec_code, "WADMKC": KECAMATAN[kec_code]}
            )
            geoms.append(_square(k, j))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=UTM_49S).to_crs("EPSG:4326")


@pytest.fixture(scope="module")
def region(boundaries: gpd.GeoDataFrame) -> Region:
    return region_from_desa(
        boundaries,
        code="34.90",
        name="Merapi Kidul",
        code_column="KDEPUM",
        name_column="NAMOBJ",
        kecamatan_code_column="KDCPUM",
        kecamatan_column="WADMKC",
    )


@pytest.fixture(scope="module")
def layers(
    boundaries: gpd.GeoDataFrame, region: Region
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return region_layers(boundaries, region=region, code="KDEPUM")


@pytest.fixture(scope="module")
def gazetteer(region: Region) -> Gazetteer:
    return Gazetteer.from_region(region)


def _code(name: str, kecamatan: str | None = None) -> str:
    kec = [c for c, n in KECAMATAN.items() if n == kecamatan]
    return next(c for k, d in DESA.items() for c, n in d if n == name and (not kec or k == kec[0]))


# --- the region and its metric CRS ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "crs"),
    [(99.07, 2.0, "EPSG:32647"), (110.4, -7.8, "EPSG:32749"), (106.8, -6.2, "EPSG:32748"),
     (140.7, -2.5, "EPSG:32754"), (95.3, 5.5, "EPSG:32646"), (102.0, 0.5, "EPSG:32648")],
)  # fmt: skip
def test_utm_zone_from_longitude(lon: float, lat: float, crs: str) -> None:
    # zones are 6 degrees wide from 180 W; 102 E starts zone 48
    assert utm_crs(lon, lat) == crs


def test_utm_crs_refuses_swapped_coordinates() -> None:
    with pytest.raises(RegionError, match=r"not a longitude/latitude.*longitude first"):
        utm_crs(-7.8, 110.4)


def test_region_from_desa(region: Region) -> None:
    assert region.title() == "Kabupaten Merapi Kidul"
    assert region.title("en") == "Merapi Kidul Regency"
    assert region.crs is None and region.metric_crs == UTM_49S
    assert region.centre is not None
    lon, lat = region.centre
    # the grid is 12 km x 6 km from (430 km E, 9135 km N) in 49S: centre near 110.40 E, 7.82 S
    assert 110.35 < lon < 110.45 and -7.85 < lat < -7.78
    assert [k.name for k in region.kecamatan] == list(KECAMATAN.values())
    assert len(region.desa) == 18 and region.expected_n_desa == 18
    assert region.expected_n_kecamatan == 3
    assert sorted(d.code for d in region.desa if d.name == "Sumberejo") == [
        "34.90.01.2006",
        "34.90.03.2003",
    ]


def test_region_file_with_a_table_of_areas(
    tmp_path: Path, boundaries: gpd.GeoDataFrame, region: Region
) -> None:
    # the same region as data only: a JSON file and a CSV of its desa
    table = pd.DataFrame(
        {
            "code": boundaries["KDEPUM"], "name": boundaries["NAMOBJ"],
            "parent_code": boundaries["KDCPUM"], "parent": boundaries["WADMKC"],
            "aliases": ["Wonokerto Lor;Wanakerta", *[""] * 17],
        }
    )  # fmt: skip
    table.to_csv(tmp_path / "desa-merapi-kidul.csv", index=False)
    doc = {"code": "34.90", "name": "Merapi Kidul", "centre": list(region.centre or ()),
           "areas": "desa-merapi-kidul.csv", "expected_area_km2": 72.0,
           "sites": ["Kantor CSR=-7.8,110.4"]}  # fmt: skip
    (tmp_path / "merapi-kidul.json").write_text(json.dumps(doc), encoding="utf-8")
    from_file = read_region(tmp_path / "merapi-kidul.json")
    assert from_file.metric_crs == UTM_49S and from_file.expected_area_km2 == 72.0
    assert from_file.kecamatan == region.kecamatan
    assert from_file.desa_by_code["34.90.01.2001"].aliases == ("Wonokerto Lor", "Wanakerta")
    assert Gazetteer.from_region(from_file).match_one("wanakerta").code == "34.90.01.2001"
    desa, _, kab = region_layers(boundaries, region=from_file, code="KDEPUM")
    assert kab.loc[0, "area_km2"] == pytest.approx(72.0, rel=1e-6)
    table.loc[3, "name"] = ""
    table.to_csv(tmp_path / "desa-merapi-kidul.csv", index=False)
    with pytest.raises(ValidationFailed, match="row 4, column 'name'.*the name is blank"):
        read_region(tmp_path / "merapi-kidul.json")


def test_region_overrides_the_crs(boundaries: gpd.GeoDataFrame) -> None:
    r = region_from_desa(boundaries, code="34.90", name="Merapi Kidul", code_column="KDEPUM",
                         name_column="NAMOBJ", kecamatan_code_column="KDCPUM",
                         kecamatan_column="WADMKC", crs="EPSG:23830")  # fmt: skip
    assert r.metric_crs == "EPSG:23830"  # DGN95 / Indonesia TM-3 zone 49.1, as told


def test_region_from_desa_names_missing_columns(boundaries: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match=r"\['code', 'name'\] not found.*KDEPUM"):
        region_from_desa(boundaries, code="34.90", name="Merapi Kidul",
                         kecamatan_code_column="KDCPUM", kecamatan_column="WADMKC")  # fmt: skip


def test_region_needs_a_crs_or_centre() -> None:
    table = pd.DataFrame({"code": ["34.90.01.2001"], "name": ["Wonokerto"],
                          "parent_code": ["34.90.01"], "parent": ["Ngemplak Kidul"]})  # fmt: skip
    with pytest.raises(RegionError, match="neither its metric CRS nor its centre"):
        region_from_areas(table, code="34.90", name="Merapi Kidul")
    assert region_from_areas(table, code="34.90", name="X", crs="EPSG:32749").metric_crs == UTM_49S


def test_default_region_is_tapanuli_utara() -> None:
    tu = tapanuli_utara()
    assert (tu.code, tu.bps_code, tu.metric_crs) == ("12.02", "1205", "EPSG:32647")
    assert (len(tu.kecamatan), len(tu.desa), tu.expected_area_km2) == (15, 252, 3895.6)


# --- fetch-free layers ------------------------------------------------------------------------


def test_layers_measure_in_the_regions_utm_zone(
    layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame],
    boundaries: gpd.GeoDataFrame,
) -> None:
    desa, kec, kab = layers
    assert desa.crs.to_epsg() == 4326 and metric_crs_of(desa) == UTM_49S
    assert len(desa) == 18 and desa["code"].is_unique
    # every desa is a 2 km square in 49S: 4 km2
    np.testing.assert_allclose(desa["area_km2"], 4.0, rtol=1e-6)
    assert kec["n_desa"].tolist() == [6, 6, 6]
    np.testing.assert_allclose(kec["area_km2"], 24.0, rtol=1e-6)
    assert kab.loc[0, ["code", "name", "n_desa", "n_kecamatan"]].tolist() == [
        "34.90", "Merapi Kidul", 18, 3,
    ]  # fmt: skip
    assert kab.loc[0, "area_km2"] == pytest.approx(72.0, rel=1e-6)
    # measured in Tapanuli Utara's zone (47S here) the same squares would be ~4% too large
    wrong = area_km2(desa, region=tapanuli_utara())
    assert wrong.sum() / 72.0 - 1 > 0.03
    row = desa.set_index("code").loc["34.90.03.1001"]
    assert (row["name"], row["kind"], row["kecamatan"]) == (
        "Karangwaru", "kelurahan", "Tegalrejo Wetan",
    )  # fmt: skip


def test_layers_report_codes_outside_the_region(
    boundaries: gpd.GeoDataFrame, region: Region
) -> None:
    broken = boundaries.copy()
    broken.loc[0, "KDEPUM"] = "34.90.09.2001"
    with pytest.raises(
        BoundaryValidationError,
        match=r"\['34\.90\.09\.2001'\] are not desa of Kabupaten Merapi Kidul.*"
        r"\['34\.90\.01\.2001'\] of Kabupaten Merapi Kidul have no polygon",
    ):
        region_layers(broken, region=region, code="KDEPUM")
    with pytest.raises(BoundaryValidationError, match="column 'kode' .* not found"):
        region_layers(boundaries, region=region, code="kode")


def test_layers_check_the_regions_expectations(
    boundaries: gpd.GeoDataFrame, region: Region
) -> None:
    expecting = replace(region, expected_area_km2=100.0)
    with pytest.raises(BoundaryValidationError, match=r"72\.0 km2 is not within 1% of 100\.0"):
        region_layers(boundaries, region=expecting, code="KDEPUM")


# --- matching, the join -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kecamatan", "expected", "method"),
    [
        ("DESA WONOKERTO", None, "34.90.01.2001", "normalized"),
        ("sidomoyo ", None, "34.90.02.2001", "exact"),
        ("Sardonoharjoo", None, "34.90.01.2002", "fuzzy"),
        ("Kel. Karangwaru", None, "34.90.03.1001", "normalized"),
        ("Sumberejo", "Kec. Tegalrejo Wetan", "34.90.03.2003", "exact"),
        ("Desa Sumberejo", "NGEMPLAK KIDUL", "34.90.01.2006", "normalized"),
        ("Sumberejo", None, "", "ambiguous"),
        ("Tirtoadi", "Sidoarum", "", "unmatched"),
    ],
)
def test_matching_messy_names(
    gazetteer: Gazetteer, name: str, kecamatan: str | None, expected: str, method: str
) -> None:
    m = gazetteer.match_one(name, kecamatan=kecamatan)
    assert (m.code, m.method) == (expected, method)


def test_matching_a_code(gazetteer: Gazetteer) -> None:
    assert gazetteer.match_one(code="3490022006").code == "34.90.02.2006"


def _welfare() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Desa": ["Desa Wonokerto", "SARDONOHARJO", "sumberejo", "Sumberejo", "Tirtoadi",
                     "Margokatonn", "Desa Entah Berantah"],
            "Kecamatan": ["Ngemplak Kidul", "Ngemplak Kidul", "Kec. Ngemplak Kidul",
                          "Tegalrejo Wetan", "Tegalrejo Wetan", "Sidoarum", "Sidoarum"],
            "Lanjut Usia Terlantar": [12, 7, 30, 9, 15, 21, 4],
        }
    )  # fmt: skip


@pytest.fixture(scope="module")
def joined(
    layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame], gazetteer: Gazetteer
) -> tuple[gpd.GeoDataFrame, object]:
    table = from_frame(_welfare(), name="lansia-merapi-kidul.xlsx", level="desa",
                       gazetteer=gazetteer)  # fmt: skip
    return join_table(table, layer=layers[0])


def test_join_matches_and_reports(joined: tuple[gpd.GeoDataFrame, object]) -> None:
    gdf, report = joined
    values = gdf.set_index("code")["lut"].dropna().to_dict()
    assert values == {
        "34.90.01.2001": 12.0,
        "34.90.01.2002": 7.0,
        "34.90.01.2006": 30.0,
        "34.90.03.2003": 9.0,
        "34.90.03.2001": 15.0,
        "34.90.02.2006": 21.0,
    }
    assert len(gdf) == 18 and gdf["lut"].isna().sum() == 12  # no data stays missing, not 0
    rows = report.to_frame()  # type: ignore[attr-defined]
    assert report.n_input == 7 and report.n_joined == 6  # type: ignore[attr-defined]
    reported = rows[rows["status"] == "reported"]
    assert reported["input_name"].tolist() == ["Desa Entah Berantah"]
    assert len(report.missing) == 12  # type: ignore[attr-defined]
    texts = report.describe() + " ".join(p.message + p.expected for p in report.problems)  # type: ignore[attr-defined]
    assert "Merapi Kidul" in texts
    assert "Tapanuli" not in texts


def test_join_at_kecamatan_level(
    layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame], gazetteer: Gazetteer
) -> None:
    desa, kec, _ = layers
    table = from_frame(_welfare(), level="desa", gazetteer=gazetteer)
    by_kec, report = join_table(table, level="kecamatan", layer=kec, desa=desa)
    assert by_kec["name"].tolist() == list(KECAMATAN.values())
    assert by_kec["n_desa_data"].tolist() == [3, 1, 2]
    # no kecamatan has all 6 desa: a sum would undercount, so it stays missing
    assert by_kec["lut"].isna().all()
    assert report.n_joined == 6
    summed = aggregate_to_kecamatan(
        join_table(table, layer=desa)[0], columns=["lut"], kecamatan=kec, partial="sum"
    )
    assert summed["lut"].tolist() == [12 + 7 + 30, 21, 9 + 15]


def test_match_file(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = tmp_path / "daftar.csv"
    _welfare().to_csv(path, index=False)
    matched = match_file(path, gazetteer=gazetteer)
    assert matched["code"].tolist() == [
        "34.90.01.2001", "34.90.01.2002", "34.90.01.2006", "34.90.03.2003", "34.90.03.2001",
        "34.90.02.2006", "",
    ]  # fmt: skip
    assert matched["method"].iloc[-1] == "unmatched"
    with pytest.raises(InputError, match="gazetteer is of level 'desa'"):
        match_file(path, level="kecamatan", gazetteer=gazetteer)


# --- maps -------------------------------------------------------------------------------------


def test_static_map(
    joined: tuple[gpd.GeoDataFrame, object], region: Region, tmp_path: Path
) -> None:
    gdf, _ = joined
    title = f"Lanjut usia terlantar, {region.title()} (contoh sintetis)"
    fig = plot_choropleth(gdf, "lut", title=title, synthetic=True)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert any(region.title() in t for t in texts)
    assert not any("Tapanuli" in t for t in texts)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    # drawn in UTM 49S: the grid's eastings, 430-442 km
    assert 425_000 < x0 < 430_000 and 442_000 < x1 < 447_000
    path = tmp_path / "lansia.png"
    fig.savefig(path)
    assert path.stat().st_size > 10_000


def test_interactive_map(joined: tuple[gpd.GeoDataFrame, object], region: Region) -> None:
    gdf, _ = joined
    m = choropleth_map(gdf, ["lut"], title=f"Lanjut usia terlantar, {region.title()}",
                       synthetic=True)  # fmt: skip
    page = render_html(m)
    assert region.title() in page and "Sidoarum" in page and "Margokaton" in page
    assert "Tapanuli" not in page
    lons = [float(v) for v in re.findall(r"110\.\d{3,}", page)]
    assert lons and all(110.3 < v < 110.5 for v in lons)


# --- the coverage analysis --------------------------------------------------------------------


def _indicators(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Synthetic family counts (contoh sintetis) that differ from desa to desa."""
    out = desa.copy()
    i = np.arange(len(out))
    out["keluarga"] = 400 + 40 * i
    out["keluarga_berisiko_stunting"] = 30 + (i * 7) % 23
    out["penerima_pkh"] = 20 + (i * 5) % 17
    out["kader"] = 10 + i % 4
    out["kader_pembangunan_manusia"] = 1
    out["tim_pendamping_keluarga"] = 3 * (1 + i % 3)
    out.attrs["synthetic"] = True
    return out


def test_coverage_analysis(
    layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    desa = _indicators(layers[0])
    # two puskesmas at the centres of Wonokerto (grid cell 0,0) and Trimulyo (cell 5,2)
    centres = gpd.GeoSeries([_square(0, 0).centroid, _square(2, 5).centroid], crs=UTM_49S).to_crs(
        "EPSG:4326"
    )
    points = gpd.GeoDataFrame({"nama": ["Puskesmas Wonokerto", "Puskesmas Trimulyo"]},
                              geometry=centres.values, crs="EPSG:4326")  # fmt: skip
    services = as_services(points, kind="puskesmas", name_column="nama", desa=desa)
    assert services["desa_code"].tolist() == ["34.90.01.2001", "34.90.03.2005"]

    with pytest.raises(InputError, match=r"puskesmas of Kabupaten Tapanuli Utara, but desa "
                       r"\['34\.90\.01\.2001'"):  # fmt: skip
        coverage_analysis(desa, clusters=False)  # never measured to Sumatran puskesmas
    # local Moran needs 30 areas or more: the 18 desa are refused with a reason, then the
    # analysis runs without clusters
    with pytest.raises(InputError, match="needs at least 30 areas; gdf has 18.*clusters=False"):
        coverage_analysis(desa, services=services, permutations=99)
    result = coverage_analysis(desa, services=services, clusters=False)
    out = result.desa.set_index("code")
    detour = access.DETOUR_FACTOR
    # Wonokerto holds a puskesmas; Sardonoharjo is one square (2 km) east of it; Sidokarto
    # (cell 3,0) is 6 km from Wonokerto and hypot(4, 4) = 5.66 km from Trimulyo (cell 5,2)
    assert out.at["34.90.01.2001", "puskesmas_km"] == pytest.approx(0.0, abs=1e-6)
    assert out.at["34.90.01.2002", "puskesmas_km"] == pytest.approx(2.0 * detour, rel=1e-6)
    assert out.at["34.90.02.2002", "puskesmas_km"] == pytest.approx(
        math.hypot(4, 4) * detour, rel=1e-6
    )
    assert out.at["34.90.02.2002", "puskesmas_name"] == "Puskesmas Trimulyo"
    # coverage: reached / need, per desa
    first = out.loc["34.90.01.2001"]
    assert first["coverage_pct"] == pytest.approx(
        100 * first["penerima_pkh"] / first["keluarga_berisiko_stunting"]
    )
    assert out["severity_label"].notna().all()
    assert out["quadrant_label"].notna().all()
    assert result.severity_counts().sum() == 18


# --- CSR sites and their area of influence ----------------------------------------------------


def test_area_of_influence_uses_the_regions_sites(
    layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame], region: Region
) -> None:
    desa = layers[0]
    # a site at the centre of Sidoagung (grid cell 2,1; 6 decimals of a degree: within 0.1 m):
    # its 8 neighbours lie 1 km (sides) or
    # sqrt(2) km (corners) away, the next ring 3 km or more
    centre = gpd.GeoSeries([_square(1, 2).centroid], crs=UTM_49S).to_crs("EPSG:4326").iloc[0]
    with_sites = replace(region, sites=(f"Kantor CSR={centre.y:.6f},{centre.x:.6f}",))
    assert [s.name for s in default_sites(desa, region=with_sites)] == ["Kantor CSR"]
    with pytest.raises(InputError, match="Kabupaten Merapi Kidul has no default sites"):
        default_sites(desa, region=region)

    near = area_of_influence(desa, radius_km=1.5, region=with_sites)
    assert near["in_area"].sum() == 9
    assert near.set_index("code").at["34.90.02.2003", "distance_km"] == pytest.approx(0, abs=1e-3)
    assert near.set_index("code").at["34.90.02.2004", "distance_km"] == pytest.approx(1.0, abs=1e-3)
    assert area_of_influence(desa, radius_km=0.9, region=with_sites)["in_area"].sum() == 1
    by_kec = area_of_influence(desa, kecamatan=["Kec. Tegalrejo Wetan"], region=with_sites)
    assert sorted(by_kec.loc[by_kec["in_area"], "name"]) == sorted(n for _, n in DESA["34.90.03"])
    with pytest.raises(InputError, match="'Pahae Jae' is not a kecamatan of Merapi Kidul"):
        area_of_influence(desa, kecamatan=["Pahae Jae"], region=with_sites)
    with pytest.raises(InputError, match="km outside Kabupaten Merapi Kidul"):
        area_of_influence(desa, ["Jauh=-7.0,110.4"], radius_km=5, region=with_sites)


def test_count_points(layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    desa = layers[0]
    inside = [_square(0, 0).centroid, _square(0, 0).centroid, _square(1, 2).centroid]
    pts = gpd.GeoSeries(inside, crs=UTM_49S).to_crs("EPSG:4326").tolist()
    pts.append(shapely.Point(106.8, -6.2))  # Jakarta
    points = gpd.GeoDataFrame(geometry=pts, crs="EPSG:4326")
    table = count_points(points, category="lks", desa=desa)
    counts = table.data.set_index("area_code")["value"]
    assert counts["34.90.01.2001"] == 2 and counts["34.90.02.2003"] == 1
    assert counts.sum() == 3 and len(counts) == 18  # every desa counted, 0 if none
    (outside,) = [p for p in table.report if p.kind == "outside"]
    assert outside.message == "point lies outside every desa"
    assert "nearest desa" in outside.suggestion and "Tapanuli" not in str(outside)


# --- codes and checks of the region -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3490012001", ("kemendagri", "desa", "34.90.01.2001")),
        ("34.90.02", ("kemendagri", "kecamatan", "34.90.02")),
        (3490031001.0, ("kemendagri", "desa", "34.90.03.1001")),
        ("34.90", ("kemendagri", "kabupaten", "34.90")),
    ],
)
def test_codes_of_the_region(region: Region, value: object, expected: tuple[str, ...]) -> None:
    parsed = parse_code(value, region=region)
    assert parsed is not None and (parsed.system, parsed.level, parsed.code) == expected
    assert parse_code(value) is None  # not a code of Tapanuli Utara
    assert parse_code("1202012010", region=region) is None
    assert example_code(region) == "34.90.01.2001"


def test_code_only_table_is_read_at_the_level_of_its_codes(region: Region) -> None:
    # no name columns: the level comes from the codes, which are the region's
    frame = pd.DataFrame({"Kode": ["34.90.01", "349002", "34.90.03"], "Fakir Miskin": [5, 6, 7]})
    table = from_frame(frame, gazetteer=Gazetteer.from_region(region, level="kecamatan"))
    assert table.level == "kecamatan"
    assert table.data.set_index("area_code")["value"].to_dict() == {
        "34.90.01": 5, "34.90.02": 6, "34.90.03": 7,
    }  # fmt: skip


def test_checks_name_the_region(region: Region, gazetteer: Gazetteer) -> None:
    frame = pd.DataFrame(
        {"Kode": ["34.90.01.2001", "1202012010", "34.90.02.9999"],
         "Desa": ["Wonokerto", "Sidomoyo", "Sidokarto"],
         "Lanjut Usia Terlantar": [12, 7_000_000, 4]}
    )  # fmt: skip
    table = from_frame(frame, gazetteer=gazetteer)
    texts = [p.describe() for p in table.report]
    foreign = next(t for t in texts if "'1202012010'" in t)
    assert "not a Kemendagri or BPS code of Merapi Kidul" in foreign and "34.90.01.2001" in foreign
    assert any("code 34.90.02.9999 names no desa of Merapi Kidul" in t for t in texts)
    # no population in the definition: the limit is that of any regency, never Tapanuli's
    (big,) = [t for t in texts if "implausible" in t]
    assert "any regency or city of Indonesia" in big and "at most 6000000" in big
    assert not any("Tapanuli" in t for t in texts)
    counted = replace(region, population=50_000)
    assert counted.max_plausible_count == 100_000
    gz = Gazetteer.from_region(counted)
    frame.loc[1, "Lanjut Usia Terlantar"] = 150_000
    (big,) = [p.describe() for p in from_frame(frame, gazetteer=gz).report
              if p.kind == "implausible-value"]  # fmt: skip
    assert "more than the population of Merapi Kidul" in big


# --- a whole build from a config --------------------------------------------------------------


def _region_files(folder: Path, boundaries: gpd.GeoDataFrame, region: Region) -> None:
    """The region as a user gives it: region file, desa table, boundaries, one input table."""
    pd.DataFrame(
        {"code": boundaries["KDEPUM"], "name": boundaries["NAMOBJ"],
         "parent_code": boundaries["KDCPUM"], "parent": boundaries["WADMKC"]}
    ).to_csv(folder / "desa-merapi-kidul.csv", index=False)  # fmt: skip
    doc = {"code": "34.90", "name": "Merapi Kidul", "centre": list(region.centre or ()),
           "areas": "desa-merapi-kidul.csv", "expected_area_km2": 72.0}  # fmt: skip
    (folder / "merapi-kidul.json").write_text(json.dumps(doc), encoding="utf-8")
    boundaries.to_file(folder / "batas-desa.gpkg", layer="desa", driver="GPKG")
    i = np.arange(18)
    pd.DataFrame(
        {"Kecamatan": boundaries["WADMKC"], "Desa": boundaries["NAMOBJ"],
         "Jumlah Keluarga": 300 + 20 * i, "Fakir Miskin": 20 + (i * 7) % 13,
         "Lanjut Usia Terlantar": 10 + (i * 5) % 11}
    ).to_csv(folder / "pmks-merapi-kidul.csv", index=False)  # fmt: skip


CONFIG = """\
region: merapi-kidul.json
boundaries:
  file: batas-desa.gpkg
  code: KDEPUM
inputs:
  - file: pmks-merapi-kidul.csv
    source: Dinas Sosial Kabupaten Merapi Kidul (contoh sintetis)
maps:
  title: PMKS Kabupaten Merapi Kidul (contoh sintetis)
  dpi: 60
outputs:
  folder: keluaran
"""


def test_build_a_second_region_from_a_config(
    tmp_path: Path,
    boundaries: gpd.GeoDataFrame,
    region: Region,
    tmp_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _region_files(tmp_path, boundaries, region)
    (tmp_path / "peta-kesos.yaml").write_text(CONFIG, encoding="utf-8")
    result = build_outputs(config=load_config(tmp_path / "peta-kesos.yaml"),
                           settings=tmp_settings)  # fmt: skip
    out = tmp_path / "keluaran"
    assert result.index == out / "index.html" and result.maps
    assert all(p.is_file() and out in p.parents for p in result.files)
    # only the user's maps: nothing of Tapanuli Utara's bundled data, nothing downloaded
    assert all(p.name.startswith("data-") for p in result.maps)
    assert not tmp_settings.boundaries_dir.exists()
    assert (tmp_settings.data_dir / "regions" / "34-90.gpkg").is_file()
    texts = [p.read_text(encoding="utf-8") for p in result.files if p.suffix in {".html", ".csv"}]
    assert all("Tapanuli" not in t for t in texts)
    assert "peta-kesos: peta Kabupaten Merapi Kidul" in result.index.read_text(encoding="utf-8")
    html = next(p for p in result.maps if p.suffix == ".html" and "desa" in p.name)
    page = html.read_text(encoding="utf-8")
    assert "Sardonoharjo" in page and "Merapi Kidul" in page
    doc = json.loads(result.manifest.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert doc["config"]["region"] == {
        "code": "34.90", "name": "Kabupaten Merapi Kidul", "crs": UTM_49S,
    }  # fmt: skip
    roles = {Path(f["path"]).name: f["role"] for f in doc["inputs"]}
    assert roles["merapi-kidul.json"] == "region" and roles["batas-desa.gpkg"] == "region"
    # the match report: every row joined; the layers measured in UTM 49S (4 km2 a desa)
    match = pd.read_csv(next(p for p in result.reports if "pencocokan" in p.name and
                             p.suffix == ".csv"))  # fmt: skip
    assert len(match) == 18
    desa = gpd.read_file(tmp_settings.data_dir / "regions" / "34-90.gpkg", layer="desa")
    np.testing.assert_allclose(desa["area_km2"], 4.0, rtol=1e-6)
    # the same build from the command line is up to date (nothing rebuilt)
    monkeypatch.setenv("PETA_KESOS_DATA", str(tmp_settings.data_dir))
    assert main(["build", "--config", str(tmp_path / "peta-kesos.yaml")]) == 0
    printed = capsys.readouterr().out
    assert "outputs up to date" in printed and f"Open {result.index}" in printed


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c.replace("boundaries:\n  file: batas-desa.gpkg\n  code: KDEPUM\n", ""),
         r"line 1, key region: a region needs its desa boundaries"),
        (lambda c: c.replace("region: merapi-kidul.json\n", ""),
         r"line 1, key boundaries: boundaries are of a region"),
        (lambda c: re.sub(r"inputs:\n.*\n.*\n", "", c),
         r"line 1, key region: a build of another region maps your files"),
        (lambda c: c + "csr:\n  top_n: 5\n",
         r"line 13, key csr: the coverage analysis and CSR shortlist .* Tapanuli Utara"),
        (lambda c: c.replace("  dpi: 60\n", "  dpi: 60\n  bundled: true\n"),
         r"line 11, key maps.bundled: the bundled map sets.* are of Tapanuli Utara"),
    ],
)  # fmt: skip
def test_region_config_errors(edit: Callable[[str], str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(edit(CONFIG))


def test_region_config_names_a_broken_file(
    tmp_path: Path, boundaries: gpd.GeoDataFrame, region: Region, tmp_settings: Settings
) -> None:
    _region_files(tmp_path, boundaries, region)
    path = tmp_path / "peta-kesos.yaml"
    path.write_text(CONFIG.replace("code: KDEPUM", "code: KODE"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 2, key boundaries: .*column 'KODE' .* not found"):
        build_outputs(config=load_config(path), settings=tmp_settings)
    path.write_text(CONFIG.replace("merapi-kidul.json", "tidak-ada.json"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1, key region: Cannot read region file"):
        build_outputs(config=load_config(path), settings=tmp_settings)
    path.write_text(CONFIG.replace("batas-desa.gpkg", "tidak-ada.gpkg"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 3, key boundaries.file: Boundaries file .*"
                       r"tidak-ada.gpkg of Kabupaten Merapi Kidul not found"):  # fmt: skip
        build_outputs(config=load_config(path), settings=tmp_settings)


def test_quick_map_of_a_second_region_from_the_command_line(
    tmp_path: Path,
    boundaries: gpd.GeoDataFrame,
    region: Region,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _region_files(tmp_path, boundaries, region)
    monkeypatch.setenv("PETA_KESOS_DATA", str(tmp_path / "data"))
    # no number of families: the region's counts are mapped as they are, not as rates
    table = pd.read_csv(tmp_path / "pmks-merapi-kidul.csv").drop(columns="Jumlah Keluarga")
    table.to_csv(tmp_path / "lansia.csv", index=False)
    out = tmp_path / "peta"
    args = ["map", str(tmp_path / "lansia.csv"), "-o", str(out), "--dpi", "50",
            "--region", str(tmp_path / "merapi-kidul.json")]  # fmt: skip
    assert main(args) == 1
    assert "--region and --boundaries go together" in capsys.readouterr().err
    args += ["--boundaries", str(tmp_path / "batas-desa.gpkg"), "--boundaries-code", "KDEPUM"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "tanpa jumlah keluarga" in printed and "18 joined" in printed
    pages = [p.read_text(encoding="utf-8") for p in out.glob("*.html")]
    assert pages and all("Tapanuli" not in page for page in pages)
    assert any("Sardonoharjo" in page for page in pages)
    assert "Tapanuli" not in (out / "laporan-pencocokan.csv").read_text(encoding="utf-8")
    assert not (tmp_path / "data" / "boundaries").exists()  # nothing of Tapanuli Utara built
