"""Tests of the cluster maps: LISA colours of known cells, legend counts, the method caption."""

from __future__ import annotations

import pytest
from test_clusters import COLD_CORE, HOT_CORE, N, planted_grid
from test_static import _all_text, _hex, _pixel

from mapping import interactive
from mapping.clustermaps import cluster_map, plot_clusters
from mapping.clusters import classify_clusters, local_moran
from mapping.errors import InputError


@pytest.fixture(scope="module")
def planted():
    gdf = planted_grid()
    gdf["name"] = [f"Desa {i}" for i in range(N * N)]
    gdf["kecamatan"] = "Uji"
    return gdf


@pytest.fixture(scope="module")
def result(planted):
    return local_moran(planted, "v", label="Kebutuhan")


def test_static_cluster_map(planted, result) -> None:
    fig = plot_clusters(planted, result, source="Uji", date="2025-01-31", figsize=(6, 6))
    legend = fig.legends[0]
    assert legend.get_title().get_text() == "Klaster Moran lokal: Kebutuhan"
    counts = result["cluster"].value_counts()
    rows = [t.get_text() for t in legend.get_texts()]
    assert rows == [
        f"Tinggi-Tinggi (titik panas)  ({counts['HH']})",
        f"Rendah-Rendah (titik dingin)  ({counts['LL']})",
        f"Tinggi-Rendah (pencilan)  ({counts.get('HL', 0)})",
        f"Rendah-Tinggi (pencilan)  ({counts.get('LH', 0)})",
        f"Tidak signifikan  ({counts['ns']})",
    ]
    caption = _all_text(fig)
    assert "ketetanggaan queen" in caption and "999 permutasi" in caption
    assert "FDR α = 0,05" in caption
    centres = planted.geometry.centroid
    for idx, colour in ((HOT_CORE[4], "#d7191c"), (COLD_CORE[4], "#2c7bb6")):
        got = _pixel(fig, fig.axes[0], centres[idx].x, centres[idx].y)
        assert _hex(got) == colour


def test_interactive_cluster_map_matches_the_static_one(planted, result) -> None:
    m = cluster_map(planted, result, source="Uji", date="2025-01-31")
    data, config, _ = interactive.embedded_data(interactive.render_html(m))
    cls = classify_clusters(result)
    layer = config["layers"][0]
    assert layer["title"] == "Klaster Moran lokal: Kebutuhan"
    assert layer["colors"] == list(cls.colors)
    hot = data["features"][HOT_CORE[4]]["properties"]
    assert hot["c"] == [0] and hot["v"] == ["Tinggi-Tinggi (titik panas)"]
    for label, count in zip(cls.labels, cls.counts, strict=True):
        assert f'>{label}</td><td class="pk-count">{count}<' in layer["legend"]
    assert "ketetanggaan queen" in config["caption"] and "999 permutasi" in config["caption"]


def test_english_cluster_map(planted, result) -> None:
    fig = plot_clusters(planted, result, language="en", date="2025-01-31")
    text = _all_text(fig)
    assert "High-High (hot spot)" in text and "queen contiguity" in text
    assert "Tinggi" not in text


def test_cluster_map_needs_the_rows_it_was_run_on(planted, result) -> None:
    with pytest.raises(InputError, match=r"result has other rows than gdf"):
        plot_clusters(planted.iloc[:50], result)
    with pytest.raises(InputError, match=r"result has other rows than gdf"):
        cluster_map(planted.iloc[:50], result)
