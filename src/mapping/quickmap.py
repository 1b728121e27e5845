"""One welfare file in, readable outputs out: the quick maps (``peta-kesos map``) and tables."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mapping.categories import CATEGORY_BY_CODE, HEADER_TAKEN, PER_1000_SUFFIX, column_title
from mapping.classify import Indicator
from mapping.columns import JOINED_METHODS, Level
from mapping.datasets import build_welfare_datasets
from mapping.errors import InputError
from mapping.export import write_workbook
from mapping.files import write_layer
from mapping.gazetteer import Gazetteer
from mapping.indicators import Rate
from mapping.join import MatchReport, join_table
from mapping.labels import check_language, text
from mapping.maps import MIN_INDICATORS, build_default_maps, slug
from mapping.regions import Region, default_region
from mapping.settings import Settings
from mapping.tables import WelfareTable, combine_tables, read_welfare
from mapping.validation import describe_problems

log = logging.getLogger(__name__)

#: The denominator of every rate: the catalogue's number of families.
FAMILIES = "keluarga"
#: PNG resolution of a quick map (screen and WhatsApp; ``--dpi 300`` for print).
QUICK_DPI = 150
#: File name of the match report written beside the maps.
REPORT_NAME = "laporan-pencocokan.csv"
#: Palette of each catalogue group: needs warm, resources green, families blue.
PALETTES: dict[str, str] = {"pmks": "YlOrRd", "psks": "Greens", "indicator": "Purples"}

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Peta {what}",
        "families_file": "jumlah keluarga dari berkas ini",
        "families_portal": "jumlah keluarga dari portal stunting Kab. Tapanuli Utara",
        "families_none": "tanpa jumlah keluarga: peta jumlah, bukan angka per 1.000 keluarga",
        "read": "Dibaca",
        "problems": "Masalah",
        "no_problems": "tidak ada masalah",
        "maps": "Peta",
        "wrote": "{n} berkas di {out}; buka {index}",
        "report": "Laporan pencocokan",
        "denominator": "Penyebut",
        "synthetic": "Data: contoh sintetis, bukan data sebenarnya.",
        "left_out": "Tidak dipetakan (tidak ada kecamatan yang semua desanya berisi nilai): ",
    },
    "en": {
        "title": "Maps of {what}",
        "families_file": "number of families from this file",
        "families_portal": "number of families from the Tapanuli Utara stunting portal",
        "families_none": "no number of families: counts are mapped, not rates per 1,000",
        "read": "Read",
        "problems": "Problems",
        "no_problems": "no problems",
        "maps": "Maps",
        "wrote": "{n} files in {out}; open {index}",
        "report": "Match report",
        "denominator": "Denominator",
        "synthetic": "Data: synthetic example (contoh sintetis), not real data.",
        "left_out": "Not mapped (no kecamatan has a value for every one of its desa): ",
    },
}


@dataclass
class QuickMap:
    """What :func:`quick_map` read and wrote.

    ``table`` is the file as read (with its problems), ``report`` what happened to each of its
    rows at the desa join, ``indicators`` the mapped layers, ``maps`` every map file
    (``index.html`` last) and ``report_path`` the match report CSV beside them. ``families``
    says where the denominator came from: ``"file"``, ``"portal"`` (the real desa
    indicators of Tapanuli Utara) or ``"none"`` (another region's file without one).
    ``left_out`` are the layers without a value at desa or at kecamatan level (no kecamatan
    has all its desa), so not mapped.
    """

    table: WelfareTable
    report: MatchReport
    indicators: list[Indicator]
    families: str
    out_dir: Path
    maps: list[Path] = field(default_factory=list)
    report_path: Path | None = None
    left_out: list[Indicator] = field(default_factory=list)
    language: str = "id"

    @property
    def files(self) -> list[Path]:
        """Every file written: the maps, the gallery and the match report."""
        return [*self.maps, *([self.report_path] if self.report_path else [])]

    @property
    def index(self) -> Path:
        """The gallery page listing every map."""
        return self.maps[-1]

    def summary(self) -> str:
        """What was read, its problems, the layers mapped and the files written, in words."""
        t = TEXTS[self.language]
        lines = [f"{t['read']}: {self.table.summary()}"]
        if self.table.synthetic:
            lines.append(t["synthetic"])
        problems = describe_problems(self.table.report) if len(self.table.report) else ""
        lines.append(
            f"{t['problems']}:" + (f"\n{problems}" if problems else f" {t['no_problems']}")
        )
        lines.append(self.report.describe())
        lines.append(f"{t['denominator']}: {t['families_' + self.families]}")
        titles = "; ".join(i.title for i in self.indicators)
        lines.append(f"{t['maps']} ({len(self.indicators)}): {titles}")
        if self.left_out:
            lines.append(t["left_out"] + "; ".join(i.title for i in self.left_out))
        lines.append(
            t["wrote"].format(n=len(self.files), out=self.out_dir, index=self.index)
            + (f"\n{t['report']}: {self.report_path}" if self.report_path else "")
        )
        return "\n".join(lines)


def default_out_dir(path: str | Path, *, sheet: str | int | None = None) -> Path:
    """``outputs/peta-<file>[-<sheet>]`` under the current folder.

    >>> default_out_dir("data/PMKS 2024.xlsx", sheet="Desa").as_posix()
    'outputs/peta-pmks-2024-desa'
    """
    name = Path(path).stem + (f" {sheet}" if sheet is not None else "")
    return Path("outputs") / f"peta-{slug(name)}"


def families_table(*, settings: Settings | None) -> WelfareTable:
    """The number of families of every desa, from the real desa indicators."""
    indicators = read_welfare(
        build_welfare_datasets(settings=settings)["indicators"], level="desa", settings=settings
    )
    return replace(indicators, data=indicators.data[indicators.data["category"] == FAMILIES])


def _layer(column: str, code: str, language: str) -> Indicator:
    """The layer of `column` (of category `code`), titled and coloured from the catalogue."""
    group = CATEGORY_BY_CODE[code].group if code in CATEGORY_BY_CODE else "pmks"
    return Indicator(column, column_title(column, language=language), palette=PALETTES[group])


def quick_indicators(categories: list[str], *, language: str = "id") -> list[Indicator]:
    """The layers of a quick map of `categories`, titled from the catalogue.

    Each counted category per 1,000 families (amounts such as money as they are). A file
    with fewer categories than a map set usually holds (:data:`mapping.maps.MIN_INDICATORS`)
    also gets their counts and the number of families, so a one-category file still gives a
    useful set. The number of families itself is never divided by itself.

    >>> [i.title for i in quick_indicators(["fm"])]
    ['Fakir Miskin per 1.000 keluarga', 'Fakir Miskin', 'Jumlah Keluarga']
    >>> [i.column for i in quick_indicators(["keluarga", "fm", "lut", "dana_stunting"])]
    ['fm_per_1000', 'lut_per_1000', 'dana_stunting', 'fm', 'lut', 'keluarga']
    """
    lang = check_language(language)
    cats = [c for c in categories if c != FAMILIES]

    def layer(column: str, code: str) -> Indicator:
        return _layer(column, code, lang)

    def counted(code: str) -> bool:
        return code not in CATEGORY_BY_CODE or CATEGORY_BY_CODE[code].kind == "count"

    layers = [layer(c + PER_1000_SUFFIX, c) if counted(c) else layer(c, c) for c in cats]
    if len(layers) < MIN_INDICATORS:
        layers += [layer(c, c) for c in cats if counted(c)]
        layers.append(Indicator(FAMILIES, column_title(FAMILIES, language=lang), palette="Blues"))
    return layers


def quick_map(
    path: str | Path,
    out_dir: str | Path | None = None,
    *,
    level: Level | None = None,
    sheet: str | int | None = None,
    year: int | None = None,
    language: str = "id",
    dpi: int = QUICK_DPI,
    settings: Settings | None = None,
    columns: Mapping[str, str] | None = None,
    categories: Mapping[str, str] | None = None,
    region: Region | None = None,
    layers: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
) -> QuickMap:
    """Map every category of one welfare file (CSV/XLSX) at desa and kecamatan level.

    The file is read leniently (problems are listed, not fatal: a row that cannot be placed is
    reported, never silently dropped), joined to the desa layer and summed to kecamatan. When
    the file gives no number of families (``keluarga``), that of the real desa indicators is
    joined with it, so every counted category is mapped per 1,000 families. Titles, layer names
    and legends use the catalogue names in `language`. Writes the HTML maps, one PNG per layer
    and level, ``index.html`` and the match report CSV (:data:`REPORT_NAME`) into `out_dir`
    (default :func:`default_out_dir`). Synthetic files stay labelled "contoh sintetis".

    Parameters
    ----------
    path, sheet
        The CSV or XLSX file and, for a workbook, the sheet (name or 0-based index).
    level
        Level of the file's rows, ``"desa"`` (mapped at desa and kecamatan level) or
        ``"kecamatan"``; guessed when None.
    year
        The year to map when the file holds several (it dates rows the file does not date).
    language, dpi
        ``"id"`` or ``"en"`` for every text; PNG resolution.
    columns, categories
        Columns named by the user, as in :func:`mapping.tables.read_welfare`: ``{role:
        header}`` for key columns detection misses (e.g. ``{"desa": "Lokasi"}``) and
        ``{header: catalogue code}`` for category headers (e.g. ``{"Jumlah KK Miskin": "fm"}``).
    region, layers
        Another region than Tapanuli Utara and its desa and kecamatan layers
        (:func:`mapping.layers.load_region_layers`): the file is matched to its areas and
        mapped on its layers; without its own number of families it is mapped as counts.
    """
    lang = check_language(language)
    src = Path(path)
    gazetteer = None if region is None else Gazetteer.from_region(region, level=level or "desa")
    table = read_welfare(
        src, level=level, sheet=sheet, year=year, settings=settings, columns=columns,
        categories=categories, gazetteer=gazetteer,
    )  # fmt: skip
    where = src.name + (f" (sheet '{table.sheet}')" if table.sheet else "")
    order = {code: i for i, code in enumerate(CATEGORY_BY_CODE)}
    codes = sorted(set(table.data["category"]), key=lambda c: (order.get(c, len(order)), c))
    if not codes:
        headers = table.headers
        unknown = (
            list(headers.loc[~headers["method"].isin(HEADER_TAKEN), "header"])
            if len(headers)
            else []
        )
        placed = int(table.rows["method"].isin(JOINED_METHODS).sum())
        msg = (
            f"No PMKS/PSKS category with a value matched to an area of "
            f"{default_region(region).name} in "
            f"{where} (headers not in the catalogue: {unknown}; {placed} of {len(table.rows)} "
            "rows matched to an area); expected a column per category (e.g. 'Fakir Miskin', "
            "'Lansia Terlantar') and a row per desa. Run 'peta-kesos validate' on it to see why."
        )
        raise InputError(msg)
    if table.level != "desa":
        msg = (
            f"{where} holds kecamatan totals; the quick map needs desa rows (it maps desa and "
            "sums them to kecamatan). Use 'peta-kesos join --level kecamatan' for kecamatan data."
        )
        raise InputError(msg)
    layer_of = {} if layers is None else {"desa": layers[0], "kecamatan": layers[1]}
    _, report = join_table(
        table, level="desa", year=year, settings=settings, layer=layer_of.get("desa")
    )
    if FAMILIES in codes:
        combined, families = table, "file"
    elif region is not None:
        combined, families = table, "none"
    else:
        combined, families = combine_tables([table, families_table(settings=settings)]), "portal"
    inds = quick_indicators(codes, language=lang)
    if families == "none":  # no denominator: every category as it is
        inds = [_layer(c, c, lang) for c in codes]
    rates = {
        i.column: Rate(i.column.removesuffix(PER_1000_SUFFIX), FAMILIES)
        for i in inds
        if i.column.endswith(PER_1000_SUFFIX)
    }
    desa, kec = (
        join_table(
            combined,
            level=lvl,
            year=year,
            rates=rates,
            settings=settings,
            layer=layer_of.get(lvl),
            desa=layer_of.get("desa"),
        )[0]  # fmt: skip
        for lvl in ("desa", "kecamatan")
    )
    # A kecamatan total needs every desa of it (a sum over some would undercount).
    left_out = [i for i in inds if kec[i.column].isna().all() or desa[i.column].isna().all()]
    inds = [i for i in inds if i not in left_out]
    if all(i.column == FAMILIES for i in inds):
        msg = (
            f"No kecamatan has a value for every one of its desa in {where}, so no kecamatan "
            "total can be mapped without undercounting; give every desa of a kecamatan (0 for "
            "none, not blank) or check the unmatched names with 'peta-kesos match'."
        )
        raise InputError(msg)
    out = Path(out_dir) if out_dir is not None else default_out_dir(src, sheet=sheet)
    t = TEXTS[lang]
    title = table.title[0].strip() if table.title else t["title"].format(what=where)
    source = f"{where}; {t['families_' + families]}"
    maps = build_default_maps(
        desa, kec, inds, out, title=title, language=lang,
        source=source, dpi=dpi, min_indicators=1,
    )  # fmt: skip
    report_path = write_layer(report.to_frame(), out / REPORT_NAME)
    log.info("quick map of %s: %d layers, %d files in %s", where, len(inds), len(maps), out)
    return QuickMap(
        table=table, report=report, indicators=inds, families=families, out_dir=out,
        maps=maps, report_path=report_path, left_out=left_out, language=lang,
    )  # fmt: skip


#: Headers of the layer columns of a joined table, in each language (categories: catalogue).
LAYER_HEADERS: dict[str, dict[str, str]] = {
    "id": {
        "code": "Kode Kemendagri",
        "kind": "Desa/kelurahan",
        "kecamatan_code": "Kode kecamatan",
        "bps_code": "Kode BPS",
        "area_km2": "Luas (km²)",
        "n_desa": "Jumlah desa",
        "has_data": "Ada data",
        "n_desa_data": "Jumlah desa berdata",
        "keterangan": "Keterangan",
    },
    "en": {
        "code": "Kemendagri code",
        "kind": "Desa or kelurahan",
        "kecamatan_code": "Kecamatan code",
        "bps_code": "BPS code",
        "area_km2": "Area (km²)",
        "n_desa": "Number of desa",
        "has_data": "Has data",
        "n_desa_data": "Desa with data",
        "keterangan": "Note",
    },
}


def table_headers(columns: list[str], *, level: Level, language: str = "id") -> dict[str, str]:
    """Readable headers of the columns of a joined layer: the area columns, and the catalogue
    name of each category or rate column (others keep their name).

    >>> table_headers(["code", "name", "kecamatan", "fm", "fm_per_1000"], level="desa")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'code': 'Kode Kemendagri', 'name': 'Desa/kelurahan', 'kecamatan': 'Kecamatan',
     'fm': 'Fakir Miskin', 'fm_per_1000': 'Fakir Miskin per 1.000 keluarga'}
    """
    lang = check_language(language)
    fixed = {**LAYER_HEADERS[lang], "name": text(level, lang), "kecamatan": text("kecamatan", lang)}
    out = {}
    for col in columns:
        title = fixed.get(col) or column_title(col, language=lang)
        if title:
            out[col] = title
    return out


def write_joined_workbook(
    joined: pd.DataFrame, path: str | Path, *, level: Level, language: str = "id"
) -> Path:
    """Write a joined layer (one row per area) as a formatted XLSX with readable headers.

    One sheet named after the level, headers in `language` (:func:`table_headers`), counts
    with thousands separators, rates and areas with decimals, the header row frozen and
    filterable (:func:`mapping.export.write_workbook`). The geometry is left out.
    """
    lang = check_language(language)
    columns = [str(c) for c in joined.columns]
    formats = {c: "#,##0.0" for c in columns if c.endswith(PER_1000_SUFFIX)}
    formats.update({c: "#,##0" for c in columns if c in CATEGORY_BY_CODE})
    formats.update({"area_km2": "#,##0.00"})
    return write_workbook(
        path,
        {text(level, lang): joined},
        headers=table_headers(columns, level=level, language=lang),
        number_formats=formats,
    )
