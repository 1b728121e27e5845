"""Writing maps (HTML, PNG, SVG, PDF), published tables and the ``outputs/index.html`` gallery.

Every file goes through :func:`mapping.files.atomic_path`, so a failed export never leaves a
half-written map behind.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
#: Resolution of PNG exports (print quality).
PNG_DPI = 300
#: Metadata entries that would make every export differ (dates, software versions).
_NO_DATES = {"png": {"Software": None}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = PNG_DPI) -> Path:
    """Save a matplotlib figure as PNG (300 dpi), SVG or PDF, chosen by `path`'s suffix."""
    target = Path(path)
    fmt = FIGURE_FORMATS.get(target.suffix.lower())
    if fmt is None:
        msg = f"Cannot save a figure as {target.name!r}; use a suffix of {list(FIGURE_FORMATS)}."
        raise InputError(msg)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_NO_DATES[fmt], facecolor="white")
    log.info("wrote %s", target)
    return target


def save_html(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write an interactive map as one self-contained HTML file (scripts and styles inlined)."""
    from mapping.interactive import render_html

    target = Path(path)
    if target.suffix.lower() not in {".html", ".htm"}:
        msg = f"Cannot save an interactive map as {target.name!r}; use a .html suffix."
        raise InputError(msg)
    write_text(render_html(m), target)
    log.info("wrote %s (%.0f kB)", target, target.stat().st_size / 1000)
    return target


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


def save_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, language: str = "id") -> Path:
    """Write a table safe to publish as CSV, XLSX, GeoJSON or GPKG, chosen by `path`'s suffix.

    Small person counts are suppressed first (:func:`publishable_table`); geometry is kept in
    GeoJSON/GPKG and dropped from CSV/XLSX.
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
    with atomic_path(target) as tmp:
        table.to_excel(tmp, index=False, engine="openpyxl")
    return target


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


def make_thumbnail(png: Path, out: Path, *, width: int = 480) -> Path:
    """A `width`-pixel-wide PNG of `png` (smoothly resampled), written atomically to `out`."""
    from PIL import Image

    with Image.open(png) as im:
        small = im.convert("RGB")
        small.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    with atomic_path(out) as tmp:
        small.save(tmp, format="png", optimize=True)
    return out


def write_gallery(
    items: Sequence[GalleryItem],
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    language: str = "id",
    thumbnail: Callable[[Path, Path], Path] = make_thumbnail,
) -> Path:
    """Write `path` (e.g. ``outputs/index.html``) listing every map with a thumbnail and links.

    Thumbnails are small PNGs made from each item's ``thumbnail`` PNG and stored in
    ``thumbs/`` next to `path`; links are relative, so the folder can be zipped and sent.
    """
    lang = check_language(language)
    target = Path(path)
    root = target.parent
    problems = [str(f) for item in items for f in item.files if not Path(f).is_file()]
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
</style></head>
<body><h1>{heading}</h1>
<p>{len(items)} {html.escape(text("maps", lang).lower())}</p>
{body}
</body></html>
"""
    return write_text(page, target)


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
    links = " · ".join(
        f'<a href="{html.escape(os.path.relpath(f, root))}">{Path(f).suffix[1:].upper()}</a>'
        for f in item.files
    )
    desc = f"<p>{html.escape(item.description)}</p>" if item.description else ""
    kind = "card html" if is_html else "card"
    return (
        f'<figure class="{kind}">{img}<figcaption><strong>{html.escape(item.title)}</strong>'
        f'{desc}<p class="links">{links}</p></figcaption></figure>'
    )
