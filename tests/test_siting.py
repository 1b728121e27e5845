"""Site selection: MCLP and greedy against brute force on small grids, and on the real desa."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapping.errors import InputError
from mapping.services import load_puskesmas
from mapping.settings import CRS_METRIC
from mapping.siting import select_sites

X0, Y0 = 500_000.0, 220_000.0


def _cells(rows: int, cols: int) -> gpd.GeoDataFrame:
    """`rows` x `cols` squares of 1 km, code "rc", name "Desa rc", one kecamatan."""
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    return gpd.GeoDataFrame(
        {
            "code": [f"{r}{c}" for r, c in cells],
            "name": [f"Desa {r}{c}" for r, c in cells],
            "kecamatan": "K",
        },
        geometry=[
            shapely.box(X0 + c * 1000, Y0 + r * 1000, X0 + (c + 1) * 1000, Y0 + (r + 1) * 1000)
            for r, c in cells
        ],
        crs=CRS_METRIC,
    )


def _brute_force(areas: gpd.GeoDataFrame, need: pd.Series, n: int, radius: float) -> float:
    """Most need n sites can cover, trying every combination (centres 1 km apart, no detour)."""
    xy = np.array([[int(c[1]), int(c[0])] for c in areas["code"]], dtype=float)
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    w = need.reindex(areas["code"]).to_numpy(dtype=float)
    return max(
        float(w[(dist[:, list(combo)] <= radius).any(axis=1)].sum())
        for combo in itertools.combinations(range(len(areas)), n)
    )


@pytest.fixture(scope="module")
def row7() -> gpd.GeoDataFrame:
    return _cells(1, 7)


# A row of 7 desa, radius 1 km: a site covers itself and its two neighbours. Need 4 0 4 1 4 0 4:
# the middle site (03) covers 4 + 1 + 4 = 9, the most of any single site, so greedy takes it
# first and then adds only 4 (total 13); the optimum takes 01 and 05 (8 + 8 = 16).
NEED7 = pd.Series([4, 0, 4, 1, 4, 0, 4], index=[f"0{c}" for c in range(7)], name="need")


def test_mclp_finds_the_optimum_that_greedy_misses(row7) -> None:
    assert _brute_force(row7, NEED7, 2, 1.0) == 16
    result = select_sites(row7, NEED7, n_sites=2, radius_km=1.0, detour_factor=1.0)
    summary = result.summary.set_index("method")
    assert summary.at["mclp", "covered_after"] == 16
    assert summary.at["mclp", "sites"] == "01; 05"
    assert summary.at["greedy", "covered_after"] == 13
    assert summary.at["greedy", "sites"].startswith("03; ")
    assert summary.at["mclp", "need_total"] == 17 and summary.at["mclp", "covered_before"] == 0
    assert summary.at["mclp", "pct_after"] == pytest.approx(100 * 16 / 17)
    sites = result.sites[result.sites["method"] == "mclp"].set_index("code")
    assert sites.at["01", "covers"] == "00; 01; 02"
    assert sites.at["05", "covers_names"] == "Desa 04; Desa 05; Desa 06"
    assert sites["added"].sum() == 16
    cov = result.coverage
    assert cov.loc["03", "covered_mclp"] == False  # noqa: E712 (numpy bool)
    assert cov.loc["02", "site_mclp"] == "01" and pd.isna(cov.loc["03", "site_mclp"])


def test_existing_sites_count_as_covered_before(row7) -> None:
    existing = gpd.GeoDataFrame(geometry=[shapely.Point(X0 + 3500, Y0 + 500)], crs=CRS_METRIC)
    result = select_sites(
        row7, NEED7, n_sites=2, radius_km=1.0, detour_factor=1.0, existing=existing
    )
    summary = result.summary.set_index("method")
    # the site at 03 already covers 02, 03, 04 (need 9); two new sites add the ends (4 + 4)
    for method in ("mclp", "greedy"):
        assert summary.at[method, "covered_before"] == 9
        assert summary.at[method, "covered_after"] == 17
        assert summary.at[method, "added"] == 8
    assert result.coverage["covered_before"].tolist() == [False, False, True, True, True,
                                                          False, False]  # fmt: skip
    assert result.coverage.loc["03", "unmet"] == 0


def test_candidates_restrict_the_sites(row7) -> None:
    result = select_sites(
        row7, NEED7, n_sites=2, radius_km=1.0, detour_factor=1.0, candidates=["00", "06", "03"]
    )
    summary = result.summary.set_index("method")
    # 03 + 00 (9 + 4) or 03 + 06 (9 + 4) or 00 + 06 (4 + 4): 13 at best
    assert summary.at["mclp", "covered_after"] == 13
    assert set(result.sites["code"]) <= {"00", "06", "03"}


@pytest.mark.parametrize(("n", "radius"), [(1, 1.0), (2, 1.0), (2, 1.5), (3, 1.0)])
def test_mclp_equals_brute_force_and_greedy_never_beats_it(n: int, radius: float) -> None:
    grid = _cells(3, 3)
    need = pd.Series([5, 1, 7, 0, 3, 2, 8, 4, 6], index=grid["code"].tolist())
    best = _brute_force(grid, need, n, radius)
    result = select_sites(grid, need, n_sites=n, radius_km=radius, detour_factor=1.0)
    summary = result.summary.set_index("method")
    assert summary.at["mclp", "covered_after"] == best
    assert summary.at["greedy", "covered_after"] <= best
    assert len(result.sites) == 2 * n


def test_siting_errors(row7) -> None:
    kw = {"radius_km": 1.0}
    with pytest.raises(InputError, match=r"n_sites=0 must be a whole number of 1 or more"):
        select_sites(row7, NEED7, n_sites=0, **kw)
    with pytest.raises(InputError, match=r"radius_km=0 must be above 0"):
        select_sites(row7, NEED7, n_sites=1, radius_km=0)
    with pytest.raises(InputError, match=r"No candidate desa"):
        select_sites(row7, NEED7, n_sites=1, candidates=[], **kw)
    with pytest.raises(InputError, match=r"n_sites=3 is more than the 2 candidate desa"):
        select_sites(row7, NEED7, n_sites=3, candidates=["00", "01"], **kw)
    with pytest.raises(InputError, match=r"candidates \['99'\] name no desa"):
        select_sites(row7, NEED7, n_sites=1, candidates=["99"], **kw)
    with pytest.raises(InputError, match=r"1 desa have no need value: \['06'\]"):
        select_sites(row7, NEED7.drop("06"), n_sites=1, **kw)
    with pytest.raises(InputError, match=r"1 need value\(s\) missing, negative"):
        select_sites(row7, NEED7.where(NEED7.index != "00", -1), n_sites=1, **kw)
    with pytest.raises(InputError, match=r"methods=\['best'\]: expected one or more of"):
        select_sites(row7, NEED7, n_sites=1, methods=["best"], **kw)


def test_real_desa_two_new_sites_beyond_the_puskesmas(desa) -> None:
    need = pd.Series(np.arange(len(desa)) % 7, index=desa["code"].tolist(), dtype=float)
    existing = load_puskesmas(desa=desa)
    result = select_sites(desa, need, n_sites=2, radius_km=5.0, existing=existing)
    summary = result.summary.set_index("method")
    assert summary.at["mclp", "covered_after"] >= summary.at["greedy", "covered_after"]
    assert summary.at["mclp", "covered_after"] > summary.at["mclp", "covered_before"] > 0
    assert summary.at["greedy", "added"] == pytest.approx(
        result.sites.loc[result.sites["method"] == "greedy", "added"].sum()
    )
    for row in result.sites.itertuples():
        assert row.code in row.covers.split("; ")  # a site covers its own desa
    assert len(result.coverage) == len(desa)
