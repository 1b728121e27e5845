"""Bulk point counting (mapping.pointcount): hand-made squares, sjoin equality, chunks, Dask."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapping.errors import InputError
from mapping.pointcount import aggregate_points, count_point_file
from mapping.points import count_points

UTM = "EPSG:32647"


def _squares(order: tuple[str, str] = ("A", "B")) -> gpd.GeoDataFrame:
    """Two 1 km squares side by side in UTM 47N near Tarutung (A west, B east), in EPSG:4326."""
    boxes = {
        "A": shapely.box(500_000, 220_000, 501_000, 221_000),
        "B": shapely.box(501_000, 220_000, 502_000, 221_000),
    }
    return gpd.GeoDataFrame(
        {
            "code": [f"99.{k}" for k in order],
            "name": [f"Desa {k}" for k in order],
            "kecamatan": ["Kec"] * 2,
        },
        geometry=[boxes[k] for k in order],
        crs=UTM,
    ).to_crs("EPSG:4326")


#: (x, y) in UTM 47N, expected desa ('' = not counted) and distance outside in metres.
HAND = [
    ((500_500, 220_500), "99.A", np.nan),  # inside A
    ((501_500, 220_500), "99.B", np.nan),  # inside B
    ((502_300, 220_500), "", 300.0),  # 300 m east of B
    ((499_000, 219_000), "", 1000 * 2**0.5),  # diagonal from A's south-west corner
    ((501_500, 221_060), "", 60.0),  # 60 m north of B
]


def _hand_points() -> gpd.GeoDataFrame:
    geoms = [shapely.Point(xy) for xy, _, _ in HAND] + [None]
    return gpd.GeoDataFrame(
        {"kategori": ["LKS"] * len(HAND) + ["LKS"]}, geometry=geoms, crs=UTM
    ).to_crs("EPSG:4326")


def test_hand_made_squares_inside_outside_and_on_the_border() -> None:
    got = aggregate_points(_hand_points(), category_column="kategori", desa=_squares())
    assert got.counts.to_dict() == {"lks": {"99.A": 1, "99.B": 1}}
    rep = got.reported.set_index("source_row")
    assert list(rep.index) == [3, 4, 5, 6]
    assert list(rep["reason"]) == ["outside"] * 3 + ["bad-point"]
    assert list(rep["nearest_code"][:3]) == ["99.B", "99.A", "99.B"]
    np.testing.assert_allclose(rep["distance_m"][:3], [300.0, 1414.2136, 60.0], atol=0.01)
    assert got.n_points == 6 == got.n_counted + len(got.reported)


def test_points_on_a_border_are_counted_once_in_the_first_desa_of_the_layer() -> None:
    # squares in degrees so the points lie exactly on the edges (no reprojection rounding)
    a, b = shapely.box(99.0, 2.0, 99.01, 2.01), shapely.box(99.01, 2.0, 99.02, 2.01)
    on_edges = [
        shapely.Point(99.01, 2.005),  # the shared edge
        shapely.Point(99.01, 2.01),  # the shared corner
        shapely.Point(99.0, 2.005),  # the outer boundary of A: counted, not outside
    ]
    pts = gpd.GeoDataFrame(geometry=on_edges, crs=4326)
    for order, want in (("AB", {"99.A": 3, "99.B": 0}), ("BA", {"99.B": 2, "99.A": 1})):
        desa = gpd.GeoDataFrame(
            {"code": [f"99.{k}" for k in order], "name": list(order), "kecamatan": "K"},
            geometry=[a if k == "A" else b for k in order],
            crs=4326,
        )
        got = aggregate_points(pts, category="lks", desa=desa)
        assert got.counts["lks"].to_dict() == want
        assert got.reported.empty


def test_count_points_reports_each_outside_point_with_its_distance() -> None:
    table = count_points(_hand_points(), category_column="kategori", desa=_squares())
    assert list(table.rows["method"]) == ["spatial"] * 2 + ["outside"] * 3 + ["unmatched"]
    assert list(table.rows["code"][:2]) == ["99.A", "99.B"]
    outside = [p for p in table.report if p.kind == "outside"]
    assert [p.row for p in outside] == [3, 4, 5]
    assert [p.suggestion for p in outside] == [
        "nearest desa Desa B (99.B), 0.3 km away",
        "nearest desa Desa A (99.A), 1.4 km away",
        "nearest desa Desa B (99.B), 0.1 km away",
    ]
    assert table.rows["candidates"][2] == "99.B:Desa B"
    assert table.data.set_index("area_code")["value"].to_dict() == {"99.A": 1.0, "99.B": 1.0}


def _random_points(desa: gpd.GeoDataFrame, n: int, *, seed: int = 1) -> gpd.GeoDataFrame:
    """`n` random points over the regency's box widened by ~10 km (about half outside)."""
    minx, miny, maxx, maxy = desa.total_bounds
    rng = np.random.default_rng(seed)
    xs = rng.uniform(minx - 0.1, maxx + 0.1, n)
    ys = rng.uniform(miny - 0.1, maxy + 0.1, n)
    labels = rng.choice(["LKS", "Panti Asuhan", "TKSK", "Kucing"], n)
    return gpd.GeoDataFrame({"jenis": labels}, geometry=shapely.points(xs, ys), crs=4326)


