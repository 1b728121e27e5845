"""The coverage analysis in one call: a hand-worked grid, the real desa, priority, new sites."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapping.analysis import (
    AnalysisOptions,
    coverage_analysis,
    coverage_table,
    new_sites,
    priority_components,
    publishable,
)
from mapping.errors import InputError
from mapping.pipeline import real_indicator_layers
from mapping.settings import CRS_METRIC, CRS_STORAGE
from mapping.targeting import shortlist

N = 6  # a 6x6 grid of 2 km squares: 36 areas, enough for local Moran (at least 30)
SIDE_M = 2_000.0
ORIGIN = (500_000.0, 200_000.0)  # UTM 47N, inside the zone


def _grid() -> gpd.GeoDataFrame:
    """36 squares with families, need and reach worked out so that every number is known."""
    x0, y0 = ORIGIN
    rows = []
    for i in range(N):
        for j in range(N):
            hot = i < 3 and j < 3  # a block of high need in the south-west
            rows.append(
                {
                    "code": f"99.01.{i:02d}.{j:04d}",
                    "name": f"Desa {i}-{j}",
                    "kecamatan": "A" if j < 3 else "B",
                    "keluarga": 200,
                    "keluarga_berisiko_stunting": 80 if hot else 0 if (i, j) == (5, 4) else 20,
                    "penerima_pkh": 20 if hot else 20,
                    "kader": 2 if (i + j) % 2 else 40,  # capacity varies
                    "kader_pembangunan_manusia": 1,
                    "tim_pendamping_keluarga": 3,
                    "geometry": shapely.box(
                        x0 + j * SIDE_M,
                        y0 + i * SIDE_M,
                        x0 + (j + 1) * SIDE_M,
                        y0 + (i + 1) * SIDE_M,
                    ),  # fmt: skip
                }
            )
    return gpd.GeoDataFrame(rows, crs=CRS_METRIC).to_crs(CRS_STORAGE)


def _service_at_centre_of(grid: gpd.GeoDataFrame, code: str) -> gpd.GeoDataFrame:
    cell = grid.to_crs(CRS_METRIC).set_index("code").geometry[code]
    point = gpd.GeoSeries([cell.representative_point()], crs=CRS_METRIC).to_crs(CRS_STORAGE)
    return gpd.GeoDataFrame(
        {"id": ["P1"], "name": ["Puskesmas Uji"], "kind": ["puskesmas"], "capacity": [1.0]},
        geometry=point.values,
        crs=CRS_STORAGE,
    )


@pytest.fixture(scope="module")
def grid_result():
    grid = _grid()
    services = _service_at_centre_of(grid, "99.01.00.0000")
    return grid, coverage_analysis(grid, services=services, permutations=999, seed=1)


def test_grid_gap_and_severity_by_hand(grid_result) -> None:
    _, result = grid_result
    d = result.desa.set_index("code")
    hot, cold = d.loc["99.01.00.0000"], d.loc["99.01.05.0005"]
    # hot: need 80, reached 20 -> gap 60, coverage 25% -> class 4 (25% to under 50%)
    assert (hot["need"], hot["reached"], hot["gap"]) == (80, 20, 60)
    assert hot["coverage_pct"] == pytest.approx(25.0)
    assert hot["severity"] == 4
    assert hot["gap_per_1000"] == pytest.approx(300.0)  # 60 / 200 families * 1000
    # cold: need 20, reached 20 -> gap 0, coverage 100% -> class 1
    assert (cold["gap"], cold["coverage_pct"], cold["severity"]) == (0, 100.0, 1)
    assert len(result.desa) == N * N
    assert result.severity_counts().sum() == N * N


def test_gap_and_surplus_are_hidden_with_the_need_or_the_reach() -> None:
    """The gap and the surplus are need minus reach (and the other way round): published
    next to a published count they would give a hidden one back (reach 25 - surplus 22 =
    need 3), so they are hidden with it; next to two published counts they are not secrets
    (a gap of 2 from need 30 and reach 28). The complementary cells are the smallest others
    (reach 20, need 20), so these three keep their other values."""
    grid = _grid()
    cells = {"99.01.00.0000": (3, 25), "99.01.00.0001": (30, 28), "99.01.00.0003": (40, 2)}
    for code, (need, reached) in cells.items():
        row = grid["code"] == code
        grid.loc[row, ["keluarga_berisiko_stunting", "penerima_pkh"]] = [need, reached]
    services = _service_at_centre_of(grid, "99.01.00.0000")
    result = coverage_analysis(grid, services=services, clusters=False)
    safe = publishable(result, k=5)
    d = safe.desa.set_index("code")
    hidden_need, both, hidden_reach = (d.loc[c] for c in cells)
    assert hidden_need[["need", "gap", "surplus", "coverage_pct"]].isna().all()
    assert hidden_need["reached"] == 25
    assert hidden_reach[["reached", "gap", "surplus", "gap_per_1000"]].isna().all()
    assert hidden_reach["need"] == 40
    assert (both["need"], both["reached"], both["gap"]) == (30, 28, 2)
    # made publishable once, with the build's settings: kept as it is
    assert safe.published and not result.published
    assert publishable(safe, k=10) is safe
    stricter = publishable(result, k=10)
    assert pd.isna(stricter.desa.set_index("code").loc["99.01.00.0003", "need"]) is False
    assert stricter.desa.attrs["disclosure"]["k"] == 10


def test_grid_distances_by_hand(grid_result) -> None:
    _, result = grid_result
    d = result.desa.set_index("code")
    # the service sits at the centre of cell (0, 0); cell (i, j)'s centre is (2j, 2i) km away
    # on each axis; straight line times the detour factor 1.4
    for i, j in [(0, 0), (0, 1), (2, 3), (5, 5)]:
        expected = math.hypot(2 * i, 2 * j) * AnalysisOptions().detour_factor
        assert d.loc[f"99.01.{i:02d}.{j:04d}", "puskesmas_km"] == pytest.approx(expected, abs=1e-3)
    # 2SFCA, 10 km catchment: the one puskesmas serves the families of every cell whose
    # centre is within 10 estimated road km (straight line <= 10 / 1.4 = 7.14 km)
    centres = [(2 * i, 2 * j) for i in range(N) for j in range(N)]
    reach = [c for c in centres if math.hypot(*c) * 1.4 <= 10]
    ratio = 1 / (200 * len(reach)) * 1000  # puskesmas per 1,000 families in its catchment
    assert d.loc["99.01.00.0000", "puskesmas_2sfca"] == pytest.approx(ratio)
    assert d.loc["99.01.05.0005", "puskesmas_2sfca"] == 0


def test_grid_hot_spot_found(grid_result) -> None:
    _, result = grid_result
    d = result.desa.set_index("code")
    # the core of the planted block of high need is a high-high cluster, the far corner not
    assert d.loc["99.01.00.0000", "lisa_need"] in {"HH", "ns"}
    assert d.loc["99.01.01.0001", "lisa_need"] == "HH"
    assert d.loc["99.01.05.0005", "lisa_need"] != "HH"
    assert set(result.clusters) == {"need", "gap", "need_capacity"}


def test_no_need_counts_as_covered(grid_result) -> None:
    _, result = grid_result
    frame, _ = priority_components(result)
    row = frame.set_index("code").loc["99.01.05.0004"]
    assert result.desa.set_index("code").loc["99.01.05.0004", "coverage_pct"] != 100  # NaN
    assert row["coverage_component"] == 100
    assert frame.set_index("code").loc["99.01.00.0000", "coverage_component"] == 25


def test_options_are_checked() -> None:
    with pytest.raises(InputError, match=r"Unknown analysis option\(s\) \['catchment'\]"):
        coverage_analysis(_grid(), catchment=5)
    with pytest.raises(InputError, match="needs desa with a 'code' column"):
        coverage_analysis(_grid().drop(columns="code"))


@pytest.fixture(scope="module")
def real():
    desa, kec, _ = real_indicator_layers()
    return desa, kec, coverage_analysis(desa, clusters=False)


def test_real_desa(real) -> None:
    desa, _, result = real
    d = result.desa
    assert len(d) == len(desa) == 252
    assert d["code"].tolist() == desa["code"].tolist()
    assert np.isfinite(d["puskesmas_km"]).all() and (d["puskesmas_km"] >= 0).all()
    assert (d.loc[d["code"] == "12.02.01.1004", "puskesmas_km"] == 0).all()  # Hutabaginda
    gap = (d["need"] - d["reached"]).clip(lower=0)
    pd.testing.assert_series_equal(d["gap"], gap, check_names=False)
    raw = d["risiko_stunting_per_1000"]
    assert d["need_rate"].min() >= raw.min() - 1e-9
    assert d["need_rate"].max() <= raw.max() + 1e-9
    assert not np.isinf(d.select_dtypes("number")).any().any()
    table = coverage_table(result)
    assert table.columns[:3].tolist() == ["code", "name", "kecamatan"]
    assert "geometry" not in table.columns and "small_base" in table.columns


def test_kecamatan_clusters_refused(real) -> None:
    _, kec, _ = real
    with pytest.raises(InputError, match=r"needs at least 30 areas; gdf has 15"):
        coverage_analysis(kec)
    result = coverage_analysis(kec, clusters=False)
    assert len(result.desa) == 15 and result.clusters == {}


def test_priority_reasons_agree_with_components(real) -> None:
    _, _, result = real
    frame, components = priority_components(result)
    assert frame["coverage_component"].max() <= 100
    sl = shortlist(frame, components=components, top_n=10, draws=200)
    for _, row in sl.table.head(10).iterrows():
        reason = row["reason"]
        cov = re.search(r"cakupan PKH (\d+)%", reason)
        km = re.search(r"(\d+) km ke puskesmas terdekat", reason)
        assert cov and int(cov.group(1)) == round(row["coverage_component"])
        assert km and int(km.group(1)) == round(row["access_km"])
    assert sl.table["rank"].is_monotonic_increasing
    assert set(sl.table["kecamatan"]) <= {
        "Pahae Jae", "Pahae Julu", "Simangumban", "Purbatua", "Adiankoting", "Pangaribuan",
        "Siatas Barita", "Tarutung", "Sipoholon",
    }  # fmt: skip


def test_new_sites_within_the_area(real) -> None:
    _, _, result = real
    frame, components = priority_components(result)
    sl = shortlist(frame, components=components, top_n=5, draws=50)
    siting = new_sites(result, sl, n_sites=2, radius_km=5)
    assert set(siting.summary["method"]) == {"mclp", "greedy"}
    assert set(siting.sites["code"]) <= set(sl.table["code"])
    after = siting.summary.set_index("method")["covered_after"]
    assert after["mclp"] >= after["greedy"]
