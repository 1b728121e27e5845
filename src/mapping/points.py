"""Reading point records (CSV lat/lon, GeoJSON, GPKG) and counting them per desa by spatial join."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.categories import CATEGORY_BY_CODE, match_header
from mapping.errors import InputError, Problem, ProblemReport
from mapping.pointcount import (
    LAT_NAMES,
    LON_NAMES,
    DesaIndex,
    PointCounts,
    category_codes,
    count_located,
    find_column,
)
from mapping.readers import check_input_file, is_blank, read_raw_table
from mapping.settings import CRS_STORAGE, Settings
from mapping.tables import ROW_LOG_COLUMNS, WelfareTable, canonical_frame

#: ``attrs`` key of a points frame naming the column(s) its geometry was read from.
COORDINATES_ATTR = "coordinate_columns"
CATEGORY_NAMES = ("kategori", "jenis", "category", "jenis psks", "jenis pmks", "tipe", "type")
NAME_NAMES = ("nama", "name", "nama lokasi", "nama lembaga", "keterangan")


_find = find_column


def _coordinate(value: Any) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # decimal comma: 2,017
    try:
        return float(text)
    except ValueError:
        return math.nan


def _read_geo(path: Path, *, layer: str | None) -> gpd.GeoDataFrame:
    """The features of a GeoJSON/GPKG/shapefile, or an error naming the file and the fix."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        return gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except DataLayerError as exc:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        msg = f"layer={layer!r} not found in {path.name}; its layers are {layers}."
        raise InputError(msg) from exc
    except (DataSourceError, ValueError) as exc:
        parts = [p.strip() for p in str(exc).split(";") if "might help" not in p]
        why = "; ".join(parts).rstrip(". ")  # GDAL's message without its driver-prefix hint
        msg = (
            f"Cannot read {path.name} as {path.suffix[1:].upper()} points: {why}. The file is "
            "damaged or not in that format: open it in QGIS (or geojson.io) to find the error, "
            "or export the points again."
        )
        raise InputError(msg) from exc


def read_points(
    path: Path | str,
    *,
    lat: str | None = None,
    lon: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
) -> tuple[gpd.GeoDataFrame, ProblemReport]:
    """Points of a CSV/XLSX (latitude/longitude columns) or GeoJSON/GPKG file, in EPSG:4326.

    The result has ``source_row`` (file row, or feature number from 1), ``source_file`` and
    ``sheet``, and keeps every record; a record without usable coordinates gets an empty
    geometry and a problem in the report.
    """
    path = Path(path)
    report = ProblemReport()
    suffix = path.suffix.lower()
    if suffix in {".geojson", ".json", ".gpkg", ".shp"}:
        gdf = _read_geo(check_input_file(path), layer=layer)
        gdf = gdf.to_crs(CRS_STORAGE) if gdf.crs is not None else gdf.set_crs(CRS_STORAGE)
        gdf["source_row"] = range(1, len(gdf) + 1)
        bad = gdf.geometry.isna() | gdf.geometry.is_empty | (gdf.geom_type != "Point")
        for row, geom in zip(gdf.loc[bad, "source_row"], gdf.loc[bad].geometry, strict=True):
            kind = "no geometry" if geom is None or geom.is_empty else f"a {geom.geom_type}"
            report.add(
                Problem(
                    "bad-point",
                    f"feature has {kind}, not a point",
                    file=path.name,
                    row=int(row),
                    column="geometry",
                    value=kind,
                    expected="a Point geometry",
                    suggestion="give the feature a point (for an area, its centre or the site)",
                )
            )
        gdf.loc[bad, "geometry"] = shapely.Point()
        gdf["source_file"] = path.name
        gdf["sheet"] = ""
        gdf = gdf.reset_index(drop=True)
        gdf.attrs[COORDINATES_ATTR] = "geometry"
        return gdf, report
    raw = read_raw_table(path, sheet=sheet)
    report.extend(raw.uncalculated_problems())
    cols = list(raw.cells.columns)
    lat = lat or _find(cols, LAT_NAMES)
    lon = lon or _find(cols, LON_NAMES)
    if lat not in cols or lon not in cols:
        msg = (
            f"No latitude/longitude columns in {path.name}; found {cols}. Name them 'lat' and "
            "'lon' (or 'lintang'/'bujur'), or pass lat= and lon=."
        )
        raise InputError(msg)
    df = raw.cells.reset_index()
    ys = [_coordinate(v) for v in df[lat]]
    xs = [_coordinate(v) for v in df[lon]]
    geoms = []
    for row, y, x, cy, cx in zip(df["source_row"], ys, xs, df[lat], df[lon], strict=True):
        ok = not (math.isnan(y) or math.isnan(x)) and -90 <= y <= 90 and -180 <= x <= 180
        if not ok:
            swapped = not math.isnan(y) and abs(y) > 90 and abs(x) <= 90
            report.add(
                Problem(
                    "bad-point",
                    "coordinates missing or invalid",
                    file=path.name,
                    row=int(row),
                    column=f"{lat}, {lon}",
                    value=f"{cy}, {cx}",
                    expected="decimal degrees, latitude about 1.7-2.4 and longitude 98.7-99.4",
                    suggestion="latitude and longitude look swapped"
                    if swapped
                    else "fill in both, in decimal degrees (e.g. 2.0176, 98.9650)",
                    sheet=raw.sheet,
                )
            )
            geoms.append(shapely.Point())
        else:
            geoms.append(shapely.Point(x, y))
    out = gpd.GeoDataFrame(df, geometry=geoms, crs=CRS_STORAGE)
    out["source_file"] = path.name
    out["sheet"] = raw.sheet
    out.attrs[COORDINATES_ATTR] = f"{lat}, {lon}"
    return out, report


