"""Interactive folium maps: classed, switchable indicator layers in one self-contained HTML."""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping import topology
from mapping.bivariate import BivariateClassification
from mapping.cartography import (
    Outlines,
    is_synthetic,
    label_points,
    point_style,
    resolve_outlines,
)
from mapping.classify import (
    NO_DATA_COLOR,
    Classification,
    Indicator,
    as_indicators,
    check_columns,
    is_dark,
)
from mapping.errors import InputError
from mapping.labels import caption_text, check_language, format_number, text
from mapping.privacy import (
    display_values,
    ensure_protected,
    internal_label,
    is_internal,
    legend_entries,
)
from mapping.regions import metric_crs_of
from mapping.settings import CRS_STORAGE

if TYPE_CHECKING:
    import folium
    from branca.element import MacroElement

#: Default simplification tolerance, metres: finer than a line's width at the regency's scale.
TOLERANCE_M = 30.0
#: Decimals of longitude/latitude kept: 5 decimals is about 1.1 m at the equator.
PRECISION = 5
#: Base maps offered besides "none" (xyzservices names). "None" is the default so the map
#: makes no network request and shows no broken tiles when opened offline.
BASEMAPS: tuple[str, ...] = ("OpenStreetMap.Mapnik", "OpenTopoMap")

#: From this many areas on, the map draws them on one canvas instead of one SVG path each
#: (tens of thousands of SVG paths make panning and zooming crawl).
CANVAS_FROM = 5_000
#: Up to this many areas, the search box offers their names in a list while typing.
SEARCH_LIST_MAX = 5_000

#: Area levels a map can show; they decide the tooltip heading and the search texts.
LEVELS: tuple[str, ...] = ("desa", "kecamatan")

#: CDN links (as folium writes them) -> the vendored file that replaces them in the HTML.
ASSETS: tuple[tuple[str, str], ...] = (
    (r"/leaflet@1\.9\.3/dist/leaflet\.js$", "leaflet-1.9.3.js"),
    (r"/leaflet@1\.9\.3/dist/leaflet\.css$", "leaflet-1.9.3.css"),
    (
        r"/leaflet\.fullscreen@3\.0\.0/Control\.FullScreen(\.min)?\.js$",
        "leaflet.fullscreen-3.0.0.js",
    ),
    (r"/leaflet\.fullscreen@3\.0\.0/Control\.FullScreen\.css$", "leaflet.fullscreen-3.0.0.css"),
    (r"^peta-kesos/topojson-client\.js$", "topojson-client-3.1.0.min.js"),
    (r"^peta-kesos/choropleth\.js$", "choropleth.js"),
    (r"^peta-kesos/choropleth\.css$", "choropleth.css"),
)
_SCRIPT_RE = re.compile(r'<script src="([^"]+)"></script>')
_LINK_RE = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/?>')
_EXTERNAL_RE = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"[^>]*>')


def asset_text(name: str) -> str:
    """Text of the vendored asset `name` (see ``src/mapping/assets/README.md``)."""
    return resources.files("mapping").joinpath("assets", name).read_text(encoding="utf-8")


def _asset_for(url: str) -> str:
    for pattern, name in ASSETS:
        if re.search(pattern, url):
            return name
    msg = (
        f"The map links {url!r}, which has no vendored copy, so the HTML would not work offline. "
        "Vendor it under src/mapping/assets/ and add it to ASSETS in mapping/interactive.py."
    )
    raise InputError(msg)


def inline_assets(page: str) -> str:
    """`page` with every linked script and stylesheet replaced by the vendored file's text.

    Raises :class:`InputError` if a link has no vendored copy or an external one is left.
    """

    def script(m: re.Match[str]) -> str:
        body = asset_text(_asset_for(m.group(1))).replace("</script", "<\\/script")
        return f"<script>{body}</script>"

    def style(m: re.Match[str]) -> str:
        return f"<style>{asset_text(_asset_for(m.group(1)))}</style>"

    out = _LINK_RE.sub(style, _SCRIPT_RE.sub(script, page))
    left = _EXTERNAL_RE.findall(out)
    if left:
        msg = f"The map still links external files {left[:3]}; it would not work offline."
        raise InputError(msg)
    return out


