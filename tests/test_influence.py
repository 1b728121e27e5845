"""Sites and the area of influence: parsing, polygon distances worked out by hand, errors."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from mapping.errors import InputError
from mapping.influence import (
    DEFAULT_RADIUS_KM,
    Site,
    area_of_influence,
    default_sites,
    parse_site,
    parse_sites,
    sites_frame,
)
from mapping.settings import CRS_METRIC, CRS_STORAGE

# UTM 47N origin of the synthetic squares (about 1.8 N, 99.0 E, near Sarulla); units: km.
X0, Y0 = 500_000.0, 200_000.0


def _km_box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return box(X0 + x0 * 1000, Y0 + y0 * 1000, X0 + x1 * 1000, Y0 + y1 * 1000)


def _site(name: str, x: float, y: float) -> Site:
    """A site at (x, y) km from the origin, as lat/lon."""
    pt = gpd.GeoSeries([shapely.Point(X0 + x * 1000, Y0 + y * 1000)], crs=CRS_METRIC)
    ll = pt.to_crs(CRS_STORAGE).iloc[0]
    return Site(name, ll.y, ll.x)


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Three 1 km squares: A [0,1]x[0,1], B [2,3]x[0,1] (Pahae Jae), C [5,6]x[0,1] (Pahae Julu)."""
    return gpd.GeoDataFrame(
        {
            "code": ["A", "B", "C"],
            "name": ["Desa A", "Desa B", "Desa C"],
            "kecamatan_code": ["12.02.06", "12.02.06", "12.02.05"],
            "kecamatan": ["Pahae Jae", "Pahae Jae", "Pahae Julu"],
        },
        geometry=[_km_box(0, 0, 1, 1), _km_box(2, 0, 3, 1), _km_box(5, 0, 6, 1)],
        crs=CRS_METRIC,
    ).to_crs(CRS_STORAGE)


@pytest.fixture
def regency() -> shapely.Polygon:
    """The synthetic regency: the box [-1, 7] x [-1, 4] km around the squares, in EPSG:4326."""
    return gpd.GeoSeries([_km_box(-1, -1, 7, 4)], crs=CRS_METRIC).to_crs(CRS_STORAGE).iloc[0]


# --- parsing -----------------------------------------------------------------------------------


