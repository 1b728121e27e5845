"""Collect the benchmarks' results files into ``benchmarks/RESULTS.md``, with the machine.

Each benchmark script writes its own results file (``results-*.md``, or for
``bench_validate.py`` its printed lines, saved by ``make bench`` as ``results-validate-csv.txt``
and ``results-validate-xlsx.txt``).
This script puts them under one heading each, after a description of the machine (CPU model,
cores, memory, load), the date, the Python and key package versions, and a summary of the
headline figures (the lines the scripts mark in bold, or their verdict lines).

Run by ``make bench`` last; alone: ``python benchmarks/collect.py``.
"""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: (results file, heading, the script and what it measures), in the order of RESULTS.md.
SECTIONS = [
    ("results-build.md", "Cold and warm build", "bench_build.py --quick"),
    ("results-points.md", "Points per desa, 1e5 to 1e7", "bench_points.py --quick"),
    ("results-national.md", "National name matching", "bench_national.py --quick"),
    ("results-matching.md", "Name matching on the 252 desa", "bench_matching.py"),
    ("results.md", "Interactive map size", "bench_html_size.py"),
    ("results-large-map.md", "Large maps (83,000 areas)", "bench_large_map.py"),
    ("results-analysis.md", "Coverage analysis and site selection", "bench_analysis.py"),
    ("results-validate-csv.txt", "Validating 200,000 rows (CSV)", "bench_validate.py --format csv"),
    (
        "results-validate-xlsx.txt",
        "Validating 200,000 rows (XLSX)",
        "bench_validate.py --format xlsx",
    ),
]
PACKAGES = (
    "numpy pandas geopandas shapely pyogrio pyarrow matplotlib pillow folium mapclassify "
    "rapidfuzz esda libpysal spopt openpyxl python-calamine dask dask-geopandas topojson"
).split()


def machine() -> list[str]:
    """Lines describing this machine and its software."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M)
        memory = f", {int(found.group(1)) / 1024**2:.1f} GB memory" if found else ""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return [
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (when collected; each section gives "
        "its own run time)",
        f"- machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()} {platform.machine()}",
        f"- load average when collected: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(1/5/15 min): the cores are shared with other jobs, so absolute times are inflated "
        "and vary; every ratio compares two sides measured one after the other in the same run",
        f"- Python {platform.python_version()}; " + ", ".join(versions),
    ]


def headline(text: str) -> list[str]:
    """The lines of a results file that carry its headline figures."""
    keep = []
    logical: list[str] = []  # a bullet wrapped over several lines is one line here
    for line in text.splitlines():
        wrapped = line.startswith("  ") and not line.lstrip().startswith(("-", "|", "*"))
        if wrapped and logical and logical[-1].lstrip().startswith("- "):
            logical[-1] += " " + line.strip()
        else:
            logical.append(line)
    for line in logical:
        plain = line.strip()
        if "**" in plain or re.match(r"^(result|Growth|validate|- result)\b", plain, re.I):
            keep.append(plain if plain.startswith("- ") else f"- {plain}")
    return keep


def demoted(text: str) -> str:
    """`text` with every Markdown heading one level deeper (the file's title dropped)."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(f"#{line}" if line.startswith("#") else line for line in lines).strip()


#: Budget of a whole ``make bench`` run (issue 10).
BUDGET_S = 600


def timings() -> list[str]:
    """The table of each script's elapsed time in the last ``make bench`` (``.timings.tsv``,
    written by ``benchmarks/timed.py``), with the total against :data:`BUDGET_S`."""
    path = HERE / ".timings.tsv"
    if not path.is_file():
        return []
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
    lines = ["## Time of each script", "", "| script | wall s | CPU s | exit |"]
    lines.append("|---|---:|---:|---|")
    lines += [f"| `{s}` | {float(w):.0f} | {float(c):.0f} | {x} |" for s, w, c, x in rows]
    total = sum(float(w) for _, w, _, _ in rows)
    cpu = sum(float(c) for _, _, c, _ in rows)
    verdict = "PASS" if total < BUDGET_S else "FAIL"
    lines += [
        f"| **total** | **{total:.0f}** | {cpu:.0f} | |",
        "",
        f"- whole `make bench`: **{total / 60:.1f} min** wall ({cpu / 60:.1f} min CPU), budget "
        f"{BUDGET_S // 60} min: {verdict} (wall on the shared machine; CPU is what an idle "
        "2-core machine would need at most)",
        "",
    ]
    return lines


def collect() -> str:
    """The text of RESULTS.md."""
    parts = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`benchmarks/collect.py` gathers what each script wrote).",
        "",
        *machine(),
        "",
        *timings(),
        "## Summary",
        "",
    ]
    bodies = []
    for name, heading, script in SECTIONS:
        path = HERE / name
        if not path.is_file():
            parts.append(f"- {heading}: no results (run `benchmarks/{script.split()[0]}`)")
            continue
        text = path.read_text(encoding="utf-8")
        lines = headline(text)
        parts.append(f"- **{heading}** (`{script}`):")
        parts += [f"  {line}" for line in lines] or ["  - see below"]
        body = f"```\n{text.strip()}\n```" if name.endswith(".txt") else demoted(text)
        bodies += ["", f"## {heading}", "", f"`benchmarks/{script}`", "", body]
    return "\n".join([*parts, *bodies, ""])


def main() -> None:
    text = collect()
    (HERE / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
