"""Tests of the default map set (desa + kecamatan, HTML + PNG) and the outputs gallery."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mapping import export, interactive
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
    data, _, _ = interactive.embedded_data((tmp_path / "peta-kecamatan.html").read_text())
    assert len(data["features"]) == 15
    index = (tmp_path / "index.html").read_text()
    # every map listed, each with a thumbnail that exists
    for name in names[:-1]:
        assert f'href="{name}"' in index
    thumbs = re.findall(r'<img src="([^"]+)"', index)
    assert len(thumbs) == len(names) - 1
    assert all((tmp_path / t).is_file() for t in thumbs)


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
