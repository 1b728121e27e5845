"""Synthetic polygon layers for tests of large maps: random Voronoi cells (contoh sintetis)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely


def voronoi_areas(n: int, *, seed: int = 3) -> gpd.GeoDataFrame:
    """`n` random Voronoi cells tiling a 0.5° square near Tarutung, in 20 groups (kecamatan)."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(98.8, 1.8, 99.3, 2.3)
    points = shapely.multipoints(rng.uniform((98.8, 1.8), (99.3, 2.3), (n, 2)))
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(points)), frame)
    centre = shapely.get_coordinates(shapely.centroid(cells))
    group = np.floor((centre[:, 0] - 98.8) / 0.1) + 5 * np.floor((centre[:, 1] - 1.8) / 0.125)
    gdf = gpd.GeoDataFrame(
        {"name": [f"Sel {i}" for i in range(n)], "kecamatan": [f"K{int(g)}" for g in group],
         "x": rng.integers(0, 1000, n).astype(float)},
        geometry=cells, crs=4326,
    )  # fmt: skip
    gdf.attrs["synthetic"] = True  # every map of it says "contoh sintetis"
    return gdf
