"""Where to put new service sites: maximal covering location (spopt MCLP) and a greedy answer.

Given the need of every desa (e.g. families at risk of stunting, or PMKS), N new sites and a
radius R, choose N desa (among the candidates) as sites so that the need of the desa within R
of a site is as large as possible. Need already within R of an existing site (a puskesmas, the
LKS already there) counts as covered before any new site and is not counted again. Distances
are those of :mod:`mapping.access`: from desa representative point to desa representative
point in UTM 47N, times the detour factor, so R is in estimated road km.

Two answers are reported side by side:

- ``mclp``: the optimum of the maximal covering location problem (Church and ReVelle 1974),
  solved by ``spopt.locate.MCLP`` with PuLP's bundled CBC solver;
- ``greedy``: repeatedly add the candidate that covers the most still-uncovered need (ties:
  the lowest desa code). Easy to explain and usually close to the optimum, but it can miss it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.access import DETOUR_FACTOR, distance_matrix
from mapping.errors import InputError
from mapping.services import area_points

METHODS: tuple[str, ...] = ("mclp", "greedy")


@dataclass(frozen=True)
class SitingResult:
    """The chosen sites of each method and the need they cover.

    Attributes
    ----------
    summary
        One row per method: ``method``, ``n_sites``, ``sites`` (desa codes, "; "),
        ``need_total``, ``covered_before`` (need within R of an existing site),
        ``covered_after`` (with the new sites), ``added``, ``pct_before``, ``pct_after``.
    sites
        One row per chosen site: ``method``, ``order``, ``code``, ``name``, ``kecamatan``,
        ``covers`` and ``covers_names`` (the desa within R of it, "; "), ``n_covers``,
        ``added`` (need it newly covers, after the sites listed before it; the ``added`` of a
        method's sites sum to its summary's ``added``).
    coverage
        One row per desa (indexed by code): ``need``, ``unmet`` (need not covered before),
        ``covered_before``, and per method ``covered_<method>`` and ``site_<method>`` (the
        nearest chosen site within R, or missing).
    """

    summary: pd.DataFrame
    sites: pd.DataFrame
    coverage: pd.DataFrame


def _check(
    desa: gpd.GeoDataFrame,
    need: pd.Series,
    *,
    n_sites: int,
    radius_km: float,
    candidates: Iterable[str] | None,
    methods: Sequence[str],
) -> tuple[pd.Series, list[str]]:
    """The need aligned to the desa and the candidate codes, or an error naming the problem."""
    if isinstance(n_sites, bool) or not isinstance(n_sites, int | np.integer) or n_sites < 1:
        msg = f"n_sites={n_sites!r} must be a whole number of 1 or more (new sites to place)."
        raise InputError(msg)
    if not radius_km > 0:
        msg = f"radius_km={radius_km!r} must be above 0 (the distance a site serves, in km)."
        raise InputError(msg)
    unknown_methods = [m for m in methods if m not in METHODS]
    if unknown_methods or not methods:
        msg = f"methods={list(methods)!r}: expected one or more of {list(METHODS)}."
        raise InputError(msg)
    codes = desa["code"].astype(str)
    values = pd.to_numeric(need, errors="coerce")
    values.index = values.index.astype(str)
    extra = sorted(set(values.index) - set(codes))
    absent = sorted(set(codes) - set(values.index))
    bad = sorted(values.index[values.isna() | (values < 0)])
    problems = []
    if extra:
        problems.append(f"{len(extra)} code(s) name no desa: {extra[:5]}")
    if absent:
        problems.append(f"{len(absent)} desa have no need value: {absent[:5]}")
    if bad:
        problems.append(f"{len(bad)} need value(s) missing, negative or not numbers: {bad[:5]}")
    if values.index.duplicated().any():
        problems.append(f"repeated codes: {sorted(set(values.index[values.index.duplicated()]))}")
    if problems:
        msg = (
            f"need ({need.name or 'series'}) cannot be used: " + "; ".join(problems) + ". Give "
            "one value of 0 or more per desa code (fillna(0) where there is none)."
        )
        raise InputError(msg)
    if candidates is None:
        cands = sorted(codes)
    else:
        cands = sorted({str(c) for c in candidates})
        unknown = [c for c in cands if c not in set(codes)]
        if unknown:
            msg = f"candidates {unknown[:5]} name no desa; pass desa codes (12.02.KK.NNNN)."
            raise InputError(msg)
    if not cands:
        msg = "No candidate desa: pass at least one desa code in candidates (or None for all)."
        raise InputError(msg)
    if n_sites > len(cands):
        msg = (
            f"n_sites={n_sites} is more than the {len(cands)} candidate desa; ask for at most "
            f"{len(cands)} sites or allow more candidates."
        )
        raise InputError(msg)
    return values.reindex(codes), cands


def _greedy(cover: np.ndarray, weight: np.ndarray, n_sites: int) -> list[int]:
    """Indexes of `n_sites` columns of `cover`, each adding the most uncovered weight."""
    open_weight = weight.astype(float).copy()
    chosen: list[int] = []
    for _ in range(n_sites):
        gain = open_weight @ cover
        gain[chosen] = -1.0
        best = int(np.argmax(gain))  # first maximum: the lowest candidate code
        chosen.append(best)
        open_weight[cover[:, best]] = 0.0
    return chosen


def _mclp(cost: np.ndarray, weight: np.ndarray, radius: float, n_sites: int) -> list[int]:
    """Indexes of the candidates spopt's MCLP chooses (CBC, quiet).

    Desa without unmet need add nothing to the objective, so they are left out of the model
    (a smaller problem, the same optimum); without any unmet need every choice is optimal and
    the first `n_sites` candidates are returned.
    """
    import pulp
    from spopt.locate import MCLP

    open_rows = weight > 0
    if not open_rows.any():
        return list(range(n_sites))
    with warnings.catch_warnings():  # PuLP 3.3 deprecations inside spopt: nothing to act on
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(
            cost[open_rows], weight[open_rows], service_radius=radius, p_facilities=n_sites
        )
        model = model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    return [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]


def select_sites(
    desa: gpd.GeoDataFrame,
    need: pd.Series,
    *,
    n_sites: int,
    radius_km: float,
    candidates: Iterable[str] | None = None,
    existing: gpd.GeoDataFrame | None = None,
    detour_factor: float = DETOUR_FACTOR,
    methods: Sequence[str] = METHODS,
) -> SitingResult:
    """Choose `n_sites` desa for new sites covering the most unmet need within `radius_km`.

    `need` is indexed by desa code with one value of 0 or more per desa of `desa`.
    `candidates` restricts where sites may go (desa codes; default every desa); `existing`
    are the points of sites already there (any GeoDataFrame of points): need within
    `radius_km` of them is covered before and is not counted again. A desa is covered by a
    site when the estimated road distance between their representative points is at most
    `radius_km` (straight line times `detour_factor`; use 1 for straight-line distance).
    """
    values, cands = _check(
        desa, need, n_sites=n_sites, radius_km=radius_km, candidates=candidates, methods=methods
    )
    codes = desa["code"].astype(str).to_numpy()
    points = area_points(desa)
    sites = gpd.GeoDataFrame({"id": cands}, geometry=points[cands].to_numpy(), crs=points.crs)
    matrix = distance_matrix(desa, sites, detour_factor=detour_factor)
    cost = matrix["cost"].to_numpy().reshape(len(codes), len(cands))
    cover = cost <= radius_km
    if existing is not None and len(existing):
        ex = gpd.GeoDataFrame({"id": [str(i) for i in range(len(existing))]},
                              geometry=existing.geometry.to_numpy(), crs=existing.crs)  # fmt: skip
        ex_cost = distance_matrix(desa, ex, detour_factor=detour_factor)["cost"].to_numpy()
        before = (ex_cost.reshape(len(codes), len(ex)) <= radius_km).any(axis=1)
    else:
        before = np.zeros(len(codes), dtype=bool)
    need_arr = values.to_numpy(dtype=float)
    unmet = np.where(before, 0.0, need_arr)
    names = desa.set_index(desa["code"].astype(str))
    coverage = pd.DataFrame(
        {"need": need_arr, "unmet": unmet, "covered_before": before},
        index=pd.Index(codes, name="code"),
    )
    summaries, site_rows = [], []
    for method in methods:
        chosen = (
            _mclp(cost, unmet, radius_km, n_sites)
            if method == "mclp"
            else _greedy(cover, unmet, n_sites)
        )
        if method == "mclp":  # list the optimum's sites by what each adds, largest first
            chosen = sorted(chosen, key=lambda j: (-float(unmet @ cover[:, j]), cands[j]))
        open_weight = unmet.copy()
        for order, j in enumerate(chosen, start=1):
            within = codes[cover[:, j]]
            site_rows.append(
                {
                    "method": method,
                    "order": order,
                    "code": cands[j],
                    "name": names.at[cands[j], "name"],
                    "kecamatan": names.at[cands[j], "kecamatan"],
                    "covers": "; ".join(within),
                    "covers_names": "; ".join(names.loc[within, "name"].astype(str)),
                    "n_covers": len(within),
                    "added": float(open_weight @ cover[:, j]),
                }
            )
            open_weight[cover[:, j]] = 0.0
        now = cover[:, chosen]
        after = before | now.any(axis=1)
        nearest = np.where(now, cost[:, chosen], np.inf).argmin(axis=1)
        coverage[f"covered_{method}"] = after
        coverage[f"site_{method}"] = pd.Series(
            np.where(now.any(axis=1), np.array(cands, dtype=object)[np.array(chosen)][nearest],
                     None), index=coverage.index, dtype="string")  # fmt: skip
        total = float(need_arr.sum())
        cov_before = float(need_arr[before].sum())
        cov_after = float(need_arr[after].sum())
        summaries.append(
            {
                "method": method,
                "n_sites": n_sites,
                "sites": "; ".join(cands[j] for j in chosen),
                "need_total": total,
                "covered_before": cov_before,
                "covered_after": cov_after,
                "added": cov_after - cov_before,
                "pct_before": 100 * cov_before / total if total else np.nan,
                "pct_after": 100 * cov_after / total if total else np.nan,
            }
        )
    return SitingResult(
        summary=pd.DataFrame(summaries),
        sites=pd.DataFrame(site_rows),
        coverage=coverage,
    )
