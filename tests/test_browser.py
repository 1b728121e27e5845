"""The interactive map opened in headless Chromium as a person would: drawn, legible, no errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from synthetic_areas import voronoi_areas

from mapping import export, interactive
from mapping.bivariate import classify_bivariate
from mapping.classify import Indicator

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails in CI) with the reason
    expect = None  # type: ignore[assignment]

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
def desa_values(desa):
    gdf = desa.copy()
    rng = np.random.default_rng(11)
    for col in ("a", "b", "c", "d"):
        gdf[col] = rng.integers(0, 500, len(gdf)).astype(float)
    gdf.loc[gdf.index[:5], "a"] = np.nan
    return gdf


@pytest.fixture(scope="module")
def map_file(desa_values, kecamatan, tmp_path_factory) -> Path:
    gdf = desa_values
    sites = gdf.iloc[::40].copy()
    sites["geometry"] = sites.representative_point()
    sites["jenis"] = ["TKSK", "PSKS"] * 3 + ["TKSK"] * (len(sites) - 6)
    biv = classify_bivariate(gdf["b"], gdf["c"], x_description="b", y_description="c")
    m = interactive.choropleth_map(
        gdf, [Indicator("a", "Indikator A"), "b", "c", "d", "area_km2"], bivariate=biv,
        outlines=kecamatan, points=sites, point_category="jenis", point_name="name",
        title="Uji peta", source="Uji", date="2025-01-31", synthetic=True,
    )  # fmt: skip
    return export.save_html(m, tmp_path_factory.mktemp("html") / "peta.html")


@pytest.fixture(scope="module")
def kecamatan_file(kecamatan, tmp_path_factory) -> Path:
    kec = kecamatan.assign(x=np.arange(len(kecamatan)) * 10.0)
    m = interactive.choropleth_map(
        kec, [Indicator("x", "Indikator X")], level="kecamatan", outlines=kecamatan
    )
    return export.save_html(m, tmp_path_factory.mktemp("html") / "peta-kecamatan.html")


#: Resolves once the map has stopped zooming and panning (its first fit may still be running
#: on a busy machine, and a point computed then would end up over another area).
SETTLED = """() => new Promise((done) => {
    const map = Object.values(window).find((v) => v && v.pk);
    const idle = () => !map._animatingZoom && !(map._panAnim && map._panAnim._inProgress);
    const wait = () => (idle() ? setTimeout(done, 150) : setTimeout(wait, 50));
    wait();
})"""


def _watched(
    browser,
    path: Path,
    *,
    width: int = 1280,
    height: int = 860,
    touch: bool = False,
    drawn: str = "path.pk-area",
):
    """A page showing `path` once `drawn` is there, and the list its errors are written to
    (console errors, page errors, failed requests: a page must have none)."""
    page = browser.new_page(
        viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch
    )
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    page.goto(path.as_uri())
    page.wait_for_selector(drawn)
    return page, problems


def _open(browser, path: Path):
    return _watched(browser, path)


def _inside(page, path: Path, name: str) -> tuple[float, float]:
    """Page coordinates of kecamatan `name`'s label point: inside that kecamatan (polylabel)."""
    _, _, extra = interactive.embedded_data(path.read_text(encoding="utf-8"))
    lat, lon = next((lab[1], lab[2]) for lab in extra["labels"] if lab[0] == name)
    return page.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find((v) => v && v.pk);
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [p.x + box.left, p.y + box.top];
        }""",
        [lat, lon],
    )


def _screenshot(page, name: str) -> Path:
    out = ROOT / "outputs" / name
    out.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(out))
    assert out.stat().st_size > 20_000
    return out


def test_map_renders_without_errors(browser, map_file, desa_values) -> None:
    page, problems = _open(browser, map_file)
    assert problems == []
    assert page.locator("path.pk-area").count() == 252  # every desa drawn
    assert page.locator("path.pk-nodata").count() == 5
    legend = page.locator(".pk-legend:not(.pk-point-legend)")
    assert legend.count() == 1 and legend.is_visible()
    assert "Indikator A" in legend.inner_text() and "Tidak ada data" in legend.inner_text()
    assert page.locator(".pk-label").count() == 15  # kecamatan names
    assert page.locator("path.pk-point").count() == 7
    # known desa in their class colours (features are drawn in the order of the rows)
    cls = Indicator("a").classify(desa_values["a"])
    colors = cls.color_of()
    for pos in (5, 100, 251):
        fill = page.locator("path.pk-area").nth(pos).get_attribute("fill")
        assert fill == colors.iloc[pos], desa_values["name"].iloc[pos]
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    # Leaflet's zoom buttons speak the map's language too.
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Perbesar"
    assert page.locator(".leaflet-control-zoom-out").get_attribute("aria-label") == "Perkecil"
    assert page.locator(".pk-badge").inner_text() == "CONTOH SINTETIS"
    base = page.locator(".leaflet-control-layers .pk-basemaps")  # in the one layer list
    assert base.get_by_label("Tanpa peta dasar").is_checked()  # offline-safe default
    _screenshot(page, "browser-peta-desa.png")


def test_layers_switch_legends_and_tooltips(browser, map_file, desa_values) -> None:
    page, problems = _open(browser, map_file)
    page.get_by_label("area_km2").check()
    legends = page.locator(".pk-legend:not(.pk-point-legend)")
    assert legends.count() == 1 and "area_km2" in legends.inner_text()
    assert page.locator("path.pk-area").count() == 252  # one indicator layer at a time
    # the same paths, restyled: the new layer's colours, and its (no) missing data
    assert page.locator("path.pk-nodata").count() == 0
    colors = Indicator("area_km2").classify(desa_values["area_km2"]).color_of()
    for pos in (5, 100, 251):
        assert page.locator("path.pk-area").nth(pos).get_attribute("fill") == colors.iloc[pos]
    page.mouse.move(*_inside(page, map_file, "Garoga"))
    tooltip = page.locator(".leaflet-tooltip.pk-tooltip")
    tooltip.wait_for()
    assert "Kecamatan: Garoga" in tooltip.inner_text() and "dari 252" in tooltip.inner_text()
    highlighted = page.locator('path.pk-area[stroke-width="3"]')
    assert highlighted.count() == 1  # the desa under the mouse, outlined
    assert highlighted.get_attribute("stroke") == "#111111"
    page.mouse.move(5, 430)
    assert page.locator('path.pk-area[stroke-width="3"]').count() == 0
    # the bivariate layer: square legend above the sites legend
    page.get_by_label("Kebutuhan × Kapasitas").check()
    legend = page.locator(".pk-legend:not(.pk-point-legend)")
    assert legend.locator("td.pk-cell").count() == 9
    boxes = page.locator(".pk-legends > .pk-legend")
    assert "pk-point-legend" in (boxes.nth(1).get_attribute("class") or "")
    page.get_by_label("Lokasi").uncheck()
    assert page.locator(".pk-point-legend").count() == 0
    page.get_by_label("Lokasi").check()
    assert page.locator(".pk-legends > .pk-legend").nth(1).inner_text().startswith("Lokasi")
    _screenshot(page, "browser-peta-desa-bivariat.png")
    assert problems == []


def test_popup_table_and_placement(browser, map_file, desa_values) -> None:
    page, problems = _open(browser, map_file)
    page.get_by_label("b", exact=True).check()
    page.mouse.click(*_inside(page, map_file, "Garoga"))
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Indikator A" in text and "Peringkat 1 = nilai tertinggi" in text
    assert popup.locator("tr.pk-active th").inner_text() == "b"  # the layer shown, in bold
    assert "Kebutuhan × Kapasitas:" in text
    # No tooltip over the popup (polled: Leaflet hides it on the next frame).
    expect(page.locator(".leaflet-tooltip.pk-tooltip:visible")).to_have_count(0)
    # The popup pans into view with an animation: poll until it rests clear of the layer list.
    page.wait_for_function(
        """() => {
            const a = document.querySelector('.leaflet-popup').getBoundingClientRect();
            const b = document.querySelector('.leaflet-control-layers-expanded')
                .getBoundingClientRect();
            return !(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
        }""",
        timeout=5000,
    )  # raises TimeoutError: "popup hidden under the layer list"
    _screenshot(page, "browser-peta-desa-popup.png")
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-popup").wait_for(state="detached")  # after Leaflet's fade-out
    page.locator("path.pk-point").first.click()
    popup.wait_for()
    first_site = desa_values["name"].iloc[0]  # sites are every 40th desa, TKSK first
    assert popup.inner_text().splitlines()[:2] == [first_site, "Kategori\tTKSK"]
    assert problems == []


def test_kecamatan_map_tooltips(browser, kecamatan_file) -> None:
    page, problems = _open(browser, kecamatan_file)
    assert page.locator("path.pk-area").count() == 15
    page.mouse.move(*_inside(page, kecamatan_file, "Garoga"))
    tooltip = page.locator(".leaflet-tooltip.pk-tooltip")
    tooltip.wait_for()
    lines = tooltip.inner_text().splitlines()
    assert lines[0] == "Kecamatan Garoga" and "Kecamatan:" not in tooltip.inner_text()
    assert lines[-1].endswith("dari 15")
    assert page.locator(".pk-search input").get_attribute("placeholder") == "Cari kecamatan…"
    assert problems == []


def test_search_finds_a_desa(browser, map_file, desa) -> None:
    page, _ = _open(browser, map_file)
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


def test_payloads_in_names_and_titles_do_not_run(browser, desa, kecamatan, tmp_path_factory):
    """`<!--<script>`, `</script>...` and attribute breakers in names and titles stay text."""
    from test_encoding import PAYLOAD, PAYLOADS, payload_map

    from mapping.cartography import label_points

    path = payload_map(desa, kecamatan, tmp_path_factory)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_selector("path.pk-area")
    assert page.locator("path.pk-area").count() == 252  # the map is drawn, not blank
    assert page.locator(".pk-title-text").text_content() == f"Judul {PAYLOAD}"
    assert PAYLOADS[1] in page.locator(".pk-caption").inner_text()
    assert PAYLOADS[0] in page.locator(".pk-legend").first.inner_text()
    # the desa with the payload name: tooltip and popup show it as text
    point = label_points(desa.iloc[[100]]).iloc[0]
    page.evaluate(SETTLED)
    xy = page.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find((v) => v && v.pk);
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [p.x + box.left, p.y + box.top];
        }""",
        [point.y, point.x],
    )
    page.mouse.move(*xy)
    # the site's tooltip at that point (an area's may show too on a busy machine, as the mouse
    # crossed it): the payloads in it are text
    tooltip = page.locator(".leaflet-tooltip.pk-tooltip").filter(has_text=PAYLOADS[1])
    tooltip.wait_for()
    assert PAYLOADS[1] in tooltip.inner_text() and PAYLOADS[2] in tooltip.inner_text()
    page.mouse.click(*xy)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert PAYLOADS[0] in popup.inner_text()
    # a site with the payload name
    page.keyboard.press("Escape")
    page.locator("path.pk-point").first.click(force=True)
    expect(page.locator(".leaflet-popup-content").last).to_contain_text("Lokasi <!--<script>")
    page.locator(".pk-legend").first.hover()
    assert dialogs == []
    assert page.evaluate("window.pkPwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert problems == []


# --- phone and desktop layout (issue 8, item 4) ---------------------------------------------

VIEWPORTS = {"phone": (390, 844), "desktop": (1400, 1000)}
#: A 1x1 transparent PNG served for tile requests: the tests never reach the network.
_PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a59f0000000049454e44ae426082"
)

