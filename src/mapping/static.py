"""Static matplotlib maps for A4 reports: classed choropleths, small multiples, bivariate maps."""

from __future__ import annotations

import datetime as dt
import functools
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.bivariate import GRID, BivariateClassification
from mapping.cartography import (
    Outlines,
    is_synthetic,
    label_points,
    point_style,
    resolve_outlines,
    to_metric,
)
from mapping.classify import (
    NO_DATA_COLOR,
    Classification,
    Indicator,
    LegendEntry,
    as_indicators,
    check_columns,
    classify_pooled,
    is_dark,
)
from mapping.errors import InputError
from mapping.labels import caption_text, check_language, format_number, text
from mapping.privacy import (
    disclosure_k,
    ensure_protected,
    internal_label,
    is_internal,
    legend_entries,
    suppressed_mask,
    suppressed_text,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle
    from matplotlib.path import Path

#: A4 landscape, inches.
A4_LANDSCAPE = (11.69, 8.27)
A4_PORTRAIT = (8.27, 11.69)
EDGE = "#ffffff"
OUTLINE = "#252525"
#: Colour of the "contoh sintetis" stamp and the edge of the HTML caption (Okabe-Ito vermilion).
SYNTHETIC_COLOR = "#D55E00"
#: Characters per line of legend titles before they wrap.
LEGEND_TITLE_WIDTH = 34


#: Resolution of a figure shown in a Jupyter cell (exports use :data:`mapping.export.PNG_DPI`).
NOTEBOOK_DPI = 100


@functools.cache
def _figure_class() -> type[Figure]:
    from matplotlib.figure import Figure

    class MapFigure(Figure):
        """A bare matplotlib Figure that Jupyter shows as a PNG, even without pyplot."""

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png", dpi=NOTEBOOK_DPI, facecolor="white")
            return buf.getvalue()

    return MapFigure


def _new_figure(figsize: tuple[float, float]) -> Figure:
    # Not pyplot: nothing is kept in pyplot's global state (no leaks in loops or builds).
    return _figure_class()(figsize=figsize)


def polygon_paths(geoms: gpd.GeoSeries) -> list[Path]:
    """One matplotlib path per (multi)polygon of `geoms`, holes included, built from all
    coordinates at once; an empty or non-polygon geometry gives an empty path.

    (``GeoDataFrame.plot`` makes a styled ``PathPatch`` artist per polygon first, which takes
    most of the time of an 80,000-area map; a collection only needs the paths.)
    """
    import shapely
    from matplotlib import path as mpath

    Path = mpath.Path
    values = np.asarray(geoms.values)
    parts, of_geom = shapely.get_parts(values, return_index=True)
    keep = shapely.get_type_id(parts) == 3  # the polygons (of multipolygons too)
    parts, of_geom = parts[keep], of_geom[keep]
    parts = shapely.orient_polygons(parts)  # holes wind against their shell: left unfilled
    rings, of_part = shapely.get_rings(parts, return_index=True)
    coords, of_ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    starts = np.flatnonzero(np.r_[True, of_ring[1:] != of_ring[:-1]])
    codes[starts] = Path.MOVETO
    codes[np.r_[starts[1:], len(coords)] - 1] = Path.CLOSEPOLY
    owner = of_geom[of_part[of_ring]]
    bounds = np.searchsorted(owner, np.arange(len(values) + 1))
    return [
        Path(coords[a:b], codes[a:b]) if b > a else Path(np.empty((0, 2)))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def draw_areas(ax: Axes, gdf: gpd.GeoDataFrame, colors: pd.Series, *, linewidth: float) -> None:
    """Fill `gdf`'s polygons with `colors`; missing-data areas grey with a hatch.

    Each group is one collection of paths (:func:`polygon_paths`): 80,000 areas draw in
    seconds.
    """
    from matplotlib.collections import PathCollection

    no_data = (colors == NO_DATA_COLOR).to_numpy()
    paths = polygon_paths(gdf.geometry)
    groups = (
        (~no_data, {"facecolors": colors[~no_data].tolist(), "edgecolors": EDGE}),
        (no_data, {"facecolors": NO_DATA_COLOR, "edgecolors": "#7f7f7f", "hatch": "////"}),
    )
    for mask, style in groups:
        if mask.any():
            chosen = [p for p, m in zip(paths, mask, strict=True) if m]
            ax.add_collection(PathCollection(chosen, linewidths=linewidth, **style), autolim=True)
    ax.autoscale_view()


def draw_outlines(
    ax: Axes, outlines: gpd.GeoDataFrame, *, label_column: str | None = "name", fontsize: float = 6
) -> None:
    """Draw `outlines` (e.g. kecamatan) as dark lines, with their names inside, not overlapping.

    Call it after the axes limits are set (names are moved apart in display units).
    """
    import matplotlib.patheffects as pe

    outlines.boundary.plot(ax=ax, color=OUTLINE, linewidth=0.9, zorder=4)
    if label_column is None:
        return
    check_columns(outlines, [label_column], what="outlines")
    names = [str(n) for n in outlines[label_column]]
    points = label_points(outlines)
    placed = place_labels(ax, names, points.x.to_numpy(), points.y.to_numpy(), fontsize=fontsize)
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    for name, (x, y) in zip(names, placed, strict=True):
        ax.annotate(
            name, (x, y), ha="center", va="center", fontsize=fontsize, color=OUTLINE,
            fontweight="bold", path_effects=halo, zorder=7,
        )  # fmt: skip


def _data_per_point(ax: Axes) -> float:
    """Data units per typographic point in `ax` (equal aspect: the larger of x and y)."""
    fig = ax.get_figure(root=True)
    dpi = fig.dpi if fig is not None else 72.0
    w_pt, h_pt = ax.bbox.width * 72 / dpi, ax.bbox.height * 72 / dpi
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return max(abs(x1 - x0) / w_pt, abs(y1 - y0) / h_pt)


def place_labels(
    ax: Axes,
    names: Sequence[str],
    x: np.ndarray,
    y: np.ndarray,
    *,
    fontsize: float,
) -> list[tuple[float, float]]:
    """Positions for `names` centred near (`x`, `y`) whose boxes do not overlap.

    Greedy: each name keeps its point unless its box (estimated from the font size) overlaps
    one already placed; then it moves by a line (1.1 box heights) up or down, or half its
    width sideways, whichever is free first.
    """
    per_pt = _data_per_point(ax)
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    for name, cx, cy in zip(names, x, y, strict=True):
        w = (len(name) * 0.62 * fontsize + 4) * per_pt
        h = (fontsize * 1.3 + 2) * per_pt
        step = 1.1 * h  # one line and a little air
        moves = [
            (0, 0),
            (0, step),
            (0, -step),
            (w / 2, 0),
            (-w / 2, 0),
            (0, 2 * step),
            (0, -2 * step),
        ]
        for dx, dy in moves:
            box = (cx + dx - w / 2, cy + dy - h / 2, cx + dx + w / 2, cy + dy + h / 2)
            if not any(_overlap(box, other) for other in boxes):
                break
        else:
            dx, dy = 0, 0
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        boxes.append(box)
        out.append((float(cx + dx), float(cy + dy)))
    return out


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _nice_length(width_m: float) -> float:
    target = width_m / 5
    for km in (1, 2, 5, 10, 15, 20, 25, 50, 100, 200):
        if km * 1000 >= target:
            return km * 1000.0
    return 500_000.0


def draw_scale_bar(ax: Axes, *, segments: int = 2, language: str = "id") -> None:
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
        label = format_number(value, decimals=0 if value == int(value) else 1, language=language)
        label += " km" if i == segments else ""
        ax.text(left + i * step, bottom + height * 1.8, label, ha="center", va="bottom", fontsize=7)


def _rect(xy: tuple[float, float], w: float, h: float, face: str) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle(xy, w, h, facecolor=face, edgecolor="black", linewidth=0.6, zorder=5)


def draw_north_arrow(ax: Axes, *, language: str = "id") -> None:
    """A north arrow with "U" (Utara) or "N" at the upper right of `ax`."""
    ax.annotate(
        text("north", language), xy=(0.95, 0.97), xytext=(0.95, 0.87),
        xycoords="axes fraction", ha="center", va="center", fontsize=11, fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 11, "headlength": 10},
    )  # fmt: skip


def _legend_handles(
    classification: Classification,
    *,
    counts: bool = True,
    entries: Sequence[LegendEntry] | None = None,
) -> list[Artist]:
    from matplotlib.patches import Patch

    handles: list[Artist] = []
    for row in classification.legend() if entries is None else entries:
        hatch = "////" if row.no_data else None
        edge = "#7f7f7f" if row.no_data else "#636363"
        label = row.label
        if counts:
            label += f"  ({format_number(row.count, language=classification.language)})"
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
    source: str,
    date: dt.date | str | None,
    synthetic: bool,
    language: str,
    note: str = "",
    internal: bool = False,
) -> None:
    """Title, subtitle, the caption (source, note, date, "contoh sintetis") and the stamp.

    An `internal` map (data not protected, :mod:`mapping.privacy`) says so in title and caption.
    """
    caption = caption_text(source=source, date=date, synthetic=synthetic, note=note,
                           internal=internal, language=language)  # fmt: skip
    if internal:
        title = f"{internal_label(language)} · {title}" if title else internal_label(language)
    fig.text(0.03, 0.965, title, fontsize=15, fontweight="bold", va="top")
    if subtitle:
        fig.text(0.03, 0.925, subtitle, fontsize=10.5, color="#404040", va="top")
    fig.text(0.03, 0.02, caption, fontsize=7.5, color="#404040", va="bottom", wrap=True)
    if synthetic:  # a stamp a reader cannot miss, even on a cropped figure
        fig.text(
            0.975, 0.965, text("synthetic_badge", language), fontsize=10, fontweight="bold",
            color=SYNTHETIC_COLOR, ha="right", va="top",
            bbox={"boxstyle": "square,pad=0.4", "facecolor": "white", "edgecolor": SYNTHETIC_COLOR,
                  "linewidth": 1.5},
        )  # fmt: skip


