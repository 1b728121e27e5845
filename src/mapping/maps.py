"""Building the default map set: desa and kecamatan maps (HTML + PNG) and their gallery."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypedDict, Unpack

import geopandas as gpd

from mapping import export, interactive, privacy, static
from mapping.bivariate import classify_bivariate
from mapping.cartography import is_synthetic
from mapping.classify import Indicator, as_indicators, check_columns
from mapping.errors import InputError
from mapping.labels import check_language, text

log = logging.getLogger(__name__)

MIN_INDICATORS = 5


def slug(name: str) -> str:
    """A file-name-safe, lower-case version of `name`.

    >>> slug("Keluarga berisiko (per 1.000)")
    'keluarga-berisiko-per-1-000'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "map"


def build_map_set(
    desa_gdf: gpd.GeoDataFrame | None,
    kecamatan_gdf: gpd.GeoDataFrame,
    indicators: Sequence[str | Indicator],
    out_dir: str | Path,
    *,
    bivariate: tuple[str, str] | None = None,
    points: gpd.GeoDataFrame | None = None,
    point_category: str | None = None,
    point_name: str | None = None,
    point_fields: Sequence[str] | Mapping[str, str] = (),
    title: str | None = None,
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool | None = None,
    language: str = "id",
    min_indicators: int = MIN_INDICATORS,
    dpi: int = export.PNG_DPI,
    file_prefix: str = "",
    k: int = privacy.DEFAULT_K,
    workers: int | None = None,
) -> list[export.GalleryItem]:
    """Write the desa and kecamatan maps of `indicators` into `out_dir`; return gallery items.

    With ``desa_gdf=None`` (a table of kecamatan totals) only the kecamatan maps are drawn.

    For each level: one HTML map with every indicator as a switchable layer (plus the
    bivariate layer when `bivariate` = ``(need_column, capacity_column)`` is given) and one
    PNG per indicator, classified once so PNG and HTML agree. `kecamatan_gdf` must already
    hold the indicator columns aggregated to kecamatan (rates recomputed, not averaged).
    A set has at least `min_indicators` indicators (the quick map of a file with one or two
    categories lowers it).

    PNGs are written at `dpi` (300 for print); `file_prefix` starts every file name (to keep
    several map sets in one folder). Every written file is in exactly one returned item.
    The PNGs are drawn in `workers` processes (see :func:`mapping.export.save_figures`; the
    files are the same whatever the number).
    With ``synthetic=None`` every map is labelled "contoh sintetis" when the ``attrs`` of
    `desa_gdf`, `kecamatan_gdf` or `points` say the data are synthetic.

    Disclosure control is on: unless both layers already went through
    :func:`mapping.privacy.protect` (e.g. with stricter options, or ``enabled=False`` for an
    internal map, then labelled "INTERNAL"), they are protected together here with threshold
    `k`, so small person counts show as "< 5" in every file and no desa value can be
    recovered from its kecamatan's.
    """
    lang = check_language(language)
    synthetic = is_synthetic(synthetic, desa_gdf=desa_gdf, kecamatan_gdf=kecamatan_gdf,
                             points=points)  # fmt: skip
    inds = as_indicators(indicators, language=lang)
    if len(inds) < max(min_indicators, 1):
        msg = f"A map set needs at least {max(min_indicators, 1)} indicators; got {len(inds)}."
        raise InputError(msg)
    columns = [i.column for i in inds]
    if desa_gdf is None:
        if bivariate is not None:
            msg = "bivariate maps are desa maps; pass desa_gdf, or bivariate=None."
            raise InputError(msg)
        kecamatan_gdf = _protected_alone(kecamatan_gdf, k=k)
    else:
        desa_gdf, kecamatan_gdf = _protected(desa_gdf, kecamatan_gdf, k=k)
        check_columns(desa_gdf, [*columns, "name", "kecamatan"], what="desa_gdf")
    check_columns(kecamatan_gdf, [*columns, "name"], what="kecamatan_gdf (aggregate it first)")
    if bivariate is not None and desa_gdf is not None:
        check_columns(desa_gdf, list(bivariate), what="desa_gdf")
    out = Path(out_dir)
    items: list[export.GalleryItem] = []
    heading = title or text("gallery_title", lang)
    by_column = {i.column: i for i in inds}
    levels = [("kecamatan", kecamatan_gdf, kecamatan_gdf)]
    if desa_gdf is not None:
        levels.insert(0, ("desa", desa_gdf, kecamatan_gdf))
    for level, gdf, outlines in levels:
        level_name = text(level, lang)
        group = f"{heading} — {level_name}"
        classes = {i.column: i.classify(gdf[i.column], language=lang) for i in inds}
        jobs: list[export.FigureJob] = []
        titles: list[str] = []
        for ind in inds:
            jobs.append(export.FigureJob(
                static.plot_choropleth, out / f"{file_prefix}{level}-{slug(ind.column)}.png",
                (gdf, ind), dict(
                    classification=classes[ind.column], outlines=outlines,
                    subtitle=f"{heading} · {level_name}", source=source, date=date,
                    synthetic=synthetic, language=lang,
                ), dpi,
            ))  # fmt: skip
            titles.append(ind.title)
        biv = None
        if bivariate is not None and level == "desa":
            need, capacity = bivariate
            biv = classify_bivariate(
                gdf[need], gdf[capacity], language=lang,
                x_description=by_column[need].title if need in by_column else need,
                y_description=by_column[capacity].title if capacity in by_column else capacity,
            )  # fmt: skip
            jobs.append(export.FigureJob(
                static.plot_bivariate, out / f"{file_prefix}desa-bivariat.png", (gdf, biv), dict(
                    outlines=outlines, subtitle=f"{heading} · {level_name}", points=points,
                    point_category=point_category, source=source, date=date,
                    synthetic=synthetic, language=lang,
                ), dpi,
            ))  # fmt: skip
            titles.append(f"{biv.x_label} × {biv.y_label}")
        pngs = export.save_figures(jobs, workers=workers)
        level_items = [
            export.GalleryItem(name, (png,), png, group=group)
            for name, png in zip(titles, pngs, strict=True)
        ]
        m = interactive.choropleth_map(
            gdf, inds, classifications=classes, bivariate=biv, level=level,
            kecamatan_column="kecamatan" if level == "desa" else None,
            outlines=outlines, points=points if level == "desa" else None,
            point_category=point_category, point_name=point_name, point_fields=point_fields,
            title=heading, subtitle=level_name, source=source, date=date, synthetic=synthetic,
            language=lang,
        )  # fmt: skip
        page = export.save_html(m, out / f"{file_prefix}peta-{level}.html")
        layers = [i.title for i in inds] + ([f"{biv.x_label} × {biv.y_label}"] if biv else [])
        desc = f"{len(layers)} {text('layers', lang)}: " + "; ".join(layers)
        html_item = export.GalleryItem(
            f"{text('interactive', lang)} ({level_name})", (page,), level_items[0].thumbnail,
            desc, group=group,
        )  # fmt: skip
        items += [html_item, *level_items]
    log.info("wrote %d map files to %s", sum(len(i.files) for i in items), out)
    return items


