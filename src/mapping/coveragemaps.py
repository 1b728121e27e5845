"""Maps and files of the coverage analysis and the CSR shortlist: gap, severity, access, clusters.

:func:`build_coverage_maps` writes the PNG and interactive HTML maps of a
:class:`mapping.analysis.CoverageAnalysis` (need, coverage, gap, severity, quadrants, distance
to the nearest puskesmas, 2SFCA, and the three cluster maps); :func:`build_shortlist_outputs`
writes a :class:`mapping.targeting.Shortlist` as CSV, XLSX and a map with the sites, their
radius rings and the shortlisted desa. Both return gallery items.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from mapping import clustermaps, export, interactive, static
from mapping.analysis import CoverageAnalysis, coverage_table, publishable
from mapping.cartography import to_metric
from mapping.categories import short_name
from mapping.classify import Indicator
from mapping.clusters import CLUSTER_COLORS, CLUSTERS, classify_clusters
from mapping.coverage import QUADRANTS, SEVERITY, caveat
from mapping.influence import Site, sites_frame
from mapping.labels import check_language, text
from mapping.maps import slug
from mapping.measures import get_measure
from mapping.settings import CRS_STORAGE
from mapping.targeting import Shortlist

log = logging.getLogger(__name__)

#: Colours of the severity classes 1-5 (yellow to dark red) and of the four quadrants.
SEVERITY_COLORS: tuple[str, ...] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
QUADRANT_COLORS: tuple[str, ...] = ("#c51b8a", "#fbb4b9", "#8c96c6", "#edf8fb")

_T: dict[str, dict[str, str]] = {
    "id": {
        "group": "Analisis cakupan",
        "shortlist_group": "Sasaran CSR",
        "coverage": "Cakupan {reached} terhadap {need}",
        "gap": "Kesenjangan: {need} belum menerima {reached}",
        "per_1000": "per 1.000 keluarga",
        "severity": "Tingkat keparahan kesenjangan (1-5)",
        "quadrant": "Kuadran kebutuhan dan kapasitas",
        "puskesmas_km": "Jarak ke puskesmas terdekat (km, perkiraan jalan)",
        "puskesmas_2sfca": "Akses puskesmas (2SFCA, per 1.000 keluarga dalam {km} km)",
        "puskesmas": "Puskesmas (lokasi perkiraan)",
        "interactive": "Peta interaktif analisis cakupan (desa)",
        "source": "Batas desa BIG 2022; atribut desa dari portal stunting Kab. Tapanuli Utara; "
        "puskesmas dari web-GIS kabupaten, lokasi perkiraan (titik tengah desa/kecamatan)",
        "access_note": "Jarak = garis lurus x {f} (faktor belokan jalan); puskesmas di titik "
        "tengah desanya (lokasi perkiraan).",
        "score": "Skor prioritas CSR (0-1)",
        "shortlist_title": "Daftar pendek sasaran CSR {sites}",
        "shortlist_note": "Lingkaran: radius {r} km dari lokasi; angka: peringkat {n} desa "
        "teratas.",
        "stand_in_note": " Lokasi {sites} adalah lokasi pengganti, bukan lokasi pembangkit.",
        "more_sites": "{names} dan {n} lainnya",
        "ring": "Radius {r} km",
        "site": "Lokasi",
        "stand_in": "pengganti",
        "interactive_word": "interaktif",
        "top_n_share": "Tetap di {n} teratas (bagian simulasi bobot)",
        "shortlist_tables": "Daftar pendek sasaran CSR (CSV, XLSX)",
        "coverage_tables": "Tabel cakupan desa (CSV, XLSX)",
    },
    "en": {
        "group": "Coverage analysis",
        "shortlist_group": "CSR targeting",
        "coverage": "Coverage of {need} by {reached}",
        "gap": "Gap: {need} not receiving {reached}",
        "per_1000": "per 1,000 families",
        "severity": "Severity of the coverage gap (1-5)",
        "quadrant": "Need and capacity quadrants",
        "puskesmas_km": "Distance to the nearest puskesmas (km, estimated road)",
        "puskesmas_2sfca": "Puskesmas access (2SFCA, per 1,000 families within {km} km)",
        "puskesmas": "Puskesmas (approximate location)",
        "interactive": "Interactive coverage analysis map (villages)",
        "source": "BIG village boundaries 2022; village attributes from the Tapanuli Utara "
        "stunting portal; puskesmas from the district web-GIS, approximate locations",
        "access_note": "Distance = straight line x {f} (road detour factor); each puskesmas at "
        "the centre of its village (approximate location).",
        "score": "CSR priority score (0-1)",
        "shortlist_title": "{sites} CSR target shortlist",
        "shortlist_note": "Circles: {r} km radius around the sites; numbers: rank of the top "
        "{n} villages.",
        "stand_in_note": " The {sites} sites are stand-ins, not the plant's location.",
        "more_sites": "{names} and {n} more",
        "ring": "{r} km radius",
        "site": "Site",
        "stand_in": "stand-in",
        "interactive_word": "interactive",
        "top_n_share": "Stays in the top {n} (share of weight draws)",
        "shortlist_tables": "CSR target shortlist (CSV, XLSX)",
        "coverage_tables": "Village coverage table (CSV, XLSX)",
    },
}


#: What file names and titles call the default sites (:func:`mapping.influence.default_sites`).
DEFAULT_SITES_LABEL = "Sarulla"


def sites_label(sites: Sequence[Site], *, language: str = "id") -> str:
    """What the shortlist's file names and titles call its sites.

    The default Sarulla stand-in sites are "Sarulla"; other sites are named, up to three
    (then the first two and how many more).

    >>> sites_label([Site("Kantor", 1.84, 99.09), Site("Gudang", 1.9, 99.0)])
    'Kantor, Gudang'
    >>> sites_label([Site(n, 1.8, 99.0) for n in "ABCD"], language="en")
    'A, B and 2 more'
    """
    names = [s.name for s in sites]
    if names and all(s.stand_in and DEFAULT_SITES_LABEL in s.name for s in sites):
        return DEFAULT_SITES_LABEL
    if len(names) <= 3:
        return ", ".join(names)
    more = _T[check_language(language)]["more_sites"]
    return more.format(names=", ".join(names[:2]), n=len(names) - 2)


def shortlist_stem(shortlist: Shortlist) -> str:
    """The file name (without suffix) of a shortlist's files, from its sites.

    ``sasaran-csr-sarulla`` for the default sites, e.g. ``sasaran-csr-kantor-gudang`` for
    sites named Kantor and Gudang.
    """
    return f"sasaran-csr-{slug(sites_label(shortlist.sites))}"


def _shortlist_texts(shortlist: Shortlist) -> tuple[str, str]:
    """The title and the note of a shortlist map, naming its sites."""
    t = _T[shortlist.language]
    label = sites_label(shortlist.sites, language=shortlist.language)
    note = t["shortlist_note"].format(r=f"{shortlist.radius_km or 0:g}", n=shortlist.top_n)
    if any(s.stand_in for s in shortlist.sites):
        note += t["stand_in_note"].format(sites=label)
    return t["shortlist_title"].format(sites=label), note


def coverage_indicators(analysis: CoverageAnalysis) -> list[Indicator]:
    """The indicators of the coverage maps, titled in the analysis' language."""
    lang = analysis.language
    t = _T[lang]
    opts = analysis.options
    need_m = get_measure(opts.need_measure)
    cap_m = get_measure(opts.capacity_measure)
    words = {"need": need_m.name(lang).lower(), "reached": short_name(opts.reached, language=lang)}
    return [
        Indicator("need_rate", need_m.name(lang), f"{t['per_1000']}, Empirical Bayes"),
        Indicator("coverage_pct", t["coverage"].format(**words), "%", palette="YlGn"),
        Indicator("gap_per_1000", t["gap"].format(**words), t["per_1000"], palette="OrRd"),
        Indicator(
            "severity",
            t["severity"],
            categories=tuple(c.level for c in SEVERITY),
            colors=SEVERITY_COLORS,
            category_labels={
                lg: [f"{c.level} {c.label(lg)}" for c in SEVERITY] for lg in ("id", "en")
            },
        ),  # fmt: skip
        Indicator(
            "quadrant",
            t["quadrant"],
            categories=tuple(QUADRANTS),
            colors=QUADRANT_COLORS,
            category_labels={lg: [QUADRANTS[q][lg] for q in QUADRANTS] for lg in ("id", "en")},
        ),  # fmt: skip
        Indicator(
            "capacity_rate", cap_m.name(lang), f"{t['per_1000']}, Empirical Bayes", palette="Greens"
        ),  # fmt: skip
        Indicator("puskesmas_km", t["puskesmas_km"], palette="PuRd"),
        Indicator(
            "puskesmas_2sfca",
            t["puskesmas_2sfca"].format(km=f"{opts.catchment_km:g}"),
            palette="BuGn",
        ),
    ]


