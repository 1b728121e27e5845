"""Time of the analysis core on the 252 real desa: measures, smoothing, coverage, quadrants.

Runs each step on the joined synthetic PMKS/PSKS sample (which carries the real desa
indicators too) after the layers are loaded and ``esda`` is imported, and reports the median of
five runs: all default measures with global and with spatial Empirical-Bayes smoothing, the
PKH coverage gap of families at risk of stunting, the need/capacity quadrants and the list of
high-need/low-capacity desa of the bivariate map. Writes ``benchmarks/results-analysis-core.md``
and prints it. Issue 7 asks the whole analysis (without sensitivity and site selection) to
run in under 5 s.

Run: ``.venv/bin/python benchmarks/bench_analysis_core.py``
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import esda.smoothing  # noqa: F401  (import time is not the analysis's time)

from mapping.bivariate import areas_in_cell, classify_bivariate
from mapping.coverage import REAL_COVERAGE, coverage_gap, quadrants
from mapping.measures import add_measures
from mapping.pipeline import synthetic_layers

HERE = Path(__file__).resolve().parent
RUNS = 5


def timed(step: Callable[[], object]) -> float:
    """Median seconds of `RUNS` calls of `step`."""
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> str:
    desa = synthetic_layers()[0]
    measured, _ = add_measures(desa)
    biv = classify_bivariate(
        measured["pmks_prioritas_per_1000_eb"], measured["psks_orang_per_1000_eb"]
    )
    steps: dict[str, Callable[[], object]] = {
        "7 default measures, global EB": lambda: add_measures(desa),
        "7 default measures, spatial EB (queen)": lambda: add_measures(desa, smoothing="spatial"),
        "coverage gap and severity (PKH / families at risk)": lambda: coverage_gap(
            desa, **REAL_COVERAGE
        ),
        "need/capacity quadrants": lambda: quadrants(
            measured, need="risiko_stunting_per_1000_eb", capacity="layanan_posyandu_per_1000_eb"
        ),
        "high-need/low-capacity desa of the bivariate map": lambda: areas_in_cell(measured, biv),
    }
    rows = [(name, timed(step)) for name, step in steps.items()]
    total = sum(t for _, t in rows)
    lines = [
        "# Analysis core on 252 desa",
        "",
        f"{platform.python_version()} on {platform.machine()}, median of {RUNS} runs, layers "
        "loaded and esda imported beforehand.",
        "",
        "| step | seconds |",
        "|---|---:|",
        *(f"| {name} | {t:.3f} |" for name, t in rows),
        f"| **all of the above** | **{total:.3f}** |",
        "",
    ]
    text = "\n".join(lines)
    (HERE / "results-analysis-core.md").write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    print(main())