def test_equal_to_plain_sjoin_on_random_points_in_the_real_desa(
    desa: gpd.GeoDataFrame,
) -> None:
    pts = _random_points(desa, 4_000)
    got = aggregate_points(pts, category="lks", desa=desa)
    hits = gpd.sjoin(pts, desa[["code", "geometry"]], how="left", predicate="intersects")
    want = hits["code"].value_counts().reindex(desa["code"], fill_value=0)
    assert got.counts["lks"].tolist() == want.tolist()
    missed = hits.loc[hits["code"].isna()].index + 1
    assert got.reported["source_row"].tolist() == missed.tolist()
    assert 1_000 < len(missed) < 3_000  # the sample really has points outside
    metric = desa.to_crs(UTM)
    some = got.reported.sample(15, random_state=0)
    cols = ["source_row", "nearest_code", "distance_m"]
    for row, near, dist in some[cols].itertuples(index=False):
        d = metric.distance(pts.to_crs(UTM).geometry.iloc[row - 1])
        assert dist == pytest.approx(d.min(), abs=0.01)
        assert near == metric["code"].iloc[int(d.argmin())]


def test_categories_and_count_points_agree(desa: gpd.GeoDataFrame) -> None:
    pts = _random_points(desa, 1_500, seed=2)
    bulk = aggregate_points(pts, category_column="jenis", desa=desa)
    assert sorted(bulk.counts.columns) == ["lks", "tksk"]  # Panti Asuhan is an LKS
    assert set(bulk.reported["reason"]) == {"outside", "unknown-category"}
    table = count_points(pts, category_column="jenis", desa=desa)
    pd.testing.assert_frame_equal(
        table.data.set_index(["area_code", "category"])[["value"]],
        bulk.long().set_index(["area_code", "category"])[["value"]],
        check_dtype=False,
        check_index_type=False,
    )
    assert (table.rows["method"] != "spatial").sum() == len(bulk.reported)


def _write(pts: gpd.GeoDataFrame, folder: Path) -> tuple[Path, Path]:
    csv = folder / "titik.csv"
    frame = pd.DataFrame(
        {
            "lintang": pts.geometry.y.map(lambda v: f"{v:.7f}".replace(".", ",")),
            "bujur": pts.geometry.x.map(lambda v: f"{v:.7f}".replace(".", ",")),
            "jenis": pts["jenis"],
        }
    )
    frame.loc[3, "lintang"] = "bukan angka"  # a bad coordinate: row 5 of the file
    frame.to_csv(csv, sep=";", index=False)
    parquet = folder / "titik.parquet"
    pts.to_crs(UTM).to_parquet(parquet)  # any CRS: counted in EPSG:4326
    return csv, parquet


def test_chunked_files_equal_in_memory(desa: gpd.GeoDataFrame, tmp_path: Path) -> None:
    pts = _random_points(desa, 3_000, seed=3)
    csv, parquet = _write(pts, tmp_path)
    whole = aggregate_points(pts, category_column="jenis", desa=desa)
    in_chunks = aggregate_points(pts, category_column="jenis", desa=desa, chunksize=700)
    pd.testing.assert_frame_equal(in_chunks.counts, whole.counts)
    pd.testing.assert_frame_equal(in_chunks.reported, whole.reported)
    from_parquet = count_point_file(parquet, category_column="jenis", chunksize=700, desa=desa)
    pd.testing.assert_frame_equal(from_parquet.counts, whole.counts)
    assert from_parquet.reported["source_row"].tolist() == whole.reported["source_row"].tolist()
    np.testing.assert_allclose(
        from_parquet.reported["distance_m"], whole.reported["distance_m"], atol=0.01
    )
    from_csv = count_point_file(csv, category_column="jenis", chunksize=700, desa=desa)
    assert from_csv.n_points == 3_000 == from_csv.n_counted + len(from_csv.reported)
    bad = from_csv.reported.set_index("source_row").loc[5]
    assert bad["reason"] == "bad-point"
    in_memory = pts.drop(index=3)  # the record whose latitude is not a number
    expected = aggregate_points(in_memory, category_column="jenis", desa=desa).counts
    pd.testing.assert_frame_equal(from_csv.counts, expected)


def test_file_errors(desa: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("nama,jenis\nA,LKS\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"Columns \['lat', 'lon'\] not found in p.csv"):
        count_point_file(path, category_column="jenis", desa=desa)
    other = tmp_path / "p.xlsx"
    other.write_bytes(b"")
    with pytest.raises(InputError, match=r"p.xlsx: expected a .csv or .parquet file"):
        count_point_file(other, category="lks", desa=desa)
    pts = _hand_points()
    with pytest.raises(InputError, match="engine='spark' is not an engine"):
        aggregate_points(pts, category="lks", desa=_squares(), engine="spark")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="category='xx' is not a category code"):
        aggregate_points(pts, category="xx", desa=_squares())
    with pytest.raises(InputError, match="category_column='kind' not found"):
        aggregate_points(pts, category_column="kind", desa=_squares())
    with pytest.raises(InputError, match="pass category="):
        aggregate_points(pts, desa=_squares())


def test_dask_on_a_local_cluster_equals_in_memory(desa: gpd.GeoDataFrame) -> None:
    distributed = pytest.importorskip("distributed")
    pts = _random_points(desa, 2_000, seed=4)
    whole = aggregate_points(pts, category_column="jenis", desa=desa)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = aggregate_points(
            pts, category_column="jenis", desa=desa, engine="dask", npartitions=3, scheduler=client
        )
        by_address = aggregate_points(
            pts.iloc[:500],
            category="lks",
            desa=desa,
            engine="dask",
            npartitions=1,  # one partition: nothing to sort
            scheduler=cluster.scheduler_address,
        )
    pd.testing.assert_frame_equal(got.counts, whole.counts)
    pd.testing.assert_frame_equal(got.reported, whole.reported)
    assert got.n_points == whole.n_points
    small = aggregate_points(pts.iloc[:500], category="lks", desa=desa)
    pd.testing.assert_frame_equal(by_address.counts, small.counts)
