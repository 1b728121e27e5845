"""Run one benchmark script and record its elapsed time for ``benchmarks/RESULTS.md``.

``make bench`` runs every script through this wrapper:
``python benchmarks/timed.py benchmarks/bench_x.py [args...]``. The script's output passes
through unchanged (so it can still be redirected to a results file); its wall time, CPU time
(user + system of the script and its children) and exit status are appended to
``benchmarks/.timings.tsv`` (git-ignored), which ``benchmarks/collect.py`` turns into the table
of per-script times. ``make bench`` deletes that file first, so it holds one run.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMINGS = HERE / ".timings.tsv"


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python benchmarks/timed.py SCRIPT [ARGS...]", file=sys.stderr)
        return 2
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    status = subprocess.call([sys.executable, *argv])
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    script = " ".join([Path(argv[0]).name, *argv[1:]])
    with TIMINGS.open("a", encoding="utf-8") as f:
        f.write(f"{script}\t{wall:.1f}\t{cpu:.1f}\t{status}\n")
    print(f"{script}: {wall:.0f} s wall, {cpu:.0f} s CPU", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
