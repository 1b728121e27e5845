"""The interactive map opened in headless Chromium as a person would: drawn, legible, no errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from mapping import export, interactive
from mapping.classify import Indicator

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="module")
def browser(in_ci):
    exe = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if exe is None or sync_playwright is None:
        reason = (
            "headless browser tests need Debian's chromium (apt-get install chromium) and the "
            "playwright package (pip install -e '.[test]')"
        )
        if in_ci:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def map_file(desa, kecamatan, tmp_path_factory) -> Path:
    gdf = desa.copy()
    rng = np.random.default_rng(11)
    for col in ("a", "b", "c", "d"):
        gdf[col] = rng.integers(0, 500, len(gdf)).astype(float)
    gdf.loc[gdf.index[:5], "a"] = np.nan
    sites = gdf.iloc[::40].copy()
    sites["geometry"] = sites.representative_point()
    sites["jenis"] = ["TKSK", "PSKS"] * 3 + ["TKSK"] * (len(sites) - 6)
    m = interactive.choropleth_map(
        gdf, [Indicator("a", "Indikator A"), "b", "c", "d", "area_km2"], outlines=kecamatan,
        points=sites, point_category="jenis", point_name="name", title="Uji peta",
        source="Uji", date="2025-01-31", synthetic=True,
    )  # fmt: skip
    return export.save_html(m, tmp_path_factory.mktemp("html") / "peta.html")


def test_map_renders_without_errors(browser, map_file) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    page.goto(map_file.as_uri())
    page.wait_for_selector("path.pk-area")
    assert problems == []
    assert page.locator("path.pk-area").count() == 252  # every desa drawn
    assert page.locator("path.pk-nodata").count() == 5
    legend = page.locator(".pk-legend:not(.pk-point-legend)")
    assert legend.count() == 1 and legend.is_visible()
    assert "Indikator A" in legend.inner_text() and "Tidak ada data" in legend.inner_text()
    assert page.locator(".pk-label").count() == 15  # kecamatan names
    assert page.locator("path.pk-point").count() == 7
    out = ROOT / "outputs" / "browser-peta-desa.png"
    out.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(out))
    assert out.stat().st_size > 20_000


def test_layers_switch_legends_and_tooltips(browser, map_file) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(map_file.as_uri())
    page.wait_for_selector("path.pk-area")
    page.get_by_label("area_km2").check()
    legends = page.locator(".pk-legend:not(.pk-point-legend)")
    assert legends.count() == 1 and "area_km2" in legends.inner_text()
    assert page.locator("path.pk-area").count() == 252  # one indicator layer at a time
    page.locator("path.pk-area").nth(100).hover()
    tooltip = page.locator(".leaflet-tooltip.pk-tooltip")
    tooltip.wait_for()
    assert "Kecamatan:" in tooltip.inner_text() and "dari 252" in tooltip.inner_text()
    page.get_by_label("Lokasi").uncheck()
    assert page.locator(".pk-point-legend").count() == 0


def test_search_finds_a_desa(browser, map_file, desa) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(map_file.as_uri())
    page.wait_for_selector("path.pk-area")
    name = desa.iloc[40]["name"]
    box = page.locator(".pk-search input")
    box.fill(name)
    box.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert name in popup.inner_text() and "Indikator A" in popup.inner_text()
    box.fill("Tidak Ada Desa Seperti Ini")
    box.press("Enter")
    assert page.locator(".pk-search-msg").inner_text() == "Desa tidak ditemukan"