def render_html(m: folium.Map) -> str:
    """The complete, self-contained HTML page of `m` (no external scripts or styles)."""
    return inline_assets(m.get_root().render())


def notebook_html(m: folium.Map, *, height: int = 620) -> str:
    """`m` for a Jupyter cell: the self-contained page in an iframe (no CDN, works offline)."""
    page = html.escape(render_html(m))
    return (
        f'<iframe srcdoc="{page}" style="width:100%;height:{height}px;border:none" '
        "allowfullscreen></iframe>"
    )


@functools.cache
def _map_class() -> type[folium.Map]:
    import folium

    class ChoroplethMap(folium.Map):
        """A folium map that Jupyter shows as the same self-contained page as the saved file.

        (folium's own notebook view links its scripts from CDNs and not the vendored ones.)
        """

        def _repr_html_(self, **kwargs: Any) -> str:
            return notebook_html(self)

    return ChoroplethMap


def embedded_json(page: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The TopoJSON topology, the layer config and the extras (labels, points) in a map page,
    as embedded (see :func:`embedded_data` for the areas and outlines decoded to GeoJSON).
    """
    start = page.find("pkChoropleth(map_")
    if start < 0:
        raise InputError("The page holds no peta-kesos choropleth (no pkChoropleth call).")
    pos = page.index(",", start) + 1
    decoder = json.JSONDecoder()
    found = []
    for _ in range(3):
        while page[pos] in " ,\n":
            pos += 1
        obj, pos = decoder.raw_decode(page, pos)
        found.append(obj)
    return found[0], found[1], found[2]


def embedded_data(page: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The areas (GeoJSON), the layer config and the extras (outlines, labels, points) in a
    map page, decoded from its TopoJSON as the browser decodes it.

    For checking what a saved map holds without a browser (tests, audits).
    """
    topo, config, extra = embedded_json(page)
    precision = round(-math.log10(topo["transform"]["scale"][0]))
    data = topology.decode(topo, "areas", precision=precision)
    if "outlines" in topo["objects"]:
        extra = {**extra, "outlines": topology.mesh(topo, "outlines", precision=precision)}
    return data, config, extra


def simplify_coverage(
    geometry: gpd.GeoSeries, *, tolerance_m: float = TOLERANCE_M, precision: int = PRECISION
) -> gpd.GeoSeries:
    """`geometry` simplified as a coverage in metres and rounded to `precision` decimals (4326).

    Shared borders are simplified once, so neighbours still share them exactly: no slivers or
    gaps. Coordinates are rounded after projecting back to EPSG:4326.
    """
    if geometry.crs is None:
        raise InputError("The geometry has no CRS; set it before making an interactive map.")
    metric = geometry.to_crs(metric_crs_of(geometry))
    simple = shapely.coverage_simplify(metric.values, tolerance_m) if tolerance_m > 0 else metric
    back = gpd.GeoSeries(simple, index=geometry.index, crs=metric.crs).to_crs(CRS_STORAGE)
    return _round(back, precision)


def _round(geoms: gpd.GeoSeries, precision: int) -> gpd.GeoSeries:
    rounded = shapely.transform(geoms.values, lambda c: np.round(c, precision))
    bad = ~shapely.is_valid(rounded)
    if bad.any():  # rounding can pinch a tiny ring; repair without dropping the area
        rounded[bad] = shapely.make_valid(rounded[bad], method="structure", keep_collapsed=False)
    return gpd.GeoSeries(rounded, index=geoms.index, crs=geoms.crs)


#: Characters escaped as ``\\uXXXX`` in JSON embedded in ``<script>``: they could close the
#: script (``</script>``), open an HTML comment (``<!--``) or end a JavaScript line (U+2028/9).
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                  "\u2029": "\\u2029"}  # fmt: skip
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def _dumps(obj: Any) -> str:
    """`obj` as JSON safe to embed in a ``<script>`` element, whatever text it holds.

    >>> _dumps({"n": "</script><!--x&y"})
    '{"n":"\\\\u003c/script\\\\u003e\\\\u003c!--x\\\\u0026y"}'
    """
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group(0)], s)