#: Column titles of the coverage table for people (Indonesian, English).
TABLE_HEADERS: dict[str, tuple[str, str]] = {
    "code": ("Kode", "Code"),
    "name": ("Nama wilayah", "Area"),
    "kecamatan": ("Kecamatan", "District (kecamatan)"),
    "keluarga": ("Jumlah keluarga (sasaran)", "Families (programme target)"),
    "need": ("Kebutuhan (jumlah)", "Need (count)"),
    "reached": ("Terjangkau (jumlah)", "Reached (count)"),
    "gap": ("Kesenjangan (jumlah)", "Gap (count)"),
    "surplus": ("Kelebihan jangkauan", "Reached beyond need"),
    "coverage_pct": ("Cakupan (%)", "Coverage (%)"),
    "severity": ("Kelas keparahan (1-5)", "Severity class (1-5)"),
    "severity_label": ("Keparahan", "Severity"),
    "gap_per_1000": ("Kesenjangan per 1.000 keluarga", "Gap per 1,000 families"),
    "need_rate": ("Kebutuhan per 1.000 keluarga (EB)", "Need per 1,000 families (EB)"),
    "small_base": ("Penyebut kecil (< 50 keluarga)", "Small base (< 50 families)"),
    "capacity_rate": ("Kapasitas per 1.000 keluarga (EB)", "Capacity per 1,000 families (EB)"),
    "quadrant_label": ("Kuadran kebutuhan-kapasitas", "Need-capacity quadrant"),
    "puskesmas_km": ("Jarak ke puskesmas terdekat (km)", "Distance to nearest puskesmas (km)"),
    "puskesmas_name": ("Puskesmas terdekat", "Nearest puskesmas"),
    "puskesmas_lokasi_perkiraan": ("Lokasi puskesmas perkiraan", "Approximate puskesmas site"),
    "puskesmas_2sfca": ("Akses puskesmas (2SFCA)", "Puskesmas access (2SFCA)"),
    "puskesmas_e2sfca": ("Akses puskesmas (E2SFCA)", "Puskesmas access (E2SFCA)"),
    "lisa_need": ("Klaster kebutuhan (LISA)", "Need cluster (LISA)"),
    "lisa_gap": ("Klaster kesenjangan (LISA)", "Gap cluster (LISA)"),
    "lisa_need_capacity": ("Klaster kebutuhan-kapasitas", "Need-capacity cluster"),
}