def _legend_title(title: str) -> str:
    return textwrap.fill(title, LEGEND_TITLE_WIDTH, break_long_words=False)


@dataclass(frozen=True)
class _Layout:
    """Where the map, the legends and the notes go on a landscape or a portrait page."""

    map: tuple[float, float, float, float]
    legend: tuple[float, float]
    points: tuple[float, float]
    square: tuple[float, float, float, float]
    notes: tuple[float, float]
    wrap: int


#: Landscape: map on the left, legends on the right.
LANDSCAPE = _Layout(
    map=(0.02, 0.07, 0.64, 0.80), legend=(0.68, 0.86), points=(0.68, 0.40),
    square=(0.75, 0.55, 0.19, 0.27), notes=(0.70, 0.41), wrap=58,
)  # fmt: skip
#: Portrait: map across the page, legends under it.
PORTRAIT = _Layout(
    map=(0.03, 0.30, 0.94, 0.58), legend=(0.05, 0.285), points=(0.52, 0.285),
    square=(0.14, 0.10, 0.24, 0.15), notes=(0.48, 0.27), wrap=52,
)  # fmt: skip


def _layout(figsize: tuple[float, float]) -> _Layout:
    return PORTRAIT if figsize[1] > figsize[0] else LANDSCAPE


def _area_linewidth(n: int) -> float:
    return 0.25 if n > 60 else 0.6