def rank_desc(values: pd.Series) -> pd.Series:
    """Rank of each value, 1 = highest, ties share the best rank, missing stays missing.

    >>> rank_desc(pd.Series([5, 9, None, 9])).tolist()
    [3, 1, <NA>, 1]
    """
    return values.rank(ascending=False, method="min").astype("Int64")


def legend_html(
    classification: Classification,
    title: str,
    *,
    frame: pd.DataFrame | None = None,
    column: str | None = None,
) -> str:
    """The HTML of a classed legend: swatch, range and count per class, "no data" last.

    With the `frame` and `column` classified, suppressed areas (:mod:`mapping.privacy`) get
    their own "Disembunyikan (< 5)" row after "no data".
    """
    entries = (
        legend_entries(classification, frame, column)
        if frame is not None and column is not None
        else classification.legend()
    )
    rows = []
    for row in entries:
        cls = "pk-swatch pk-nodata" if row.no_data else "pk-swatch"
        count = format_number(row.count, language=classification.language)
        rows.append(
            f'<tr><td><span class="{cls}" style="background-color:{row.color}"></span></td>'
            f'<td class="pk-range">{html.escape(row.label)}</td>'
            f'<td class="pk-count">{count}</td></tr>'
        )
    return _legend_box(title, "".join(rows))


def _legend_box(title: str, rows: str) -> str:
    return f'<div class="pk-legend-title">{html.escape(title)}</div><table>{rows}</table>'


def bivariate_legend_html(
    biv: BivariateClassification, title: str, *, names: Sequence[str] | None = None
) -> str:
    """The HTML of the square 3x3 legend: y (capacity) rows top-down, x (need) columns.

    Below it: the "high need, low capacity" count and, with `names` (one per area, in the
    classification's order), a list of those areas that folds open; what each axis measures;
    and no data.
    """
    lang = biv.language
    counts = biv.counts()

    def n(value: int) -> str:
        return format_number(int(value), language=lang)

    rows = []
    for yi in (2, 1, 0):
        cells = "".join(
            f'<td class="pk-cell{" pk-dark" if is_dark(biv.colors[yi * 3 + xi]) else ""}" '
            f'style="background-color:{biv.colors[yi * 3 + xi]}" '
            f'title="{html.escape(biv.cell_name(yi * 3 + xi))}">{n(counts[yi, xi])}</td>'
            for xi in range(3)
        )
        rows.append(f'<tr><td class="pk-tick">{html.escape(biv.y.labels[yi])}</td>{cells}</tr>')
    ticks = "".join(f'<td class="pk-tick">{html.escape(lab)}</td>' for lab in biv.x.labels)
    rows.append(f"<tr><td></td>{ticks}</tr>")
    desc = "".join(f'<div class="pk-desc">{html.escape(d)}</div>' for d in biv.descriptions())
    extra = ""
    if biv.n_missing:
        extra = (
            f'<div><span class="pk-swatch pk-nodata" style="background-color:{NO_DATA_COLOR}">'
            f"</span> {html.escape(text('no_data', lang))} ({n(biv.n_missing)})</div>"
        )
    cell = f"{html.escape(biv.cell_name(2))}: {n(counts[0, 2])}"
    if names is not None and counts[0, 2]:
        in_cell = (biv.classes == 2).fillna(False).to_numpy(dtype=bool)
        listed = sorted(str(a) for a, hit in zip(names, in_cell, strict=True) if hit)
        items = "".join(f"<li>{html.escape(a)}</li>" for a in listed)
        cell = f'<details class="pk-namelist"><summary>{cell}</summary><ul>{items}</ul></details>'
    return (
        f'<div class="pk-legend-title">{html.escape(title)}</div>'
        f'<div class="pk-axis">↑ {html.escape(biv.y_label)}</div>'
        f'<table class="pk-bivariate">{"".join(rows)}</table>'
        f'<div class="pk-axis" style="text-align:right">{html.escape(biv.x_label)} →</div>'
        f'<div style="color:{biv.colors[2]};font-weight:600">{cell}</div>{desc}{extra}'
    )


