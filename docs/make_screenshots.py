"""Screenshots of an interactive map for the README, on synthetic areas (contoh sintetis).

The real maps are derived from the BIG boundary files, which are never committed; this script
draws the same kind of page on random Voronoi cells with made-up values, so the picture in
the README shows the interface (title, synthetic badge, legend, layer list, phone layout)
without shipping anything derived from the boundaries. Run from the checkout:

    .venv/bin/python docs/make_screenshots.py

It writes ``docs/img/peta-contoh-sintetis-ponsel.png`` (390x844) and
``docs/img/peta-contoh-sintetis-desktop.png`` (1400x1000) with headless Chromium (Playwright,
as the browser tests).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from synthetic_areas import voronoi_areas  # noqa: E402

from mapping import export, interactive  # noqa: E402
from mapping.classify import Indicator  # noqa: E402

SIZES = {"ponsel": (390, 844), "desktop": (1400, 1000)}


def main() -> None:
    """Build the synthetic page and screenshot it at phone and desktop size."""
    from playwright.sync_api import sync_playwright

    areas = voronoi_areas(180, seed=11)
    rng = np.random.default_rng(11)
    areas["fm_per_1000"] = np.round(rng.gamma(3.0, 20.0, len(areas)), 1)
    areas["lut_per_1000"] = np.round(rng.gamma(2.0, 8.0, len(areas)), 1)
    kecamatan = areas.dissolve("kecamatan").reset_index()[["kecamatan", "geometry"]]
    kecamatan = kecamatan.rename(columns={"kecamatan": "name"})
    page_map = interactive.choropleth_map(
        areas,
        [
            Indicator("fm_per_1000", "Fakir Miskin", "per 1.000 keluarga"),
            Indicator("lut_per_1000", "Lanjut Usia Telantar", "per 1.000 keluarga"),
        ],
        outlines=kecamatan,
        title="Fakir Miskin per 1.000 keluarga (contoh sintetis)",
        source="Wilayah dan angka acak: contoh sintetis, bukan data nyata",
        synthetic=True,
    )
    out = HERE / "img"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        html = export.save_html(page_map, Path(tmp) / "peta.html")
        with sync_playwright() as pw:
            exe = shutil.which("chromium") or shutil.which("chromium-browser")
            browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
            for name, (width, height) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(Path(html).as_uri())
                page.wait_for_selector("path.pk-area")
                page.wait_for_timeout(500)
                target = out / f"peta-contoh-sintetis-{name}.png"
                page.screenshot(path=str(target))
                print(f"{target.relative_to(HERE.parent)}: {target.stat().st_size / 1e3:.0f} kB")
            browser.close()


if __name__ == "__main__":
    main()