def _prepare(
    gdf: gpd.GeoDataFrame, columns: Sequence[str], outlines: Outlines
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    check_columns(gdf, columns)
    lines = resolve_outlines(gdf, outlines)
    return to_metric(gdf), None if lines is None else to_metric(lines)


def plot_choropleth(
    gdf: gpd.GeoDataFrame,
    indicator: str | Indicator,
    *,
    classification: Classification | None = None,
    outlines: Outlines = None,
    outline_label: str | None = "name",
    points: gpd.GeoDataFrame | None = None,
    point_category: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str = "",
    note: str = "",
    date: dt.date | str | None = None,
    synthetic: bool | None = None,
    language: str = "id",
    figsize: tuple[float, float] = A4_LANDSCAPE,
) -> Figure:
    """A classed choropleth of one indicator for an A4 report.

    Parameters
    ----------
    gdf
        Areas (desa or kecamatan) with the indicator column, any CRS (drawn in UTM 47N).
    indicator
        Column name or :class:`~mapping.classify.Indicator` (title, unit, scheme, k, palette,
        or fixed categories).
    classification
        Reuse a classification (e.g. the one of the HTML map) instead of classifying again;
        numeric bins (:func:`~mapping.classify.classify`) or fixed categories
        (:func:`~mapping.classify.classify_categorical`).
    outlines
        Outline layer drawn on top, labelled with `outline_label` (``None``: no labels). By
        default a desa map gets its kecamatan, dissolved from its desa; ``False``: none (see
        :func:`mapping.cartography.resolve_outlines`).
    points, point_category
        Optional sites drawn as markers, one colour and shape per category.
    title, subtitle, source, note, date
        Texts: title (default the indicator's), subtitle, and the caption with the source, a
        note (e.g. the method) and the date made (default today).
    synthetic
        Label the map "contoh sintetis" (caption and stamp). ``None``: when ``gdf.attrs`` or
        ``points.attrs`` say the data are synthetic (see :func:`mapping.cartography.is_synthetic`);
        ``False`` is refused for such data.
    language
        ``"id"`` or ``"en"`` for every text (a given `classification` is relabelled in it).
    """
    lang = check_language(language)
    ind = as_indicators([indicator], language=lang)[0]
    synthetic = is_synthetic(synthetic, gdf=gdf, points=points)
    gdf = ensure_protected(gdf)
    areas, lines = _prepare(gdf, [ind.column], outlines)
    cls = classification or ind.classify(gdf[ind.column], language=lang)
    if not cls.classes.index.equals(gdf.index):
        msg = "classification was made for other rows than gdf; classify gdf[column] itself."
        raise InputError(msg)
    if cls.classes[gdf[ind.column].isna()].notna().any():  # made before suppression
        cls = ind.classify(gdf[ind.column], language=lang)
    cls = cls.in_language(lang)
    fig = _new_figure(figsize)
    layout = _layout(figsize)
    ax = fig.add_axes(layout.map)
    draw_areas(ax, areas, cls.color_of(), linewidth=_area_linewidth(len(areas)))
    _frame(ax, areas)
    if lines is not None:
        draw_outlines(ax, lines, label_column=outline_label)
    handles = _legend_handles(cls, entries=legend_entries(cls.in_language(lang), gdf, ind.column))
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=layout.legend, frameon=False,
        title=_legend_title(ind.title), title_fontsize=10, fontsize=9, alignment="left",
    )  # fmt: skip
    if points is not None:
        styles = draw_points(ax, points, category=point_category)
        _points_legend(fig, styles, anchor=layout.points, language=lang)
    draw_scale_bar(ax, language=lang)
    draw_north_arrow(ax, language=lang)
    _decorate(fig, title=title or ind.title, subtitle=subtitle, source=source, date=date,
              synthetic=synthetic, language=lang, note=note,
              internal=is_internal(gdf))  # fmt: skip
    return fig