@dataclass(frozen=True)
class _Layer:
    title: str
    colors: tuple[str, ...]
    classes: list[int | None]
    values: list[str]
    ranks: list[int | None]
    legend: str
    kind: str = "indicator"


def _indicator_layer(ind: Indicator, cls: Classification, gdf: pd.DataFrame) -> _Layer:
    values = gdf[ind.column]
    ranks: list[int | None]
    if cls.categorical:  # categories: the label is the value, and there is no rank
        texts, ranks = cls.label_of().tolist(), [None] * len(values)
    else:
        shown = [cls.format(v) for v in values.astype(float)]
        texts = display_values(gdf, ind.column, shown)
        ranks = [None if pd.isna(r) else int(r) for r in rank_desc(values)]
    return _Layer(
        title=ind.title,
        colors=cls.colors,
        classes=[None if pd.isna(c) else int(c) for c in cls.classes],
        values=texts,
        ranks=ranks,
        legend=legend_html(cls, ind.title, frame=gdf, column=ind.column),
        kind="categorical" if cls.categorical else "indicator",
    )


def _bivariate_layer(
    biv: BivariateClassification, title: str, names: Sequence[str] | None = None
) -> _Layer:
    return _Layer(
        title=title,
        colors=biv.colors,
        classes=[None if pd.isna(c) else int(c) for c in biv.classes],
        values=biv.name_of().tolist(),
        ranks=[None] * len(biv.classes),
        legend=bivariate_legend_html(biv, title, names=names),
        kind="bivariate",
    )


def _outline_data(
    areas: gpd.GeoSeries,
    gdf: gpd.GeoDataFrame,
    outlines: gpd.GeoDataFrame,
    *,
    group_column: str | None,
    label_column: str,
    tolerance_m: float,
    precision: int,
) -> tuple[gpd.GeoSeries, list[list[Any]]]:
    """Outline polygons and labels [name, lat, lon].

    When the areas' `group_column` values are exactly the outlines' names, the outlines are
    dissolved from the simplified areas, so their borders are the areas' own (in the page's
    topology they are the same arcs); when the areas cover only some outlines (a zoomed map),
    the outlines are simplified on their own.
    """
    names = outlines[label_column].astype(str)
    groups_present = set(gdf[group_column].astype(str)) if group_column is not None else set()
    if group_column is not None and groups_present == set(names):
        where = pd.Series(np.arange(len(gdf))).groupby(gdf[group_column].astype(str).to_numpy())
        members = where.indices  # name -> positions, in one pass (thousands of outlines)
        polys = [_dissolve(areas.values[members[n]]) for n in names]
        polys = gpd.GeoSeries(polys, crs=CRS_STORAGE)
    else:
        polys = simplify_coverage(outlines.geometry, tolerance_m=tolerance_m, precision=precision)
    points = label_points(gpd.GeoDataFrame(geometry=polys.reset_index(drop=True)))
    labels = [
        [n, round(p.y, precision), round(p.x, precision)]
        for n, p in zip(names, points, strict=True)
    ]
    # Largest first: where two names collide on screen the map keeps the larger area's name.
    polys = gpd.GeoSeries(polys.values, crs=CRS_STORAGE)
    areas_m2 = polys.to_crs(metric_crs_of(polys)).area.to_numpy()
    order = np.argsort(-areas_m2, kind="stable")
    return polys.reset_index(drop=True), [labels[i] for i in order]