#: Bounding boxes of the elements matching a selector that are shown (not display:none).
_BOXES_JS = """(sel) => [...document.querySelectorAll(sel)]
    .map((e) => e.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0)
    .map((r) => [r.left, r.top, r.right, r.bottom])"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def layout_file(desa_values, kecamatan, tmp_path_factory) -> Path:
    """A synthetic map with a protected person count (odha: "< 5" cells) and formula-like names."""
    gdf = desa_values.copy()
    gdf["odha"] = np.tile([0.0, 2.0, 7.0, 12.0, 30.0, 3.0], 42)
    gdf.loc[gdf.index[10], "name"] = "=1+2"
    gdf.loc[gdf.index[11], "name"] = "@SUM(A1)"
    m = interactive.choropleth_map(
        gdf, [Indicator("a", "Indikator A"), Indicator("odha", "ODHA")], outlines=kecamatan,
        title="Uji <peta> & HP", source="Uji", date="2025-01-31", synthetic=True,
    )  # fmt: skip
    return export.save_html(m, tmp_path_factory.mktemp("html") / "peta-hp.html")


def _open_at(browser, path: Path, size: str):
    w, h = VIEWPORTS[size]
    # a phone: taps, not mouse hovers
    page, problems = _watched(browser, path, width=w, height=h, touch=size == "phone")
    page.evaluate(SETTLED)  # the first fitBounds may still be zooming: wait until the map rests
    page.wait_for_function("document.querySelector('.leaflet-zoom-anim') === null")
    return page, problems


def _covered(page) -> list[str]:
    """Controls whose box overlaps the title box or the synthetic badge (must be none)."""
    title = page.evaluate(_BOXES_JS, ".pk-title")
    badge = page.evaluate(_BOXES_JS, ".pk-title .pk-badge")
    assert len(title) == 1 and len(badge) == 1
    names = page.evaluate(
        """() => [...document.querySelectorAll('.leaflet-control:not(.pk-title)')]
            .filter((e) => e.getBoundingClientRect().width > 0).map((e) => e.className)"""
    )
    boxes = page.evaluate(_BOXES_JS, ".leaflet-control:not(.pk-title)")
    return [n for n, b in zip(names, boxes, strict=True) if _overlap(b, title[0])]


def _labels_overlapping(page) -> tuple[int, list[tuple[int, int]]]:
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.pk-label')]
            .filter((e) => getComputedStyle(e).visibility !== 'hidden')
            .map((e) => { const r = e.firstChild.getBoundingClientRect();
                          return [r.left, r.top, r.right, r.bottom]; })"""
    )
    pairs = [(i, j) for i in range(len(boxes)) for j in range(i) if _overlap(boxes[i], boxes[j])]
    return len(boxes), pairs


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_layout_on_phone_and_desktop(browser, layout_file, size) -> None:
    page, problems = _open_at(browser, layout_file, size)
    phone = size == "phone"
    assert page.title() == "CONTOH SINTETIS · Uji <peta> & HP"  # escaped in the HTML
    assert "<title>CONTOH SINTETIS · Uji &lt;peta&gt; &amp; HP</title>" in layout_file.read_text(
        encoding="utf-8"
    )
    badge = page.locator(".pk-title .pk-badge")
    assert badge.is_visible() and badge.inner_text() == "CONTOH SINTETIS"
    w, h = VIEWPORTS[size]
    box = badge.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= w and box["y"] >= 0
    assert _covered(page) == []
    # the layer list: folded into a button on the phone (opens on a tap), open on a desktop
    layers = page.locator(".leaflet-control-layers").first
    expanded = "leaflet-control-layers-expanded"
    assert (expanded in (layers.get_attribute("class") or "")) is not phone
    if phone:
        assert not page.get_by_label("ODHA").is_visible()
        layers.locator(".leaflet-control-layers-toggle").tap()
        assert expanded in (layers.get_attribute("class") or "")
        page.get_by_label("ODHA").check()
        page.touchscreen.tap(w // 2, h - 120)  # a tap on the map folds it again
        assert expanded not in (layers.get_attribute("class") or "")
        assert _covered(page) == []
    else:
        page.get_by_label("ODHA").check()
    # the legend folds into a button: folded on the phone, open on a desktop
    legend = page.locator(".pk-legend").first
    toggle = page.locator(".pk-legend-toggle")
    assert legend.is_visible() is not phone
    toggle.click()
    assert legend.is_visible() is phone
    assert "ODHA" in page.locator(".pk-legends").inner_text() or not phone
    toggle.click()
    assert legend.is_visible() is not phone
    assert _covered(page) == []
    assert problems == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_kecamatan_names_never_overlap(browser, layout_file, size) -> None:
    page, problems = _open_at(browser, layout_file, size)
    start = page.evaluate("Object.values(window).find((v) => v && v.pk).getZoom()")
    assert _labels_overlapping(page)[1] == []  # as the page opens
    shown = {}
    for zoom in (start - 1, start, start + 0.5, start + 1, start + 2, start + 3):
        page.evaluate(
            "(z) => { Object.values(window).find((v) => v && v.pk).setZoom(z, {animate: false}); }",
            zoom,
        )
        n, pairs = _labels_overlapping(page)
        assert pairs == [], f"zoom {zoom}: labels {pairs} overlap"
        shown[zoom] = n
    assert shown[start] >= 8  # the larger kecamatan keep their names
    assert shown[start + 2] >= shown[start - 1]  # zooming in shows more, not fewer
    assert problems == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_popup_from_search_is_in_the_clear(browser, layout_file, desa, size) -> None:
    page, problems = _open_at(browser, layout_file, size)
    for name in (desa.iloc[40]["name"], desa.iloc[200]["name"], desa.iloc[3]["name"]):
        box = page.locator(".pk-search input")
        box.fill(name)
        box.press("Enter")
        popup = page.locator(".leaflet-popup")
        popup.wait_for()
        assert name in popup.inner_text()
        r = page.evaluate(_BOXES_JS, ".leaflet-popup")[0]
        w, h = VIEWPORTS[size]
        assert r[0] >= 0 and r[1] >= 0 and r[2] <= w and r[3] <= h, f"{name}: popup {r} off screen"
        controls = page.evaluate(_BOXES_JS, ".leaflet-control")
        assert not [c for c in controls if _overlap(c, r)], f"{name}: popup under a control"
        if name == desa.iloc[40]["name"]:  # after Leaflet's fade-in
            page.wait_for_function(
                "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
            )
            _screenshot(page, f"browser-peta-{size}-popup.png")
        page.locator(".leaflet-popup-close-button").click()
        page.locator(".leaflet-popup").wait_for(state="detached")
    assert problems == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_table_view_and_csv(browser, layout_file, size) -> None:
    from urllib.parse import unquote

    page, problems = _open_at(browser, layout_file, size)
    _screenshot(page, f"browser-peta-{size}.png")
    if size == "phone":
        page.locator(".leaflet-control-layers-toggle").first.tap()
    page.get_by_label("ODHA").check()
    page.locator(".pk-table-button").click()
    panel = page.locator(".pk-table-panel")
    assert panel.is_visible() and "ODHA" in panel.locator(".pk-table-head").inner_text()
    assert "CONTOH SINTETIS" in panel.locator(".pk-table-head").inner_text()
    rows = panel.locator("table.pk-table tbody tr")
    assert rows.count() == 252
    header = panel.locator("table.pk-table thead th").all_inner_texts()
    assert header == ["Desa/kelurahan", "Kecamatan", "Nilai", "Peringkat"]
    first = rows.first.locator("td").all_inner_texts()
    assert first[2:] == ["30", "1"]  # sorted: rank 1 (the highest value) first
    last = rows.last.locator("td").all_inner_texts()
    assert last[2] == "< 5" and last[3] == ""  # suppressed cells: shown as "< 5", no rank
    assert "2" not in [r[2] for r in (rows.nth(i).locator("td").all_inner_texts()
                                      for i in range(200, 252))]  # fmt: skip
    _screenshot(page, f"browser-peta-{size}-tabel.png")
    link = panel.locator("a.pk-csv")
    assert link.get_attribute("download") == "uji-peta-hp-odha.csv"
    href = link.get_attribute("href") or ""
    assert href.startswith("data:text/csv;charset=utf-8,")
    lines = unquote(href.split(",", 1)[1]).lstrip("\ufeff").splitlines()
    assert lines[0] == '"Desa/kelurahan","Kecamatan","Nilai","Peringkat"'
    assert len(lines) == 253
    assert sum('"< 5"' in line for line in lines) == 42 * 2  # the 2s and 3s, never a number
    assert any(line.startswith('"\'=1+2"') for line in lines)  # no formula in a spreadsheet
    assert any(line.startswith('"\'@SUM(A1)"') for line in lines)
    page.locator(".pk-table-close").click()
    assert not panel.is_visible()
    assert problems == []


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_one_layer_button_with_the_base_maps_in_it(browser, layout_file, size) -> None:
    """Indicators, outlines and base maps are one control: a phone shows one layer button."""
    page, problems = _open_at(browser, layout_file, size)
    page.route("**/*.png", lambda route: route.fulfill(status=200, body=_PNG_1PX))
    assert page.locator(".leaflet-control-layers").count() == 1
    corner = page.evaluate(_BOXES_JS, ".leaflet-top.leaflet-right .leaflet-control")
    assert len(corner) == 1  # nothing else top right: no second, identical button
    if size == "phone":
        page.locator(".leaflet-control-layers-toggle").tap()
    base = page.locator(".pk-basemaps")
    assert base.is_visible() and base.inner_text().startswith("Peta dasar")
    radios = base.locator("input[type=radio]")
    assert radios.count() == 3 and base.get_by_label("Tanpa peta dasar").is_checked()
    assert page.locator("img.leaflet-tile").count() == 0  # offline: no tiles asked for
    base.get_by_label("OpenTopoMap").check()
    page.wait_for_selector("img.leaflet-tile")
    _screenshot(page, f"browser-peta-{size}-peta-dasar.png")
    assert _labels_overlapping(page)[1] == []
    assert page.get_by_label("ODHA").is_visible()  # the indicator choice still in the list
    base.get_by_label("Tanpa peta dasar").check()
    expect(page.locator("img.leaflet-tile")).to_have_count(0)
    assert problems == []


def test_thousands_of_areas_on_one_canvas_stay_usable(browser, tmp_path, monkeypatch) -> None:
    """Above CANVAS_FROM areas the map draws on a canvas: hover, switch and search still work."""
    areas = voronoi_areas(2_000).assign(y=lambda d: d["x"] % 7)
    monkeypatch.setattr(interactive, "CANVAS_FROM", 1_000)
    m = interactive.choropleth_map(areas, [Indicator("x", "Nilai X"), Indicator("y", "Nilai Y")])
    page, problems = _open_canvas(browser, export.save_html(m, tmp_path / "besar.html"))
    assert page.locator("path.pk-area").count() == 0  # no SVG path per area
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1
    drawn = "() => Object.values(window).find((v) => v && v.pk).pk.areas.getLayers().length"
    assert page.evaluate(drawn) == 2_000
    box = page.locator(".leaflet-overlay-pane canvas").bounding_box()
    assert box is not None
    tooltip = _hover(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "Nilai X" in tooltip.inner_text() and "dari 2.000" in tooltip.inner_text()
    fills = """() => { const a = Object.values(window).find((v) => v && v.pk).pk.areas;
                       return a.getLayers().slice(0, 50).map((p) => p.options.fillColor); }"""
    before = page.evaluate(fills)
    page.get_by_label("Nilai Y").check()
    assert page.evaluate(drawn) == 2_000  # the same areas, not drawn again
    after = page.evaluate(fills)
    y = Indicator("y").classify(areas["y"]).color_of().iloc[:50].tolist()
    assert after == y and after != before  # restyled in the second indicator's classes
    page.locator(".pk-search input").fill("Sel 1234")
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for()
    assert page.locator(".leaflet-popup-content").inner_text().startswith("Sel 1234")
    assert problems == []


def _hover(page, x: float, y: float, *, tries: int = 4):
    """Move the mouse onto (x, y) of a settled map until a tooltip shows; the tooltips."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate(SETTLED)
    tooltip = page.locator(".leaflet-tooltip.pk-tooltip")
    for i in range(tries):  # a mouse event lost on a busy machine: move a pixel and retry
        page.mouse.move(x + i, y + i, steps=3)
        try:
            tooltip.first.wait_for(timeout=5_000)
            return tooltip
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"no tooltip after {tries} moves onto ({x:.0f}, {y:.0f})")


def _open_canvas(browser, path: Path):
    return _watched(browser, path, drawn=".leaflet-overlay-pane canvas")