#: A point style: colour, marker and how many sites have it.
PointStyle = tuple[str, str, int]


def draw_points(
    ax: Axes, points: gpd.GeoDataFrame, *, category: str | None = None
) -> dict[str, PointStyle]:
    """Draw sites as markers, one colour/shape per `category`; returns {category: style}.

    Markers have a dark edge so they stay visible on light and dark fills alike, and lie
    above the areas and outlines but under the kecamatan names.
    """
    if category is not None:
        check_columns(points, [category], what="points")
    pts = to_metric(points)
    groups = pts.groupby(pts[category].astype(str), sort=True) if category else [("", pts)]
    styles: dict[str, PointStyle] = {}
    for i, (name, group) in enumerate(groups):
        color, marker = point_style(i)
        ax.scatter(
            group.geometry.x, group.geometry.y, s=24, c=color, marker=marker,
            edgecolors="#1a1a1a", linewidths=0.5, zorder=6,
        )  # fmt: skip
        styles[str(name)] = (color, marker, len(group))
    return styles


def _points_legend(
    fig: Figure,
    styles: dict[str, PointStyle],
    *,
    anchor: tuple[float, float],
    language: str,
) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker=m, color="none", markerfacecolor=c, markeredgecolor="#1a1a1a",
               markeredgewidth=0.5, markersize=7,
               label=f"{name or '—'}  ({format_number(n, language=language)})")
        for name, (c, m, n) in styles.items()
    ]  # fmt: skip
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=anchor, frameon=False,
        title=text("sites", language), title_fontsize=10, fontsize=9, alignment="left",
    )  # fmt: skip