def write_coverage_tables(
    analysis: CoverageAnalysis, out_dir: str | Path, *, stem: str = "cakupan-desa"
) -> list[Path]:
    """Write the coverage table (:func:`mapping.analysis.coverage_table`, small counts shown
    as "< 5") as ``<stem>.csv`` (machine column names) and ``<stem>.xlsx`` (titles in the
    analysis' language); returns both paths."""
    lang = analysis.language
    table = coverage_table(analysis)
    headers = {c: pair[0 if lang == "id" else 1] for c, pair in TABLE_HEADERS.items()}
    out = Path(out_dir)
    sheet = "Cakupan" if lang == "id" else "Coverage"
    return [
        export.save_table(table, out / f"{stem}.csv", language=lang),
        export.save_table(
            table, out / f"{stem}.xlsx", language=lang, headers=headers, sheet=sheet
        ),  # fmt: skip
    ]


def _puskesmas_points(analysis: CoverageAnalysis) -> gpd.GeoDataFrame:
    points = analysis.services.copy()
    points["jenis"] = _T[analysis.language]["puskesmas"]
    return points


def build_coverage_maps(
    analysis: CoverageAnalysis,
    kecamatan: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    dpi: int = export.PNG_DPI,
    date: dt.date | str | None = None,
    file_prefix: str = "cakupan-",
    workers: int | None = None,
) -> list[export.GalleryItem]:
    """Write the PNG maps and one interactive HTML map of `analysis` into `out_dir`.

    One PNG per indicator of :func:`coverage_indicators` (the distance map with the puskesmas
    points, labelled "lokasi perkiraan") and one per cluster table, plus one HTML map with
    every layer. Captions state the sources, the caveat on "keluarga" and the methods. Values
    are those of :func:`mapping.analysis.publishable`: small counts and their rates show "< 5".
    The PNGs are drawn in `workers` processes (:func:`mapping.export.save_figures`).
    """
    lang = check_language(analysis.language)
    t = _T[lang]
    out = Path(out_dir)
    desa = publishable(analysis).desa
    points = _puskesmas_points(analysis)
    note = caveat(lang)
    access_note = t["access_note"].format(f=f"{analysis.options.detour_factor:g}")
    group = t["group"]
    inds = coverage_indicators(analysis)
    classes = {i.column: i.classify(desa[i.column], language=lang) for i in inds}
    jobs: list[export.FigureJob] = []
    titles: list[str] = []
    for ind in inds:
        is_access = ind.column.startswith("puskesmas")
        jobs.append(export.FigureJob(
            static.plot_choropleth, out / f"{file_prefix}desa-{ind.column.replace('_', '-')}.png",
            (desa, ind), dict(
                classification=classes[ind.column], outlines=kecamatan,
                points=points if is_access else None,
                point_category="jenis" if is_access else None, source=t["source"],
                note=access_note if is_access else note, date=date, synthetic=False,
                language=lang,
            ), dpi,
        ))  # fmt: skip
        titles.append(ind.title)
    cluster_inds: list[Indicator] = []
    for key, result in analysis.clusters.items():
        name = f"{file_prefix}desa-klaster-{key.replace('_', '-')}.png"
        jobs.append(export.FigureJob(
            clustermaps.plot_clusters, out / name,
            (desa, result), dict(
                outlines=kecamatan, source=t["source"], date=date, synthetic=False, language=lang,
            ), dpi,
        ))  # fmt: skip
        title = clustermaps.cluster_title(result, language=lang)
        titles.append(title)
        column = f"lisa_{key}"
        classes[column] = classify_clusters(result, language=lang)
        cluster_inds.append(Indicator(column, title, categories=CLUSTERS, colors=CLUSTER_COLORS))
    pngs = export.save_figures(jobs, workers=workers)
    items = [
        export.GalleryItem(name, (png,), png, group=group)
        for name, png in zip(titles, pngs, strict=True)
    ]
    m = interactive.choropleth_map(
        desa, [*inds, *cluster_inds], classifications=classes, outlines=kecamatan,
        points=points, point_category="jenis", point_name="name",
        point_fields={"location_note_" + lang: text("approximate_location", lang)},
        title=group, subtitle=text("desa", lang), source=t["source"], note=note, date=date,
        synthetic=False, language=lang,
    )  # fmt: skip
    page = export.save_html(m, out / f"{file_prefix}peta-desa.html")
    desc = f"{len(inds) + len(cluster_inds)} {text('layers', lang)}"
    items.insert(0, export.GalleryItem(t["interactive"], (page,), items[0].thumbnail, desc,
                                       group=group))  # fmt: skip
    return items