def _dissolve(parts: np.ndarray) -> Any:
    """The union of `parts`, a coverage: fast, unless rounding left it wrongly noded (a
    vertex on a neighbour's edge, on a coarse grid), then by overlay."""
    try:
        return shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        return shapely.union_all(parts)


def _points_data(
    points: gpd.GeoDataFrame,
    *,
    category: str | None,
    name: str | None,
    fields: Sequence[str] | Mapping[str, str],
    language: str,
    precision: int,
) -> dict[str, Any]:
    labels = dict(fields) if isinstance(fields, Mapping) else {f: f for f in fields}
    check_columns(points, [c for c in (category, name, *labels) if c], what="points")
    pts = points.to_crs(CRS_STORAGE)
    cats = pts[category].astype(str) if category else pd.Series("", index=pts.index)
    styles = {c: {"color": point_style(i)[0]} for i, c in enumerate(sorted(set(cats)))}
    feats = []
    for idx, geom in pts.geometry.items():
        rows = [[label, _cell(pts.at[idx, f], language)] for f, label in labels.items()]
        if category:
            rows.insert(0, [text("category", language), cats[idx]])
        props = {"name": str(pts.at[idx, name]) if name else "", "cat": cats[idx], "rows": rows}
        coords = [round(geom.x, precision), round(geom.y, precision)]
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords},
                      "properties": props})  # fmt: skip
    counts = cats.value_counts()
    legend_rows = "".join(
        f'<tr><td><span class="pk-swatch pk-dot" style="background-color:{s["color"]}"></span>'
        f"</td><td>{html.escape(c or '—')}</td>"
        f'<td class="pk-count">{format_number(int(counts[c]), language=language)}</td></tr>'
        for c, s in styles.items()
    )
    title = text("sites", language)
    return {
        "data": {"type": "FeatureCollection", "features": feats},
        "styles": styles,
        "title": title,
        "legend": _legend_box(title, legend_rows),
    }


