"""Loading the canonical desa, kecamatan and kabupaten layers (cached) and CRS handling."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import geopandas as gpd

from mapping.errors import DataSourceError
from mapping.layers import build_layers, layers_damage, layers_stamp_path
from mapping.regions import Region, metric_crs_of
from mapping.settings import Settings, get_settings

Level = Literal["desa", "kecamatan", "kabupaten"]
LEVELS: tuple[str, ...] = ("desa", "kecamatan", "kabupaten")


@lru_cache(maxsize=4)
def _damage(settings: Settings, mtime_ns: int, stamp_mtime_ns: int) -> str | None:
    """:func:`layers_damage`, once per version of the layers file and its stamp."""
    return layers_damage(settings=settings)


def _mtime_ns(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else -1


@lru_cache(maxsize=16)
def _read_layer(path: str, layer: str, mtime: float) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path, layer=layer)
    for col in ("code", "kecamatan_code", "bps_code"):
        if col in gdf.columns:
            gdf[col] = gdf[col].astype("string")
    return gdf


def load_layer(level: Level, *, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The canonical layer of `level` (``desa``, ``kecamatan`` or ``kabupaten``) in EPSG:4326.

    Builds the GeoPackage on first use (from the mirror or upstream), and rebuilds it when it
    is damaged or changed (its SHA-256 differs from its stamp's); later calls read it from an
    in-memory cache. The result is a copy: changing it does not change the cache.
    """
    if level not in LEVELS:
        msg = f"level={level!r} is not a boundary level; expected one of {list(LEVELS)}."
        raise ValueError(msg)
    s = settings or get_settings()
    path: Path = s.layers_path
    if _damage(s, _mtime_ns(path), _mtime_ns(layers_stamp_path(s))) is not None:
        build_layers(settings=s)  # logs why it rebuilds
    try:
        return _read_layer(str(path), level, path.stat().st_mtime).copy()
    except Exception as exc:  # pyogrio/sqlite errors come in many types
        msg = (
            f"Cannot read layer {level!r} of the boundary layers {path} "
            f"({type(exc).__name__}: {str(exc)[:200]}); rebuild them with 'peta-kesos fetch "
            "--force'."
        )
        raise DataSourceError(msg) from exc


def load_desa(*, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The 252 desa/kelurahan: code, name, kind, kecamatan_code, kecamatan, bps_code, area_km2."""
    return load_layer("desa", settings=settings)


def load_kecamatan(*, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The 15 kecamatan (dissolved from desa): code, name, bps_code, n_desa, area_km2."""
    return load_layer("kecamatan", settings=settings)


def load_kabupaten(*, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Kabupaten Tapanuli Utara as one polygon."""
    return load_layer("kabupaten", settings=settings)


def to_metric(gdf: gpd.GeoDataFrame, *, region: Region | None = None) -> gpd.GeoDataFrame:
    """A copy of `gdf` in a metric CRS, for areas and distances.

    `region`'s metric CRS when given, else the UTM zone of `gdf`'s centre
    (:func:`mapping.regions.metric_crs_of`): UTM 47N for Tapanuli Utara.
    """
    return gdf.to_crs(metric_crs_of(gdf, region=region))
