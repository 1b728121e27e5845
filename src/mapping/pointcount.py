"""Counting many points per desa in bulk: a vectorised join, chunked files, and a Dask engine.

Which path to use:

* up to a few million points already in memory: :func:`aggregate_points` (``engine="pandas"``),
  one vectorised STRtree query; about as fast as ``geopandas.sjoin`` and ``value_counts``;
* a CSV or GeoParquet file too big to load at once (1e7 household points and more):
  :func:`count_point_file`, which reads ``chunksize`` rows at a time and adds up the counts, so
  memory stays flat whatever the file size;
* points already in a Dask/dask-geopandas frame, data on several machines, or a Dask cluster
  to hand: ``engine="dask"`` (``scheduler="tcp://host:8786"`` for an existing cluster). On one
  machine with 2 cores it is not faster than the chunked reader; it pays off when there are
  more cores or workers than the one process can use.

Rule for a point exactly on a shared desa boundary (or on a vertex shared by several desa): it
touches every one of them; it is counted once, in the desa that comes first in the desa layer
(the layer is sorted by Kemendagri code, so the lowest code). A point on the outer boundary of
the regency is counted in its desa, not reported as outside.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from mapping.categories import HEADER_TAKEN, match_header
from mapping.errors import InputError
from mapping.names import fold
from mapping.readers import check_input_file, is_blank
from mapping.regions import metric_crs_of
from mapping.settings import CRS_STORAGE, Settings

Engine = Literal["pandas", "dask"]
LAT_NAMES = ("lat", "latitude", "lintang", "y")
LON_NAMES = ("lon", "lng", "long", "longitude", "bujur", "x")
#: ``reason`` of a point that is not counted (the ``reported`` table of :class:`PointCounts`).
REASONS = ("outside", "bad-point", "unknown-category")
#: Segments per node of the outline's tree: small nodes make the nearest-segment search of
#: points outside the regency about 1.5x faster than GEOS's default of 10.
OUTLINE_NODE_CAPACITY = 4
#: Points counted at a time (in memory and when reading files).
CHUNKSIZE = 500_000
REPORTED_COLUMNS = [
    "source_row",
    "reason",
    "lon",
    "lat",
    "category",
    "nearest_code",
    "nearest_name",
    "distance_m",
]


def find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first column of `columns` whose folded name is one of `names`, or None."""
    folded = {fold(c): c for c in columns}
    return next((folded[n] for n in names if n in folded), None)