def _cell(value: Any, language: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return text("no_data", language)
    if isinstance(value, int | np.integer):
        return format_number(int(value), language=language)
    if isinstance(value, float | np.floating):
        return format_number(float(value), decimals=0 if float(value).is_integer() else 2,
                             language=language)  # fmt: skip
    return str(value)


def _basemaps(names: Sequence[str]) -> list[dict[str, Any]]:
    import xyzservices

    out = []
    for name in names:
        try:
            provider = xyzservices.providers.query_name(name)
        except ValueError as exc:
            msg = f"basemaps: {name!r} is not an xyzservices provider (e.g. {list(BASEMAPS)})."
            raise InputError(msg) from exc
        out.append({
            "name": name.replace(".", " "),
            "url": provider.build_url(),
            "attribution": provider.html_attribution,
            "maxZoom": int(provider.get("max_zoom", 19)),
        })  # fmt: skip
    return out


def page_title(title: str | None, *, synthetic: bool = False, language: str = "id") -> str:
    """The page's ``<title>`` (browser tab, shared link preview): the map title, else
    "Peta interaktif", with the synthetic-data badge in front for synthetic data. Line and
    paragraph separators (U+2028/9) and other line breaks become spaces: a title is one line.

    >>> page_title("PMKS per desa", synthetic=True)
    'CONTOH SINTETIS · PMKS per desa'
    >>> page_title(None, language="en")
    'Interactive map'
    """
    name = " ".join((title or text("interactive", language)).split())
    return f"{text('synthetic_badge', language)} · {name}" if synthetic else name


def csv_name(title: str | None, language: str = "id") -> str:
    """File name stem of the table's CSV download: the title in lower-case ASCII words.

    >>> csv_name("Fakir Miskin per 1.000 keluarga (2025)")
    'fakir-miskin-per-1-000-keluarga-2025'
    >>> csv_name(None, "en")
    'interactive-map'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", (title or text("interactive", language)).lower())
    return slug.strip("-")[:80] or "peta"


def _element(data: str, config: str, extra: str) -> MacroElement:
    from branca.element import MacroElement
    from folium.elements import JSCSSMixin
    from jinja2 import Template

    class ChoroplethLayers(JSCSSMixin, MacroElement):
        """The indicator layers, legends, outlines, points and search (choropleth.js)."""

        _template = Template(
            "{% macro script(this, kwargs) %}"
            "pkChoropleth({{ this._parent.get_name() }}, {{ this.data }}, {{ this.config }}, "
            "{{ this.extra }});"
            "{% endmacro %}"
        )
        default_js = [
            ("topojson_client_js", "peta-kesos/topojson-client.js"),
            ("peta_kesos_choropleth_js", "peta-kesos/choropleth.js"),
        ]
        default_css = [("peta_kesos_choropleth_css", "peta-kesos/choropleth.css")]

        def __init__(self) -> None:
            super().__init__()
            self._name = "ChoroplethLayers"
            self.data, self.config, self.extra = data, config, extra

    return ChoroplethLayers()


def choropleth_map(
    gdf: gpd.GeoDataFrame,
    indicators: Sequence[str | Indicator] | Mapping[str, str],
    *,
    classifications: Mapping[str, Classification] | None = None,
    bivariate: BivariateClassification | None = None,
    bivariate_title: str | None = None,
    level: str = "desa",
    name_column: str = "name",
    kecamatan_column: str | None = "kecamatan",
    outlines: Outlines = None,
    outline_label: str = "name",
    points: gpd.GeoDataFrame | None = None,
    point_category: str | None = None,
    point_name: str | None = None,
    point_fields: Sequence[str] | Mapping[str, str] = (),
    title: str | None = None,
    subtitle: str | None = None,
    source: str = "",
    note: str = "",
    date: dt.date | str | None = None,
    synthetic: bool | None = None,
    language: str = "id",
    basemaps: Sequence[str] = BASEMAPS,
    tolerance_m: float = TOLERANCE_M,
    precision: int = PRECISION,
) -> folium.Map:
    """An interactive classed choropleth with one switchable layer per indicator.

    Only one indicator layer is visible at a time (radio buttons), and only its legend is
    shown. Each area has a tooltip (name, kecamatan, value, rank of N; rank 1 = highest) and a
    popup with all indicators (the one shown in bold). The geometry is embedded once for all
    layers, simplified as a coverage (`tolerance_m`) and rounded to `precision` decimals, as
    one TopoJSON topology (:mod:`mapping.topology`): each border stored once, quantized on the
    grid of `precision` decimals, the outlines made of the areas' own arcs; the page decodes
    it with the vendored topojson-client. Only the shown values are embedded. From
    :data:`CANVAS_FROM` areas on, the areas are drawn on one canvas (tested with 83,000 in
    ``benchmarks/bench_large_map.py``; ``precision=4``, about 11 m, suits a national map).
    Save it with :func:`mapping.export.save_html` to get one self-contained file.

    Parameters
    ----------
    gdf
        Areas (desa or kecamatan) with the indicator columns.
    indicators
        Column names, ``{column: label}`` or :class:`~mapping.classify.Indicator` objects.
    classifications
        Classifications by column to reuse (e.g. those of the PNG maps); others are computed.
        A categorical one (:func:`~mapping.classify.classify_categorical`) shows each area's
        category label and no rank.
    bivariate, bivariate_title
        An extra layer with a 3x3 bivariate classification of `gdf` and its square legend.
    level
        ``"desa"`` or ``"kecamatan"``: what the areas are. A kecamatan map's tooltips read
        "Kecamatan Tarutung" and its search box looks for kecamatan.
    name_column, kecamatan_column
        Columns with the area name and (for desa) its kecamatan; the kecamatan column is not
        used on a kecamatan map.
    outlines, outline_label
        An outline layer (e.g. kecamatan) drawn over the areas, labelled with `outline_label`.
        By default a desa map gets its kecamatan, dissolved from its desa; ``False``: none.
    points, point_category, point_name, point_fields
        Sites (TKSK, PSKS, facilities, CSR) as coloured markers by category, with a legend and
        a popup listing the category and `point_fields` (column names, or
        ``{column: label}`` to show readable labels).
    title, subtitle, source, note, date, synthetic, language
        Texts as on the static maps (:func:`mapping.static.plot_choropleth`): the caption is
        :func:`mapping.labels.caption_text`; ``synthetic=None`` takes it from ``gdf.attrs`` or
        ``points.attrs``. Every fixed text is in `language`; given `classifications` are
        relabelled in it, and `bivariate` must have been classified in it.
    basemaps
        xyzservices names offered besides "no base map", which is the default; they are a
        second group in the layer list (one button on a phone).
    tolerance_m, precision
        Simplification tolerance (metres) and decimals of a degree kept (5: about 1.1 m).
    """
    import folium
    from branca.element import Figure
    from folium.plugins import Fullscreen

    lang = check_language(language)
    synthetic = is_synthetic(synthetic, gdf=gdf, points=points)
    gdf = ensure_protected(gdf)
    internal = is_internal(gdf)
    if internal:
        title = f"{internal_label(lang)} · {title}" if title else internal_label(lang)
    if level not in LEVELS:
        msg = f"level={level!r} is not supported; expected one of {list(LEVELS)}."
        raise InputError(msg)
    if level == "kecamatan":
        kecamatan_column = None
    inds = as_indicators(indicators, language=lang)
    if not inds and bivariate is None:
        raise InputError("choropleth_map needs at least one indicator or a bivariate layer.")
    required = [name_column, *(i.column for i in inds)]
    if kecamatan_column:
        required.append(kecamatan_column)
    check_columns(gdf, required)
    outline_layer = resolve_outlines(gdf, outlines, group_column=kecamatan_column)
    if outline_layer is not None:
        check_columns(outline_layer, [outline_label], what="outlines")
    if bivariate is not None:
        if not bivariate.classes.index.equals(gdf.index):
            raise InputError("bivariate was classified from other rows than gdf.")
        bivariate.check_language(lang)
    given = dict(classifications or {})
    layers = []
    for ind in inds:
        cls = given.get(ind.column) or ind.classify(gdf[ind.column], language=lang)
        if not cls.classes.index.equals(gdf.index):
            msg = f"classifications[{ind.column!r}] was made for other rows than gdf."
            raise InputError(msg)
        if cls.classes[gdf[ind.column].isna()].notna().any():  # made before suppression
            cls = ind.classify(gdf[ind.column], language=lang)
        layers.append(_indicator_layer(ind, cls.in_language(lang), gdf))
    if bivariate is not None:
        default = f"{bivariate.x_label} × {bivariate.y_label}"
        names = gdf[name_column].astype(str)
        if kecamatan_column and kecamatan_column in gdf.columns:
            names = names + " (" + gdf[kecamatan_column].astype(str) + ")"
        layers.append(_bivariate_layer(bivariate, bivariate_title or default, names.tolist()))

    areas = simplify_coverage(gdf.geometry, tolerance_m=tolerance_m, precision=precision)
    # whole columns at once: a per-row ``gdf.at`` copies the frame's attrs each time
    area_names = gdf[name_column].astype(str).tolist()
    area_kec = gdf[kecamatan_column].astype(str).tolist() if kecamatan_column else None
    props = [
        {
            "n": area_names[pos],
            "k": area_kec[pos] if area_kec is not None else "",
            "c": [layer.classes[pos] for layer in layers],
            "v": [layer.values[pos] for layer in layers],
            "r": [layer.ranks[pos] for layer in layers],
        }
        for pos in range(len(gdf))
    ]
    shapes = {"areas": areas}
    extra: dict[str, Any] = {}
    if outline_layer is not None:
        shapes["outlines"], extra["labels"] = _outline_data(
            areas, gdf, outline_layer, group_column=kecamatan_column, label_column=outline_label,
            tolerance_m=tolerance_m, precision=precision,
        )  # fmt: skip
    data = topology.encode(shapes, properties={"areas": props}, precision=precision)
    if points is not None:
        extra["points"] = _points_data(
            points, category=point_category, name=point_name, fields=point_fields,
            language=lang, precision=precision,
        )  # fmt: skip
    config = {
        "layers": [
            {"title": layer.title, "colors": list(layer.colors), "legend": layer.legend,
             "n": sum(r is not None for r in layer.ranks), "kind": layer.kind}
            for layer in layers
        ],
        "level": level,
        "canvas": len(gdf) >= CANVAS_FROM,
        "listMax": SEARCH_LIST_MAX,
        "thousands": format_number(1000, language=lang)[1],  # ranks read "23.010 dari 83.000"
        "noDataColor": NO_DATA_COLOR,
        "title": title,
        "subtitle": subtitle,
        "caption": caption_text(source=source, date=date, synthetic=synthetic, note=note,
                                internal=internal, language=lang),
        "synthetic": synthetic,
        "basemaps": _basemaps(basemaps),
        "texts": {
            "kecamatan": text("kecamatan", lang),
            "kecamatanOf": text("kecamatan_of", lang, name="{name}"),
            "rank": text("rank", lang, rank="{rank}", n="{n}"),
            "rankShort": text("rank_short", lang),
            "rankNote": text("rank_note", lang),
            "indicator": text("indicator", lang),
            "value": text("value", lang),
            "search": text("search_kecamatan" if level == "kecamatan" else "search", lang),
            "notFound": text("not_found_kecamatan" if level == "kecamatan" else "not_found", lang),
            "outlines": text("outlines", lang),
            "basemap": text("basemap", lang),
            "basemapNone": text("basemap_none", lang),
            "syntheticBadge": text("synthetic_badge", lang),
            "zoomIn": text("zoom_in", lang),
            "zoomOut": text("zoom_out", lang),
            "legend": text("legend", lang),
            "layers": text("layers_button", lang),
            "table": text("table", lang),
            "close": text("close", lang),
            "csv": text("download_csv", lang),
            "name": text("kecamatan" if level == "kecamatan" else "desa", lang),
        },
        "csvName": csv_name(title, lang),
    }  # fmt: skip
    west, south, east, north = areas.total_bounds
    m = _map_class()(
        location=[(south + north) / 2, (west + east) / 2], zoom_start=10, tiles=None,
        control_scale=False, attribution_control=True, font_size="0.75rem", zoom_snap=0.25,
    )  # fmt: skip
    # Only Leaflet itself: folium's default jQuery, Bootstrap and Font Awesome are not used.
    m.default_js = [js for js in folium.Map.default_js if js[0] == "leaflet"]
    m.default_css = [css for css in folium.Map.default_css if css[0] == "leaflet_css"]
    root = m.get_root()
    if isinstance(root, Figure):  # always, for a folium.Map; branca writes it unescaped
        root.title = html.escape(page_title(title, synthetic=synthetic, language=lang))
    m.fit_bounds([[south, west], [north, east]], padding=(12, 12))
    Fullscreen(position="topleft", title=text("fullscreen", lang),
               title_cancel=text("fullscreen_exit", lang)).add_to(m)  # fmt: skip
    _element(_dumps(data), _dumps(config), _dumps(extra)).add_to(m)
    return m