def _rings(shortlist: Shortlist) -> gpd.GeoDataFrame | None:
    if not shortlist.radius_km:
        return None
    sites = to_metric(sites_frame(shortlist.sites))
    rings = sites.geometry.buffer(shortlist.radius_km * 1000, quad_segs=32).boundary
    return gpd.GeoDataFrame({"name": sites["name"]}, geometry=rings, crs=sites.crs)


def _sites(shortlist: Shortlist) -> gpd.GeoDataFrame:
    """The sites as points, each its own legend entry ("... (lokasi pengganti)")."""
    sites = sites_frame(shortlist.sites)
    word = _T[shortlist.language]["stand_in"]
    sites["jenis"] = [
        f"{n} ({word})" if stand_in else n
        for n, stand_in in zip(sites["name"], sites["stand_in"], strict=True)
    ]
    return sites


def _scored_areas(shortlist: Shortlist, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The desa of the area of influence with their score, rank and reason."""
    table = pd.DataFrame(shortlist.table.drop(columns=shortlist.table.geometry.name))
    keep = ["code", "score", "rank", "top_n_share", "reason"]
    return desa[["code", "name", "kecamatan", desa.geometry.name]].merge(
        table[keep], on="code", how="inner"
    )


def plot_shortlist(
    shortlist: Shortlist,
    desa: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    *,
    date: dt.date | str | None = None,
) -> Figure:
    """A static map of the shortlist: priority score of the desa in the area of influence,
    the sites (stand-ins labelled), their radius rings and the rank of the top N."""
    lang = shortlist.language
    t = _T[lang]
    areas = _scored_areas(shortlist, desa)
    ind = Indicator("score", t["score"], palette="YlOrRd")
    title, note = _shortlist_texts(shortlist)
    fig = static.plot_choropleth(
        areas, ind, outlines=kecamatan, points=_sites(shortlist), point_category="jenis",
        title=title, source=_T[lang]["source"], note=note, date=date,
        synthetic=False, language=lang,
    )  # fmt: skip
    ax = fig.axes[0]
    rings = _rings(shortlist)
    if rings is not None:
        rings.plot(ax=ax, color="#222222", linewidth=0.9, linestyle="--", zorder=6)
    top = to_metric(areas[areas["rank"] <= shortlist.top_n])
    for _, row in top.iterrows():
        p = row.geometry.representative_point()
        ax.annotate(
            str(int(row["rank"])), (p.x, p.y), ha="center", va="center", fontsize=7,
            fontweight="bold", zorder=8,
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "#222222", "lw": 0.6},
        )  # fmt: skip
    return fig


def shortlist_map(
    shortlist: Shortlist,
    desa: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    *,
    date: dt.date | str | None = None,
) -> folium.Map:
    """An interactive map of the shortlist: score and rank layers, sites, radius rings."""
    lang = shortlist.language
    t = _T[lang]
    areas = _scored_areas(shortlist, desa)
    sites = _sites(shortlist)
    inds = [
        Indicator("score", t["score"], palette="YlOrRd"),
        Indicator("top_n_share", t["top_n_share"].format(n=shortlist.top_n), palette="Purples"),
    ]
    title, note = _shortlist_texts(shortlist)
    m = interactive.choropleth_map(
        areas, inds, outlines=kecamatan, points=sites, point_category="jenis", point_name="name",
        point_fields={"note": t["site"]}, title=title, note=note,
        source=t["source"], date=date, synthetic=False, language=lang,
    )  # fmt: skip
    rings = _rings(shortlist)
    if rings is not None:
        label = t["ring"].format(r=f"{shortlist.radius_km:g}")
        folium.GeoJson(
            rings.to_crs(CRS_STORAGE).__geo_interface__,
            name=label,
            style_function=lambda _f: {"color": "#222222", "weight": 1.5, "dashArray": "6 4"},
            tooltip=label,
        ).add_to(m)
    return m


def build_shortlist_outputs(
    shortlist: Shortlist,
    desa: gpd.GeoDataFrame,
    kecamatan: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    stem: str | None = None,
    dpi: int = export.PNG_DPI,
    date: dt.date | str | None = None,
    extra_sheets: Sequence[tuple[str, pd.DataFrame]] = (),
) -> tuple[list[export.GalleryItem], list[Path]]:
    """Write the shortlist as a PNG and an HTML map and as CSV and XLSX tables.

    The files are named `stem`, by default from the sites (:func:`shortlist_stem`:
    ``sasaran-csr-sarulla`` for the default sites). Returns the gallery items of the map and
    the two table files (CSV first).
    """
    lang = shortlist.language
    t = _T[lang]
    out = Path(out_dir)
    stem = stem or shortlist_stem(shortlist)
    title, _ = _shortlist_texts(shortlist)
    csv = export.write_shortlist(shortlist, out / f"{stem}.csv")
    xlsx = export.write_shortlist(shortlist, out / f"{stem}.xlsx", extra_sheets=extra_sheets)
    png = export.save_figure(plot_shortlist(shortlist, desa, kecamatan, date=date),
                             out / f"{stem}.png", dpi=dpi)  # fmt: skip
    page = export.save_html(shortlist_map(shortlist, desa, kecamatan, date=date),
                            out / f"{stem}.html")  # fmt: skip
    message = shortlist.sensitivity.message
    group = t["shortlist_group"]
    return [
        export.GalleryItem(
            f"{title} ({t['interactive_word']})", (page,), png, message, group=group
        ),  # fmt: skip
        export.GalleryItem(title, (png,), png, message, group=group),
    ], [csv, xlsx]
