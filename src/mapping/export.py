"""Writing maps (HTML, PNG, SVG, PDF), formatted workbooks, published tables and the
``outputs/index.html`` gallery.

Every file goes through :func:`mapping.files.atomic_path`, so a failed export never leaves a
half-written map or table behind.
"""

from __future__ import annotations

import html
import io
import logging
import math
import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mapping.errors import InputError
from mapping.files import LAYER_FORMATS, atomic_path, write_layer, write_text
from mapping.labels import check_language, text
from mapping.privacy import (
    disclosure_k,
    ensure_protected,
    internal_label,
    is_internal,
    suppressed_mask,
    suppressed_text,
)

if TYPE_CHECKING:
    import folium
    import pandas as pd
    from matplotlib.figure import Figure
    from PIL.Image import Image as PILImage

    from mapping.targeting import Shortlist

log = logging.getLogger(__name__)

FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
#: Resolution of PNG exports (print quality).
PNG_DPI = 300
#: Metadata entries that would make every export differ (dates, software versions).
_NO_DATES = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}
#: zlib level of PNG exports: 1 encodes a 300-dpi map several times faster than Pillow's
#: default 6 for files only slightly larger (measured in ``benchmarks/bench_build.py``).
PNG_COMPRESS_LEVEL = 1
#: Width in pixels of the gallery's thumbnails.
THUMBNAIL_WIDTH = 480
#: Thumbnails of the PNGs written by save_figure in this process, by (path, size, mtime).
_THUMBNAILS: dict[tuple[str, int, int], bytes] = {}
_MAX_THUMBNAILS = 256


def save_figure(
    fig: Figure,
    path: str | os.PathLike[str],
    *,
    dpi: int = PNG_DPI,
    compress_level: int = PNG_COMPRESS_LEVEL,
) -> Path:
    """Save a matplotlib figure as PNG (300 dpi), SVG or PDF, chosen by `path`'s suffix.

    A PNG is rendered once: its pixels are encoded with zlib level `compress_level` (0-9; see
    :data:`PNG_COMPRESS_LEVEL`) and the gallery thumbnail is cut from the same pixels, so
    :func:`make_thumbnail` need not decode the PNG again.
    """
    target = Path(path)
    fmt = FIGURE_FORMATS.get(target.suffix.lower())
    if fmt is None:
        msg = f"Cannot save a figure as {target.name!r}; use a suffix of {list(FIGURE_FORMATS)}."
        raise InputError(msg)
    if not 0 <= compress_level <= 9:
        msg = f"compress_level must be 0-9 (zlib levels); got {compress_level!r}."
        raise InputError(msg)
    if fmt == "png":
        image = _render(fig, dpi=dpi)
        with atomic_path(target) as tmp:
            image.save(tmp, format="png", dpi=(dpi, dpi), compress_level=compress_level)
        _remember_thumbnail(target, image)
    else:
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_NO_DATES[fmt], facecolor="white")
    log.info("wrote %s", target)
    return target


def _render(fig: Figure, *, dpi: int) -> PILImage:
    """`fig`'s pixels at `dpi` on white, as an RGB image (Agg renders; nothing is encoded)."""
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=dpi, facecolor="white")
    data = buf.getvalue()
    # Agg's canvas is int(size in inches x dpi) pixels wide (see matplotlib's get_renderer).
    width = int(fig.get_figwidth() * dpi)
    height = len(data) // (4 * width)
    if width * height * 4 != len(data):  # pragma: no cover - matplotlib changed its sizing
        msg = f"Rendered {len(data)} bytes, not a whole number of {width}-pixel RGBA rows."
        raise RuntimeError(msg)
    return Image.frombuffer("RGBA", (width, height), data, "raw", "RGBA", 0, 1).convert("RGB")


