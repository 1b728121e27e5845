"""83,000 areas (the number of desa in Indonesia) classified and drawn, static and interactive.

A synthetic layer (contoh sintetis): Voronoi cells of 83,000 random points over an
Indonesia-sized box (95-141° E, 11° S-6° N), grouped into about 500 "kabupaten" by a 1.6° x
1° grid, with two random indicators. It is classified with :mod:`mapping.classify`
(mapclassify, quantiles), drawn as an A4 PNG by :func:`mapping.static.plot_choropleth`
(kabupaten outlines, no names) and as one self-contained HTML page by
:func:`mapping.interactive.choropleth_map` (TopoJSON on the 4-decimal grid, ~11 m; areas on
one canvas). The page is opened in headless Chromium (Debian's ``chromium`` with playwright)
to time how long until the areas are drawn, a switch to the second indicator and a hover
tooltip. ``GeoDataFrame.explore()`` of the same two indicators is the baseline (its page links
its scripts from CDNs, so it cannot be opened offline here: size and build time only).

Writes ``benchmarks/results-large-map.md`` and prints it.

Run: ``.venv/bin/python benchmarks/bench_large_map.py`` (83,000 areas: 1.5 CPU-minutes, 4 minutes on
2 cores shared with other jobs); ``--quick``: 20,000 areas.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import shapely

from mapping import export, interactive, static
from mapping.classify import Indicator
from mapping.labels import format_number

HERE = Path(__file__).resolve().parent
#: The extent: Indonesia's bounding box, roughly.
EXTENT = (95.0, -11.0, 141.0, 6.0)
#: The grid of the synthetic "kabupaten" (degrees of longitude, latitude).
GROUP_CELL = (1.6, 1.0)
PNG_BUDGET_S = 60.0
HTML_BUDGET_BYTES = 25_000_000
LOAD_BUDGET_S = 15.0
#: Decimals kept on the national map: 4 (about 11 m) is finer than a pixel until zoom 13.
PRECISION = 4
INDICATORS = [
    Indicator("keluarga", "Jumlah keluarga (contoh sintetis)", palette="Blues"),
    Indicator("pmks", "PMKS per 1.000 keluarga (contoh sintetis)", palette="OrRd"),
]


def synthetic_areas(n: int, *, seed: int = 1) -> gpd.GeoDataFrame:
    """`n` Voronoi cells of random points tiling :data:`EXTENT`, with kabupaten and values."""
    rng = np.random.default_rng(seed)
    west, south, east, north = EXTENT
    points = shapely.multipoints(rng.uniform((west, south), (east, north), (n, 2)))
    frame = shapely.box(*EXTENT)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    centre = shapely.get_coordinates(shapely.centroid(cells))
    col = np.floor((centre[:, 0] - west) / GROUP_CELL[0]).astype(int)
    row = np.floor((centre[:, 1] - south) / GROUP_CELL[1]).astype(int)
    gdf = gpd.GeoDataFrame(
        {
            "name": [f"Desa {i:05d}" for i in range(n)],
            "kecamatan": [f"Kab {r:02d}-{c:02d}" for r, c in zip(row, col, strict=True)],
            "keluarga": rng.integers(80, 3_000, n).astype(float),
            "pmks": rng.gamma(2.0, 40.0, n).round(1),
        },
        geometry=cells,
        crs="EPSG:4326",
    )
    gdf.attrs["synthetic"] = True
    return gdf


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def _title(n: int) -> str:
    return f"{format_number(n)} desa (contoh sintetis)"


def build_png(gdf: gpd.GeoDataFrame, out: Path) -> Path:
    fig = static.plot_choropleth(gdf, INDICATORS[0], outline_label=None, title=_title(len(gdf)))
    return export.save_figure(fig, out)


def build_html(gdf: gpd.GeoDataFrame, out: Path) -> Path:
    m = interactive.choropleth_map(gdf, INDICATORS, title=_title(len(gdf)), precision=PRECISION)
    return export.save_html(m, out)


def build_explore(gdf: gpd.GeoDataFrame, out: Path) -> Path:
    m = None
    for i, ind in enumerate(INDICATORS):
        m = gdf.explore(m=m, column=ind.column, scheme="quantiles", k=5, name=ind.title,
                        show=i == 0)  # fmt: skip
    folium.LayerControl().add_to(m)
    m.save(str(out))
    return out


def browser_times(path: Path, n: int) -> dict[str, float] | None:
    """Seconds until the areas are drawn, to switch indicator, and to show a tooltip."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if exe is None:
        return None
    js_count = "() => { const m = Object.values(window).find((v) => v && v.pk); " \
               "return m ? m.pk.areas.getLayers().length : 0; }"  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        start = time.perf_counter()
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_function(f"() => ({js_count})() === {n}", timeout=120_000, polling=100)
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
        load = time.perf_counter() - start
        start = time.perf_counter()
        page.get_by_label(INDICATORS[1].title).check(timeout=120_000)
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
        switch = time.perf_counter() - start
        box = page.locator(".leaflet-overlay-pane canvas").bounding_box()
        start = time.perf_counter()
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
        page.locator(".leaflet-tooltip.pk-tooltip").wait_for(timeout=60_000)
        hover = time.perf_counter() - start
        page.screenshot(path=str(path.with_name(f"{path.stem}-browser.png")))
        browser.close()
    if errors:
        raise RuntimeError(f"the page raised errors: {errors[:3]}")
    return {"load": load, "switch": switch, "hover": hover}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 areas instead of 83,000")
    parser.add_argument("--keep", type=Path, help="folder to keep the PNG and HTML files in")
    args = parser.parse_args()
    n = 20_000 if args.quick else 83_000
    gdf, t_make = _timed(synthetic_areas, n)
    classes, t_classify = _timed(lambda: [i.classify(gdf[i.column]) for i in INDICATORS])
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        png, t_png = _timed(build_png, gdf, folder / "besar.png")
        html, t_html = _timed(build_html, gdf, folder / "besar.html")
        times = browser_times(html, n)
        base, t_base = _timed(build_explore, gdf, folder / "besar-explore.html")
        size_png, size_html, size_base = (p.stat().st_size for p in (png, html, base))
        page = html.read_text(encoding="utf-8")
        topo, config, _ = interactive.embedded_json(page)
    groups = gdf["kecamatan"].nunique()
    vertices = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
    ok = t_png < PNG_BUDGET_S and size_html < HTML_BUDGET_BYTES and config["canvas"]
    if times is not None:
        ok = ok and times["load"] < LOAD_BUDGET_S
    browser = (
        "not measured (needs Debian's chromium and playwright)"
        if times is None
        else f"areas drawn **{times['load']:.1f} s** after opening (budget {LOAD_BUDGET_S:.0f} s), "
        f"indicator switch {times['switch']:.1f} s, hover tooltip {times['hover']:.2f} s"
    )
    lines = [
        "# Large map benchmark",
        "",
        f"{n:,} synthetic areas (contoh sintetis: Voronoi cells over 95-141° E, 11° S-6° N, "
        f"{vertices:,} vertices), {groups} synthetic kabupaten outlines, "
        f"{len(INDICATORS)} indicators.",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"folium {folium.__version__}.",
        "",
        "| step | time | output |",
        "|---|---:|---:|",
        f"| make the layer (Voronoi) | {t_make:.1f} s | |",
        f"| classify {len(INDICATORS)} indicators (quantiles, `mapping.classify`) | "
        f"{t_classify:.2f} s | {', '.join(str(c.k) for c in classes)} classes |",
        f"| static PNG (`static.plot_choropleth`, A4, outlines) | **{t_png:.1f} s** | "
        f"{size_png / 1e6:.2f} MB |",
        f"| interactive HTML (`interactive.choropleth_map`, TopoJSON, {PRECISION} decimals) | "
        f"{t_html:.1f} s | **{size_html / 1e6:.1f} MB** (one offline file) |",
        f"| `GeoDataFrame.explore()` x{len(INDICATORS)} (baseline) | {t_base:.1f} s | "
        f"{size_base / 1e6:.1f} MB (CDN scripts, not offline) |",
        "",
        f"- PNG: {t_png:.1f} s (budget {PNG_BUDGET_S:.0f} s).",
        f"- HTML: {size_html / 1e6:.1f} MB (budget {HTML_BUDGET_BYTES / 1e6:.0f} MB), "
        f"explore / ours = **{size_base / size_html:.1f}x** in size, "
        f"ours / explore = {t_html / t_base:.2f}x in build time; "
        f"{len(topo['arcs']):,} arcs.",
        f"- In headless Chromium (1280x860, one canvas): {browser}.",
        f"- result: {'PASS' if ok else 'FAIL'}",
        "",
    ]
    report = "\n".join(lines)
    (HERE / "results-large-map.md").write_text(report, encoding="utf-8")
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
