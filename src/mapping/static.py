"""Static matplotlib maps for A4 reports: classed choropleths, small multiples, bivariate maps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.bivariate import GRID, BivariateClassification
from mapping.classify import (
    NO_DATA_COLOR,
    Classification,
    Indicator,
    as_indicators,
    check_columns,
    classify_pooled,
)
from mapping.errors import InputError
from mapping.labels import check_language, format_number, text
from mapping.settings import CRS_METRIC

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: A4 landscape, inches.
A4_LANDSCAPE = (11.69, 8.27)
A4_PORTRAIT = (8.27, 11.69)
#: Okabe-Ito colours for point categories (colour-blind safe), in order of appearance.
POINT_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000")
POINT_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
EDGE = "#ffffff"
OUTLINE = "#252525"


def _metric(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if gdf is None:
        return None
    if gdf.crs is None:
        msg = "The GeoDataFrame has no CRS; set it (e.g. gdf.set_crs('EPSG:4326')) before mapping."
        raise InputError(msg)
    return gdf.to_crs(CRS_METRIC)


def _new_figure(figsize: tuple[float, float]) -> Figure:
    # A bare Figure (not pyplot): nothing is kept in pyplot's global state, and Jupyter shows it.
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def draw_areas(ax: Axes, gdf: gpd.GeoDataFrame, colors: pd.Series, *, linewidth: float) -> None:
    """Fill `gdf`'s polygons with `colors`; missing-data areas grey with a hatch."""
    no_data = colors == NO_DATA_COLOR
    if (~no_data).any():
        gdf[~no_data].plot(
            ax=ax, color=colors[~no_data].tolist(), edgecolor=EDGE, linewidth=linewidth
        )
    if no_data.any():
        gdf[no_data].plot(
            ax=ax, facecolor=NO_DATA_COLOR, edgecolor="#7f7f7f", hatch="////", linewidth=linewidth
        )


def draw_outlines(
    ax: Axes, outlines: gpd.GeoDataFrame, *, label_column: str | None = "name", fontsize: float = 6
) -> None:
    """Draw `outlines` (e.g. kecamatan) as dark lines, with their names at an inner point."""
    import matplotlib.patheffects as pe

    outlines.boundary.plot(ax=ax, color=OUTLINE, linewidth=0.9)
    if label_column is None:
        return
    check_columns(outlines, [label_column], what="outlines")
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    for name, point in zip(outlines[label_column], outlines.representative_point(), strict=True):
        ax.annotate(
            str(name), (point.x, point.y), ha="center", va="center", fontsize=fontsize,
            color=OUTLINE, fontweight="bold", path_effects=halo,
        )  # fmt: skip


def _nice_length(width_m: float) -> float:
    target = width_m / 5
    for km in (1, 2, 5, 10, 15, 20, 25, 50, 100, 200):
        if km * 1000 >= target:
            return km * 1000.0
    return 500_000.0


