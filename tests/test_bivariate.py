"""Tests of the 3x3 bivariate classification and its static and interactive maps."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from mapping import interactive, static
from mapping.bivariate import GRID, HIGH_NEED_LOW_CAPACITY, areas_in_cell, classify_bivariate
from mapping.classify import NO_DATA_COLOR
from mapping.errors import InputError

# need 1..9 and capacity 9..1 in three clear groups: each desa's cell is worked out by hand.
NEED = pd.Series([1.0, 2, 3, 4, 5, 6, 7, 8, 9, None])
CAPACITY = pd.Series([9.0, 8, 7, 1, 5, 9, 2, 1, 3, 4])


def test_cells_worked_by_hand() -> None:
    b = classify_bivariate(NEED, CAPACITY, scheme="equal_interval")
    # x classes (need): 1-3 -> 0, 4-6 -> 1, 7-9 -> 2; y (capacity): 1-3 -> 0, 4-6 -> 1, 7-9 -> 2
    assert b.classes.tolist() == [6, 6, 6, 1, 4, 7, 2, 2, 2, pd.NA]
    counts = b.counts()
    assert counts[0, 2] == 3 and counts[2, 0] == 3 and counts.sum() == 9
    assert b.n_missing == 1


def test_colours_and_names() -> None:
    b = classify_bivariate(NEED, CAPACITY, scheme="equal_interval")
    colors = b.color_of()
    assert colors[6] == GRID[0][2] == "#be64ac"  # high need, low capacity: magenta
    assert colors[0] == GRID[2][0]
    assert colors[9] == NO_DATA_COLOR
    assert b.name_of()[6] == "Kebutuhan tinggi, Kapasitas rendah"
    assert b.name_of()[9] == "Tidak ada data"
    en = classify_bivariate(NEED, CAPACITY, scheme="equal_interval", language="en")
    assert en.name_of()[6] == "High need, low capacity"
    assert en.cell_name(0) == "Low need, low capacity"


def test_errors() -> None:
    with pytest.raises(InputError, match="same index"):
        classify_bivariate(NEED, CAPACITY.iloc[:5])
    with pytest.raises(InputError, match="needs 3 classes of each variable"):
        classify_bivariate(pd.Series([1.0, 1, 2]), pd.Series([1.0, 2, 3]))


def test_areas_in_the_high_need_low_capacity_cell_by_hand() -> None:
    areas = pd.DataFrame(
        {
            "code": [f"d{i}" for i in range(10)],
            "name": ["J", "I", "H", "G", "F", "E", "C", "B", "A", "K"],
            "kecamatan": ["K2"] * 7 + ["K1"] * 3,
        }
    )
    b = classify_bivariate(NEED, CAPACITY, scheme="equal_interval")
    # cell 2 (need 7-9, capacity 1-3) holds rows 6, 7, 8: names C, B, A; kecamatan K2, K1, K1
    got = areas_in_cell(areas, b)
    assert got["code"].tolist() == ["d8", "d7", "d6"]  # K1: A, B; then K2: C
    assert got["Kebutuhan"].tolist() == [9.0, 8.0, 7.0]
    assert got["Kapasitas"].tolist() == [3.0, 1.0, 2.0]
    assert len(got) == b.counts()[0, HIGH_NEED_LOW_CAPACITY % 3]
    # the opposite corner: low need, high capacity (cell 6) holds rows 0, 1, 2
    assert sorted(areas_in_cell(areas, b, 6)["code"]) == ["d0", "d1", "d2"]
    assert areas_in_cell(areas, b, 8).empty  # high need, high capacity: none
    en = classify_bivariate(NEED, CAPACITY, scheme="equal_interval", language="en")
    assert list(areas_in_cell(areas, en, columns=["code"]).columns) == ["code", "Need", "Capacity"]


def test_areas_in_cell_errors() -> None:
    areas = pd.DataFrame({"code": range(10), "name": list("abcdefghij")})
    b = classify_bivariate(NEED, CAPACITY, scheme="equal_interval")
    with pytest.raises(InputError, match="cell=9 is not a cell of the 3x3 grid; expected 0-8"):
        areas_in_cell(areas, b, 9)
    with pytest.raises(InputError, match=r"Column\(s\) \['kecamatan'\] not found in areas"):
        areas_in_cell(areas, b)
    with pytest.raises(InputError, match="must have the index of the classified columns"):
        areas_in_cell(areas.iloc[:5], b, columns=["code"])


def test_areas_in_cell_on_the_real_sample(desa_biv) -> None:
    gdf, biv = desa_biv
    got = areas_in_cell(gdf, biv)
    assert len(got) == biv.counts()[0, 2] > 0
    assert set(got.index) == set(gdf.index[biv.classes == HIGH_NEED_LOW_CAPACITY])
    assert got["Kebutuhan"].min() >= biv.x.bins[1] - 1e-9  # top need class
    assert got["Kapasitas"].max() <= biv.y.bins[0] + 1e-9  # bottom capacity class
    assert got["code"].str.match(r"^12\.02\.\d{2}\.\d{4}$").all()


@pytest.fixture(scope="module")
def desa_biv(desa):
    gdf = desa.copy()
    rng = np.random.default_rng(3)
    gdf["need"] = rng.uniform(0, 300, len(gdf))
    gdf["capacity"] = rng.uniform(0, 30, len(gdf))
    gdf.loc[gdf.index[:2], "capacity"] = np.nan
    biv = classify_bivariate(
        gdf["need"], gdf["capacity"], x_description="PMKS per 1.000 keluarga",
        y_description="PSKS per 1.000 keluarga",
    )  # fmt: skip
    return gdf, biv


def test_static_square_legend(desa_biv, kecamatan) -> None:
    gdf, b = desa_biv
    fig = static.plot_bivariate(gdf, b, outlines=kecamatan, date="2025-01-31")
    legend_ax = fig.axes[1]
    assert len(legend_ax.patches) == 9
    cells = sorted(int(t.get_text()) for t in legend_ax.texts)
    assert cells == sorted(b.counts().ravel().tolist())
    # the counts are drawn over the cells, in white on the dark ones
    assert min(t.get_zorder() for t in legend_ax.texts) > max(
        p.get_zorder() for p in legend_ax.patches
    )
    low_low, high_high = legend_ax.texts[0], legend_ax.texts[8]  # drawn row by row from (0, 0)
    assert high_high.get_color() == "white" and low_low.get_color() != "white"
    assert [t.get_text() for t in legend_ax.get_xticklabels()] == list(b.x.labels)
    shown = " ".join(t.get_text() for t in fig.texts)
    assert f"Kebutuhan tinggi, Kapasitas rendah: {b.counts()[0, 2]} wilayah" in shown
    assert "Kebutuhan: PMKS per 1.000 keluarga" in shown
    assert "Kapasitas: PSKS per 1.000 keluarga" in shown


def test_interactive_layer_and_legend(desa_biv) -> None:
    gdf, b = desa_biv
    m = interactive.choropleth_map(gdf, ["need"], bivariate=b)
    data, config, _ = interactive.embedded_data(interactive.render_html(m))
    layer = config["layers"][1]
    assert layer["title"] == "Kebutuhan × Kapasitas"
    assert layer["colors"] == list(b.colors)
    assert layer["legend"].count('class="pk-cell') == 9
    assert b.n_missing == 2 and "Tidak ada data (2)" in layer["legend"]
    assert "Kebutuhan: PMKS per 1.000 keluarga" in layer["legend"]
    assert layer["kind"] == "bivariate" and config["layers"][0]["kind"] == "indicator"
    props = [f["properties"] for f in data["features"]]
    assert [p["c"][1] for p in props] == [None if pd.isna(c) else int(c) for c in b.classes]
    assert props[0]["v"][1] == "Tidak ada data"
    # the high-need, low-capacity desa are named in a list that folds open
    cell = gdf[(b.classes == HIGH_NEED_LOW_CAPACITY).fillna(False).astype(bool)]
    assert b.counts()[0, 2] == len(cell) > 0
    listed = re.findall(r"<li>([^<]+)</li>", layer["legend"])
    expected = [f"{n} ({k})" for n, k in zip(cell["name"], cell["kecamatan"], strict=True)]
    assert listed == sorted(expected)


def test_synthetic_data_labelled_without_being_asked(desa_biv) -> None:
    gdf, b = desa_biv
    gdf = gdf.copy()
    gdf.attrs["synthetic"] = True
    fig = static.plot_bivariate(gdf, b, date="2025-01-31")
    shown = " ".join(t.get_text() for t in fig.texts)
    assert "CONTOH SINTETIS" in shown and "Data: contoh sintetis" in shown
    with pytest.raises(InputError, match="must be labelled"):
        static.plot_bivariate(gdf, b, synthetic=False)


def test_map_language_must_be_the_classification_language(desa_biv) -> None:
    gdf, b = desa_biv
    with pytest.raises(
        InputError,
        match=r"bivariate classification is in language='id'.*"
        r"classify_bivariate\(\.\.\., language='en'\)",
    ):
        static.plot_bivariate(gdf, b, language="en")
    with pytest.raises(InputError, match="language='en'"):
        interactive.choropleth_map(gdf, ["need"], bivariate=b, language="en")
    en = classify_bivariate(gdf["need"], gdf["capacity"], language="en")
    fig = static.plot_bivariate(gdf, en, language="en", date="2025-01-31")
    shown = " ".join(t.get_text() for t in fig.texts)
    assert "High need, low capacity" in shown and "Made 31 January 2025." in shown
    assert "Tidak" not in shown and "Dibuat" not in shown
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["No data  (2)"]