def plot_small_multiples(
    gdf: gpd.GeoDataFrame,
    indicators: Sequence[str | Indicator],
    *,
    titles: Sequence[str] | None = None,
    outlines: Outlines = None,
    title: str = "",
    subtitle: str | None = None,
    legend_title: str = "",
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool | None = None,
    language: str = "id",
    ncols: int | None = None,
    figsize: tuple[float, float] = A4_LANDSCAPE,
) -> Figure:
    """One panel per indicator (years, categories) with shared bins and one legend.

    The classification options (scheme, k, palette, bins) are those of the first indicator;
    the bins are pooled over all panels, so one colour means one range everywhere. `ncols`
    defaults to the number of columns that makes the panels largest on the page. `synthetic`
    and the other texts are those of :func:`plot_choropleth`.
    """
    lang = check_language(language)
    synthetic = is_synthetic(synthetic, gdf=gdf)
    gdf = ensure_protected(gdf)
    inds = as_indicators(indicators, language=lang)
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
    fig = _new_figure(figsize)
    grid = _panel_grid(areas, len(inds), ncols=ncols, figsize=figsize)
    for i, ind in enumerate(inds):
        ax = fig.add_axes(grid.rect(i))
        draw_areas(ax, areas, pooled[ind.column].color_of(), linewidth=0.15)
        if lines is not None:
            lines.boundary.plot(ax=ax, color=OUTLINE, linewidth=0.5, zorder=4)
        _frame(ax, areas)
        ax.set_title(titles[i] if titles else ind.title, fontsize=9.5)
        if i == 0:
            draw_scale_bar(ax, segments=1, language=lang)
            draw_north_arrow(ax, language=lang)
    # One legend for all panels, ranges only: a count would mix areas of different panels.
    stacked = pd.concat([gdf[i.column] for i in inds], ignore_index=True)
    legend = pooled[first.column].apply(stacked)
    entries = legend.legend()
    hidden = [c for c in (i.column for i in inds) if suppressed_mask(gdf, c).any()]
    if hidden:
        label = text("suppressed", lang, hidden=suppressed_text(disclosure_k(gdf, hidden[0])))
        entries.append(LegendEntry(label, NO_DATA_COLOR, 0, True))
    handles = _legend_handles(legend, counts=False, entries=entries)
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(grid.right + 0.02, grid.top),
        frameon=False, title=_legend_title(legend_title or first.title), title_fontsize=9.5,
        fontsize=8.5, alignment="left",
    )  # fmt: skip
    _decorate(fig, title=title, subtitle=subtitle, source=source, date=date,
              synthetic=synthetic, language=lang, internal=is_internal(gdf))  # fmt: skip
    return fig


@dataclass(frozen=True)
class _PanelGrid:
    """Panels of one size, top-aligned under the title; positions in figure fractions."""

    ncols: int
    width: float
    height: float
    title: float
    left: float
    top: float

    def rect(self, i: int) -> tuple[float, float, float, float]:
        r, c = divmod(i, self.ncols)
        bottom = self.top - (r + 1) * (self.height + self.title)
        return (self.left + c * self.width, bottom, self.width * 0.97, self.height)

    @property
    def right(self) -> float:
        return self.left + self.ncols * self.width


def _panel_grid(
    areas: gpd.GeoDataFrame, n: int, *, ncols: int | None, figsize: tuple[float, float]
) -> _PanelGrid:
    """The grid of `n` map panels that makes them largest in the space left of the legend."""
    fig_w, fig_h = figsize
    x0, y0, x1, y1 = areas.total_bounds
    aspect = (y1 - y0) / max(x1 - x0, 1e-9)
    box_w, box_h, title_h = 0.76 * fig_w, 0.78 * fig_h, 0.3  # inches

    def scale(c: int) -> float:
        rows = int(np.ceil(n / c))
        return min(box_w / c, (box_h / rows - title_h) / aspect)

    cols = ncols if ncols is not None else max(range(1, n + 1), key=scale)
    cols = max(1, min(cols, n))
    size = scale(cols)
    return _PanelGrid(
        ncols=cols, width=size / fig_w, height=size * aspect / fig_h, title=title_h / fig_h,
        left=0.02, top=0.88,
    )  # fmt: skip


