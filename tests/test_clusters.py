"""Tests of local Moran clusters: planted hot and cold spots, chance, seeds, islands, refusal."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapping import clusters
from mapping.clusters import (
    CLUSTER_COLORS,
    CLUSTER_LABELS,
    bivariate_local_moran,
    classify_clusters,
    local_moran,
    method_note,
    queen_weights,
)
from mapping.errors import InputError
from mapping.indicators import rate
from mapping.settings import CRS_METRIC

N = 10  # a 10 x 10 grid of 1 km squares
ROOT = Path(__file__).resolve().parents[1]


def grid(values: np.ndarray, **columns: np.ndarray) -> gpd.GeoDataFrame:
    """A N x N grid of squares (row-major, row 0 at the bottom) holding `values` as ``v``."""
    cells = [
        shapely.box(500_000 + c * 1000, 200_000 + r * 1000, 501_000 + c * 1000, 201_000 + r * 1000)
        for r in range(N)
        for c in range(N)
    ]
    return gpd.GeoDataFrame({"v": values, **columns}, geometry=cells, crs=CRS_METRIC)


def cell(r: int, c: int) -> int:
    return r * N + c


#: The planted hot spot (rows 0-3, columns 0-3) and cold spot (rows 6-9, columns 6-9).
HOT = [cell(r, c) for r in range(4) for c in range(4)]
COLD = [cell(r, c) for r in range(6, 10) for c in range(6, 10)]
#: Their cores: cells whose 8 neighbours all lie in the block.
HOT_CORE = [cell(r, c) for r in range(3) for c in range(3)]
COLD_CORE = [cell(r, c) for r in range(7, 10) for c in range(7, 10)]


def planted_grid() -> gpd.GeoDataFrame:
    """The grid with a random background, the hot spot (+5) and the cold spot (-5)."""
    values = np.random.default_rng(1).normal(0, 1, N * N)
    values[HOT] += 5
    values[COLD] -= 5
    return grid(values)


@pytest.fixture(scope="module")
def planted() -> gpd.GeoDataFrame:
    return planted_grid()


@pytest.fixture(scope="module")
def planted_result(planted) -> pd.DataFrame:
    return local_moran(planted, "v")


def test_queen_weights_of_a_grid() -> None:
    w = queen_weights(grid(np.zeros(N * N)))
    assert w.cardinalities[cell(0, 0)] == 3  # a corner: 2 sides and 1 corner
    assert w.cardinalities[cell(0, 5)] == 5  # an edge
    assert w.cardinalities[cell(5, 5)] == 8  # inside: 4 sides and 4 corners
    assert w.weights[cell(5, 5)] == [1 / 8] * 8  # row-standardised


def test_planted_hot_and_cold_spots(planted_result) -> None:
    res = planted_result
    assert res.index.equals(pd.RangeIndex(N * N))
    assert list(res.columns) == ["I", "p_value", "quadrant", "significant", "cluster", "label"]
    assert (res.loc[HOT_CORE, "cluster"] == "HH").all()
    assert res.loc[HOT_CORE, "significant"].all()
    assert (res.loc[HOT_CORE, "label"] == "Tinggi-Tinggi (titik panas)").all()
    assert (res.loc[COLD_CORE, "cluster"] == "LL").all()
    assert (res.loc[COLD_CORE, "label"] == "Rendah-Rendah (titik dingin)").all()
    assert (res.loc[HOT_CORE + COLD_CORE, "I"] > 0).all()
    # No hot spot away from the planted block (one ring of cells around it may join it).
    near_hot = {cell(r, c) for r in range(5) for c in range(5)}
    assert set(res.index[res["cluster"] == "HH"]) <= near_hot
    # Everything significant passed the FDR cut-off, which is stricter than alpha.
    assert res.attrs["p_threshold"] < 0.05
    assert (res.loc[res["significant"], "p_value"] < res.attrs["p_threshold"]).all()
    assert (res.loc[~res["significant"], "cluster"] == "ns").all()
    assert (res.loc[~res["significant"], "label"] == "Tidak signifikan").all()


def test_quadrant_is_kept_for_areas_that_are_not_significant(planted_result) -> None:
    res = planted_result
    assert res["quadrant"].isin(["HH", "LL", "HL", "LH"]).all()
    assert (res.loc[HOT_CORE, "quadrant"] == "HH").all()


def test_random_field_gives_next_to_nothing_after_fdr() -> None:
    gdf = grid(np.random.default_rng(7).normal(0, 1, N * N))
    fdr = local_moran(gdf, "v")
    plain = local_moran(gdf, "v", fdr=False)
    assert fdr["significant"].sum() <= 1
    # Without the correction, about alpha of the 100 tests come out "significant" by chance.
    assert plain["significant"].sum() > fdr["significant"].sum()
    assert plain.attrs["p_threshold"] == 0.05


def test_seed_makes_it_reproducible(planted) -> None:
    a = local_moran(planted, "v", seed=3, permutations=199)
    b = local_moran(planted, "v", seed=3, permutations=199)
    c = local_moran(planted, "v", seed=4, permutations=199)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["p_value"], c["p_value"])
    assert np.allclose(a["I"], c["I"])  # the statistic itself does not depend on the seed
    # p-values go down to 1 / (permutations + 1)
    assert a["p_value"].min() == pytest.approx(1 / 200)


def test_english_labels(planted) -> None:
    res = local_moran(planted, "v", language="en", permutations=199)
    assert res.loc[HOT_CORE[0], "label"] == "High-High (hot spot)"
    assert set(res["label"]) <= set(CLUSTER_LABELS["en"])


def test_bivariate_need_against_neighbours_capacity() -> None:
    rng = np.random.default_rng(2)
    need = rng.normal(0, 1, N * N)
    capacity = rng.normal(0, 1, N * N)
    need[HOT] += 5  # high need where capacity around is low
    capacity[HOT] -= 5
    gdf = grid(need, capacity=capacity)
    res = bivariate_local_moran(gdf, "v", "capacity")
    assert (res.loc[HOT_CORE, "cluster"] == "HL").all()
    assert (res.loc[HOT_CORE, "label"] == "Kebutuhan tinggi, kapasitas sekitar rendah").all()
    assert (res.loc[HOT_CORE, "I"] < 0).all()  # high x beside low y: negative association
    en = bivariate_local_moran(gdf, "v", "capacity", language="en", permutations=199)
    assert en.loc[HOT_CORE[0], "label"] == "High need, low capacity nearby"
    assert "bivariat" in method_note(res)


def test_missing_values_and_islands_are_labelled_not_dropped(planted) -> None:
    gdf = planted.copy()
    gdf.loc[cell(5, 5), "v"] = np.nan
    island = gpd.GeoDataFrame(
        {"v": [1.0]}, geometry=[shapely.box(600_000, 300_000, 601_000, 301_000)], crs=CRS_METRIC
    )
    gdf = pd.concat([gdf, island], ignore_index=True)
    res = local_moran(gdf, "v")
    assert len(res) == N * N + 1 and res.index.equals(gdf.index)
    assert res.loc[N * N, "cluster"] == "island"
    assert res.loc[N * N, "label"] == "Tanpa tetangga (tidak diuji)"
    assert pd.isna(res.loc[cell(5, 5), "cluster"])
    assert res.loc[cell(5, 5), "label"] == "Tidak ada data"
    assert not res.loc[[N * N, cell(5, 5)], "significant"].any()
    assert res.loc[[N * N, cell(5, 5)], ["I", "p_value"]].isna().all().all()
    assert res.attrs["n_tested"] == N * N - 1
    assert (res.loc[HOT_CORE, "cluster"] == "HH").all()
    note = method_note(res)
    assert "1 wilayah tanpa tetangga, 1 tanpa data tidak diuji" in note
    cls = classify_clusters(res)
    assert cls.labels[-1] == "Tanpa tetangga (tidak diuji)" and cls.counts[-1] == 1
    assert cls.n_missing == 1
    assert sum(cls.counts) == N * N


def test_refuses_the_15_kecamatan(kecamatan) -> None:
    gdf = kecamatan.assign(need=np.arange(len(kecamatan), dtype=float))
    with pytest.raises(InputError, match=r"at least 30 areas; gdf has 15.*desa level"):
        local_moran(gdf, "need")
    with pytest.raises(InputError, match=r"at least 30 areas; gdf has 15"):
        bivariate_local_moran(gdf, "need", "need")


def test_errors(planted) -> None:
    gdf = planted.assign(text="a", same=1.0)
    with pytest.raises(InputError, match=r"'missing'.*not found"):
        local_moran(gdf, "missing")
    with pytest.raises(InputError, match=r"'text' is not numeric"):
        local_moran(gdf, "text")
    with pytest.raises(InputError, match=r"'same' has the same value in every tested area"):
        local_moran(gdf, "same")
    with pytest.raises(
        InputError,
        match=r"permutations=9 must be .* at least 99; alpha=1.5 must lie between 0 and 1",
    ):
        local_moran(gdf, "v", alpha=1.5, permutations=9)
    sparse = gdf.assign(v=np.where(np.arange(N * N) < 20, gdf["v"], np.nan))
    with pytest.raises(InputError, match=r"Only 20 of 100 areas have a value.*80 missing"):
        local_moran(sparse, "v")
    twice = pd.concat([gdf, gdf.iloc[:1]])
    with pytest.raises(InputError, match=r"index repeats labels \[0\]"):
        local_moran(twice, "v")
    with pytest.raises(InputError, match=r"not a local Moran table"):
        classify_clusters(pd.DataFrame({"x": [1]}))


@pytest.fixture(scope="module")
def desa_rates(desa) -> gpd.GeoDataFrame:
    table = pd.read_csv(ROOT / "data" / "welfare" / "indikator-desa.csv", dtype={"area_code": str})
    wide = table.pivot_table(index="area_code", columns="category", values="value", aggfunc="first")
    gdf = desa.join(wide, on="code")
    gdf["risk"] = rate(gdf["keluarga_berisiko_stunting"], gdf["keluarga"], per=1000)
    gdf["posyandu_rate"] = rate(gdf["posyandu"], gdf["keluarga"], per=1000)
    return gdf


def test_real_desa_every_row_labelled(desa_rates) -> None:
    res = local_moran(desa_rates, "risk", label="Keluarga berisiko stunting")
    assert len(res) == 252 and res.index.equals(desa_rates.index)
    known = set(CLUSTER_LABELS["id"]) | {"Tidak ada data"}
    assert res["label"].notna().all() and set(res["label"]) <= known
    assert res.attrs["n_tested"] + res.attrs["n_missing"] + res.attrs["n_islands"] == 252
    cls = classify_clusters(res)
    assert sum(cls.counts) + cls.n_missing == 252
    assert "Keluarga berisiko stunting" in method_note(res)
    bv = bivariate_local_moran(desa_rates, "risk", "posyandu_rate")
    assert bv["label"].notna().all() and len(bv) == 252


def test_cluster_classification_colours_and_language(planted_result) -> None:
    cls = classify_clusters(planted_result)
    assert cls.categories == clusters.CLUSTERS[:5]  # no islands: no "Tanpa tetangga" row
    assert cls.colors == CLUSTER_COLORS[:5]
    assert cls.colors[:2] == ("#d7191c", "#2c7bb6")  # red hot spots, blue cold spots
    assert cls.counts[0] == (planted_result["cluster"] == "HH").sum()
    assert cls.color_of()[HOT_CORE[0]] == "#d7191c"
    assert cls.in_language("en").labels[0] == "High-High (hot spot)"
    assert classify_clusters(planted_result, language="en").labels[4] == "Not significant"


def test_method_note_states_the_method(planted_result) -> None:
    assert method_note(planted_result) == (
        "Metode: Moran lokal (LISA) atas 'v', ketetanggaan queen (baris distandarkan), "
        "999 permutasi (seed 12345), signifikan pada FDR α = 0,05."
    )
    assert method_note(planted_result, language="en").startswith(
        "Method: local Moran's I (LISA) of 'v', queen contiguity (row-standardised), "
        "999 permutations (seed 12345), significant at FDR α = 0.05"
    )


def test_weights_built_once_serve_several_runs(planted) -> None:
    gdf = planted.assign(v=planted["v"].where(planted.index != cell(5, 5)))
    weights = queen_weights(gdf)
    pd.testing.assert_frame_equal(local_moran(gdf, "v", weights=weights), local_moran(gdf, "v"))
    with pytest.raises(InputError, match=r"weights are for 100 other areas than gdf's 50 rows"):
        local_moran(gdf.iloc[:50], "v", weights=weights, min_areas=10)
