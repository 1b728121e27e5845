"""Cluster maps of a local Moran result: the static PNG and the interactive HTML alike."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from mapping import interactive, static
from mapping.classify import Classification, Indicator
from mapping.clusters import classify_clusters, cluster_title, method_note
from mapping.errors import InputError

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

#: Column holding the cluster code in the frame that is drawn.
CLUSTER_COLUMN = "cluster"


def _prepared(
    gdf: gpd.GeoDataFrame, result: pd.DataFrame, language: str | None
) -> tuple[gpd.GeoDataFrame, Indicator, Classification, str]:
    """`gdf` with the cluster codes, the indicator, its classes and the method note."""
    if not result.index.equals(gdf.index):
        msg = (
            f"result has other rows than gdf ({len(result)} vs {len(gdf)} rows, or a different "
            "index); map the GeoDataFrame that local_moran(...) was run on."
        )
        raise InputError(msg)
    classes = classify_clusters(result, language=language)
    lang = classes.language
    indicator = Indicator(CLUSTER_COLUMN, label=cluster_title(result, language=lang))
    areas = gdf.assign(**{CLUSTER_COLUMN: result["cluster"]})
    return areas, indicator, classes, method_note(result, language=lang)


def plot_clusters(
    gdf: gpd.GeoDataFrame,
    result: pd.DataFrame,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool | None = None,
    language: str | None = None,
    figsize: tuple[float, float] = static.A4_LANDSCAPE,
) -> Figure:
    """A static cluster map of `result` (from :func:`mapping.clusters.local_moran` or
    :func:`~mapping.clusters.bivariate_local_moran` run on `gdf`).

    The legend lists every cluster type in the LISA colours with its number of areas; the
    caption states the method (queen contiguity, permutations, seed, FDR alpha). Texts are in
    `language` (default: the language `result` was made in). The other options are those of
    :func:`mapping.static.plot_choropleth`.
    """
    areas, indicator, classes, note = _prepared(gdf, result, language)
    return static.plot_choropleth(
        areas, indicator, classification=classes, outlines=outlines, title=title,
        subtitle=subtitle, source=source, note=note, date=date, synthetic=synthetic,
        language=classes.language, figsize=figsize,
    )  # fmt: skip


def cluster_map(
    gdf: gpd.GeoDataFrame,
    result: pd.DataFrame,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    level: str = "desa",
    name_column: str = "name",
    kecamatan_column: str | None = "kecamatan",
    title: str | None = None,
    subtitle: str | None = None,
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool | None = None,
    language: str | None = None,
) -> folium.Map:
    """The interactive version of :func:`plot_clusters`: same colours, legend and caption.

    Each area's tooltip names its cluster type. The options are those of
    :func:`mapping.interactive.choropleth_map`.
    """
    areas, indicator, classes, note = _prepared(gdf, result, language)
    return interactive.choropleth_map(
        areas, [indicator], classifications={CLUSTER_COLUMN: classes}, level=level,
        name_column=name_column, kecamatan_column=kecamatan_column, outlines=outlines,
        title=title or indicator.title, subtitle=subtitle, source=source, note=note, date=date,
        synthetic=synthetic, language=classes.language,
    )  # fmt: skip
