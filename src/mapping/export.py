"""Writing maps (HTML, PNG, SVG, PDF) and the ``outputs/index.html`` gallery.

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

from mapping.errors import InputError
from mapping.files import atomic_path, write_text
from mapping.labels import check_language, text

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
    """Relative links to `files`, each named by its format (HTML, PNG, CSV, XLSX...)."""
    return " · ".join(
        f'<a href="{html.escape(Path(os.path.relpath(f, root)).as_posix())}">'
        f"{Path(f).suffix[1:].upper()}</a>"
        for f in files
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
