"""Access and site selection on the real 252 desa: how long each step takes.

Measures, on the canonical boundaries and the real desa indicators (``data/welfare``):

- access: nearest puskesmas and posyandu (distances from desa representative points, detour
  factor 1.4) plus 2SFCA and E2SFCA of the 17 puskesmas with families as demand;
- site selection: 5 new sites covering families at risk of stunting within 5 km beyond the
  puskesmas, spopt's MCLP (CBC) and the greedy answer, each timed alone; the first MCLP run also
  pays for importing spopt, reported separately.

Each step runs ``REPEAT`` times after one warm-up; the best and median are printed (the issue
asks for site selection under 30 s). Prints only; writes nothing.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_analysis_access.py``
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from mapping.access import (
    distance_matrix,
    enhanced_two_step_fca,
    nearest_services,
    two_step_fca,
)
from mapping.boundaries import load_desa
from mapping.services import load_puskesmas, services_from_counts
from mapping.settings import get_settings
from mapping.siting import select_sites

REPEAT = 5
N_SITES = 5
RADIUS_KM = 5.0


def _timed(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, float, Any]:
    """Best and median seconds of `repeat` runs after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), result


def main() -> None:
    """Run the benchmark and print a table."""
    desa = load_desa()
    table = pd.read_csv(
        get_settings().data_dir / "welfare" / "indikator-desa.csv", dtype={"area_code": str}
    )
    value = table.pivot_table(index="area_code", columns="category", values="value")
    families = value["keluarga"].reindex(desa["code"])
    at_risk = value["keluarga_berisiko_stunting"].reindex(desa["code"]).fillna(0)

    t0 = time.perf_counter()
    puskesmas = load_puskesmas(desa=desa)
    posyandu = services_from_counts(value["posyandu"].fillna(0), kind="posyandu", desa=desa)
    t_load = time.perf_counter() - t0

    def access() -> pd.DataFrame:
        services = pd.concat([puskesmas, posyandu], ignore_index=True)
        near = nearest_services(desa, services)
        cost = distance_matrix(desa, puskesmas)
        supply = puskesmas.set_index("id")["capacity"]
        near["2sfca"] = two_step_fca(families, supply, cost)
        near["e2sfca"] = enhanced_two_step_fca(families, supply, cost)
        return near

    t0 = time.perf_counter()
    import spopt.locate  # noqa: F401  (the import cost, paid once per process)

    t_import = time.perf_counter() - t0
    rows = [("load 17 puskesmas + posyandu points", t_load, t_load)]
    best, med, near = _timed(access)
    rows.append(("access: nearest (2 kinds) + 2SFCA + E2SFCA", best, med))
    for method, existing in (("mclp", puskesmas), ("greedy", puskesmas), ("mclp", None)):
        best, med, result = _timed(
            lambda m=method, e=existing: select_sites(
                desa, at_risk, n_sites=N_SITES, radius_km=RADIUS_KM, existing=e, methods=[m]
            )
        )
        beyond = "beyond the puskesmas" if existing is not None else "no existing sites"
        rows.append((f"site selection, {N_SITES} sites, {method}, {beyond}", best, med))
        s = result.summary.iloc[0]
        print(
            f"{method} ({beyond}): {s['sites']}; covered {s['covered_before']:.0f} -> "
            f"{s['covered_after']:.0f} of {s['need_total']:.0f} families at risk"
        )
    rows.append(("import spopt (once per process)", t_import, t_import))
    print(
        f"\n252 desa, Python {platform.python_version()}, {platform.machine()}; "
        f"best and median of {REPEAT} runs\n"
    )
    print("| step | best s | median s |\n|---|---:|---:|")
    for name, b, m in rows:
        print(f"| {name} | {b:.3f} | {m:.3f} |")
    print(
        f"\nnearest puskesmas: median {near['puskesmas_km'].median():.1f} km, "
        f"max {near['puskesmas_km'].max():.1f} km (estimated road km)"
    )


if __name__ == "__main__":
    main()
