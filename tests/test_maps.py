"""Tests of the default map set (desa + kecamatan, HTML + PNG) and the outputs gallery."""

from __future__ import annotations

import html
import os
import re
import stat

import numpy as np
import pytest
from matplotlib.colors import to_hex

from mapping import export, files, interactive, static
from mapping.classify import Indicator
from mapping.errors import InputError
from mapping.maps import build_default_maps

COLUMNS = ["a", "b", "c", "d", "e"]


@pytest.fixture(scope="module")
def layers(desa, kecamatan):
    gdf = desa.copy()
    rng = np.random.default_rng(5)
    for col in COLUMNS:
        gdf[col] = rng.integers(0, 400, len(gdf)).astype(float)
    kec = kecamatan.merge(gdf.groupby("kecamatan")[COLUMNS].sum(), left_on="name", right_index=True)
    return gdf, kec


def test_build_default_maps(layers, tmp_path) -> None:
    desa, kec = layers
    kec = kec.copy()
    kec.attrs["synthetic"] = True  # as join_table marks the synthetic sample
    paths = build_default_maps(
        desa, kec, COLUMNS, tmp_path, bivariate=("a", "b"), date="2025-01-31", dpi=30
    )
    names = [p.name for p in paths]
    assert names[-1] == "index.html"
    assert {"peta-desa.html", "peta-kecamatan.html", "desa-bivariat.png"} <= set(names)
    assert sum(n.endswith(".png") for n in names) == 11  # 5 desa + bivariate + 5 kecamatan
    assert all(p.is_file() for p in paths)
    _, config, _ = interactive.embedded_data((tmp_path / "peta-desa.html").read_text())
    assert len(config["layers"]) == 6  # five indicators and the bivariate layer
    assert config["synthetic"] is True  # one synthetic layer labels the whole set
    data, config, _ = interactive.embedded_data((tmp_path / "peta-kecamatan.html").read_text())
    assert len(data["features"]) == 15 and config["synthetic"] is True
    # files anyone may read (a web server, a colleague), not a temp file's owner-only 0600
    mode = files.new_file_mode()
    assert {stat.S_IMODE(p.stat().st_mode) for p in paths} == {mode}
    index = (tmp_path / "index.html").read_text()
    # every map listed, each with a thumbnail that exists
    for name in names[:-1]:
        assert f'href="{name}"' in index
    thumbs = re.findall(r'<img src="([^"]+)"', index)
    assert len(thumbs) == len(names) - 1
    assert all((tmp_path / t).is_file() for t in thumbs)
    # one section per level, each opening with its interactive map
    groups = re.findall(r"<h2>([^<]+)</h2>", index)
    assert groups == ["Peta kesejahteraan sosial — Desa/kelurahan",
                      "Peta kesejahteraan sosial — Kecamatan"]  # fmt: skip
    assert index.count('<span class="badge">Peta interaktif</span>') == 2
    first_card = index.split("<h2>")[1]
    assert first_card.index("peta-desa.html") < first_card.index("desa-a.png")


def test_png_and_html_show_the_same_legend(layers) -> None:
    desa, _ = layers
    desa = desa.copy()
    desa.loc[desa.index[:3], "a"] = np.nan
    ind = Indicator("a", "Indikator A", "per 1.000 keluarga", scheme="fisher_jenks", k=4,
                    palette="PuBu")  # fmt: skip
    legend = static.plot_choropleth(desa, ind, date="2025-01-31").legends[0]
    png = [
        (to_hex(h.get_facecolor()), t.get_text())
        for h, t in zip(legend.legend_handles, legend.get_texts(), strict=True)
    ]
    m = interactive.choropleth_map(desa, [ind], date="2025-01-31")
    _, config, _ = interactive.embedded_data(interactive.render_html(m))
    rows = re.findall(
        r'background-color:(#\w+)"></span></td><td class="pk-range">([^<]+)</td>'
        r'<td class="pk-count">([^<]+)<',
        config["layers"][0]["legend"],
    )
    page = [(color, f"{html.unescape(label)}  ({count})") for color, label, count in rows]
    assert page == png
    assert png[-1] == ("#bdbdbd", "Tidak ada data  (3)") and len(png) == 5
    assert (
        legend.get_title().get_text().replace("\n", " ")
        == ind.title
        == (config["layers"][0]["title"])
    )


def test_synthetic_layers_cannot_be_mapped_as_real(layers, tmp_path) -> None:
    desa, kec = layers
    desa = desa.copy()
    desa.attrs.update(synthetic=True, source_file="pmks-contoh-sintetis.xlsx")
    with pytest.raises(
        InputError,
        match=r"desa_gdf \(from pmks-contoh-sintetis\.xlsx\).*"
        "must be labelled",
    ):
        build_default_maps(desa, kec, COLUMNS, tmp_path, synthetic=False)
    assert not any(tmp_path.iterdir())  # refused before anything was written


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_get_normal_permissions(tmp_path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        page = files.write_text("<p>peta</p>", tmp_path / "peta.html")
        files.write_text("<p>lagi</p>", page)  # replacing keeps it readable too
    finally:
        os.umask(old)
    assert stat.S_IMODE(page.stat().st_mode) == mode
    assert page.read_text() == "<p>lagi</p>"


def test_needs_five_indicators_and_aggregated_kecamatan(layers, kecamatan, tmp_path) -> None:
    desa, kec = layers
    with pytest.raises(InputError, match="at least 5 indicators; got 2"):
        build_default_maps(desa, kec, ["a", "b"], tmp_path)
    with pytest.raises(InputError, match="not found in kecamatan_gdf"):
        build_default_maps(desa, kecamatan, COLUMNS, tmp_path)


def test_gallery_refuses_missing_files(tmp_path) -> None:
    item = export.GalleryItem("x", (tmp_path / "nope.html",))
    with pytest.raises(InputError, match="do not exist"):
        export.write_gallery([item], tmp_path / "index.html")
