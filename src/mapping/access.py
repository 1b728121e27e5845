"""Access to services: distance to the nearest service, cost matrices, 2SFCA/E2SFCA via `access`.

Distances run from each desa's representative point (:func:`mapping.services.area_points`,
always inside the desa) to each service point, measured in UTM 47N (EPSG:32647) and multiplied
by a detour factor, because no road network is available offline. A cost matrix of real travel
times or road distances can be passed instead wherever a ``cost`` argument is taken.

Defaults and why
----------------
- :data:`DETOUR_FACTOR` = 1.4. Road distance over straight-line distance ("circuity") is about
  1.2 for random trips in a city (Newell 1980) and about 1.2-1.3 for whole countries (Ballou et
  al. 2002; South Korea 1.26), but reaches about 1.4 in mountainous provinces (Gangwon, Korea:
  1.435; Kim et al. 2015). Tapanuli Utara is highland and hill country around the Toba caldera
  with few, winding roads, so the upper end is used. It is an estimate for ranking desa, not a
  travel distance: pass a cost matrix when one exists, or ``detour_factor=1`` for straight-line
  distance.
- :data:`CATCHMENT_KM` = 10 km of estimated road distance: about 30 minutes by motorbike or
  angkot on rural roads (about 20 km/h), the 30-minute threshold common in studies of access
  to primary care, and about the distance from a kecamatan's edge to its puskesmas. Use a
  shorter catchment (e.g. 3 km, walking) for posyandu. With a cost matrix in minutes, the
  catchment is in minutes too (e.g. 30).
- Decay for the enhanced 2SFCA: ``"step"``, the weights 1, 0.68 and 0.22 of Luo and Qi (2009)
  (the default of ``access.Access.enhanced_two_stage_fca``) on three equal zones of the
  catchment (0-1/3, 1/3-2/3, 2/3-1); or ``"gaussian"``, ``access.weights.gaussian`` with sigma
  half the catchment (weight 0.61 at half the catchment, 0.14 at its edge); or any function of
  the cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.errors import InputError, Problem, ProblemReport
from mapping.services import area_points

#: Road distance / straight-line distance assumed without a road network (see the module notes).
DETOUR_FACTOR = 1.4
#: Default catchment of the floating catchment methods, in km of estimated road distance.
CATCHMENT_KM = 10.0
#: Luo and Qi's (2009) E2SFCA weights for the three zones of the catchment, nearest first.
STEP_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)
#: Columns of a cost matrix (long: one row per origin-destination pair).
COST_COLUMNS: tuple[str, str, str] = ("origin", "destination", "cost")

Decay = Literal["step", "gaussian"] | Callable[[float], float]
Unit = Literal["km", "min"]


def distance_matrix(
    origins: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    detour_factor: float = DETOUR_FACTOR,
    origin_id: str = "code",
    service_id: str = "id",
) -> pd.DataFrame:
    """Estimated road distance in km from every origin area to every service point.

    The distance is the straight line in UTM 47N from the origin's representative point to
    the service point, times `detour_factor`. The result is a long cost matrix with columns
    ``origin``, ``destination`` and ``cost`` (km), one row per pair.

    >>> import shapely
    >>> from mapping.settings import CRS_METRIC
    >>> sq = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(0, 0, 2000, 2000)],
    ...                       crs=CRS_METRIC)
    >>> pt = gpd.GeoDataFrame({"id": ["s"]}, geometry=[shapely.Point(4000, 1000)], crs=CRS_METRIC)
    >>> distance_matrix(sq, pt, detour_factor=1.5).to_dict("records")
    [{'origin': 'a', 'destination': 's', 'cost': 4.5}]
    """
    if not detour_factor >= 1:
        msg = (
            f"detour_factor={detour_factor!r} is below 1; a road is never shorter than the "
            "straight line. Use 1 for straight-line distance, about 1.2-1.5 for roads."
        )
        raise InputError(msg)
    if service_id not in services.columns:
        msg = f"Column {service_id!r} not found in the services; found {list(services.columns)}."
        raise InputError(msg)
    if services.crs is None:
        msg = "The services have no CRS; set it (e.g. services.set_crs('EPSG:4326')) first."
        raise InputError(msg)
    start = area_points(origins, id_column=origin_id)
    end = services.geometry.to_crs(start.crs)
    a = np.column_stack([start.x.to_numpy(), start.y.to_numpy()])
    b = np.column_stack([end.x.to_numpy(), end.y.to_numpy()])
    km = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]) / 1000
    return pd.DataFrame(
        {
            "origin": np.repeat(start.index.to_numpy(dtype=object), len(b)),
            "destination": np.tile(services[service_id].astype(str).to_numpy(dtype=object), len(a)),
            # rounded to the millimetre, so a service placed at a desa's point is at 0 km
            "cost": np.round(km * detour_factor, 6).ravel(),
        }
    )


def check_cost_matrix(
    cost: pd.DataFrame,
    *,
    origins: Iterable[str],
    destinations: Iterable[str],
    origin_column: str = "origin",
    destination_column: str = "destination",
    cost_column: str = "cost",
    name: str = "cost matrix",
) -> pd.DataFrame:
    """A user's cost matrix checked and renamed to ``origin``, ``destination``, ``cost``.

    `cost` is a long table (one row per pair: origin desa code, destination service id, travel
    time in minutes or distance in km). Every origin-destination pair must appear exactly
    once with a cost of 0 or more; ids must name a known origin or destination. All problems
    (missing columns aside, which raise at once) are reported together.

    >>> m = pd.DataFrame({"desa": ["a", "a"], "site": ["s", "t"], "menit": [12, 30]})
    >>> check_cost_matrix(m, origins=["a"], destinations=["s", "t"], origin_column="desa",
    ...                   destination_column="site", cost_column="menit")["cost"].tolist()
    [12.0, 30.0]
    """
    cols = {origin_column: "origin", destination_column: "destination", cost_column: "cost"}
    missing = [c for c in cols if c not in cost.columns]
    if missing:
        msg = (
            f"Column(s) {missing} not found in the {name}; found {list(cost.columns)}. Pass "
            "origin_column=, destination_column= and cost_column= to name them."
        )
        raise InputError(msg)
    out = cost[list(cols)].rename(columns=cols)
    out["origin"] = out["origin"].astype(str).str.strip()
    out["destination"] = out["destination"].astype(str).str.strip()
    values = pd.to_numeric(out["cost"], errors="coerce").astype("float64")
    origin_set = {str(o) for o in origins}
    dest_set = {str(d) for d in destinations}
    report = ProblemReport()

    def add(kind: str, message: str, row: int | None, column: str, value: object, exp: str,
            fix: str) -> None:  # fmt: skip
        report.add(
            Problem(kind, message, file=name, row=row, column=column, value=value, expected=exp,
                    suggestion=fix)
        )  # fmt: skip

    orig = out["origin"].to_numpy(dtype=object)
    dest = out["destination"].to_numpy(dtype=object)
    raw = cost[cost_column].to_numpy(dtype=object)
    unknown_o = ~out["origin"].isin(origin_set).to_numpy()
    unknown_d = ~out["destination"].isin(dest_set).to_numpy()
    bad_cost = (values.isna() | (values < 0)).to_numpy()
    dup = out.duplicated(["origin", "destination"], keep="first").to_numpy()
    for i in np.flatnonzero(unknown_o | unknown_d | bad_cost | dup):
        row = int(i) + 1
        if unknown_o[i]:
            add("unknown-origin", "origin names no area", row, origin_column, orig[i],
                "a desa code of the layer", "correct the code or drop the row")  # fmt: skip
        if unknown_d[i]:
            add("unknown-destination", "destination names no service", row, destination_column,
                dest[i], "a service id", "correct the id or drop the row")  # fmt: skip
        if bad_cost[i]:
            add("bad-cost", "cost is missing, negative or not a number", row, cost_column, raw[i],
                "a travel time or distance of 0 or more",
                "fill in the cost (give unreachable pairs a large cost)")  # fmt: skip
        if dup[i]:
            add("duplicate", "pair appears more than once", row,
                f"{origin_column}, {destination_column}", f"{orig[i]} -> {dest[i]}",
                "one row per pair", "remove the repeated row")  # fmt: skip
    pairs = pd.MultiIndex.from_arrays([orig, dest])
    every = pd.MultiIndex.from_product([sorted(origin_set), sorted(dest_set)])
    absent = every.difference(pairs)
    if len(absent):
        lost = pd.Series(absent.get_level_values(1), index=absent.get_level_values(0))
        for o, ds in lost.groupby(level=0):
            names = sorted(ds)
            add("missing-pair", f"{len(names)} destination(s) have no cost from this origin",
                None, origin_column, o, f"a row for every destination ({len(dest_set)})",
                f"add rows for {names[:5]}" + (" ..." if len(names) > 5 else ""))  # fmt: skip
    report.raise_if_errors(context=f"the {name}")
    out["cost"] = values
    return out.reset_index(drop=True)


def nearest_service(cost: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """For each origin of a checked cost matrix, its nearest service: cost, id and name.

    `services` needs ``id`` and ``name`` columns (ids as in the cost matrix); ``lokasi_perkiraan``
    is carried over when present. Ties go to the service listed first in `services`. The result
    is indexed by origin code (``code``).
    """
    order = {sid: i for i, sid in enumerate(services["id"].astype(str))}
    c = cost.assign(_order=cost["destination"].map(order))
    best = c.sort_values(["origin", "cost", "_order"]).drop_duplicates("origin")
    info = services.assign(id=services["id"].astype(str)).set_index("id")
    out = pd.DataFrame(
        {
            "cost": best["cost"].to_numpy(),
            "service_id": best["destination"].to_numpy(),
            "service_name": info.loc[best["destination"], "name"].astype(str).to_numpy(),
        },
        index=pd.Index(best["origin"].to_numpy(), name="code"),
    )
    if "lokasi_perkiraan" in info.columns:
        out["lokasi_perkiraan"] = info.loc[best["destination"], "lokasi_perkiraan"].to_numpy()
    return out


def nearest_services(
    desa: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    cost: pd.DataFrame | None = None,
    unit: Unit = "km",
    detour_factor: float = DETOUR_FACTOR,
) -> pd.DataFrame:
    """Distance (or travel cost) from every desa to the nearest service of each kind.

    Without `cost`, the distance in km is estimated by :func:`distance_matrix` (straight line
    from the desa's representative point, times `detour_factor`). With `cost` (a long table
    ``origin``, ``destination``, ``cost``; see :func:`check_cost_matrix`), it is read from the
    table, in `unit`. For each kind ``k`` of ``services["kind"]`` the result, indexed by desa
    code, has ``k_km`` (or ``k_min``), ``k_id``, ``k_name`` and, when the services carry it,
    ``k_lokasi_perkiraan`` (the nearest service's location is approximate).
    """
    missing = [c for c in ("id", "name", "kind") if c not in services.columns]
    if missing:
        msg = (
            f"Column(s) {missing} not found in the services; found {list(services.columns)}. "
            "Build them with mapping.services (load_puskesmas, services_from_counts, "
            "read_services)."
        )
        raise InputError(msg)
    if services.empty:
        msg = "The services layer is empty; give at least one service point."
        raise InputError(msg)
    repeated = sorted(set(services["id"][services["id"].duplicated()].astype(str)))
    if repeated:
        msg = (
            f"Service ids {repeated[:5]} repeat; every service point needs its own id (when "
            "combining layers, check no two share an id)."
        )
        raise InputError(msg)
    codes = desa["code"].astype(str)
    if cost is None:
        matrix = distance_matrix(desa, services, detour_factor=detour_factor)
    else:
        matrix = check_cost_matrix(cost, origins=codes, destinations=services["id"].astype(str))
    parts = []
    for kind in pd.unique(services["kind"].astype(str)):
        of_kind = services[services["kind"].astype(str) == kind]
        ids = set(of_kind["id"].astype(str))
        near = nearest_service(matrix[matrix["destination"].isin(ids)], of_kind)
        near.columns = [
            f"{kind}_{unit}" if c == "cost" else f"{kind}_{c.removeprefix('service_')}"
            for c in near.columns
        ]
        parts.append(near)
    return pd.concat(parts, axis=1).reindex(pd.Index(codes, name="code"))


def decay_function(decay: Decay, catchment: float) -> Callable[[float], float]:
    """The distance-decay weight function of `decay` for a catchment of size `catchment`.

    >>> fn = decay_function("step", 9)
    >>> [fn(x) for x in (0, 3, 4, 6, 9, 10)]
    [1.0, 1.0, 0.68, 0.68, 0.22, 0]
    >>> round(float(decay_function("gaussian", 10)(10)), 3)
    0.135
    """
    from access import weights

    if callable(decay):
        return decay
    if decay == "step":
        zones = [catchment / 3, 2 * catchment / 3, catchment]
        return weights.step_fn(dict(zip(zones, STEP_WEIGHTS, strict=True)))
    if decay == "gaussian":
        return weights.gaussian(sigma=catchment / 2)
    msg = f"decay={decay!r} is not a decay; expected 'step', 'gaussian' or a function of the cost."
    raise InputError(msg)


def _floating_catchment(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    *,
    catchment: float,
    weight_fn: Callable[[float], float] | None,
    per: float,
) -> pd.Series:
    """2SFCA (``weight_fn`` None) or E2SFCA through ``access.Access``, per `per` demand units."""
    from access import Access

    if not catchment > 0:
        msg = f"catchment={catchment!r} must be above 0 (in the unit of the cost, km by default)."
        raise InputError(msg)
    report = ProblemReport()
    for label, series, what in (("demand", demand, "desa code"), ("supply", supply, "service id")):
        values = pd.to_numeric(series, errors="coerce")
        bad = series.index[values.isna() | (values < 0)]
        if len(bad):
            report.add(
                Problem(
                    f"bad-{label}", f"{len(bad)} {label} value(s) missing, negative or not numbers",
                    file=label, column=str(series.name or label), value=list(bad[:5]),
                    expected="numbers of 0 or more", suggestion=f"fix the {label} of these "
                    f"{what}s (use 0 for none)",
                )
            )  # fmt: skip
        if series.index.duplicated().any():
            dups = list(series.index[series.index.duplicated()][:5])
            report.add(
                Problem(
                    "duplicate", f"{label} index repeats", file=label, column="index", value=dups,
                    expected=f"one value per {what}", suggestion="sum or drop the repeated rows",
                )
            )  # fmt: skip
    report.raise_if_errors(context="the floating catchment inputs")
    demand_idx = demand.index.astype(str)
    checked = check_cost_matrix(cost, origins=demand_idx, destinations=supply.index.astype(str))
    near = checked[checked["cost"] <= catchment]  # access drops the rest too; this is faster
    demand_df = pd.DataFrame(
        {"demand": pd.to_numeric(demand).to_numpy(dtype=float)},
        index=pd.Index(demand_idx, name="origin"),
    )
    supply_df = pd.DataFrame(
        {"supply": pd.to_numeric(supply).to_numpy(dtype=float)},
        index=pd.Index(supply.index.astype(str), name="destination"),
    )
    model = Access(
        demand_df=demand_df,
        demand_index=True,
        demand_value="demand",
        supply_df=supply_df,
        supply_index=True,
        supply_value="supply",
        cost_df=near,
        cost_origin="origin",
        cost_dest="destination",
        cost_name="cost",
    )
    if weight_fn is None:
        result = model.two_stage_fca(name="fca", max_cost=catchment)
    else:
        result = model.enhanced_two_stage_fca(name="fca", max_cost=catchment, weight_fn=weight_fn)
    # desa with no service in reach are absent from access's result: their access is 0. A
    # service whose catchment holds no demand gives inf to the zero-demand desa it reaches:
    # their access is undefined (NaN).
    values = result["fca_supply"].reindex(demand_idx).fillna(0.0)
    values = values.replace([np.inf, -np.inf], np.nan) * per
    out = pd.Series(values.to_numpy(), index=demand.index, name=None)
    out.index.name = demand.index.name or "code"
    return out


def two_step_fca(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    *,
    catchment: float = CATCHMENT_KM,
    per: float = 1_000,
) -> pd.Series:
    """Two-step floating catchment access (Luo and Wang 2003) via ``access.Access``.

    Step 1: each service j gets the ratio R_j = capacity_j / (demand of the desa within
    `catchment` of it). Step 2: each desa's access is the sum of R_j over the services within
    `catchment` of it, times `per` (so "services per 1,000 families" with families as demand).
    `demand` is indexed by desa code (e.g. families), `supply` by service id (the services'
    ``capacity``), `cost` a long matrix (``origin``, ``destination``, ``cost``) such as
    :func:`distance_matrix`'s; the catchment is in the cost's unit. A desa with no service in
    reach gets 0; a desa with no demand reached only by services without demand gets NaN.
    """
    return _floating_catchment(
        demand, supply, cost, catchment=catchment, weight_fn=None, per=per
    ).rename("2sfca")


def enhanced_two_step_fca(
    demand: pd.Series,
    supply: pd.Series,
    cost: pd.DataFrame,
    *,
    catchment: float = CATCHMENT_KM,
    decay: Decay = "step",
    per: float = 1_000,
) -> pd.Series:
    """Enhanced 2SFCA (Luo and Qi 2009) with distance decay via ``access.Access``.

    As :func:`two_step_fca`, but demand in step 1 and ratios in step 2 are weighted by
    ``decay_function(decay, catchment)`` of the cost: by default Luo and Qi's step weights 1,
    0.68 and 0.22 on three equal zones of the catchment.
    """
    fn = decay_function(decay, catchment)
    return _floating_catchment(
        demand, supply, cost, catchment=catchment, weight_fn=fn, per=per
    ).rename("e2sfca")


def service_access(
    desa: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    demand: pd.Series,
    *,
    catchment: float = CATCHMENT_KM,
    decay: Decay = "step",
    per: float = 1_000,
    cost: pd.DataFrame | None = None,
    unit: Unit = "km",
    detour_factor: float = DETOUR_FACTOR,
) -> pd.DataFrame:
    """Nearest service, 2SFCA and E2SFCA of every kind of service, one row per desa.

    For each kind ``k`` of ``services["kind"]``: the columns of :func:`nearest_services`
    (``k_km``, ``k_id``, ``k_name``...), then ``k_2sfca`` and ``k_e2sfca`` (services'
    ``capacity`` per `per` units of `demand` within `catchment`; see :func:`two_step_fca`).
    `demand` is indexed by desa code (e.g. families); `cost`, when given, replaces the
    estimated distances for both (a long table ``origin``, ``destination``, ``cost`` in `unit`).
    """
    if "capacity" not in services.columns:
        msg = (
            f"Column 'capacity' not found in the services; found {list(services.columns)}. "
            "Give each service its capacity (1 for one site)."
        )
        raise InputError(msg)
    near = nearest_services(desa, services, cost=cost, unit=unit, detour_factor=detour_factor)
    codes = desa["code"].astype(str)
    matrix = (
        distance_matrix(desa, services, detour_factor=detour_factor)
        if cost is None
        else check_cost_matrix(cost, origins=codes, destinations=services["id"].astype(str))
    )
    demand = demand.copy()
    demand.index = demand.index.astype(str)
    parts = [near]
    for kind in pd.unique(services["kind"].astype(str)):
        of_kind = services[services["kind"].astype(str) == kind]
        supply = pd.Series(
            of_kind["capacity"].to_numpy(dtype=float), index=of_kind["id"].astype(str)
        )
        sub = matrix[matrix["destination"].isin(set(supply.index))]
        fca = pd.DataFrame(
            {
                f"{kind}_2sfca": two_step_fca(demand, supply, sub, catchment=catchment, per=per),
                f"{kind}_e2sfca": enhanced_two_step_fca(
                    demand, supply, sub, catchment=catchment, decay=decay, per=per
                ),
            }
        )
        parts.append(fca.reindex(near.index))
    return pd.concat(parts, axis=1)
