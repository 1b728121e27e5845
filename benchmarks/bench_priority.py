"""CSR targeting speed: area of influence, priority score and 1,000-draw sensitivity on 252 desa.

The components are seeded random numbers on the real 252 desa (the speed does not depend on
what they mean). The issue's budget: sensitivity with 1,000 draws in under 10 s. Prints the
timings (best of 5) and writes ``benchmarks/results-priority.md``.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_priority.py``
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mapping.boundaries import load_desa
from mapping.influence import area_of_influence
from mapping.priority import priority_score, sensitivity
from mapping.targeting import shortlist

HERE = Path(__file__).resolve().parent
BUDGET_S = 10.0


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    desa = load_desa()
    rng = np.random.default_rng(0)
    n = len(desa)
    desa["need"] = rng.gamma(2, 10, n)
    desa["gap"] = rng.normal(50, 20, n)
    desa["access_km"] = rng.uniform(0, 30, n)
    desa["capacity"] = rng.integers(0, 8, n).astype(float)
    rows = [
        ("area of influence (2 sites, 15 km)", best_of(lambda: area_of_influence(desa))),
        ("priority score + reasons (252 desa)", best_of(lambda: priority_score(desa))),
        ("sensitivity, 1,000 draws (252 desa)", best_of(lambda: sensitivity(desa, draws=1000))),
        (
            "shortlist (Sarulla, 15 km, 1,000 draws)",
            best_of(lambda: shortlist(desa, radius_km=15)),
        ),
    ]
    sens = rows[2][1]
    lines = [
        "# CSR targeting benchmark",
        "",
        f"{n} desa, 4 components (seeded random values), best of 5 runs.",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}.",
        "",
        "| step | time |",
        "|---|---:|",
        *[f"| {name} | {t * 1000:,.1f} ms |" for name, t in rows],
        "",
        f"- sensitivity with 1,000 draws on {n} desa: {sens:.3f} s (budget {BUDGET_S:.0f} s): "
        f"{'PASS' if sens < BUDGET_S else 'FAIL'}",
        "",
    ]
    text = "\n".join(lines)
    (HERE / "results-priority.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
