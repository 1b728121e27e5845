"""What static and interactive maps share: UTM, name places, outlines, point styles, synthetic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import geopandas as gpd

from mapping.errors import InputError
from mapping.regions import Region, metric_crs_of

#: Okabe-Ito colours for point categories (colour-blind safe), in order of appearance.
POINT_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")
#: Matplotlib markers for point categories, paired with :data:`POINT_COLORS`.
POINT_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def point_style(i: int) -> tuple[str, str]:
    """Colour and marker of the `i`-th point category (cycling when there are more than 7).

    >>> point_style(0), point_style(8)
    (('#0072B2', 'o'), ('#E69F00', 's'))
    """
    return POINT_COLORS[i % len(POINT_COLORS)], POINT_MARKERS[i % len(POINT_MARKERS)]


def to_metric(gdf: gpd.GeoDataFrame, *, region: Region | None = None) -> gpd.GeoDataFrame:
    """`gdf` in its metric CRS, for drawing and measuring in metres.

    The CRS is :func:`mapping.regions.metric_crs_of`: `region`'s when given, else `gdf`'s own
    UTM CRS, else the UTM zone of its centre (47N, EPSG:32647, for Tapanuli Utara; 49S for
    Yogyakarta).
    """
    if gdf.crs is None:
        msg = "The GeoDataFrame has no CRS; set it (e.g. gdf.set_crs('EPSG:4326')) before mapping."
        raise InputError(msg)
    return gdf.to_crs(metric_crs_of(gdf, region=region))


#: What a map function's ``outlines`` takes: a layer, ``None`` (the default: the kecamatan of
#: a desa frame) or ``False`` (no outlines).
Outlines: TypeAlias = gpd.GeoDataFrame | bool | None


def resolve_outlines(
    gdf: gpd.GeoDataFrame, outlines: Outlines, *, group_column: str | None = "kecamatan"
) -> gpd.GeoDataFrame | None:
    """The outlines to draw over `gdf`: `outlines` when it is a layer, none for ``False``.

    By default (``None`` or ``True``) a desa frame, one with a `group_column` naming each
    desa's kecamatan, gets its kecamatan outlines, dissolved from its own desa (so they lie
    exactly on the desa borders) with the kecamatan name in ``name``; other frames (e.g. a
    kecamatan layer) get none.

    >>> from shapely.geometry import box
    >>> desa = gpd.GeoDataFrame({"kecamatan": ["A", "A", "B"]},
    ...                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    >>> kec = resolve_outlines(desa, None)
    >>> kec["name"].tolist(), kec.area.tolist()
    (['A', 'B'], [2.0, 1.0])
    >>> resolve_outlines(desa, False) is None, resolve_outlines(kec, None) is None
    (True, True)
    """
    if isinstance(outlines, gpd.GeoDataFrame):
        return outlines
    if outlines is False or group_column is None or group_column not in gdf.columns:
        return None
    areas = gdf[[group_column, gdf.geometry.name]].dropna(subset=[group_column])
    if areas.empty:
        return None
    out = areas.dissolve(by=group_column, as_index=False, method="coverage")
    return out.rename(columns={group_column: "name"})


def label_points(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Where to write each area's name: the point of its largest part farthest from the edge.

    Computed in the metric CRS (within 50 m) and returned in `gdf`'s CRS. Unlike
    ``representative_point`` it keeps names off the borders of long, thin areas.
    """
    from shapely.ops import polylabel

    metric = to_metric(gdf).geometry
    points: list[object] = []
    for geom in metric.values:
        parts = list(getattr(geom, "geoms", [geom]))
        largest = max(parts, key=lambda g: g.area)
        points.append(polylabel(largest, tolerance=50.0))
    return gpd.GeoSeries(points, index=gdf.index, crs=metric.crs).to_crs(gdf.crs)


def is_synthetic(synthetic: bool | None, **frames: Any) -> bool:
    """Whether a map must be labelled "contoh sintetis".

    ``None`` (the default of every map function) takes it from the frames' ``attrs``
    (``attrs["synthetic"]``, set by :func:`mapping.join.join_table` for the synthetic sample):
    the map is synthetic when any frame is. ``True`` always labels the map; ``False`` is
    refused when a frame says it is synthetic, because synthetic data must never look real.
    `frames` are named by their argument (``gdf=...``, ``points=...``) for the error message;
    ``None`` frames are skipped.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1]})
    >>> df.attrs["synthetic"] = True
    >>> is_synthetic(None, gdf=df), is_synthetic(None, gdf=pd.DataFrame())
    (True, False)
    """
    flagged: dict[str, Mapping[str, Any]] = {
        name: frame.attrs
        for name, frame in frames.items()
        if frame is not None and frame.attrs.get("synthetic", False)
    }
    if synthetic is None:
        return bool(flagged)
    if synthetic is False and flagged:
        sources = [
            f"{name} (from {attrs['source_file']})" if attrs.get("source_file") else name
            for name, attrs in flagged.items()
        ]
        msg = (
            f"synthetic=False, but {', '.join(sources)} holds synthetic data "
            "(attrs['synthetic'] is True). Synthetic data must be labelled 'contoh sintetis' on "
            "every map so it is never taken for real figures; leave synthetic=None (the default) "
            "or pass synthetic=True."
        )
        raise InputError(msg)
    return bool(synthetic)
