"""Text from input files in map pages: escaped in HTML and in the JSON inside <script>."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mapping import export, interactive
from mapping.classify import Indicator

#: Texts that break out of a <script> element, an HTML comment, an attribute or a JS string.
PAYLOADS = (
    "<!--<script>",
    "</script><script>alert(1)</script>",
    '"onmouseover=alert(2) x="',
    '<img src=x onerror="window.pkPwned=1">',
    "a\u2028b\u2029c & d",
)
PAYLOAD = " ".join(PAYLOADS)


def payload_map(desa, kecamatan, tmp_path_factory):
    """A desa map whose desa name, site names, title, source and legend title are payloads."""
    gdf = desa.copy()
    gdf["a"] = np.arange(len(gdf), dtype=float)
    gdf.loc[gdf.index[100], "name"] = f"Desa {PAYLOAD}"
    sites = gdf.iloc[::50].copy()
    sites["geometry"] = sites.representative_point()
    sites["nama"] = f"Lokasi {PAYLOAD}"
    sites["jenis"] = PAYLOADS[1]
    m = interactive.choropleth_map(
        gdf, [Indicator("a", f"Indikator {PAYLOADS[0]}")], outlines=kecamatan, points=sites,
        point_category="jenis", point_name="nama", point_fields=["nama"],
        title=f"Judul {PAYLOAD}", subtitle=PAYLOADS[2], source=f"Sumber {PAYLOAD}",
        date="2025-01-31",
    )  # fmt: skip
    return export.save_html(m, tmp_path_factory.mktemp("xss") / "peta.html")


@pytest.fixture(scope="module")
def payload_file(desa, kecamatan, tmp_path_factory):
    return payload_map(desa, kecamatan, tmp_path_factory)


def test_json_in_script_escapes_markup_and_line_separators() -> None:
    s = interactive._dumps({"n": PAYLOAD})
    assert not any(c in s for c in "<>&\u2028\u2029")
    assert "\\u003c!--\\u003cscript\\u003e" in s and "\\u2028" in s and "\\u0026" in s
    assert json.loads(s) == {"n": PAYLOAD}  # the same text once parsed


def test_payloads_reach_the_page_only_escaped(payload_file) -> None:
    page = payload_file.read_text(encoding="utf-8")
    for p in PAYLOADS[:4]:
        assert p not in page, p
    assert "\u2028" not in page and "\u2029" not in page
    assert page.count("<script") == page.count("</script>")  # nothing opens or closes early
    data, config, extra = interactive.embedded_data(page)
    assert data["features"][100]["properties"]["n"] == f"Desa {PAYLOAD}"
    assert config["title"] == f"Judul {PAYLOAD}" and config["subtitle"] == PAYLOADS[2]
    assert f"Sumber {PAYLOAD}" in config["caption"]
    assert "Indikator &lt;!--&lt;script&gt;" in config["layers"][0]["legend"]
    assert {f["properties"]["name"] for f in extra["points"]["data"]["features"]} == {
        f"Lokasi {PAYLOAD}"
    }


def test_gallery_escapes_titles(tmp_path) -> None:
    png = tmp_path / "a.png"
    from PIL import Image

    Image.new("RGB", (20, 20), "white").save(png)
    item = export.GalleryItem(f"Peta {PAYLOAD}", (png,), png, PAYLOADS[2], group=PAYLOADS[0])
    page = export.write_gallery([item], tmp_path / "index.html", title=PAYLOADS[1]).read_text()
    for p in PAYLOADS[:4]:
        assert p not in page, p
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