@dataclass(frozen=True)
class FigureJob:
    """A figure to draw and save as a PNG: ``make(*args, **kwargs)`` returns the figure.

    `make` must be a module-level function (e.g. :func:`mapping.static.plot_choropleth`) and
    its arguments picklable, so that :func:`save_figures` can draw it in another process.
    """

    make: Callable[..., Figure]
    path: Path
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    dpi: int = PNG_DPI


def default_workers() -> int:
    """Processes :func:`save_figures` uses by default: the CPUs this process may run on, at
    most 4 (``PETA_KESOS_WORKERS`` overrides; 1 draws every figure in this process)."""
    env = os.environ.get("PETA_KESOS_WORKERS", "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            msg = f"PETA_KESOS_WORKERS must be a whole number >= 1; got {env!r}."
            raise InputError(msg)
        return int(env)
    affinity = getattr(os, "sched_getaffinity", None)
    cpus = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    return max(1, min(cpus, 4))


def _draw_and_save(job: FigureJob) -> tuple[Path, bytes | None]:
    """Draw `job`'s figure, save it, and return the path and the thumbnail made on the way."""
    path = save_figure(job.make(*job.args, **job.kwargs), job.path, dpi=job.dpi)
    return path, _THUMBNAILS.get(_file_key(path))


def save_figures(jobs: Sequence[FigureJob], *, workers: int | None = None) -> list[Path]:
    """Draw and save every job's figure as a PNG, in `workers` processes; the paths in order.

    Figures are independent, so on two or more cores they are drawn side by side in a
    :class:`concurrent.futures.ProcessPoolExecutor` (``workers=None``: :func:`default_workers`;
    1: one after the other in this process). Each file's bytes do not depend on where it was
    drawn, and the thumbnails made in the workers are kept for :func:`make_thumbnail`.
    """
    n = default_workers() if workers is None else workers
    if n < 1:
        raise InputError(f"workers must be >= 1 (or None for the default); got {workers!r}.")
    if n == 1 or len(jobs) < 2:
        return [_draw_and_save(job)[0] for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with the modules already imported (no second import of
    # geopandas and matplotlib per worker); forkserver where fork is not available.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=min(n, len(jobs)), mp_context=context) as pool:
        done = list(pool.map(_draw_and_save, jobs))
    keep_thumbnails({str(path): thumb for path, thumb in done if thumb is not None})
    return [path for path, _ in done]


def save_html(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write an interactive map as one self-contained HTML file (scripts and styles inlined)."""
    from mapping.interactive import render_html

    target = Path(path)
    if target.suffix.lower() not in {".html", ".htm"}:
        msg = f"Cannot save an interactive map as {target.name!r}; use a .html suffix."
        raise InputError(msg)
    write_text(stable_ids(render_html(m)), target)
    log.info("wrote %s (%.0f kB)", target, target.stat().st_size / 1000)
    return target


#: The random part of a folium/branca element's name (``map_<32 hex digits>``).
_ELEMENT_ID = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-zA-Z])")


def stable_ids(page: str) -> str:
    """`page` with the random ids folium gives each element (``map_<32 hex digits>``)
    numbered in order of first appearance, so the same map always makes the same bytes.

    >>> page = "L.map(map_{0}); L.geoJson(geo_json_{1}).addTo(map_{0})".format("ab" * 16, "cd" * 16)
    >>> stable_ids(page).replace("0" * 31, "0..")
    'L.map(map_0..0); L.geoJson(geo_json_0..1).addTo(map_0..0)'
    """
    numbers: dict[str, str] = {}
    return _ELEMENT_ID.sub(lambda m: numbers.setdefault(m[0], f"{len(numbers):032x}"), page)


def save_map(obj: Any, path: str | os.PathLike[str]) -> Path:
    """Save a folium map (``.html``) or a matplotlib figure (``.png``/``.svg``/``.pdf``)."""
    if hasattr(obj, "savefig"):
        return save_figure(obj, path)
    if hasattr(obj, "get_root"):
        return save_html(obj, path)
    msg = f"save_map cannot save a {type(obj).__name__}; give a folium.Map or matplotlib Figure."
    raise InputError(msg)


#: Table formats of :func:`save_table`.
TABLE_FORMATS: tuple[str, ...] = (*LAYER_FORMATS, ".xlsx")


def publishable_table(frame: pd.DataFrame, *, language: str = "id") -> pd.DataFrame:
    """`frame` protected (:func:`mapping.privacy.ensure_protected`) with "< 5" in its cells.

    A column with suppressed cells becomes text (numbers as ``12`` or ``12.5``, missing
    empty), so a file reader sees "< 5", never a number. A frame made with disclosure control
    off gets a ``keterangan`` column saying "INTERNAL — tidak untuk dipublikasikan".
    """
    safe = ensure_protected(frame)
    out = safe.copy()
    for col in out.columns:
        hidden = suppressed_mask(safe, str(col))
        if hidden.any():
            shown = out[col].map(lambda v: "" if pd.isna(v) else f"{float(v):g}")
            out[col] = shown.where(~hidden, suppressed_text(disclosure_k(safe, str(col))))
    if is_internal(safe):
        out["keterangan"] = internal_label(check_language(language))
    return out


def save_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    language: str = "id",
    headers: Mapping[str, str] | None = None,
    sheet: str = "Tabel",
) -> Path:
    """Write a table safe to publish as CSV, XLSX, GeoJSON or GPKG, chosen by `path`'s suffix.

    Small person counts are suppressed first (:func:`publishable_table`); geometry is kept in
    GeoJSON/GPKG and dropped from CSV/XLSX. The XLSX is formatted for people
    (:func:`write_workbook`: `headers` as column titles, frozen header, filters).
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in TABLE_FORMATS:
        msg = f"Cannot save a table as {target.name!r}; use a suffix of {list(TABLE_FORMATS)}."
        raise InputError(msg)
    table = publishable_table(frame, language=language)
    if suffix in {".csv", ".xlsx"} and "geometry" in table.columns:
        table = pd.DataFrame(table.drop(columns="geometry"))
    if suffix != ".xlsx":
        return write_layer(table, target)
    return write_workbook(target, {sheet: table}, headers=headers)


@dataclass(frozen=True)
class GalleryItem:
    """One map of the gallery: its title, the files it exists as, and the thumbnail to show.

    Items with the same `group` (e.g. "Indikator kesejahteraan desa — Kecamatan") are listed
    under one heading, in the order given.
    """

    title: str
    files: tuple[Path, ...]
    thumbnail: Path | None = None
    description: str = ""
    group: str = ""


def _thumbnail_png(image: PILImage, width: int) -> bytes:
    """`image` resized to `width` pixels wide (Lanczos), as optimised PNG bytes."""
    from PIL import Image

    small = image.convert("RGB")
    small.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, format="png", optimize=True)
    return buf.getvalue()


def _file_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def _remember_thumbnail(png: Path, image: PILImage) -> None:
    """Keep the thumbnail of a PNG just written, for :func:`make_thumbnail`."""
    _remember(_file_key(png), _thumbnail_png(image, THUMBNAIL_WIDTH))


def _remember(key: tuple[str, int, int], thumbnail: bytes) -> None:
    if len(_THUMBNAILS) >= _MAX_THUMBNAILS:  # a long notebook session: forget the oldest
        del _THUMBNAILS[next(iter(_THUMBNAILS))]
    _THUMBNAILS[key] = thumbnail


def kept_thumbnails(pngs: Sequence[Path]) -> dict[str, bytes]:
    """The thumbnails this process made of `pngs` (:func:`save_figure`), by path: what a
    worker process hands back to the one writing the gallery (:func:`keep_thumbnails`)."""
    found = {}
    for png in pngs:
        data = _THUMBNAILS.get(_file_key(Path(png))) if Path(png).is_file() else None
        if data is not None:
            found[str(png)] = data
    return found


def keep_thumbnails(thumbnails: Mapping[str, bytes]) -> None:
    """Keep thumbnails made in another process (:func:`kept_thumbnails`) for
    :func:`make_thumbnail`."""
    for png, data in thumbnails.items():
        _remember(_file_key(Path(png)), data)


def make_thumbnail(png: Path, out: Path, *, width: int = THUMBNAIL_WIDTH) -> Path:
    """A `width`-pixel-wide PNG of `png` (smoothly resampled), written atomically to `out`.

    When `png` was written by :func:`save_figure` in this process and has not changed since,
    the thumbnail made from its pixels then is used; otherwise `png` is decoded.
    """
    from PIL import Image

    data = _THUMBNAILS.get(_file_key(Path(png))) if width == THUMBNAIL_WIDTH else None
    if data is None:
        with Image.open(png) as im:
            im.load()
            data = _thumbnail_png(im, width)
    with atomic_path(out) as tmp:
        Path(tmp).write_bytes(data)
    return out


#: The gallery's own headings.
_GALLERY_TEXTS: dict[str, dict[str, str]] = {
    "built": {"id": "Dibuat", "en": "Built"},
    "sources": {"id": "Sumber data dan catatan", "en": "Data sources and caveats"},
    "downloads": {"id": "Tabel dan laporan", "en": "Tables and reports"},
    "manifest": {
        "id": "Daftar berkas dengan checksum SHA-256",
        "en": "List of files with SHA-256 checksums",
    },
}


def write_gallery(
    items: Sequence[GalleryItem],
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    language: str = "id",
    thumbnail: Callable[[Path, Path], Path] = make_thumbnail,
    built: str = "",
    sources: Sequence[str] = (),
    disclaimer: str = "",
    downloads: Sequence[tuple[str, Sequence[Path]]] = (),
    manifest: Path | None = None,
) -> Path:
    """Write `path` (e.g. ``outputs/index.html``) listing every map with a thumbnail and links.

    Thumbnails are small PNGs made from each item's ``thumbnail`` PNG and stored in
    ``thumbs/`` next to `path`; links are relative, so the folder can be zipped and sent.

    The page also shows the build date `built`, the data `sources` with their caveats, a
    `disclaimer` banner (e.g. that some maps use synthetic data), a list of `downloads`
    (``(title, files)``, e.g. a report as CSV and XLSX) and a link to the `manifest`.
    """
    lang = check_language(language)
    target = Path(path)
    root = target.parent
    files = [f for item in items for f in item.files] + [f for _, fs in downloads for f in fs]
    problems = [str(f) for f in files if not Path(f).is_file()]
    if problems:
        msg = f"Gallery items refer to files that do not exist: {problems}. Build the maps first."
        raise InputError(msg)
    sections: dict[str, list[str]] = {}
    for i, item in enumerate(items):
        sections.setdefault(item.group, []).append(_card(item, i, root, thumbnail, lang))
    body = "\n".join(
        (f"<h2>{html.escape(group)}</h2>\n" if group else "")
        + f'<div class="grid">\n{chr(10).join(cards)}\n</div>'
        for group, cards in sections.items()
    )
    heading = html.escape(title or text("gallery_title", lang))
    body = _gallery_notes(root, lang, built, sources, disclaimer, downloads, manifest) + body
    page = f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }}
h1 {{ font-size: 1.5rem; }}
h2 {{ font-size: 1.15rem; margin: 1.6rem 0 .6rem; border-bottom: 1px solid #ddd; }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }}
.card {{ margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .6rem; }}
.card.html {{ border-color: #0072b2; box-shadow: 0 0 0 1px #0072b2; }}
.thumb {{ position: relative; display: block; }}
.thumb img {{ width: 100%; height: auto; border: 1px solid #eee; display: block; }}
.badge {{ position: absolute; left: .4rem; top: .4rem; background: #0072b2; color: #fff;
  font-size: .8rem; font-weight: 600; padding: .1rem .45rem; border-radius: 3px; }}
.card p {{ margin: .3rem 0; font-size: .9rem; }}
.disclaimer {{ background: #fff3cd; border: 1px solid #e0b000; padding: .5rem .8rem;
  border-radius: 4px; font-weight: 600; }}
.sources li, .downloads li {{ margin: .25rem 0; font-size: .92rem; }}
</style></head>
<body><h1>{heading}</h1>
<p>{len(items)} {html.escape(text("maps", lang).lower())}</p>
{body}
</body></html>
"""
    return write_text(page, target)


def _file_links(files: Sequence[Path], root: Path) -> str:
    """Relative links to `files`, each named by its format (HTML, PNG, CSV, XLSX...), or by
    its file name when several files have the same format (e.g. one PDF per kecamatan)."""
    suffixes = [Path(f).suffix.lower() for f in files]
    return " · ".join(
        f'<a href="{html.escape(Path(os.path.relpath(f, root)).as_posix())}">'
        + html.escape(Path(f).stem if suffixes.count(sfx) > 1 else sfx[1:].upper())
        + "</a>"
        for f, sfx in zip(files, suffixes, strict=True)
    )


def _gallery_notes(
    root: Path,
    lang: str,
    built: str,
    sources: Sequence[str],
    disclaimer: str,
    downloads: Sequence[tuple[str, Sequence[Path]]],
    manifest: Path | None,
) -> str:
    """The gallery's header notes: date, disclaimer, sources, tables and reports."""
    t = {k: v[lang] for k, v in _GALLERY_TEXTS.items()}
    parts = []
    if built:
        parts.append(f'<p class="built">{t["built"]}: <time>{html.escape(built)}</time></p>')
    if disclaimer:
        parts.append(f'<p class="disclaimer">{html.escape(disclaimer)}</p>')
    if sources:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sources)
        parts.append(f'<h2>{t["sources"]}</h2>\n<ul class="sources">{items}</ul>')
    rows = [
        f"<li>{html.escape(name)}: {_file_links(files, root)}</li>" for name, files in downloads
    ]
    if manifest is not None:
        rel = html.escape(Path(os.path.relpath(manifest, root)).as_posix())
        rows.append(f'<li><a href="{rel}">{rel}</a>: {t["manifest"]}</li>')
    if rows:
        parts.append(f'<h2>{t["downloads"]}</h2>\n<ul class="downloads">{"".join(rows)}</ul>')
    return "\n".join(parts) + ("\n" if parts else "")


def _card(
    item: GalleryItem,
    i: int,
    root: Path,
    thumbnail: Callable[[Path, Path], Path],
    language: str,
) -> str:
    """One gallery card; an HTML map gets a frame and a "Peta interaktif" badge."""
    is_html = any(Path(f).suffix.lower() in {".html", ".htm"} for f in item.files)
    img = ""
    if item.thumbnail is not None:
        thumb = thumbnail(
            Path(item.thumbnail), root / "thumbs" / f"{i:02d}-{Path(item.thumbnail).stem}.png"
        )
        rel = os.path.relpath(thumb, root)
        first = os.path.relpath(item.files[0], root) if item.files else rel
        badge = (
            f'<span class="badge">{html.escape(text("interactive", language))}</span>'
            if is_html
            else ""
        )
        img = (
            f'<a class="thumb" href="{html.escape(first)}"><img src="{html.escape(rel)}" '
            f'alt="{html.escape(item.title)}" loading="lazy">{badge}</a>'
        )
    links = _file_links(item.files, root)
    desc = f"<p>{html.escape(item.description)}</p>" if item.description else ""
    kind = "card html" if is_html else "card"
    return (
        f'<figure class="{kind}">{img}<figcaption><strong>{html.escape(item.title)}</strong>'
        f'{desc}<p class="links">{links}</p></figcaption></figure>'
    )


# --- formatted workbooks and CSV for people -----------------------------------------------------

#: First characters that make a spreadsheet read a cell as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limit on sheet names, and the characters it refuses in them.
SHEET_NAME_MAX = 31
_SHEET_BAD = re.compile(r"[\\*?:/\[\]]")
#: Column widths (characters) a workbook column may get.
MIN_WIDTH, MAX_WIDTH = 6, 80


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would run as a formula (it starts with = + - @ or a tab).

    >>> is_formula_like("=HYPERLINK(1)"), is_formula_like("-5 km"), is_formula_like("Sarulla")
    (True, True, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise_formula(value: object) -> object:
    """`value` with an apostrophe in front when it is formula-like text (for CSV files).

    >>> neutralise_formula("=1+1"), neutralise_formula(3), neutralise_formula("Desa")
    ("'=1+1", 3, 'Desa')
    """
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def sheet_name(name: str, taken: Collection[str] = ()) -> str:
    """A valid, unused Excel sheet name for `name`: at most 31 characters, no ``\\ / * ? : [ ]``.

    Names are compared without case (as Excel does); a clash gets " (2)", " (3)"...

    >>> sheet_name("Kec. Pahae Jae / Julu [2024]")
    'Kec. Pahae Jae - Julu (2024)'
    >>> sheet_name("Ringkasan", taken=["ringkasan"])
    'Ringkasan (2)'
    """
    clean = _SHEET_BAD.sub("-", str(name).replace("[", "(").replace("]", ")")).strip(" '")
    clean = clean[:SHEET_NAME_MAX].strip(" '") or "Sheet"
    used = {t.casefold() for t in taken}
    candidate, i = clean, 1
    while candidate.casefold() in used:
        i += 1
        suffix = f" ({i})"
        candidate = clean[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    return candidate


def _cell_value(value: object) -> object:
    """A value openpyxl can store: NaN/NA/NaT empty, numpy scalars as Python numbers."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, int | float | bool | str):
        return value
    return str(value)


def write_workbook(
    path: str | os.PathLike[str],
    sheets: Mapping[str, pd.DataFrame],
    *,
    headers: Mapping[str, str] | None = None,
    number_formats: Mapping[str, str] | None = None,
    wrap: Collection[str] = (),
    widths: Mapping[str, float] | None = None,
) -> Path:
    """Write DataFrames as a formatted XLSX workbook, one sheet each, atomically.

    Every sheet gets a bold header row with the labels of `headers` (column -> label; other
    columns keep their name), frozen below the header, an autofilter over the table, the
    Excel number formats of `number_formats` (column -> format such as ``"0.0"`` or
    ``"0%"``), column widths fitted to the content (6-80 characters, or `widths`) and wrapped
    text in the `wrap` columns. Text that a spreadsheet would run as a formula (starting with
    ``= + - @``) is stored as text with Excel's quote prefix, so it is shown, never run.
    Sheet names are made valid with :func:`sheet_name`; a geometry column is left out.
    """
    import geopandas as gpd
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        msg = f"Cannot write a workbook as {target.name!r}; use a .xlsx suffix."
        raise InputError(msg)
    if not sheets:
        msg = f"Cannot write {target.name!r}: no sheets given."
        raise InputError(msg)
    labels = dict(headers or {})
    formats = dict(number_formats or {})
    wb = Workbook()
    wb.remove(wb.active)
    taken: list[str] = []
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F0")
    for name, frame in sheets.items():
        if isinstance(frame, gpd.GeoDataFrame):
            frame = frame.drop(columns=frame.geometry.name)
        title = sheet_name(name, taken)
        taken.append(title)
        ws = wb.create_sheet(title)
        columns = [str(c) for c in frame.columns]
        ws.append([labels.get(c, c) for c in columns])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell_value(v) for v in row])
        for j, col in enumerate(columns, start=1):
            letter = get_column_letter(j)
            fmt = formats.get(col)
            longest = len(labels.get(col, col))
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if is_formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if fmt and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.number_format = fmt
                if col in wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                if cell.row <= 501 and cell.value is not None:
                    longest = max(longest, len(str(cell.value)) if not fmt else len(fmt) + 4)
            width = (widths or {}).get(col, min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"
        if columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"
    with atomic_path(target) as tmp:
        wb.save(tmp)
    log.info("wrote %s (%d sheets)", target, len(taken))
    return target


def write_shortlist(
    shortlist: Shortlist,
    path: str | os.PathLike[str],
    *,
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
) -> Path:
    """Write a :class:`mapping.priority.Shortlist` as XLSX or CSV, by `path`'s suffix.

    - ``.xlsx``, for people: a summary sheet, the full ranked table, one sheet per kecamatan
      and a sheet explaining the method and weights, with headers in the shortlist's language,
      number formats, a frozen header row and autofilters (:func:`write_workbook`);
      `extra_sheets` (``(name, table)`` pairs, e.g. the new-site selection) go before the
      method sheet.
    - ``.csv``, for programs and analysts: one row per desa of the area of influence, sorted
      by rank, with the machine column names (``code``, ``name``, ``kecamatan``,
      ``distance_km``, the components, ``score``, ``rank``, ``top_n_share``, ``reason``...),
      comma-separated, decimal point, UTF-8 with a byte-order mark so that Excel shows
      Indonesian and other accented names correctly. Text starting with ``= + - @`` gets an
      apostrophe in front (it would run as a formula). Excel set to Indonesian regional
      settings expects semicolons: open the XLSX instead.
    """
    from mapping.targeting import (
        method_table,
        shortlist_formats,
        shortlist_headers,
        summary_table,
    )

    target = Path(path)
    suffix = target.suffix.lower()
    table = shortlist.table.drop(columns=shortlist.table.geometry.name)
    if suffix == ".csv":
        safe = table.copy()
        for col in safe.columns:
            if _is_text(safe[col]):
                safe[col] = safe[col].map(neutralise_formula)
        with atomic_path(target) as tmp:
            safe.to_csv(tmp, index=False, encoding="utf-8-sig")
        log.info("wrote %s (%d desa)", target, len(safe))
        return target
    if suffix != ".xlsx":
        msg = f"Cannot write a shortlist as {target.name!r}; use a .xlsx or .csv suffix."
        raise InputError(msg)
    lang = shortlist.language
    people = _yes_no(table, lang)
    kec_word = "Kecamatan" if lang == "id" else "District"
    titles = {
        "summary": "Ringkasan" if lang == "id" else "Summary",
        "ranked": "Peringkat" if lang == "id" else "Ranking",
        "method": "Metode" if lang == "id" else "Method",
    }
    sheets: dict[str, pd.DataFrame] = {titles["summary"]: summary_table(shortlist)}
    sheets[titles["ranked"]] = people
    for kec, part in people.groupby("kecamatan", sort=True):
        sheets[f"{kec_word} {kec}"[:SHEET_NAME_MAX]] = part
    for name, extra in extra_sheets:
        sheets[name[:SHEET_NAME_MAX]] = extra
    sheets[titles["method"]] = method_table(shortlist)
    headers = shortlist_headers(shortlist)
    return write_workbook(
        target,
        sheets,
        headers=headers,
        number_formats=shortlist_formats(shortlist),
        wrap={"reason", "value", "explanation"},
        widths={"reason": 70, "value": 90, "explanation": 90, "item": 30, "topic": 28},
    )


def _is_text(series: pd.Series) -> bool:
    """True when `series` may hold text (not a numeric or boolean column)."""
    from pandas.api import types

    return not (types.is_numeric_dtype(series) or types.is_bool_dtype(series))


def _yes_no(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """`table` with boolean columns written as ya/tidak (yes/no) for people."""
    words = {True: "ya", False: "tidak"} if language == "id" else {True: "yes", False: "no"}
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map(words)
    return out
