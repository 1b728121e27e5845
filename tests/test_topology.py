"""Tests of the TopoJSON encoding: shared arcs, the grid, decoding, and its errors."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from mapping import topology
from mapping.errors import InputError

# Two 0.001° squares side by side (about 110 m) and the rectangle they make together.
LEFT = shapely.box(98.0, 2.0, 98.001, 2.001)
RIGHT = shapely.box(98.001, 2.0, 98.002, 2.001)
BOTH = shapely.box(98.0, 2.0, 98.002, 2.001)


def _arc(index: int) -> int:
    """The arc an index refers to (~i: arc i reversed)."""
    return index if index >= 0 else ~index


@pytest.fixture
def squares() -> dict:
    areas = gpd.GeoSeries([LEFT, RIGHT], crs=4326)
    outlines = gpd.GeoSeries([BOTH], crs=4326)
    return topology.encode(
        {"areas": areas, "outlines": outlines},
        properties={"areas": [{"n": "Kiri"}, {"n": "Kanan"}]},
        precision=5,
    )


def test_shared_border_is_one_arc_and_outlines_reuse_the_area_arcs(squares) -> None:
    # arcs: the shared edge, the rest of the left square, the rest of the right square
    assert len(squares["arcs"]) == 3
    left, right = (
        {_arc(a) for a in g["arcs"][0]} for g in squares["objects"]["areas"]["geometries"]
    )
    (edge,) = left & right
    outline = {_arc(a) for a in squares["objects"]["outlines"]["geometries"][0]["arcs"][0]}
    assert outline == {0, 1, 2} - {edge}  # the rectangle: the two outer arcs, no new one
    # the shared edge: x = 98.001 (100 steps east of the origin), 100 steps (0.001°) north
    assert squares["arcs"][edge] == [[100, 0], [0, 100]]


def test_grid_is_the_decimal_grid_and_lossless(squares) -> None:
    assert squares["transform"] == {"scale": [1e-05, 1e-05], "translate": [98.0, 2.0]}
    fc = topology.decode(squares, "areas")
    assert [f["properties"] for f in fc["features"]] == [{"n": "Kiri"}, {"n": "Kanan"}]
    polys = [shapely.geometry.shape(f["geometry"]) for f in fc["features"]]
    assert shapely.equals(polys[0], LEFT) and shapely.equals(polys[1], RIGHT)
    assert "id" not in squares["objects"]["areas"]["geometries"][0]
    assert "properties" not in squares["objects"]["outlines"]["geometries"][0]


def test_mesh_draws_each_border_once(squares) -> None:
    lines = shapely.geometry.shape(topology.mesh(squares, "outlines"))
    assert lines.length == pytest.approx(BOTH.length)
    inner = shapely.geometry.shape(
        topology.mesh(topology.encode({"areas": gpd.GeoSeries([LEFT, RIGHT], crs=4326)}), "areas")
    )
    assert inner.length == pytest.approx(BOTH.length + 0.001)  # the shared edge counted once


def test_coarser_grid_moves_points_by_at_most_half_a_step() -> None:
    square = gpd.GeoSeries([shapely.box(98.00012, 2.00049, 98.00188, 2.00101)], crs=4326)
    topo = topology.encode({"a": square}, precision=3)
    (feature,) = topology.decode(topo, "a", precision=3)["features"]
    got = shapely.geometry.shape(feature["geometry"])
    assert shapely.equals(got, shapely.box(98.0, 2.0, 98.002, 2.001))


def test_errors() -> None:
    areas = gpd.GeoSeries([LEFT, RIGHT], crs=4326)
    with pytest.raises(InputError, match=r"properties\['areas'\] has 1 entries for 2 geometries"):
        topology.encode({"areas": areas}, properties={"areas": [{"n": "Kiri"}]})
    with pytest.raises(InputError, match="must be in EPSG:4326"):
        topology.encode({"areas": areas.to_crs(32647)})
    with pytest.raises(InputError, match=r"no object 'desa'; found: \['areas'\]"):
        topology.decode(topology.encode({"areas": areas}), "desa")