def draw_bivariate_legend(
    fig: Figure, biv: BivariateClassification, rect: tuple[float, float, float, float]
) -> Axes:
    """The square 3x3 legend of `biv` in a new axes at `rect` (figure fraction).

    Each cell shows its colour and the number of areas in it; the ticks are the class ranges.
    """
    ax = fig.add_axes(rect)
    counts = biv.counts()
    for yi in range(3):
        for xi in range(3):
            color = GRID[yi][xi]
            ax.add_patch(_rect((xi, yi), 1, 1, color))
            ink = "white" if is_dark(color) else "#1a1a1a"
            ax.text(xi + 0.5, yi + 0.5, format_number(int(counts[yi, xi]), language=biv.language),
                    ha="center", va="center", fontsize=8, color=ink, zorder=6)  # fmt: skip
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
    outlines: Outlines = None,
    outline_label: str | None = "name",
    points: gpd.GeoDataFrame | None = None,
    point_category: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str = "",
    date: dt.date | str | None = None,
    synthetic: bool | None = None,
    language: str | None = None,
    figsize: tuple[float, float] = A4_LANDSCAPE,
) -> Figure:
    """A 3x3 bivariate choropleth (e.g. need vs capacity) with the square legend.

    Under the legend: how many areas have high need and low capacity, what each axis measures
    (``biv.x_description``/``y_description`` when given), the no-data row and the sites legend.
    Texts are in `biv`'s language (`language`, when given, must be it); `synthetic` and the
    other texts are those of :func:`plot_choropleth`.
    """
    lang = biv.check_language(language)
    synthetic = is_synthetic(synthetic, gdf=gdf, points=points)
    if not biv.classes.index.equals(gdf.index):
        msg = "biv was classified from other rows than gdf; use classify_bivariate(gdf[x], gdf[y])."
        raise InputError(msg)
    areas, lines = _prepare(gdf, [], outlines)
    fig = _new_figure(figsize)
    layout = _layout(figsize)
    ax = fig.add_axes(layout.map)
    draw_areas(ax, areas, biv.color_of(), linewidth=_area_linewidth(len(areas)))
    _frame(ax, areas)
    if lines is not None:
        draw_outlines(ax, lines, label_column=outline_label)
    draw_scale_bar(ax, language=lang)
    draw_north_arrow(ax, language=lang)
    draw_bivariate_legend(fig, biv, layout.square)
    x, y = layout.notes
    hot = int(biv.counts()[0, 2])
    note = f"{biv.cell_name(2)}: {format_number(hot, language=lang)} {text('areas', lang)}"
    fig.text(x, y, note, fontsize=8.5, color=GRID[0][2], fontweight="bold", va="top")
    y -= 0.035
    for line in biv.descriptions():
        wrapped = textwrap.fill(line, layout.wrap, break_long_words=False)
        fig.text(x, y, wrapped, fontsize=7.5, color="#404040", va="top")
        y -= 0.028 * (wrapped.count("\n") + 1)
    if biv.n_missing:
        from matplotlib.patches import Patch

        no_data = Patch(facecolor=NO_DATA_COLOR, edgecolor="#7f7f7f", hatch="////")
        label = f"{text('no_data', lang)}  ({format_number(biv.n_missing, language=lang)})"
        fig.legend(handles=[no_data], labels=[label], loc="upper left",
                   bbox_to_anchor=(x - 0.01, y + 0.01), frameon=False, fontsize=8.5)  # fmt: skip
        y -= 0.04
    if points is not None:
        styles = draw_points(ax, points, category=point_category)
        _points_legend(fig, styles, anchor=(x - 0.01, y), language=lang)
    default = f"{biv.x_label} × {biv.y_label}"
    _decorate(fig, title=title or default, subtitle=subtitle, source=source, date=date,
              synthetic=synthetic, language=lang, internal=is_internal(gdf))  # fmt: skip
    return fig