def category_codes(values: Iterable[Any]) -> np.ndarray:
    """The catalogue code of each value (matched like a header), or None if it is not one.

    Each distinct value is matched once, so a column of 1e7 repeated labels costs as much as
    its few distinct labels.

    >>> category_codes(["LKS", "lks", "Kucing", None]).tolist()
    ['lks', 'lks', None, None]
    """
    cells = pd.Series(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    found = []
    for value in uniques:
        m = None if is_blank(value) else match_header(value)
        found.append(str(m["category"]) if m and m["method"] in HEADER_TAKEN else None)
    table = np.array([*found, None], dtype=object)  # NA cells (code -1) map to the last entry
    return table[codes]


def _codes(category: str | None, raw: np.ndarray | None, n: int) -> np.ndarray:
    """`category` for all `n` points, or the code of each `raw` value."""
    if category is not None or raw is None:
        return np.full(n, category, dtype=object)
    return category_codes(raw)


def _shared_segments(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which segments ``a[i] -> b[i]`` occur more than once (in either direction).

    >>> a = np.array([[0.0, 0], [1, 0], [1, 1]])
    >>> b = np.array([[1.0, 0], [0, 0], [0, 1]])
    >>> _shared_segments(a, b).tolist()
    [True, True, False]
    """
    ends = np.concatenate([a, b], axis=1)
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    ends[flip] = np.concatenate([b[flip], a[flip]], axis=1)
    order = np.lexsort(ends.T[::-1])
    same = (ends[order][1:] == ends[order][:-1]).all(axis=1)
    shared = np.zeros(len(ends), dtype=bool)
    shared[order[1:][same]] = True
    shared[order[:-1][same]] = True
    return shared


class DesaIndex:
    """The desa layer ready for bulk point queries: a tree in storage and in metric CRS.

    Build it once and reuse it for every chunk or partition (it is what Dask broadcasts).
    """

    def __init__(self, desa: gpd.GeoDataFrame) -> None:
        self.desa = desa[["code", "name", "kecamatan", "geometry"]].to_crs(CRS_STORAGE)
        self.codes = self.desa["code"].astype(str).to_numpy()
        self.names = self.desa["name"].astype(str).to_numpy()
        self._geoms = np.asarray(self.desa.geometry.array)
        self._metric_crs = metric_crs_of(self.desa)
        self._metric = np.asarray(self.desa.geometry.to_crs(self._metric_crs).array)

    def __len__(self) -> int:
        return len(self.codes)

    @cached_property
    def prepared(self) -> np.ndarray:
        """The desa polygons in EPSG:4326, prepared (GEOS) for fast repeated point tests."""
        geoms = self._geoms.copy()
        shapely.prepare(geoms)
        return geoms

    @cached_property
    def _outline(self) -> tuple[shapely.STRtree, np.ndarray]:
        """The segments of the regency's outline in UTM 47N, in a tree, and the desa of each.

        Only the outline counts: the nearest point of the regency to a point outside it lies
        on it. A desa boundary segment shared by two desa (the same two vertices in both
        rings) is inside the regency and left out, which keeps a tenth of the segments.
        """
        parts, part_desa = shapely.get_parts(self._metric, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        xy, ring = shapely.get_coordinates(rings, return_index=True)
        starts = np.flatnonzero(ring[:-1] == ring[1:])  # segment k: vertex k to k + 1
        a, b = xy[starts], xy[starts + 1]
        outline = ~_shared_segments(a, b)
        segments = shapely.linestrings(np.stack([a[outline], b[outline]], axis=1))
        tree = shapely.STRtree(segments, node_capacity=OUTLINE_NODE_CAPACITY)
        return tree, part_desa[ring_part[ring[starts[outline]]]]

    def nearest_boundary(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest desa and distance (m) of points (UTM 47N) outside every desa.

        The exact distance to the nearest segment of the regency's outline (a GEOS nearest
        query on the outline's segments alone, much smaller than the desa polygons), which is
        the distance to the nearest desa.
        """
        tree, owner = self._outline
        nearest = np.full(len(x), -1, dtype=np.int64)
        distance = np.full(len(x), np.nan)
        if len(x):
            # Neighbours one after the other (2 km strips) walk the same branches of the tree:
            # ~20% faster than in the input's order.
            order = np.lexsort((y, np.floor(np.asarray(x) / 2_000.0)))
            (i, j), d = tree.query_nearest(
                shapely.points(x[order], y[order]), return_distance=True, all_matches=False
            )
            nearest[order[i]], distance[order[i]] = owner[j], d
        return nearest, distance

    @cached_property
    def _to_metric(self) -> pyproj.Transformer:
        return pyproj.Transformer.from_crs(CRS_STORAGE, self._metric_crs, always_xy=True)

    def __getstate__(self) -> dict[str, Any]:
        # prepared polygons, trees and transformers are rebuilt where unpickled (Dask workers)
        keep = ("desa", "codes", "names", "_geoms", "_metric", "_metric_crs")
        return {k: v for k, v in self.__dict__.items() if k in keep}

    def locate(self, geoms: np.ndarray) -> pd.DataFrame:
        """Where each geometry (EPSG:4326) falls, one row per input, in order.

        Columns: ``desa`` (position in the layer, -1 if none), ``empty`` (no geometry),
        ``nearest`` (position of the nearest desa for a point outside every desa, else -1) and
        ``distance_m`` (its distance to that desa, which is the distance to the regency, in
        metres in UTM 47N; NaN unless outside).
        """
        geoms = np.asarray(geoms, dtype=object)
        n = len(geoms)
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        # The tree is built on the points and queried with the prepared desa polygons: GEOS
        # prepares the query geometry, not the tree's, and a prepared polygon tests a point
        # ~10x faster than a raw one (this is what makes it faster than a plain sjoin).
        pos, which = shapely.STRtree(geoms).query(self.prepared, predicate="intersects")
        desa = np.full(n, len(self), dtype=np.int64)
        np.minimum.at(desa, which, pos)  # on a shared border: the first desa of the layer
        desa[desa == len(self)] = -1
        nearest = np.full(n, -1, dtype=np.int64)
        distance = np.full(n, np.nan)
        xy = _xy(geoms, empty)
        out = np.flatnonzero((desa < 0) & ~empty)
        if len(out):
            mx, my = self._to_metric.transform(xy[out, 0], xy[out, 1])
            nearest[out], distance[out] = self.nearest_boundary(mx, my)
        return pd.DataFrame(
            {
                "desa": desa,
                "empty": empty,
                "nearest": nearest,
                "distance_m": distance,
                "lon": xy[:, 0],
                "lat": xy[:, 1],
            }
        )


@dataclass
class PointCounts:
    """Points counted per desa and category, and every point not counted with the reason.

    ``counts`` has one row per desa (index: desa code, in layer order) and one integer column
    per category seen. ``reported`` has :data:`REPORTED_COLUMNS`, one row per point not counted
    (``reason`` in :data:`REASONS`; ``nearest_code``/``nearest_name``/``distance_m`` for points
    outside). ``n_points`` is every record read, so ``n_points == n_counted + len(reported)``.
    """

    counts: pd.DataFrame
    reported: pd.DataFrame = field(default_factory=lambda: _empty_reported())
    n_points: int = 0

    @property
    def n_counted(self) -> int:
        """Points counted in a desa."""
        return int(self.counts.to_numpy().sum())

    def long(self) -> pd.DataFrame:
        """The counts as a long table: ``area_code``, ``category``, ``value`` (every desa)."""
        cats = sorted(self.counts.columns)
        long = self.counts[cats].rename_axis("area_code").reset_index()
        long = long.melt(id_vars="area_code", var_name="category", value_name="value")
        return long.astype({"value": "float64"})


def _empty_reported() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REPORTED_COLUMNS})