def draw_scale_bar(ax: Axes, *, segments: int = 2) -> None:
    """A km scale bar at the lower left of `ax` (which must be in a metric CRS)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.008
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    step = length / segments
    for i in range(segments):
        face = "black" if i % 2 == 0 else "white"
        ax.add_patch(
            _rect((left + i * step, bottom), step, height, face),
        )
    for i in range(segments + 1):
        value = step * i / 1000
        label = format_number(value, decimals=0 if value == int(value) else 1)
        label += " km" if i == segments else ""
        ax.text(left + i * step, bottom + height * 1.8, label, ha="center", va="bottom", fontsize=7)


def _rect(xy: tuple[float, float], w: float, h: float, face: str):
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, facecolor=face, edgecolor="black", linewidth=0.6, zorder=5)


def draw_north_arrow(ax: Axes, *, language: str = "id") -> None:
    """A north arrow with "U" (Utara) or "N" at the upper right of `ax`."""
    ax.annotate(
        text("north", language), xy=(0.95, 0.97), xytext=(0.95, 0.87),
        xycoords="axes fraction", ha="center", va="center", fontsize=11, fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 11, "headlength": 10},
    )  # fmt: skip


def caption_text(
    *, source: str, date: dt.date | str | None = None, synthetic: bool = False, language: str = "id"
) -> str:
    """The caption: data source, date made and, for synthetic data, "contoh sintetis".

    >>> caption_text(source="Dinas Sosial", date="2025-01-31", synthetic=True)
    'Sumber: Dinas Sosial. Dibuat 2025-01-31. Data: contoh sintetis, bukan data sebenarnya.'
    """
    when = date if date is not None else dt.date.today()
    parts = []
    if source:
        parts.append(f"{text('source', language)}: {source}.")
    parts.append(f"{text('made', language)} {when}.")
    if synthetic:
        parts.append(text("synthetic", language) + ".")
    return " ".join(parts)


def _legend_handles(classification: Classification):
    from matplotlib.patches import Patch

    handles = []
    for row in classification.legend():
        hatch = "////" if row.no_data else None
        edge = "#7f7f7f" if row.no_data else "#636363"
        label = f"{row.label}  ({format_number(row.count, language=classification.language)})"
        handles.append(Patch(facecolor=row.color, edgecolor=edge, hatch=hatch, label=label))
    return handles


def _frame(ax: Axes, gdf: gpd.GeoDataFrame) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")
    x0, y0, x1, y1 = gdf.total_bounds
    pad = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)


def _decorate(
    fig: Figure,
    *,
    title: str,
    subtitle: str | None,
    caption: str,
) -> None:
    fig.text(0.03, 0.965, title, fontsize=15, fontweight="bold", va="top")
    if subtitle:
        fig.text(0.03, 0.925, subtitle, fontsize=10.5, color="#404040", va="top")
    fig.text(0.03, 0.02, caption, fontsize=7.5, color="#404040", va="bottom", wrap=True)


def _area_linewidth(n: int) -> float:
    return 0.25 if n > 60 else 0.6


def _prepare(
    gdf: gpd.GeoDataFrame, columns: Sequence[str], outlines: gpd.GeoDataFrame | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    check_columns(gdf, columns)
    return _metric(gdf), _metric(outlines)


def plot_choropleth(
    gdf: gpd.GeoDataFrame,
    indicator: str | Indicator,
    *,
    classification: Classification | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    outline_label: str | None = "name",
    points: gpd.GeoDataFrame | None = None,
    point_category: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool = False,
    language: str = "id",
    figsize: tuple[float, float] = A4_LANDSCAPE,
) -> Figure:
    """A classed choropleth of one indicator for an A4 report.

    Parameters
    ----------
    gdf
        Areas (desa or kecamatan) with the indicator column, any CRS (drawn in UTM 47N).
    indicator
        Column name or :class:`~mapping.classify.Indicator` (title, unit, scheme, k, palette).
    classification
        Reuse a classification (e.g. the one of the HTML map) instead of classifying again.
    outlines
        Optional outline layer drawn on top (kecamatan over a desa map), labelled with
        `outline_label` (``None``: no labels).
    points, point_category
        Optional sites drawn as markers, one colour and shape per category.
    title, subtitle, source, date, synthetic
        Texts: title (default the indicator's), subtitle, and the caption with the source, the
        date made (default today) and "contoh sintetis" when `synthetic`.
    language
        ``"id"`` or ``"en"`` for every text.
    """
    lang = check_language(language)
    ind = as_indicators([indicator])[0]
    areas, lines = _prepare(gdf, [ind.column], outlines)
    cls = classification or ind.classify(gdf[ind.column], language=lang)
    if not cls.classes.index.equals(gdf.index):
        msg = "classification was made for other rows than gdf; classify gdf[column] itself."
        raise InputError(msg)
    fig = _new_figure(figsize)
    ax = fig.add_axes((0.02, 0.07, 0.64, 0.80))
    draw_areas(ax, areas, cls.color_of(), linewidth=_area_linewidth(len(areas)))
    if lines is not None:
        draw_outlines(ax, lines, label_column=outline_label)
    handles = _legend_handles(cls)
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.86), frameon=False,
        title=ind.title, title_fontsize=10, fontsize=9, alignment="left",
    )  # fmt: skip
    if points is not None:
        _points_legend(fig, draw_points(ax, points, category=point_category), language=lang)
    _frame(ax, areas)
    draw_scale_bar(ax)
    draw_north_arrow(ax, language=lang)
    caption = caption_text(source=source, date=date, synthetic=synthetic, language=lang)
    _decorate(fig, title=title or ind.title, subtitle=subtitle, caption=caption)
    return fig


def draw_points(
    ax: Axes, points: gpd.GeoDataFrame, *, category: str | None = None
) -> dict[str, tuple[str, str]]:
    """Draw sites as markers, one colour/shape per `category`; returns {category: style}."""
    pts = _metric(points)
    groups = pts.groupby(pts[category].astype(str), sort=True) if category else [("", pts)]
    styles = {}
    for i, (name, group) in enumerate(groups):
        color, marker = POINT_COLORS[i % len(POINT_COLORS)], POINT_MARKERS[i % len(POINT_MARKERS)]
        ax.scatter(
            group.geometry.x, group.geometry.y, s=22, c=color, marker=marker,
            edgecolors="white", linewidths=0.6, zorder=6,
        )  # fmt: skip
        styles[str(name)] = (color, marker)
    return styles


def _points_legend(fig: Figure, styles: dict[str, tuple[str, str]], *, language: str) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker=m, color="none", markerfacecolor=c, markeredgecolor="white",
               markersize=7, label=name or "—")
        for name, (c, m) in styles.items()
    ]  # fmt: skip
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.68, 0.40), frameon=False,
        title=text("sites", language), fontsize=9, alignment="left",
    )  # fmt: skip


def plot_small_multiples(
    gdf: gpd.GeoDataFrame,
    indicators: Sequence[str | Indicator],
    *,
    titles: Sequence[str] | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    title: str = "",
    subtitle: str | None = None,
    legend_title: str = "",
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool = False,
    language: str = "id",
    ncols: int = 3,
    figsize: tuple[float, float] = A4_LANDSCAPE,
) -> Figure:
    """One panel per indicator (years, categories) with shared bins and one legend.

    The classification options (scheme, k, palette, bins) are those of the first indicator;
    the bins are pooled over all panels, so one colour means one range everywhere.
    """
    lang = check_language(language)
    inds = as_indicators(indicators)
    if not inds:
        raise InputError("plot_small_multiples needs at least one indicator.")
    if titles is not None and len(titles) != len(inds):
        msg = f"titles has {len(titles)} entries for {len(inds)} indicators; give one per panel."
        raise InputError(msg)
    areas, lines = _prepare(gdf, [i.column for i in inds], outlines)
    first = inds[0]
    pooled = classify_pooled(
        gdf, [i.column for i in inds], scheme=first.scheme, k=first.k, bins=first.bins,
        palette=first.palette, decimals=first.decimals, language=lang,
    )  # fmt: skip
    n = len(inds)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig = _new_figure(figsize)
    left, bottom, width, height = 0.02, 0.08, 0.74, 0.80
    w, h = width / ncols, height / nrows
    for i, ind in enumerate(inds):
        r, c = divmod(i, ncols)
        ax = fig.add_axes((left + c * w, bottom + (nrows - 1 - r) * h, w * 0.96, h * 0.88))
        draw_areas(ax, areas, pooled[ind.column].color_of(), linewidth=0.15)
        if lines is not None:
            lines.boundary.plot(ax=ax, color=OUTLINE, linewidth=0.5)
        _frame(ax, areas)
        ax.set_title(titles[i] if titles else ind.title, fontsize=9.5)
        if i == 0:
            draw_scale_bar(ax)
            draw_north_arrow(ax, language=lang)
    # one legend for all panels; its counts are area-panels (an area counts once per panel)
    stacked = pd.concat([gdf[i.column] for i in inds], ignore_index=True)
    handles = _legend_handles(pooled[first.column].apply(stacked))
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.78, 0.86), frameon=False,
        title=legend_title or first.title, title_fontsize=9.5, fontsize=8.5, alignment="left",
    )  # fmt: skip
    caption = caption_text(source=source, date=date, synthetic=synthetic, language=lang)
    _decorate(fig, title=title, subtitle=subtitle, caption=caption)
    return fig


def draw_bivariate_legend(fig: Figure, biv: BivariateClassification, rect: Sequence[float]) -> Axes:
    """The square 3x3 legend of `biv` in a new axes at `rect` (figure fraction)."""
    ax = fig.add_axes(tuple(rect))
    counts = biv.counts()
    for yi in range(3):
        for xi in range(3):
            ax.add_patch(_rect((xi, yi), 1, 1, GRID[yi][xi]))
            ax.text(xi + 0.5, yi + 0.5, str(counts[yi, xi]), ha="center", va="center", fontsize=7)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    ax.set_aspect("equal")
    ax.set_xticks([0.5, 1.5, 2.5], biv.x.labels, fontsize=6.5, rotation=30, ha="right")
    ax.set_yticks([0.5, 1.5, 2.5], biv.y.labels, fontsize=6.5)
    ax.set_xlabel(f"{biv.x_label} →", fontsize=8.5, fontweight="bold")
    ax.set_ylabel(f"{biv.y_label} →", fontsize=8.5, fontweight="bold")
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    return ax


def plot_bivariate(
    gdf: gpd.GeoDataFrame,
    biv: BivariateClassification,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    outline_label: str | None = "name",
    points: gpd.GeoDataFrame | None = None,
    point_category: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool = False,
    figsize: tuple[float, float] = A4_LANDSCAPE,
) -> Figure:
    """A 3x3 bivariate choropleth (e.g. need vs capacity) with the square legend."""
    lang = biv.language
    if not biv.classes.index.equals(gdf.index):
        msg = "biv was classified from other rows than gdf; use classify_bivariate(gdf[x], gdf[y])."
        raise InputError(msg)
    areas, lines = _prepare(gdf, [], outlines)
    fig = _new_figure(figsize)
    ax = fig.add_axes((0.02, 0.07, 0.64, 0.80))
    draw_areas(ax, areas, biv.color_of(), linewidth=_area_linewidth(len(areas)))
    if lines is not None:
        draw_outlines(ax, lines, label_column=outline_label)
    _frame(ax, areas)
    draw_scale_bar(ax)
    draw_north_arrow(ax, language=lang)
    draw_bivariate_legend(fig, biv, (0.74, 0.50, 0.2, 0.28))
    hot = int(biv.counts()[0, 2])
    note = f"{biv.cell_name(2)}: {format_number(hot, language=lang)} {text('areas', lang)}"
    fig.text(0.70, 0.40, note, fontsize=8.5, color=GRID[0][2], fontweight="bold")
    if biv.n_missing:
        from matplotlib.patches import Patch

        no_data = Patch(facecolor=NO_DATA_COLOR, edgecolor="#7f7f7f", hatch="////")
        label = f"{text('no_data', lang)}  ({format_number(biv.n_missing, language=lang)})"
        fig.legend(handles=[no_data], labels=[label], loc="upper left",
                   bbox_to_anchor=(0.69, 0.38), frameon=False, fontsize=8.5)  # fmt: skip
    if points is not None:
        styles = draw_points(ax, points, category=point_category)
        _points_legend(fig, styles, language=lang)
    default = f"{biv.x_label} × {biv.y_label}"
    caption = caption_text(source=source, date=date, synthetic=synthetic, language=lang)
    _decorate(fig, title=title or default, subtitle=subtitle, caption=caption)
    return fig