def test_parse_site_reads_name_lat_lon() -> None:
    s = parse_site(" PLTP Sarulla = 1.8395 , 99.0992 ")
    assert (s.name, s.lat, s.lon, s.stand_in) == ("PLTP Sarulla", 1.8395, 99.0992, False)
    assert parse_site("Kantor=-0.5,100").lat == -0.5
    assert parse_site("a=b=1,2").name == "a=b"  # the last '=' splits name and coordinates


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Sarulla 1.8,99.1", r"cannot be read; expected NAME=LAT,LON"),
        ("=1.8,99.1", r"cannot be read"),
        ("Sarulla=1.8;99.1", r"cannot be read"),
        ("Sarulla=abc,99", r"cannot be read"),
        ("Sarulla=99.0992,1.8395", r"latitude 99.0992 is outside -90..90.*look swapped"),
        ("Sarulla=120,200", r"latitude 120.0 is outside -90..90"),
        ("Sarulla=1.8,200", r"longitude 200.0 is outside -180..180"),
    ],
)
def test_parse_site_errors(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_site(text)


def test_swap_hint_only_when_swapped_fits() -> None:
    with pytest.raises(InputError) as err:
        parse_site("X=120,200")
    assert "swapped" not in str(err.value)


def test_parse_sites_rejects_duplicates_and_nothing() -> None:
    with pytest.raises(InputError, match=r"unique; \['A'\] given more than once"):
        parse_sites(["A=1,99", "A=1.1,99"])
    with pytest.raises(InputError, match="no site given"):
        parse_sites([])


def test_sites_frame() -> None:
    frame = sites_frame([Site("S", 1.8, 99.1, stand_in=True, note="n")])
    assert frame.crs == CRS_STORAGE
    assert frame.iloc[0]["name"] == "S" and frame.iloc[0]["stand_in"]
    assert (frame.geometry.x.iloc[0], frame.geometry.y.iloc[0]) == (99.1, 1.8)


# --- distances by hand -------------------------------------------------------------------------


def test_distance_to_polygon_zero_inside(squares, regency) -> None:
    # S1 inside A; S2 above the gap between A and B.
    # A: S1 0;       S2 sqrt(1.5^2 + 2^2) = 2.5  -> 0,      S1
    # B: S1 2 - 0.5 = 1.5; S2 3 - 1 = 2          -> 1.5,    S1
    # C: S1 5 - 0.5 = 4.5; S2 sqrt(2.5^2 + 2^2) = 3.2016 -> 3.2016, S2
    sites = [_site("S1", 0.5, 0.5), _site("S2", 2.5, 3.0)]
    out = area_of_influence(squares, sites, radius_km=2.0, regency=regency)
    assert out["distance_km"].tolist() == pytest.approx([0.0, 1.5, math.hypot(2.5, 2)], abs=1e-3)
    assert out["nearest_site"].tolist() == ["S1", "S1", "S2"]
    assert out["in_area"].tolist() == [True, True, False]
    assert out["code"].tolist() == ["A", "B", "C"]  # every desa kept, in order
    assert "distance_km" not in squares.columns  # input unchanged


def test_radius_boundaries(squares, regency) -> None:
    sites = [_site("S1", 0.5, 0.5)]
    assert area_of_influence(squares, sites, radius_km=0, regency=regency)["in_area"].tolist() == [
        True,
        False,
        False,
    ]
    wide = area_of_influence(squares, sites, radius_km=4.6, regency=regency)
    assert wide["in_area"].all()


def test_default_radius_without_radius_or_kecamatan(squares, regency) -> None:
    out = area_of_influence(squares, [_site("S1", 0.5, 0.5)], regency=regency)
    assert DEFAULT_RADIUS_KM > 4.5 and out["in_area"].all()


def test_kecamatan_names_as_people_type_them(squares, regency) -> None:
    site = [_site("S1", 0.5, 0.5)]
    for name in ("Pahae Jae", "pahae-jae", "Kec. Pahae Jae"):
        out = area_of_influence(squares, site, kecamatan=[name], regency=regency)
        assert out["in_area"].tolist() == [True, True, False], name
    # union: within 0 km (A) or in Pahae Julu (C)
    union = area_of_influence(squares, site, radius_km=0, kecamatan="Pahae Julu", regency=regency)
    assert union["in_area"].tolist() == [True, False, True]
    # intersection: within 2 km and in Pahae Jae
    both = area_of_influence(
        squares, site, radius_km=1, kecamatan=["Pahae Jae"], how="intersection", regency=regency
    )
    assert both["in_area"].tolist() == [True, False, False]


# --- errors ------------------------------------------------------------------------------------


def test_site_outside_regency_says_how_far(squares, regency) -> None:
    # 3 km east of the regency's east edge (x = 7 km)
    with pytest.raises(InputError, match=r"site 'Far' .* is 3\.0 km outside Kabupaten"):
        area_of_influence(squares, [_site("Far", 10, 0.5)], radius_km=5, regency=regency)
    # default outline: the union of the desa (B's top edge is 2 km below S2)
    with pytest.raises(InputError, match=r"site 'S2' .* is 2\.0 km outside"):
        area_of_influence(squares, [_site("S2", 2.5, 3.0)], radius_km=5)


def test_problems_are_listed_together(squares, regency) -> None:
    with pytest.raises(InputError) as err:
        area_of_influence(
            squares, [_site("Far", 10, 0.5)], radius_km=-1, kecamatan=["Atlantis"], regency=regency
        )
    msg = str(err.value)
    assert "radius_km=-1" in msg and "'Atlantis'" in msg and "3.0 km outside" in msg


def test_negative_radius(squares, regency) -> None:
    with pytest.raises(InputError, match=r"radius_km=-2 is not allowed; expected .* 0 km or more"):
        area_of_influence(squares, [_site("S1", 0.5, 0.5)], radius_km=-2, regency=regency)


def test_unknown_kecamatan_lists_allowed(squares, regency) -> None:
    with pytest.raises(
        InputError,
        match=r"kecamatan 'Pahae' is not a kecamatan of Tapanuli Utara; expected one of "
        r"\['Adiankoting', .*'Tarutung'\]\. Did you mean 'Pahae Jae' or 'Pahae Julu'\?",
    ):
        area_of_influence(squares, [_site("S1", 0.5, 0.5)], kecamatan=["Pahae"], regency=regency)


def test_empty_area_of_influence(squares, regency) -> None:
    # S2 lies in the regency but 2 km from the nearest desa: nothing within 1 km
    with pytest.raises(InputError, match=r"holds no desa .* nearest desa is 2\.0 km from a site"):
        area_of_influence(squares, [_site("S2", 2.5, 3.0)], radius_km=1, regency=regency)
    with pytest.raises(
        InputError,
        match=r"holds no desa \(none within 1 km .* and in kecamatan \['Pahae Julu'\]\); the "
        r"nearest desa of those kecamatan is 4\.5 km from a site",
    ):
        area_of_influence(
            squares,
            [_site("S1", 0.5, 0.5)],
            radius_km=1,
            kecamatan=["Pahae Julu"],
            how="intersection",
            regency=regency,
        )


def test_bad_how(squares) -> None:
    with pytest.raises(InputError, match="how='both' is not supported"):
        area_of_influence(squares, [_site("S1", 0.5, 0.5)], how="both")  # type: ignore[arg-type]


# --- the real boundaries -----------------------------------------------------------------------


def test_default_sites_are_labelled_stand_ins(desa) -> None:
    sites = default_sites(desa)
    assert len(sites) == 2
    assert all(s.stand_in and "lokasi pengganti, bukan lokasi pembangkit" in s.note for s in sites)
    assert "Sitolu Ama" in sites[1].note
    assert "stand-in location, not the plant site" in default_sites(desa, language="en")[0].note


def test_sarulla_area_of_influence(desa, kecamatan) -> None:
    out = area_of_influence(desa, radius_km=15)
    by_code = out.set_index("code")
    # each stand-in lies inside its desa: distance 0
    assert by_code.loc["12.02.06.2004", "distance_km"] == 0  # Silangkitang
    assert by_code.loc["12.02.05.2007", "distance_km"] == 0  # Sitolu Ama
    inside = out[out["in_area"]]
    assert 20 < len(inside) < 150
    assert (inside["distance_km"] <= 15).all() and (
        out.loc[~out["in_area"], "distance_km"] > 15
    ).all()
    pahae = kecamatan[kecamatan["name"].isin(["Pahae Jae", "Pahae Julu"])].union_all()
    neighbours = set(kecamatan.loc[kecamatan.intersects(pahae), "name"])
    assert {"Pahae Jae", "Pahae Julu"} <= set(inside["kecamatan"]) <= neighbours
    # every desa of Pahae Jae is within 15 km of the plant
    assert inside["kecamatan"].eq("Pahae Jae").sum() == desa["kecamatan"].eq("Pahae Jae").sum()
