"""TopoJSON for the interactive maps: area layers encoded once, with shared arcs, on a grid."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import geopandas as gpd
import numpy as np
import shapely

from mapping.errors import InputError


class Grid(TypedDict):
    """A TopoJSON transform: the cell size (`scale`) and south-west corner (`translate`)."""

    scale: Sequence[float]
    translate: Sequence[float]


def grid(bounds: Sequence[float], *, precision: int) -> Grid:
    """The TopoJSON transform of the grid of `precision` decimals of a degree.

    The origin is the south-west corner of `bounds` rounded to that grid, so coordinates
    already rounded to `precision` decimals are quantized without moving (lossless).

    >>> grid((98.652224, 1.640391, 99.5, 2.4), precision=5)
    {'scale': [1e-05, 1e-05], 'translate': [98.65222, 1.64039]}
    """
    step = 10.0**-precision
    return {"scale": [step, step], "translate": [round(bounds[0], precision),
                                                 round(bounds[1], precision)]}  # fmt: skip


def encode(
    layers: Mapping[str, gpd.GeoSeries],
    *,
    properties: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    precision: int = 5,
) -> dict[str, Any]:
    """A TopoJSON topology of `layers` (object name -> polygons in EPSG:4326).

    Borders that areas share, within one layer or between layers (e.g. desa and the
    kecamatan dissolved from them), are stored once as arcs; coordinates are quantized to
    the grid of `precision` decimals (:func:`grid`; 5 decimals is about 1.1 m) and
    delta-encoded. `properties` gives each object's features their properties, in the order
    of its geometries. The topology is computed by the `topojson` package; browsers decode it
    with topojson-client (vendored in ``mapping/assets``), Python with :func:`decode`.
    """
    import topojson

    names = list(layers)
    props = dict(properties or {})
    problems = [
        f"properties[{name!r}] has {len(rows)} entries for {len(layers[name])} geometries"
        for name, rows in props.items()
        if name not in layers or len(rows) != len(layers[name])
    ]
    if problems:
        raise InputError("Cannot encode the topology: " + "; ".join(problems) + ".")
    if any(layer.crs is None or not layer.crs.equals("EPSG:4326") for layer in layers.values()):
        raise InputError("Every layer of a topology must be in EPSG:4326 (longitude, latitude).")
    frames = [gpd.GeoDataFrame(geometry=layers[n].reset_index(drop=True)) for n in names]
    bounds = shapely.total_bounds(np.concatenate([f.geometry.values for f in frames]))
    out = topojson.Topology(
        frames if len(frames) > 1 else frames[0],
        prequantize=grid(bounds, precision=precision),
        object_name=names if len(names) > 1 else names[0],
    ).output  # not to_dict(): it deep-copies the whole topology (seconds for 80,000 areas)
    keys = ("type", "objects", "arcs", "transform")
    topo = {key: out[key] for key in keys}
    for name in names:
        geometries = topo["objects"][name]["geometries"]
        ids = [geom.pop("id") for geom in geometries]
        if ids != list(range(len(layers[name]))):  # the features are matched by position
            msg = f"The topology of {name!r} lost or reordered geometries ({len(ids)} kept)."
            raise InputError(msg)
        rows = props.get(name)
        for pos, geom in enumerate(geometries):
            geom.pop("properties", None)
            if rows is not None:
                geom["properties"] = dict(rows[pos])
    return topo


def decode(topology: Mapping[str, Any], name: str, *, precision: int = 5) -> dict[str, Any]:
    """Object `name` of `topology` as a GeoJSON FeatureCollection, coordinates rounded to
    `precision` decimals (what the browser draws, for tests and audits)."""
    from topojson.utils import serialize_as_geojson

    if name not in topology.get("objects", {}):
        found = list(topology.get("objects", {}))
        msg = f"The topology has no object {name!r}; found: {found}."
        raise InputError(msg)
    fc = serialize_as_geojson(dict(topology), objectname=name, decimals=precision)
    for feature in fc["features"]:
        feature.pop("id", None)
    return fc


def mesh(topology: Mapping[str, Any], name: str, *, precision: int = 5) -> dict[str, Any]:
    """The borders of object `name`'s polygons, each once, as a GeoJSON (Multi)LineString:
    what topojson-client's ``mesh`` draws in the browser."""
    fc = decode(topology, name, precision=precision)
    polys = [shapely.from_geojson(json.dumps(f["geometry"])) for f in fc["features"]]
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(polys)))
    return json.loads(shapely.to_geojson(lines))