def combine(parts: Sequence[PointCounts]) -> PointCounts:
    """One :class:`PointCounts` from the counts of disjoint parts (chunks, partitions)."""
    if not parts:
        msg = "combine() needs at least one PointCounts; got an empty list."
        raise InputError(msg)
    counts = pd.concat([p.counts for p in parts], axis=1).T.groupby(level=0).sum().T
    counts = counts.reindex(parts[0].counts.index).fillna(0).astype("int64")
    counts = counts[sorted(counts.columns)]
    reported = [p.reported for p in parts if len(p.reported)]
    rep = pd.concat(reported, ignore_index=True) if reported else _empty_reported()
    rep = rep.sort_values("source_row", kind="stable", ignore_index=True)
    return PointCounts(counts, rep, sum(p.n_points for p in parts))


def count_located(
    located: pd.DataFrame,
    categories: Sequence[str | None] | np.ndarray,
    index: DesaIndex,
    *,
    source_rows: np.ndarray,
    raw_categories: Sequence[Any] | np.ndarray | None = None,
) -> PointCounts:
    """:class:`PointCounts` from :meth:`DesaIndex.locate` and each point's category code.

    `categories` holds a code or None per point; `raw_categories` the file's text (reported for
    points not counted).
    """
    cats = np.asarray(categories, dtype=object)
    cat_pos, uniques = pd.factorize(cats, sort=True, use_na_sentinel=True)
    known = [str(c) for c in uniques]
    desa = located["desa"].to_numpy()
    empty = located["empty"].to_numpy()
    ok = (desa >= 0) & (cat_pos >= 0)
    flat = np.bincount(
        desa[ok] * max(len(known), 1) + cat_pos[ok], minlength=len(index) * max(len(known), 1)
    ).reshape(len(index), max(len(known), 1))[:, : len(known)]
    counts = pd.DataFrame(flat, index=pd.Index(index.codes, name="code"), columns=known)
    reason = np.where(empty, "bad-point", np.where(desa < 0, "outside", "unknown-category"))
    bad = np.flatnonzero(~ok)
    nearest = located["nearest"].to_numpy()[bad]
    has_near = nearest >= 0
    raw = np.asarray(raw_categories if raw_categories is not None else cats, dtype=object)
    reported = pd.DataFrame(
        {
            "source_row": np.asarray(source_rows)[bad],
            "reason": reason[bad],
            "lon": located["lon"].to_numpy()[bad],
            "lat": located["lat"].to_numpy()[bad],
            "category": raw[bad],
            "nearest_code": np.where(has_near, index.codes[np.maximum(nearest, 0)], None),
            "nearest_name": np.where(has_near, index.names[np.maximum(nearest, 0)], None),
            "distance_m": located["distance_m"].to_numpy()[bad],
        }
    )
    return PointCounts(counts, reported, len(located))


