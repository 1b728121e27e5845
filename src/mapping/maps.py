"""Building the default map set: desa and kecamatan maps (HTML + PNG) and their gallery."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from mapping import export, interactive, static
from mapping.bivariate import classify_bivariate
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
    desa_gdf: gpd.GeoDataFrame,
    kecamatan_gdf: gpd.GeoDataFrame,
    indicators: Sequence[str | Indicator],
    out_dir: str | Path,
    *,
    bivariate: tuple[str, str] | None = None,
    points: gpd.GeoDataFrame | None = None,
    point_category: str | None = None,
    point_name: str | None = None,
    point_fields: Sequence[str] = (),
    title: str | None = None,
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool = False,
    language: str = "id",
    dpi: int = export.PNG_DPI,
    file_prefix: str = "",
) -> list[export.GalleryItem]:
    """Write the desa and kecamatan maps of `indicators` into `out_dir`; return gallery items.

    For each level: one HTML map with every indicator as a switchable layer (plus the
    bivariate layer when `bivariate` = ``(need_column, capacity_column)`` is given) and one
    PNG per indicator, classified once so PNG and HTML agree. `kecamatan_gdf` must already
    hold the indicator columns aggregated to kecamatan (rates recomputed, not averaged).

    PNGs are written at `dpi` (300 for print); `file_prefix` starts every file name (to keep
    several map sets in one folder). Every written file is in exactly one returned item.
    """
    lang = check_language(language)
    inds = as_indicators(indicators)
    if len(inds) < MIN_INDICATORS:
        msg = f"build_default_maps needs at least {MIN_INDICATORS} indicators; got {len(inds)}."
        raise InputError(msg)
    columns = [i.column for i in inds]
    check_columns(desa_gdf, [*columns, "name", "kecamatan"], what="desa_gdf")
    check_columns(kecamatan_gdf, [*columns, "name"], what="kecamatan_gdf (aggregate it first)")
    if bivariate is not None:
        check_columns(desa_gdf, list(bivariate), what="desa_gdf")
    out = Path(out_dir)
    items: list[export.GalleryItem] = []
    texts = {"source": source, "date": date, "synthetic": synthetic, "language": lang}
    heading = title or text("gallery_title", lang)
    for level, gdf, outlines in (
        ("desa", desa_gdf, kecamatan_gdf),
        ("kecamatan", kecamatan_gdf, kecamatan_gdf),
    ):
        level_name = text(level, lang)
        classes = {i.column: i.classify(gdf[i.column], language=lang) for i in inds}
        pngs = []
        for ind in inds:
            fig = static.plot_choropleth(
                gdf, ind, classification=classes[ind.column], outlines=outlines,
                subtitle=f"{heading} · {level_name}", **texts,
            )  # fmt: skip
            name = f"{file_prefix}{level}-{slug(ind.column)}.png"
            png = export.save_figure(fig, out / name, dpi=dpi)
            pngs.append(png)
            items.append(export.GalleryItem(f"{ind.title} ({level_name})", (png,), png))
        biv = None
        if bivariate is not None and level == "desa":
            biv = classify_bivariate(gdf[bivariate[0]], gdf[bivariate[1]], language=lang)
            fig = static.plot_bivariate(gdf, biv, outlines=outlines, subtitle=heading,
                                        points=points, point_category=point_category,
                                        source=source, date=date, synthetic=synthetic)  # fmt: skip
            png = export.save_figure(fig, out / f"{file_prefix}desa-bivariat.png", dpi=dpi)
            pngs.append(png)
            title_biv = f"{biv.x_label} × {biv.y_label} ({level_name})"
            items.append(export.GalleryItem(title_biv, (png,), png))
        m = interactive.choropleth_map(
            gdf, inds, classifications=classes, bivariate=biv,
            kecamatan_column="kecamatan" if level == "desa" else None,
            outlines=outlines, points=points if level == "desa" else None,
            point_category=point_category, point_name=point_name, point_fields=point_fields,
            title=heading, subtitle=level_name, **texts,
        )  # fmt: skip
        page = export.save_html(m, out / f"{file_prefix}peta-{level}.html")
        desc = ", ".join(i.title for i in inds)
        items.insert(
            len(items) - len(pngs),
            export.GalleryItem(f"{heading} — {level_name} (HTML)", (page,), pngs[0], desc),
        )
    log.info("wrote %d map files to %s", sum(len(i.files) for i in items), out)
    return items


def build_default_maps(
    desa_gdf: gpd.GeoDataFrame,
    kecamatan_gdf: gpd.GeoDataFrame,
    indicators: Sequence[str | Indicator],
    out_dir: str | Path,
    *,
    title: str | None = None,
    language: str = "id",
    **options: object,
) -> list[Path]:
    """:func:`build_map_set` plus ``index.html`` listing every map with a thumbnail.

    Options are those of :func:`build_map_set`. Returns every file written, ``index.html`` last.
    """
    items = build_map_set(
        desa_gdf, kecamatan_gdf, indicators, out_dir, title=title, language=language,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip
    heading = title or text("gallery_title", check_language(language))
    index = export.write_gallery(items, Path(out_dir) / "index.html", title=heading,
                                 language=language)  # fmt: skip
    return [f for item in items for f in item.files] + [index]