def count_points(
    points: gpd.GeoDataFrame,
    *,
    category: str | None = None,
    category_column: str | None = None,
    year: int | None = None,
    desa: gpd.GeoDataFrame | None = None,
    report: ProblemReport | None = None,
    settings: Settings | None = None,
) -> WelfareTable:
    """Count points per desa and category by spatial join; every desa gets a count (0 if none).

    The category is `category` for all points, or read from `category_column` (matched to the
    catalogue like a header; guessed from 'kategori'/'jenis' when neither is given). Points
    outside every desa (of Tapanuli Utara by default, of `desa` when given), without a geometry
    or with an unknown category are not counted and each gets a problem (with the nearest desa
    and the distance, in the desa's UTM zone, for points outside) and a row-log line.

    The join is one vectorised query (:class:`mapping.pointcount.DesaIndex`); a point on a
    border shared by several desa is counted once, in the first of them in the desa layer. For
    millions of points without the per-point row log and problems, use
    :func:`mapping.pointcount.aggregate_points` or, for files, ``count_point_file``.
    """
    report = report if report is not None else ProblemReport()
    if desa is None:
        from mapping.boundaries import load_desa

        desa = load_desa(settings=settings)
    pts = points.copy()
    if "source_row" not in pts.columns:
        pts["source_row"] = range(1, len(pts) + 1)
    file = str(pts["source_file"].iloc[0]) if "source_file" in pts and len(pts) else "points"
    sheet = str(pts["sheet"].iloc[0]) if "sheet" in pts and len(pts) else ""
    where = points.attrs.get(COORDINATES_ATTR, "geometry")
    if category is not None and category not in CATEGORY_BY_CODE:
        msg = (
            f"category={category!r} is not a category code; "
            f"expected one of {sorted(CATEGORY_BY_CODE)}."
        )
        raise InputError(msg)
    if category is None:
        category_column = category_column or _find(list(pts.columns), CATEGORY_NAMES)
        if category_column is None:
            msg = (
                f"No category for the points of {file}: pass category= (e.g. 'lks') or name the "
                f"column of categories 'kategori'; found {list(pts.columns)}."
            )
            raise InputError(msg)
    cats = (
        np.full(len(pts), category, dtype=object)
        if category is not None
        else category_codes(pts[category_column])
    )
    pts = pts.to_crs(CRS_STORAGE) if pts.crs is not None else pts
    geoms = np.asarray(pts.geometry.array)
    index = DesaIndex(desa)
    where_ = index.locate(geoms)
    at = where_["desa"].to_numpy()
    empty = where_["empty"].to_numpy()
    known = pd.notna(cats)
    counted = (at >= 0) & known
    outside = ~empty & (at < 0)
    unknown = ~empty & (at >= 0) & ~known
    name_col = _find(list(pts.columns), NAME_NAMES)
    n = len(pts)
    rows_ = pts["source_row"].to_numpy().astype(np.int64)
    safe = np.maximum(at, 0)
    blank = np.full(n, "", dtype=object)
    log = pd.DataFrame(
        {
            "source_file": file,
            "sheet": sheet,
            "source_row": rows_,
            "year": year,
            "input_name": blank
            if name_col is None
            else pts[name_col].map(lambda v: "" if is_blank(v) else str(v)).to_numpy(object),
            "input_kecamatan": "",
            "input_code": "",
            "method": np.select(
                [counted, outside], ["spatial", "outside"], default="unmatched"
            ).astype(object),
            "score": np.where(counted, 100.0, np.nan),
            "candidates": blank,
            "code": np.where(counted, index.codes[safe], ""),
            "name": np.where(counted, index.names[safe], ""),
            "kecamatan": np.where(counted, desa["kecamatan"].astype(str).to_numpy()[safe], ""),
        }
    )
    near = where_["nearest"].to_numpy()
    near_label = np.char.add(
        np.char.add(index.codes[np.maximum(near, 0)], ":"), index.names[np.maximum(near, 0)]
    )
    log["candidates"] = np.where(outside, near_label, "").astype(object)
    xy = where_[["lon", "lat"]].to_numpy()[outside]
    flagged = {q.row for q in report if q.kind == "bad-point"}
    problems: list[tuple[int, Problem]] = []
    for row in rows_[empty]:
        if int(row) not in flagged:
            problems.append(
                (
                    int(row),
                    Problem(
                        "bad-point",
                        "record has no point geometry",
                        file=file,
                        sheet=sheet,
                        row=int(row),
                        column=where,
                        value="(empty)",
                        expected="a point with coordinates",
                        suggestion="fill in the coordinates of the site",
                    ),
                )
            )
    dist = where_["distance_m"].to_numpy()[outside]
    for row, (x, y), j, d in zip(rows_[outside], xy, near[outside], dist, strict=True):
        problems.append(
            (
                int(row),
                Problem(
                    "outside",
                    "point lies outside every desa",
                    file=file,
                    sheet=sheet,
                    row=int(row),
                    column=where,
                    value=f"lat {y:.5f}, lon {x:.5f}",
                    expected="a point in a desa",
                    suggestion=f"nearest desa {index.names[j]} ({index.codes[j]}), "
                    f"{d / 1000:.1f} km away",
                ),
            )
        )
    for i in np.flatnonzero(unknown):
        value = pts[category_column].iloc[i]
        problems.append(
            (
                int(rows_[i]),
                Problem(
                    "unknown-category",
                    "not a category; point not counted",
                    file=file,
                    sheet=sheet,
                    row=int(rows_[i]),
                    column=str(category_column),
                    value=value,
                    expected="a PMKS/PSKS category",
                    suggestion=_closest(value),
                ),
            )
        )
    report.extend(p for _, p in sorted(problems, key=lambda rp: rp[0]))
    data = _counts(
        count_located(where_, cats, index, source_rows=rows_).counts,
        year=year,
        file=file,
    )
    return WelfareTable(
        data=data,
        rows=log[ROW_LOG_COLUMNS],
        report=report,
        level="desa",
        layout="points",
        source_file=file,
        sheet=sheet,
    )


def _closest(value: Any) -> str:
    cands = str(match_header(value)["candidates"])
    return "closest: " + ", ".join(cands.split(";")) if cands else "no close category"


def _counts(counts: pd.DataFrame, *, year: int | None, file: str) -> pd.DataFrame:
    """The canonical long table of a desa x category count matrix: every desa, each category."""
    long = PointCounts(counts).long()
    long["level"] = "desa"
    long["year"] = year
    long["group"] = long["category"].map(lambda c: CATEGORY_BY_CODE[c].group)
    long["source_file"] = file
    long["source_row"] = None
    return canonical_frame(long)


def read_point_counts(
    path: Path | str,
    *,
    category: str | None = None,
    category_column: str | None = None,
    lat: str | None = None,
    lon: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    year: int | None = None,
    strict: bool = False,
    settings: Settings | None = None,
) -> WelfareTable:
    """:func:`read_points` then :func:`count_points`; strict mode raises on any error."""
    pts, report = read_points(path, lat=lat, lon=lon, layer=layer, sheet=sheet)
    table = count_points(
        pts,
        category=category,
        category_column=category_column,
        year=year,
        report=report,
        settings=settings,
    )
    if strict:
        report.raise_if_errors(context=Path(path).name)
    return table
