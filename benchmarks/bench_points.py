"""Benchmark: counting random points per desa, mapping.pointcount vs plain sjoin + value_counts.

Each case runs in its own subprocess (so peak memory, ``ru_maxrss``, belongs to that case
alone), ours and the baseline side by side on the same points in the real 252 desa:

* 1e5 points, all inside the regency;
* 1e5 points, half outside (the worst case of the old code: distances for every outside point);
* 1e6 points, all inside;
* 1e7 points, all inside, read in chunks from a generated GeoParquet file (ours:
  :func:`mapping.pointcount.count_point_file`; baseline: the same chunks, each
  ``gpd.sjoin`` + ``value_counts``, summed -- loading 1e7 points at once would not fit in 2 GB).

Writes ``benchmarks/results-points.md``. Run from the checkout:
``PYTHONPATH=src python benchmarks/bench_points.py`` (about 5 minutes on 2 cores; ``--quick``,
used by ``make bench``, about 2). The generated 1e7-point file is kept in ``benchmarks/.cache/``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = [
    ("1e5 inside", 100_000, 0.0, "memory"),
    ("1e5 half outside", 100_000, 0.5, "memory"),
    ("1e6 inside", 1_000_000, 0.0, "memory"),
    ("1e7 inside, chunked GeoParquet", 10_000_000, 0.0, "file"),
]
CHUNK = 500_000
#: Generated inputs kept between runs (git-ignored), named by seed and mode.
CACHE = HERE / ".cache"
#: The baseline reads this many chunks of the 1e7 file (all 20 with --full): plain sjoin on
#: 1e7 points alone takes several minutes on a shared 2-core machine, beyond the time budget;
#: its 1e7 time is then scaled from these chunks (and labelled so in the results).
#: ``--quick`` (used by ``make bench``): the 1e7-point file repeats one random chunk of
#: 500,000 points 20 times (drawing 1e7 distinct points takes minutes; counting costs the same
#: per point either way), the baseline joins 1 chunk, scaled, and the 1e6 case is left out
#: (the growth is measured from 1e5 to 1e7 all the same).
QUICK = "--quick" in sys.argv or os.environ.get("BENCH_QUICK") == "1"
BASELINE_1E7_CHUNKS = 20 if "--full" in sys.argv else 1 if QUICK else 4
if QUICK:
    CASES = [case for case in CASES if case[1] != 1_000_000]
SEED_1E7 = 1


def points_file() -> Path:
    """The generated 1e7-point GeoParquet file (made once per seed and mode, then reused)."""
    return CACHE / f"points-1e7-seed{SEED_1E7}-{'quick' if QUICK else 'full'}.parquet"


class _Sampler:
    """Random points in (or in a 0-20 km ring around) the regency; the region built once."""

    def __init__(self, seed: int) -> None:
        import numpy as np
        import shapely

        from mapping.boundaries import load_desa

        desa = load_desa()
        self.region = shapely.union_all(desa.geometry.array)
        shapely.prepare(self.region)
        self.bounds = desa.total_bounds
        self.rng = np.random.default_rng(seed)

    def _draw(self, k: int, inside: bool) -> object:
        import numpy as np
        import shapely

        minx, miny, maxx, maxy = self.bounds
        pad = 0.0 if inside else 0.18
        got: list[np.ndarray] = []
        while sum(map(len, got)) < k:
            xs = self.rng.uniform(minx - pad, maxx + pad, 3 * k)
            ys = self.rng.uniform(miny - pad, maxy + pad, 3 * k)
            keep = shapely.contains_xy(self.region, xs, ys) == inside
            got.append(shapely.points(xs[keep], ys[keep]))
        return np.concatenate(got)[:k]

    def points(self, n: int, outside: float) -> object:
        import geopandas as gpd
        import numpy as np

        n_out = int(n * outside)
        parts = [self._draw(n - n_out, True)] + ([self._draw(n_out, False)] if n_out else [])
        geoms = np.concatenate(parts)[self.rng.permutation(n)]
        return gpd.GeoDataFrame(geometry=geoms, crs="EPSG:4326")


def _case(which: str, n: int, outside: float, kind: str) -> dict[str, float]:
    """Run one side of one case in this process; time and counts."""
    import geopandas as gpd
    import pandas as pd

    from mapping.boundaries import load_desa
    from mapping.pointcount import aggregate_points, count_point_file

    desa = load_desa()
    right = desa[["code", "geometry"]]
    if kind == "file":
        path = points_file()
        if which == "write":
            path.parent.mkdir(exist_ok=True)
            tmp = path.with_suffix(".tmp")
            import pyarrow as pa
            import pyarrow.parquet as pq

            writer = None
            sampler = _Sampler(seed=SEED_1E7)
            table = None
            for _ in range(n // CHUNK):
                if table is None or not QUICK:
                    table = pa.Table.from_pandas(
                        sampler.points(CHUNK, outside).to_wkb(), preserve_index=False
                    )
                meta = {b"geo": json.dumps(_geo_meta()).encode()}
                table = table.replace_schema_metadata(meta)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
            assert writer is not None
            writer.close()
            tmp.replace(path)
            return {"seconds": 0.0, "cpu": 0.0, "counted": 0.0}
        t0, c0 = time.perf_counter(), time.process_time()
        if which == "ours":
            got = count_point_file(path, category="lks", chunksize=CHUNK, desa=desa)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            return {"seconds": seconds, "cpu": cpu, "counted": float(got.n_counted)}
        import pyarrow.parquet as pq
        import shapely

        total = pd.Series(0, index=desa["code"])
        batches = pq.ParquetFile(path).iter_batches(batch_size=CHUNK)
        for i, batch in enumerate(batches):
            if i == BASELINE_1E7_CHUNKS:
                break
            geoms = shapely.from_wkb(batch.column("geometry").to_numpy(zero_copy_only=False))
            pts = gpd.GeoDataFrame(geometry=geoms, crs="EPSG:4326")
            hits = gpd.sjoin(pts, right, how="inner", predicate="intersects")
            total = total.add(hits["code"].value_counts(), fill_value=0)
        share = min(BASELINE_1E7_CHUNKS * CHUNK, n) / n
        seconds, cpu = (time.perf_counter() - t0) / share, (time.process_time() - c0) / share
        counted = float(total.sum() / share)
        return {"seconds": seconds, "cpu": cpu, "counted": counted, "share": share}
    pts = _Sampler(seed=0).points(n, outside)
    t0, c0 = time.perf_counter(), time.process_time()
    if which == "ours":
        counted = aggregate_points(pts, category="lks", desa=desa).n_counted
    else:
        hits = gpd.sjoin(pts, right, how="left", predicate="intersects")
        counted = int(hits["code"].value_counts().sum())
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "counted": float(counted)}


def _geo_meta() -> dict[str, object]:
    return {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},
    }


def _run(which: str, case: tuple[str, int, float, str]) -> dict[str, float]:
    """One side of one case in a fresh subprocess; its time, counts and peak RSS (MB)."""
    _, n, outside, kind = case
    code = (
        f"import json, resource, sys; sys.path.insert(0, {str(HERE)!r}); "
        "import bench_points as b; "
        f"r = b._case({which!r}, {n}, {outside!r}, {kind!r}); "
        "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=os.environ
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    started = time.perf_counter()
    if QUICK:
        os.environ["BENCH_QUICK"] = "1"  # seen by the case subprocesses
    rows = []
    for case in CASES:
        if case[3] == "file" and not points_file().is_file():
            t = time.perf_counter()
            _run("write", case)
            print(f"wrote {case[1]:,} points in {time.perf_counter() - t:.0f} s", flush=True)
        ours = _run("ours", case)
        base = _run("sjoin", case)
        rows.append((case, ours, base))
        print(case[0], ours, base, flush=True)
    first, last = rows[0][1]["seconds"], rows[-1][1]["seconds"]
    first_b, last_b = rows[0][2]["seconds"], rows[-1][2]["seconds"]
    growth_cpu = rows[-1][1]["cpu"] / rows[0][1]["cpu"], rows[-1][2]["cpu"] / rows[0][2]["cpu"]
    lines = [
        "# Points per desa: mapping.pointcount vs plain sjoin + value_counts",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        "- the CPU was shared with about 9 other agents during the run: absolute times are "
        "noisy (and inflated); the ratios compare both sides measured one after the other",
        "- random points in the real 252 desa (outside: a 0-20 km ring around the regency); "
        "each side of each case in its own subprocess; peak memory = `ru_maxrss` of that "
        "subprocess (including Python, geopandas and the desa layer, ~0.3 GB)",
        "- ours: `aggregate_points` (in memory) or `count_point_file` (1e7, GeoParquet "
        f"batches of {CHUNK:,}); baseline: `gpd.sjoin(points, desa, predicate='intersects')` "
        "+ `value_counts` (1e7: the same batches, summed; unless run with `--full`, only the "
        f"first {BASELINE_1E7_CHUNKS * CHUNK:,} points are joined and the time is scaled to "
        "1e7, marked *scaled*)"
        + (
            "; `--quick` run: the 1e7 file repeats one random chunk of "
            f"{CHUNK:,} points {10_000_000 // CHUNK} times (generated once, kept in "
            "`benchmarks/.cache/`) and the 1e6 case is left out"
            if QUICK
            else ""
        ),
        "",
        "- wall time, and CPU time (process time of the subprocess, all its threads): on a "
        "busy machine the CPU ratio is the steadier one",
        "",
        "| case | ours (s) | sjoin (s) | sjoin / ours | ours CPU s | sjoin CPU s | "
        "sjoin / ours CPU | ours peak (MB) | sjoin peak (MB) | counted (equal) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]

    def equal(ours: dict[str, float], base: dict[str, float]) -> str:
        if base.get("share", 1.0) < 1.0:
            return "baseline scaled"
        return "yes" if ours["counted"] == base["counted"] else "NO"

    for (name, *_), ours, base in rows:
        lines.append(
            f"| {name} | {ours['seconds']:.2f} | {base['seconds']:.2f}"
            f"{' *scaled*' if base.get('share', 1.0) < 1.0 else ''} | "
            f"{base['seconds'] / ours['seconds']:.1f}x | {ours['cpu']:.2f} | {base['cpu']:.2f} | "
            f"{base['cpu'] / ours['cpu']:.1f}x | {ours['peak_mb']:.0f} | "
            f"{base['peak_mb']:.0f} | {int(ours['counted']):,} ({equal(ours, base)}) |"
        )
    lines += [
        "",
        "- sjoin / ours, CPU time: "
        + ", ".join(f"{name} **{b['cpu'] / o['cpu']:.1f}x**" for (name, *_), o, b in rows),
        "",
        f"Growth 1e5 -> 1e7 (100x the points): ours {last / first:.0f}x the time, "
        f"sjoin {last_b / first_b:.0f}x (CPU: ours {growth_cpu[0]:.0f}x, "
        f"sjoin {growth_cpu[1]:.0f}x).",
        "",
        f"Whole run: {time.perf_counter() - started:.0f} s.",
        "",
    ]
    (HERE / "results-points.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