def _protected(
    desa_gdf: gpd.GeoDataFrame, kecamatan_gdf: gpd.GeoDataFrame, *, k: int
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Both layers protected together, unless both already went through ``protect``."""
    done = [privacy.DISCLOSURE_ATTR in g.attrs for g in (desa_gdf, kecamatan_gdf)]
    if all(done):
        return desa_gdf, kecamatan_gdf
    if any(done):
        msg = (
            "Only one of desa_gdf and kecamatan_gdf went through mapping.privacy.protect; "
            "protect them together (protect(desa, kecamatan)) or pass both unprotected."
        )
        raise InputError(msg)
    desa, kec = privacy.protect(desa_gdf, kecamatan_gdf, k=k)
    return desa, kecamatan_gdf if kec is None else kec


def _protected_alone(kecamatan_gdf: gpd.GeoDataFrame, *, k: int) -> gpd.GeoDataFrame:
    """A kecamatan layer published without desa, protected (against the regency total)."""
    if privacy.DISCLOSURE_ATTR in kecamatan_gdf.attrs:
        return kecamatan_gdf
    return privacy.protect(kecamatan_gdf, k=k)[0]


class MapSetOptions(TypedDict, total=False):
    """Keyword options of :func:`build_map_set` that :func:`build_default_maps` passes on."""

    bivariate: tuple[str, str] | None
    points: gpd.GeoDataFrame | None
    point_category: str | None
    point_name: str | None
    point_fields: Sequence[str] | Mapping[str, str]
    source: str
    date: dt.date | str | None
    synthetic: bool | None
    min_indicators: int
    dpi: int
    file_prefix: str
    k: int
    workers: int | None


def build_default_maps(
    desa_gdf: gpd.GeoDataFrame,
    kecamatan_gdf: gpd.GeoDataFrame,
    indicators: Sequence[str | Indicator],
    out_dir: str | Path,
    *,
    title: str | None = None,
    language: str = "id",
    **options: Unpack[MapSetOptions],
) -> list[Path]:
    """:func:`build_map_set` plus ``index.html`` listing every map with a thumbnail.

    Options are those of :func:`build_map_set`. Returns every file written, ``index.html`` last.
    """
    items = build_map_set(
        desa_gdf, kecamatan_gdf, indicators, out_dir, title=title, language=language, **options
    )
    heading = title or text("gallery_title", check_language(language))
    index = export.write_gallery(items, Path(out_dir) / "index.html", title=heading,
                                 language=language)  # fmt: skip
    return [f for item in items for f in item.files] + [index]