def _xy(geoms: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """x, y of each point (of the centroid of other geometries); NaN for empty or missing."""
    xy = np.full((len(geoms), 2), np.nan)
    some = geoms[~empty]
    if len(some):
        points = bool((shapely.get_type_id(some) == 0).all())
        xy[~empty] = shapely.get_coordinates(some if points else shapely.centroid(some))
    return xy


def _count_frame(
    frame: gpd.GeoDataFrame | pd.DataFrame,
    index: DesaIndex,
    *,
    category: str | None,
    category_column: str | None,
    chunksize: int = CHUNKSIZE,
) -> PointCounts:
    """Count an in-memory frame of points with ``geometry`` and ``source_row`` columns.

    Taken `chunksize` rows at a time, so time grows linearly and the temporary tree and
    arrays stay small whatever the number of points.
    """
    geoms = np.asarray(gpd.GeoSeries(frame["geometry"]).array)
    raw = frame[category_column].to_numpy() if category_column else None
    cats = _codes(category, raw, len(frame))
    rows = frame["source_row"].to_numpy()
    parts = [
        count_located(
            index.locate(geoms[i : i + chunksize]),
            cats[i : i + chunksize],
            index,
            source_rows=rows[i : i + chunksize],
            raw_categories=None if raw is None else raw[i : i + chunksize],
        )
        for i in range(0, max(len(frame), 1), chunksize)
    ]
    return parts[0] if len(parts) == 1 else combine(parts)


def _check_category(category: str | None, category_column: str | None, columns: list[str]) -> None:
    from mapping.categories import CATEGORY_BY_CODE

    problems = []
    if category is None and category_column is None:
        problems.append("pass category= (e.g. 'lks') or category_column= (e.g. 'kategori')")
    if category is not None and category not in CATEGORY_BY_CODE:
        problems.append(
            f"category={category!r} is not a category code; expected one of "
            f"{sorted(CATEGORY_BY_CODE)}"
        )
    if category is None and category_column is not None and category_column not in columns:
        problems.append(f"category_column={category_column!r} not found; found {columns}")
    if problems:
        raise InputError("; ".join(problems) + ".")


def aggregate_points(
    points: gpd.GeoDataFrame,
    *,
    category: str | None = None,
    category_column: str | None = None,
    desa: gpd.GeoDataFrame | None = None,
    engine: Engine = "pandas",
    npartitions: int | None = None,
    scheduler: Any = None,
    chunksize: int = CHUNKSIZE,
    settings: Settings | None = None,
) -> PointCounts:
    """Count `points` per desa and category; every point is counted or reported.

    Parameters
    ----------
    points
        Points in any CRS (a ``source_row`` column is kept, else rows are numbered from 1).
    category, category_column
        One category code for all points, or the column holding each point's category.
    desa
        The desa layer (default: the canonical 252 desa).
    engine
        ``"pandas"``: one vectorised query in this process. ``"dask"``: dask-geopandas with
        `npartitions` Hilbert-sorted partitions and the desa layer broadcast (see
        :func:`aggregate_points_dask`).
    scheduler
        Dask only: a scheduler name (``"threads"``, ``"synchronous"``), a
        ``distributed.Client``, or the address of an existing cluster (``"tcp://host:8786"``).
    chunksize
        Pandas only: points joined at a time (memory grows with it, not with the points).
    """
    _check_category(category, category_column, list(points.columns))
    if desa is None:
        from mapping.boundaries import load_desa

        desa = load_desa(settings=settings)
    same = points.crs is None or pyproj.CRS(points.crs).equals(CRS_STORAGE)
    pts = points if same else points.to_crs(CRS_STORAGE)
    if "source_row" not in pts.columns:
        pts = pts.assign(source_row=np.arange(1, len(pts) + 1))
    keep = ["source_row", pts.geometry.name] + ([category_column] if category_column else [])
    pts = pts[keep].rename_geometry("geometry") if pts.geometry.name != "geometry" else pts[keep]
    if engine == "dask":
        return aggregate_points_dask(
            pts,
            category=category,
            category_column=category_column,
            desa=desa,
            npartitions=npartitions,
            scheduler=scheduler,
        )
    if engine != "pandas":
        msg = f"engine={engine!r} is not an engine; expected 'pandas' or 'dask'."
        raise InputError(msg)
    index = DesaIndex(desa)
    return _count_frame(
        pts, index, category=category, category_column=category_column, chunksize=chunksize
    )


def _partition_counts(
    part: pd.DataFrame, index: DesaIndex, category: str | None, category_column: str | None
) -> PointCounts:
    return _count_frame(part, index, category=category, category_column=category_column)


def aggregate_points_dask(
    points: Any,
    *,
    category: str | None = None,
    category_column: str | None = None,
    desa: gpd.GeoDataFrame,
    npartitions: int | None = None,
    scheduler: Any = None,
) -> PointCounts:
    """The counts of :func:`aggregate_points` computed by Dask (dask-geopandas).

    `points` is a GeoDataFrame (split into `npartitions`, default one per 250,000 points) or
    a ``dask_geopandas.GeoDataFrame`` (e.g. from ``dask_geopandas.read_parquet``) with
    ``source_row``, ``geometry`` and the category column, in EPSG:4326. Partitions are sorted
    along a Hilbert curve so each touches few desa; the desa index is one task shared by all
    partitions (scattered to every worker with a ``distributed`` client); each partition is
    counted with the same code as the in-memory engine and the counts are summed, so the result
    equals ``engine="pandas"`` exactly.

    When to switch: stay with ``engine="pandas"`` (in memory) or :func:`count_point_file`
    (chunked) on one machine; use Dask when the points are already a Dask frame, live on
    several machines, or a cluster with more cores than this process can use is at hand.
    Point it at an existing cluster with ``scheduler="tcp://host:8786"`` (or a
    ``distributed.Client``).
    """
    import dask
    import dask_geopandas

    index = DesaIndex(desa)
    if isinstance(points, gpd.GeoDataFrame):
        n = npartitions or max(1, -(-len(points) // 250_000))
        points = dask_geopandas.from_geopandas(points, npartitions=n)
    if points.npartitions > 1:
        points = points.spatial_shuffle(by="hilbert", shuffle_method="tasks")
    client, close = _client(scheduler)
    try:
        shared: Any = (
            client.scatter(index, broadcast=True) if client is not None else dask.delayed(index)
        )
        parts = [
            dask.delayed(_partition_counts)(p, shared, category, category_column)
            for p in points.to_delayed()
        ]
        total = dask.delayed(combine)(parts)
        if client is not None:
            result: PointCounts = client.compute(total).result()
        else:
            result = total.compute(scheduler=scheduler)
    finally:
        if close and client is not None:
            client.close()
    return result


def _client(scheduler: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for `scheduler` (and whether we opened it), or None."""
    if isinstance(scheduler, str) and "://" in scheduler:
        from distributed import Client

        return Client(scheduler), True
    if type(scheduler).__name__ == "Client":
        return scheduler, False
    return None, False


# --- chunked files -----------------------------------------------------------------------


def _csv_delimiter(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as f:
        head = f.readline()
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _numbers(values: pd.Series) -> np.ndarray:
    """Floats from a CSV column (decimal commas accepted); NaN where not a number."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float)
    text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _csv_chunks(
    path: Path, *, lat: str | None, lon: str | None, category_column: str | None, chunksize: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    sep = _csv_delimiter(path)
    header = list(pd.read_csv(path, sep=sep, nrows=0, encoding="utf-8-sig").columns)
    lat = lat or find_column(header, LAT_NAMES)
    lon = lon or find_column(header, LON_NAMES)
    missing = [n for n, c in (("lat", lat), ("lon", lon)) if c not in header]
    if category_column is not None and category_column not in header:
        missing.append(f"category_column={category_column!r}")
    if missing:
        msg = (
            f"Columns {missing} not found in {path.name}; found {header}. Name the coordinate "
            "columns 'lat' and 'lon' (or pass lat=, lon=) and give the category column."
        )
        raise InputError(msg)
    cols = [lat, lon] + ([category_column] if category_column else [])
    reader = pd.read_csv(
        path,
        sep=sep,
        usecols=cols,
        chunksize=chunksize,
        encoding="utf-8-sig",
        dtype={category_column: "string"} if category_column else None,
        skip_blank_lines=False,
    )
    start = 2  # file row of the first record (row 1 is the header)
    for chunk in reader:
        rows = np.arange(start, start + len(chunk))
        start += len(chunk)
        blank = chunk.isna().all(axis=1).to_numpy()  # blank lines are not records
        chunk, rows = chunk[~blank], rows[~blank]
        y, x = _numbers(chunk[lat]), _numbers(chunk[lon])
        bad = ~((np.abs(y) <= 90) & (np.abs(x) <= 180))
        geoms = shapely.points(x, y)
        geoms[bad] = None
        cats = chunk[category_column].to_numpy(dtype=object) if category_column else None
        yield rows, geoms, cats


def _parquet_chunks(
    path: Path, *, category_column: str | None, chunksize: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    meta = json.loads((pf.schema_arrow.metadata or {}).get(b"geo", b"{}"))
    geom_col = meta.get("primary_column")
    names = pf.schema_arrow.names
    if geom_col is None or (category_column is not None and category_column not in names):
        msg = (
            f"{path.name} is not GeoParquet with a geometry and the column "
            f"{category_column!r}; found columns {names}. Write it with "
            "GeoDataFrame.to_parquet()."
        )
        raise InputError(msg)
    crs = meta["columns"][geom_col].get("crs")
    to_storage = (
        pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(crs), CRS_STORAGE, always_xy=True)
        if crs is not None and not pyproj.CRS.from_user_input(crs).equals(CRS_STORAGE)
        else None
    )
    cols = [geom_col] + ([category_column] if category_column else [])
    start = 1  # feature number
    for batch in pf.iter_batches(batch_size=chunksize, columns=cols):
        geoms = shapely.from_wkb(batch.column(geom_col).to_numpy(zero_copy_only=False))
        if to_storage is not None:
            geoms = shapely.transform(
                geoms, lambda xy: np.column_stack(to_storage.transform(xy[:, 0], xy[:, 1]))
            )
        rows = np.arange(start, start + len(geoms))
        start += len(geoms)
        cats = (
            batch.column(category_column).to_numpy(zero_copy_only=False)
            if category_column
            else None
        )
        yield rows, geoms, cats


def count_point_file(
    path: Path | str,
    *,
    category: str | None = None,
    category_column: str | None = None,
    lat: str | None = None,
    lon: str | None = None,
    chunksize: int = CHUNKSIZE,
    desa: gpd.GeoDataFrame | None = None,
    settings: Settings | None = None,
) -> PointCounts:
    """Count the points of a big CSV (lat/lon columns) or GeoParquet file, chunk by chunk.

    Reads `chunksize` records at a time (pandas ``chunksize`` for CSV, pyarrow record batches
    for GeoParquet), counts each chunk like :func:`aggregate_points` and adds the counts up, so
    memory depends on `chunksize`, not on the file size (0.73 GB peak for 1e7 points at the
    default). Records without usable coordinates, outside the regency or with an unknown
    category are in ``reported`` with their file row (CSV) or feature number (GeoParquet).
    """
    path = check_input_file(Path(path))
    _check_category(category, category_column, [category_column] if category_column else [])
    if desa is None:
        from mapping.boundaries import load_desa

        desa = load_desa(settings=settings)
    index = DesaIndex(desa)
    if path.suffix.lower() in {".parquet", ".geoparquet"}:
        chunks = _parquet_chunks(path, category_column=category_column, chunksize=chunksize)
    elif path.suffix.lower() in {".csv", ".txt"}:
        chunks = _csv_chunks(
            path, lat=lat, lon=lon, category_column=category_column, chunksize=chunksize
        )
    else:
        msg = f"{path.name}: expected a .csv or .parquet file of points; found {path.suffix!r}."
        raise InputError(msg)
    parts = []
    for rows, geoms, raw in chunks:
        cats = _codes(category, raw, len(geoms))
        parts.append(
            count_located(
                index.locate(geoms),
                cats,
                index,
                source_rows=rows,
                raw_categories=raw,
            )
        )
    if not parts:
        return PointCounts(pd.DataFrame(index=pd.Index(index.codes, name="code")), n_points=0)
    return combine(parts)
