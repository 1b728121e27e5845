"""Access: nearest service, cost matrices and 2SFCA/E2SFCA on a 3x3 grid worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapping.access import (
    check_cost_matrix,
    decay_function,
    distance_matrix,
    enhanced_two_step_fca,
    nearest_services,
    service_access,
    two_step_fca,
)
from mapping.errors import InputError, ValidationFailed
from mapping.services import load_puskesmas, services_from_counts
from mapping.settings import CRS_METRIC

X0, Y0 = 500_000.0, 220_000.0  # UTM 47N, inside Tapanuli Utara
R2 = math.sqrt(2)


@pytest.fixture(scope="module")
def grid() -> gpd.GeoDataFrame:
    """3x3 squares of 1 km; code "rc" (row r from the south, column c from the west).

    Demand (families): 100 in every cell, 300 in the centre "11".
    """
    cells = [(r, c) for r in range(3) for c in range(3)]
    return gpd.GeoDataFrame(
        {
            "code": [f"{r}{c}" for r, c in cells],
            "name": [f"Desa {r}{c}" for r, c in cells],
            "families": [300 if (r, c) == (1, 1) else 100 for r, c in cells],
        },
        geometry=[
            shapely.box(X0 + c * 1000, Y0 + r * 1000, X0 + (c + 1) * 1000, Y0 + (r + 1) * 1000)
            for r, c in cells
        ],
        crs=CRS_METRIC,
    )


def _at(cell: str) -> shapely.Point:
    r, c = int(cell[0]), int(cell[1])
    return shapely.Point(X0 + c * 1000 + 500, Y0 + r * 1000 + 500)


@pytest.fixture(scope="module")
def services() -> gpd.GeoDataFrame:
    """Two puskesmas, S1 (capacity 2) at the centre of cell 00, S2 (capacity 1) at 11, and a
    posyandu P1 at 22."""
    return gpd.GeoDataFrame(
        {
            "id": ["S1", "S2", "P1"],
            "name": ["Satu", "Dua", "Pos"],
            "kind": ["puskesmas", "puskesmas", "posyandu"],
            "capacity": [2.0, 1.0, 1.0],
        },
        geometry=[_at("00"), _at("11"), _at("22")],
        crs=CRS_METRIC,
    )


def _demand(grid: gpd.GeoDataFrame) -> pd.Series:
    return grid.set_index("code")["families"]


def _supply(services: gpd.GeoDataFrame) -> pd.Series:
    pk = services[services["kind"] == "puskesmas"]
    return pk.set_index("id")["capacity"]


def _matrix(grid: gpd.GeoDataFrame, services: gpd.GeoDataFrame) -> pd.DataFrame:
    pk = services[services["kind"] == "puskesmas"]
    return distance_matrix(grid, pk, detour_factor=1.0)


# --- distances ---------------------------------------------------------------------------------


def test_distance_matrix_is_straight_line_times_detour(grid, services) -> None:
    m = distance_matrix(grid, services, detour_factor=1.4).set_index(["origin", "destination"])
    # cell 22 to S1 (cell 00): diagonal of 2 x 2 km = 2*sqrt(2) km, times 1.4
    assert m.at[("22", "S1"), "cost"] == pytest.approx(2 * R2 * 1.4)
    assert m.at[("01", "S2"), "cost"] == pytest.approx(1.4)
    assert m.at[("11", "S2"), "cost"] == 0.0
    assert len(m) == 9 * 3


def test_nearest_services_by_hand(grid, services) -> None:
    near = nearest_services(grid, services, detour_factor=1.4)
    assert list(near.columns) == [
        "puskesmas_km", "puskesmas_id", "puskesmas_name",
        "posyandu_km", "posyandu_id", "posyandu_name",
    ]  # fmt: skip
    # puskesmas: S1 at 00, S2 at 11; 01 and 10 are 1 km from both (tie: S1, listed first)
    expect_km = {"00": 0, "01": 1, "02": R2, "10": 1, "11": 0, "12": 1, "20": R2, "21": 1,
                 "22": R2}  # fmt: skip
    expect_id = {"00": "S1", "01": "S1", "02": "S2", "10": "S1", "11": "S2", "12": "S2",
                 "20": "S2", "21": "S2", "22": "S2"}  # fmt: skip
    for code, km in expect_km.items():
        assert near.at[code, "puskesmas_km"] == pytest.approx(km * 1.4)
        assert near.at[code, "puskesmas_id"] == expect_id[code]
    # posyandu P1 at 22: 00 is 2*sqrt(2) km away, 01 is sqrt(1 + 4) km
    assert near.at["00", "posyandu_km"] == pytest.approx(2 * R2 * 1.4)
    assert near.at["01", "posyandu_km"] == pytest.approx(math.sqrt(5) * 1.4)
    assert near.at["22", "posyandu_km"] == 0.0
    assert near.at["02", "puskesmas_name"] == "Dua"


def test_detour_factor_scales_every_distance(grid, services) -> None:
    straight = nearest_services(grid, services, detour_factor=1.0)["puskesmas_km"]
    road = nearest_services(grid, services, detour_factor=1.5)["puskesmas_km"]
    assert np.allclose(road, straight * 1.5)
    with pytest.raises(InputError, match=r"detour_factor=0.9 is below 1"):
        distance_matrix(grid, services, detour_factor=0.9)


def test_nearest_services_from_a_cost_matrix_in_minutes(grid, services) -> None:
    pk = services[services["kind"] == "puskesmas"]
    cost = pd.DataFrame(
        [(code, sid, 10 if sid == "S2" else 25) for code in grid["code"] for sid in pk["id"]],
        columns=["desa", "site", "menit"],
    )
    cost.loc[(cost["desa"] == "00") & (cost["site"] == "S1"), "menit"] = 3
    near = nearest_services(
        grid,
        pk,
        cost=cost.rename(columns={"desa": "origin", "site": "destination", "menit": "cost"}),
        unit="min",
    )
    assert near.at["00", "puskesmas_min"] == 3 and near.at["00", "puskesmas_id"] == "S1"
    assert near.at["22", "puskesmas_min"] == 10 and near.at["22", "puskesmas_id"] == "S2"


def test_cost_matrix_errors_are_listed_together() -> None:
    cost = pd.DataFrame(
        {
            "origin": ["a", "a", "b", "x", "a"],
            "destination": ["s", "t", "s", "s", "s"],
            "cost": [1.0, -2.0, 3.0, 1.0, 4.0],
        }
    )
    with pytest.raises(ValidationFailed) as info:
        check_cost_matrix(cost, origins=["a", "b"], destinations=["s", "t"])
    text = str(info.value)
    assert "row 2, column 'cost': cost is missing, negative" in text
    assert "row 4, column 'origin': origin names no area (value: 'x')" in text
    assert "row 5, column 'origin, destination': pair appears more than once" in text
    assert "1 destination(s) have no cost from this origin (value: 'b')" in text
    assert "add rows for ['t']" in text
    with pytest.raises(InputError, match=r"Column\(s\) \['minutes'\] not found"):
        check_cost_matrix(cost, origins=["a"], destinations=["s"], cost_column="minutes")


# --- floating catchment ------------------------------------------------------------------------


def test_two_step_fca_matches_the_hand_calculation(grid, services) -> None:
    # Catchment 1.2 km (straight line): a service reaches its own cell and the 4 cells next to
    # it (1 km), not the diagonal ones (1.41 km).
    # Step 1: S1 (at 00) reaches 00, 01, 10: demand 100 + 100 + 100 = 300, R1 = 2 / 300.
    #         S2 (at 11) reaches 11, 01, 10, 12, 21: 300 + 4 * 100 = 700, R2 = 1 / 700.
    # Step 2: a cell's access is the sum of the R of the services that reach it.
    r1, r2 = 2 / 300, 1 / 700
    expected = {"00": r1, "01": r1 + r2, "10": r1 + r2, "11": r2, "12": r2, "21": r2,
                "02": 0.0, "20": 0.0, "22": 0.0}  # fmt: skip
    got = two_step_fca(_demand(grid), _supply(services), _matrix(grid, services), catchment=1.2)
    assert got.name == "2sfca"
    for code, value in expected.items():
        assert got[code] == pytest.approx(value * 1000), code
    # per=1 gives the raw ratio (services per family)
    raw = two_step_fca(
        _demand(grid), _supply(services), _matrix(grid, services), catchment=1.2, per=1
    )
    assert raw["01"] == pytest.approx(r1 + r2)


def test_enhanced_two_step_fca_matches_the_hand_calculation(grid, services) -> None:
    # Catchment 3 km with the step decay: weight 1 up to 1 km, 0.68 up to 2 km, 0.22 up to 3 km.
    # Distances on the grid: 0, 1 (next cell), 1.41 (diagonal), 2, 2.24, 2.83 km.
    # Step 1, S1 at 00: 00, 01, 10 weight 1; 11 (1.41), 02, 20 (2) weight 0.68;
    #   12, 21 (2.24), 22 (2.83) weight 0.22:
    #   D1 = 300 * 1 + (300 + 100 + 100) * 0.68 + 300 * 0.22 = 300 + 340 + 66 = 706.
    # S2 at 11: 11 and its 4 neighbours weight 1, the 4 corners (1.41) weight 0.68:
    #   D2 = 300 + 400 + 400 * 0.68 = 972.
    r1, r2 = 2 / 706, 1 / 972
    expected = {
        "00": 1 * r1 + 0.68 * r2,
        "01": 1 * r1 + 1 * r2,
        "10": 1 * r1 + 1 * r2,
        "02": 0.68 * r1 + 0.68 * r2,
        "20": 0.68 * r1 + 0.68 * r2,
        "11": 0.68 * r1 + 1 * r2,
        "12": 0.22 * r1 + 1 * r2,
        "21": 0.22 * r1 + 1 * r2,
        "22": 0.22 * r1 + 0.68 * r2,
    }
    got = enhanced_two_step_fca(
        _demand(grid), _supply(services), _matrix(grid, services), catchment=3
    )
    assert got.name == "e2sfca"
    for code, value in expected.items():
        assert got[code] == pytest.approx(value * 1000), code


def test_gaussian_decay_and_custom_decay(grid, services) -> None:
    fn = decay_function("gaussian", 4)  # sigma 2 km
    assert fn(0) == 1 and fn(2) == pytest.approx(math.exp(-0.5))
    flat = enhanced_two_step_fca(
        _demand(grid), _supply(services), _matrix(grid, services), catchment=1.2,
        decay=lambda _cost: 1.0,
    )  # fmt: skip
    plain = two_step_fca(_demand(grid), _supply(services), _matrix(grid, services), catchment=1.2)
    assert np.allclose(flat, plain)  # a flat decay is the plain 2SFCA
    with pytest.raises(InputError, match=r"decay='linear' is not a decay"):
        decay_function("linear", 3)  # type: ignore[arg-type]


def test_two_step_fca_with_a_cost_matrix_in_minutes() -> None:
    # s (capacity 2) reaches a (10 min) and b (20 min) within 30 minutes: R_s = 2 / 300;
    # t (capacity 1) reaches b (20) and c (5): R_t = 1 / 500.
    cost = pd.DataFrame(
        [("a", "s", 10), ("a", "t", 40), ("b", "s", 20), ("b", "t", 20), ("c", "s", 50),
         ("c", "t", 5)], columns=["origin", "destination", "cost"],
    )  # fmt: skip
    demand = pd.Series({"a": 100, "b": 200, "c": 300})
    supply = pd.Series({"s": 2, "t": 1})
    got = two_step_fca(demand, supply, cost, catchment=30, per=1)
    assert got.to_dict() == pytest.approx({"a": 2 / 300, "b": 2 / 300 + 1 / 500, "c": 1 / 500})


def test_floating_catchment_errors(grid, services) -> None:
    demand, supply, cost = _demand(grid), _supply(services), _matrix(grid, services)
    with pytest.raises(InputError, match=r"catchment=0 must be above 0"):
        two_step_fca(demand, supply, cost, catchment=0)
    with pytest.raises(ValidationFailed, match=r"1 demand value\(s\) missing, negative"):
        two_step_fca(demand.mask(demand.index == "00", -5), supply, cost)
    with pytest.raises(ValidationFailed, match=r"destination\(s\) have no cost"):
        two_step_fca(demand, supply, cost[cost["destination"] != "S2"])


def test_zero_demand_gives_missing_not_inf(grid, services) -> None:
    demand = _demand(grid).copy()
    demand[["00", "01", "10"]] = 0  # S1's whole 1.2 km catchment has no demand
    got = two_step_fca(demand, _supply(services), _matrix(grid, services), catchment=1.2)
    assert np.isnan(got["00"]) and np.isfinite(got["11"])


def test_service_access_combines_nearest_and_catchment_per_kind(grid, services) -> None:
    table = service_access(grid, services, _demand(grid), catchment=1.2, detour_factor=1.0)
    assert table.loc["22", "posyandu_km"] == 0 and table.loc["02", "puskesmas_id"] == "S2"
    # the puskesmas 2SFCA as worked out above; the posyandu P1 (capacity 1) at 22 reaches 22,
    # 12 and 21: 300 families, 1/300 each
    assert table.loc["01", "puskesmas_2sfca"] == pytest.approx((2 / 300 + 1 / 700) * 1000)
    assert table.loc["12", "posyandu_2sfca"] == pytest.approx(1000 / 300)
    assert table.loc["00", "posyandu_2sfca"] == 0
    assert "posyandu_e2sfca" in table.columns
    with pytest.raises(InputError, match=r"Service ids \['S1'\] repeat"):
        nearest_services(grid, services.assign(id=["S1", "S1", "P1"]))
    with pytest.raises(InputError, match=r"Column 'capacity' not found in the services"):
        service_access(grid, services.drop(columns="capacity"), _demand(grid))


# --- real boundaries ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def puskesmas(desa) -> gpd.GeoDataFrame:
    return load_puskesmas(desa=desa)


def test_every_real_desa_has_a_finite_distance_to_a_puskesmas(desa, puskesmas) -> None:
    near = nearest_services(desa, puskesmas)
    assert list(near.index) == list(desa["code"])
    assert np.isfinite(near["puskesmas_km"]).all()
    assert near["puskesmas_km"].between(0, 60).all()  # the regency is about 70 km across
    holding = puskesmas["desa_code"].dropna()
    assert (near.loc[holding, "puskesmas_km"] == 0).all()
    assert set(near.loc[holding, "puskesmas_id"]) == set(puskesmas.loc[holding.index, "id"])
    assert near["puskesmas_lokasi_perkiraan"].all()


def test_real_two_step_fca_distributes_every_puskesmas(desa, puskesmas) -> None:
    import pathlib

    from mapping.settings import get_settings

    table = pd.read_csv(
        pathlib.Path(get_settings().data_dir) / "welfare" / "indikator-desa.csv",
        dtype={"area_code": str},
    )
    families = table[table["category"] == "keluarga"].set_index("area_code")["value"]
    cost = distance_matrix(desa, puskesmas)
    supply = puskesmas.set_index("id")["capacity"]
    access = two_step_fca(families, supply, cost, per=1)
    # 2SFCA shares each service among the demand within reach: sum(access * demand) = supply
    assert float((access * families).sum()) == pytest.approx(len(puskesmas))
    e2 = enhanced_two_step_fca(families, supply, cost, per=1)
    assert np.isfinite(e2).all() and (e2 >= 0).all()
    posyandu = table[table["category"] == "posyandu"].set_index("area_code")["value"]
    points = services_from_counts(posyandu, kind="posyandu", desa=desa)
    near = nearest_services(desa, points)
    assert (near["posyandu_km"] == 0).all()  # every desa reports at least one posyandu
