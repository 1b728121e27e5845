"""Time the kecamatan profiles add to the build: prepare once, then 15 profiles + the summary.

On the real desa indicators and the synthetic sample (``data/welfare``), after the coverage
analysis the build already made (not timed): :func:`mapping.profiles.prepare_profiles` (the
protected figures and counts, the simplified map layers, the classes) and
:func:`mapping.profiles.write_profiles` (16 A4 PDF pages). One warm-up run, then ``REPEAT``
runs; the median wall-clock and CPU times are reported with the load average (the machine is
shared, so wall time is inflated by the load, CPU time much less). Prints a Markdown table.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_profiles.py``
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from mapping import profiles
from mapping.analysis import coverage_analysis
from mapping.pipeline import _protect_synthetic, real_indicator_layers, synthetic_layers

REPEAT = 2


def _time(step, *args, **kwargs):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    value = step(*args, **kwargs)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    desa, _, _ = real_indicator_layers()
    sdesa, skec, _, _ = synthetic_layers()
    analysis = coverage_analysis(desa)
    _, published = _protect_synthetic(sdesa, skec)
    rows: dict[str, list[tuple[float, float]]] = {"prepare": [], "write 16 PDFs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(REPEAT + 1):
            data, w1, c1 = _time(profiles.prepare_profiles, analysis, sdesa, skec,
                                 published=published)  # fmt: skip
            paths, w2, c2 = _time(profiles.write_profiles, data, Path(tmp) / "profil")
            if i:  # the first run warms up (imports, font cache)
                rows["prepare"].append((w1, c1))
                rows["write 16 PDFs"].append((w2, c2))
        size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"Load average: {os.getloadavg()[0]:.1f}; {len(paths)} PDFs, {size:.1f} MB in all\n")
    print("| step | wall (s, median) | CPU (s, median) |\n|---|---|---|")
    for name, runs in rows.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")


if __name__ == "__main__":
    main()
