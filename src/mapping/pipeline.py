"""The default build: layers, welfare datasets, joined indicators, maps, reports and the gallery.

``peta-kesos build`` (run by ``make maps``) calls :func:`build_outputs`. Every step goes through
the public API, the same chain a notebook uses: raw files -> canonical tables -> joined layers
-> indicator columns -> maps and reports.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from mapping import export, incremental, manifest, privacy, profiles, reports
from mapping.analysis import (
    AnalysisOptions,
    CoverageAnalysis,
    coverage_analysis,
    new_sites,
    priority_components,
    publishable,
)
from mapping.bivariate import HIGH_NEED_LOW_CAPACITY, areas_in_cell, classify_bivariate
from mapping.categories import CATEGORY_BY_CODE, PER_1000_SUFFIX, column_title
from mapping.classify import Indicator
from mapping.config import ConfigError, MapLayer, ProjectConfig
from mapping.coveragemaps import (
    build_coverage_maps,
    build_shortlist_outputs,
    sites_label,
    write_coverage_tables,
)
from mapping.data import CROSSWALK_DESA, CROSSWALK_KECAMATAN, PACKAGE_REFERENCE
from mapping.datasets import RAW_INDICATOR_COLUMNS, SAMPLE_YEAR, build_welfare_datasets
from mapping.errors import BoundaryValidationError, DataSourceError, InputError, MissingColumns
from mapping.files import write_text
from mapping.gazetteer import Gazetteer
from mapping.incremental import Group, Part
from mapping.indicators import Rate, add_rates
from mapping.influence import parse_sites
from mapping.join import MatchReport, join_table
from mapping.labels import check_language
from mapping.layers import build_layers, load_region_layers
from mapping.maps import build_map_set, slug
from mapping.measures import Measure, add_measures, get_measure
from mapping.quickmap import families_table, quick_indicators
from mapping.regions import Region, tapanuli_utara
from mapping.settings import Settings, default_output_dir, get_settings
from mapping.tables import WelfareTable, combine_tables, read_welfare
from mapping.targeting import shortlist

log = logging.getLogger(__name__)

FAMILIES = "keluarga"
#: ``attrs`` key of the user's desa layer: where its number of families comes from
#: (``inputs`` or ``portal``, the real desa indicators).
FAMILIES_ATTR = "families_source"
#: The build's own texts in each language (map texts come from :mod:`mapping.labels`).
TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "per_1000": "per 1.000 keluarga",
        "real_source": "Batas desa BIG 2022; atribut desa dari portal stunting Kab. Tapanuli "
        "Utara (arti kolom disimpulkan dari label portal)",
        "synthetic_source": "Contoh sintetis peta-kesos (bukan data resmi); jumlah keluarga dari "
        "portal stunting",
        "real_title": "Indikator kesejahteraan desa",
        "synthetic_title": "PMKS dan PSKS (contoh sintetis)",
        "pmks_total": "PMKS (semua kategori)",
        "psks_total": "PSKS (semua jenis)",
        "gallery": "peta-kesos: peta {region}",
        "desa": "Desa",
        "kecamatan": "Kecamatan",
        "note": "Keterangan",
        "source_boundaries": "Batas desa/kelurahan: BIG 2022 (15 berkas GeoJSON dari portal "
        "stunting Kab. Tapanuli Utara, diperiksa dengan SHA-256); kode Kemendagri 2025 dan kode "
        "BPS 2018 dari tabel rujukan yang disertakan.",
        "source_indicators": "Indikator desa (jumlah keluarga, keluarga berisiko stunting, "
        "penerima PKH/BPNT/BST, posyandu): portal stunting Kab. Tapanuli Utara; arti kolom "
        "disimpulkan dari label portal.",
        "caveat_families": "\u201cKeluarga\u201d adalah keluarga sasaran program percepatan "
        "penurunan stunting di portal itu, bukan semua rumah tangga; angka \u201cper 1.000 "
        "keluarga\u201d memakai jumlah ini sebagai penyebut.",
        "source_synthetic": "PMKS, PSKS dan lokasi PSKS: contoh sintetis buatan peta-kesos, "
        "bukan data Dinas Sosial; hanya untuk mencoba alat ini.",
        "disclaimer": "Peta bertanda CONTOH SINTETIS memakai data buatan, bukan data resmi. "
        "Jangan dipakai untuk keputusan.",
        "report_match": "Pencocokan nama wilayah",
        "report_validation": "Validasi (kesalahan dan peringatan yang perlu diperiksa)",
        "real_data": "indikator desa",
        "synthetic_data": "PMKS/PSKS contoh sintetis",
        "source_puskesmas": "Puskesmas (17): nama dan desa dari web-GIS kabupaten, mungkin belum "
        "lengkap; tanpa koordinat, jadi ditempatkan di titik tengah desanya (tiga di titik tengah "
        "kecamatan): lokasi perkiraan. Jarak = garis lurus x 1,4.",
        "source_sarulla": "Lokasi Sarulla: titik tengah Desa Silangkitang (unit 1) dan Desa "
        "Sitolu Ama (pengganti Namora-I-Langit, unit 2-3) adalah lokasi pengganti, bukan lokasi "
        "pembangkit.",
        "cell_table": "Desa kebutuhan tinggi, kapasitas rendah (contoh sintetis)",
        "coverage_tables": "Tabel cakupan desa (kebutuhan, jangkauan, kesenjangan, akses, klaster)",
        "shortlist_tables": "Daftar pendek sasaran CSR {sites} (peringkat, komponen, alasan)",
        "profiles": "Profil kecamatan untuk TKSK dan camat (PDF A4, satu per kecamatan) dan "
        "ringkasan kabupaten",
        "new_sites": "Lokasi program baru untuk kebutuhan yang belum terjangkau",
        "coverage_inputs": "Analisis cakupan dan daftar pendek CSR memakai kolom dari berkas "
        "Anda: {columns}",
    },
    "en": {
        "per_1000": "per 1,000 families",
        "real_source": "BIG village boundaries 2022; village attributes from the Tapanuli Utara "
        "stunting portal (column meanings inferred from the portal's labels)",
        "synthetic_source": "peta-kesos synthetic sample (not official data); number of families "
        "from the stunting portal",
        "real_title": "Village welfare indicators",
        "synthetic_title": "PMKS and PSKS (synthetic sample)",
        "pmks_total": "PMKS (all categories)",
        "psks_total": "PSKS (all kinds)",
        "gallery": "peta-kesos: maps of {region}",
        "desa": "Village",
        "kecamatan": "Kecamatan",
        "note": "Note",
        "source_boundaries": "Village boundaries: BIG 2022 (15 GeoJSON files from the Tapanuli "
        "Utara stunting portal, checked by SHA-256); Kemendagri 2025 and BPS 2018 codes from the "
        "bundled reference tables.",
        "source_indicators": "Village indicators (families, families at risk of stunting, PKH/"
        "BPNT/BST recipients, posyandu): Tapanuli Utara stunting portal; column meanings "
        "inferred from the portal's labels.",
        "caveat_families": "\u201cFamilies\u201d are the target families of the stunting "
        "reduction programme in that portal, not all households; rates \u201cper 1,000 "
        "families\u201d use this count as the denominator.",
        "source_synthetic": "PMKS, PSKS and PSKS sites: a synthetic sample made by peta-kesos, "
        "not Dinas Sosial data; only for trying the tools.",
        "disclaimer": "Maps marked SYNTHETIC EXAMPLE use made-up data, not official data. Do "
        "not use them for decisions.",
        "report_match": "Place name matching",
        "report_validation": "Validation (errors, and warnings to review)",
        "real_data": "village indicators",
        "synthetic_data": "PMKS/PSKS synthetic sample",
        "source_puskesmas": "Puskesmas (17): names and villages from the district web-GIS, "
        "possibly incomplete; no coordinates, so each is placed at the centre of its village "
        "(three at their kecamatan's): approximate locations. Distance = straight line x 1.4.",
        "source_sarulla": "Sarulla sites: the centres of Silangkitang (unit 1) and Sitolu Ama "
        "(standing in for Namora-I-Langit, units 2-3) are stand-ins, not the plant's location.",
        "cell_table": "Villages with high need, low capacity (synthetic sample)",
        "coverage_tables": "Village coverage table (need, reach, gap, access, clusters)",
        "shortlist_tables": "{sites} CSR shortlist (rank, components, reasons)",
        "profiles": "Kecamatan profiles for the TKSK and camat (A4 PDF, one per kecamatan) and "
        "the regency summary",
        "new_sites": "New programme sites for the unmet need",
        "coverage_inputs": "The coverage analysis and the CSR shortlist use columns of your "
        "files: {columns}",
    },
}

#: Progress line of a build of another region: what it leaves out, and why.
REGION_SKIPPED = (
    "bundled data skipped (real indicators, synthetic sample, puskesmas access, coverage "
    "analysis, Sarulla CSR shortlist, profiles): they are of Kabupaten Tapanuli Utara"
)
#: Real desa indicators mapped by default as rates per 1,000 families (catalogue codes).
REAL_RATES: tuple[str, ...] = (
    "keluarga_berisiko_stunting",
    "anak_stunting",
    "penerima_pkh",
    "penerima_bpnt",
    "penerima_bst",
    "posyandu",
)
#: Measures of the synthetic sample (need first, then capacity by unit; see mapping.measures).
SYNTHETIC_MEASURES: tuple[str, ...] = ("pmks_prioritas", "psks_orang", "psks_lembaga")
#: Synthetic PMKS categories mapped one by one (besides the totals).
SYNTHETIC_PMKS: tuple[str, ...] = ("fm", "lut", "pd")


@dataclass
class BuildResult:
    """What a build wrote: every map file, every data table (coverage, shortlist), every report
    (``laporan/``), the gallery page and the manifest."""

    maps: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    index: Path | None = None
    manifest: Path | None = None
    tables: list[Path] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        """Every file written."""
        extra = [p for p in (self.index, self.manifest) if p is not None]
        return [*self.maps, *self.tables, *self.reports, *extra]


def _rate_name(column: str) -> str:
    return f"{column}_per_1000"


def real_indicator_layers(
    *, settings: Settings | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, MatchReport]:
    """Desa and kecamatan layers with the real indicators and their rates per 1,000 families."""
    paths = build_welfare_datasets(settings=settings)
    table = read_welfare(paths["indicators"], level="desa", settings=settings)
    rates = {_rate_name(c): Rate(c, FAMILIES) for c in REAL_RATES}
    desa, report = join_table(table, level="desa", rates=rates, settings=settings)
    kec, _ = join_table(table, level="kecamatan", rates=rates, settings=settings)
    return desa, kec, report


def synthetic_layers(
    *, settings: Settings | None = None, language: str = "id"
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, MatchReport, gpd.GeoDataFrame]:
    """Desa and kecamatan layers of the synthetic PMKS/PSKS sample, with need/capacity rates.

    The PMKS and PSKS sheets of the messy sample workbook are joined in one call together with
    the real desa indicators, whose ``keluarga`` (number of families) is the denominator of
    every rate. Adds ``pmks_total`` and ``psks_total`` and rates per 1,000 families. Also
    returns the one match report of all inputs and the synthetic PSKS sites (points, with a
    readable ``jenis``) for overlays.
    """
    paths = build_welfare_datasets(settings=settings)
    tables = [
        read_welfare(paths["sample_xlsx"], level="desa", sheet=sheet, settings=settings)
        for sheet in ("PMKS", "PSKS")
    ]
    tables.append(read_welfare(paths["indicators"], level="desa", settings=settings))
    combined = combine_tables(tables)
    rates = {
        _rate_name(c): Rate(c, FAMILIES) for c in ["pmks_total", "psks_total", *SYNTHETIC_PMKS]
    }
    layers = []
    for level in ("desa", "kecamatan"):
        gdf, report = join_table(combined, level=level, year=SAMPLE_YEAR, settings=settings)
        groups = {c: CATEGORY_BY_CODE[c].group for c in gdf.attrs["categories"]}
        for group in ("pmks", "psks"):
            cols = [c for c, g in groups.items() if g == group]
            gdf[f"{group}_total"] = gdf[cols].sum(axis=1, min_count=1)
        measured, _ = add_measures(add_rates(gdf, rates), SYNTHETIC_MEASURES)
        layers.append((measured, report))
    (desa, report), (kec, _) = layers
    sites = gpd.read_file(paths["points"])
    sites["jenis"] = sites["kategori"].map(lambda c: category_name(c, language))
    return desa, kec, report, sites


#: The PMKS categories not mapped one by one, summed (pmks_total minus SYNTHETIC_PMKS).
OTHER_PMKS = "pmks_lain"


def _protect_synthetic(
    desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame, **options: Any
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The synthetic layers with disclosure control, ``pmks_total`` a row group too.

    ``pmks_total`` is published next to :data:`SYNTHETIC_PMKS`, so total minus those is the
    count of all other PMKS: that remainder (:data:`OTHER_PMKS`, never published) is a part of
    the row group, and a small remainder, or one suppressed category, makes the rule suppress
    another part (see :func:`mapping.privacy.protect`).
    """
    parts = [*SYNTHETIC_PMKS, OTHER_PMKS]
    frames = [
        g.assign(**{OTHER_PMKS: g["pmks_total"] - g[list(SYNTHETIC_PMKS)].sum(axis=1)})
        for g in (desa, kec)
    ]
    need = get_measure(SYNTHETIC_MEASURES[0])
    counts = [*privacy.person_count_columns(desa.columns), OTHER_PMKS, need.code]
    totals = {"pmks_total": parts, need.code: list(need.categories)}
    safe_desa, safe_kec = privacy.protect(
        frames[0], frames[1], counts=counts, totals=totals, **options
    )
    return safe_desa, frames[1] if safe_kec is None else safe_kec


def _privacy_options(config: ProjectConfig) -> dict[str, Any]:
    """Keyword options of :func:`mapping.privacy.protect` from the config's ``privacy``."""
    p = config.privacy
    return {"k": p.k, "k_by_column": dict(p.k_by_category), "enabled": p.enabled}


def _protect(
    desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame, config: ProjectConfig, **options: Any
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Both layers protected together with the config's disclosure settings."""
    safe_desa, safe_kec = privacy.protect(desa, kec, **options, **_privacy_options(config))
    return safe_desa, kec if safe_kec is None else safe_kec


def read_input(
    config: ProjectConfig,
    index: int,
    *,
    settings: Settings | None = None,
    gazetteer: Gazetteer | None = None,
) -> WelfareTable:
    """The canonical table of ``inputs[index]``, read with its ``columns`` and ``categories``
    and matched with `gazetteer` (default Tapanuli Utara's of the input's level).

    A column the config names that the file lacks is a :class:`~mapping.config.ConfigError`
    naming the config file, the key and its line, the file, and the headers found.
    """
    item = config.inputs[index]
    try:
        return read_welfare(
            config.path(item.file), level=item.level, sheet=item.sheet, year=item.year,
            columns=item.columns.roles(), categories=item.categories, settings=settings,
            gazetteer=gazetteer,
        )  # fmt: skip
    except MissingColumns as exc:
        problems = [
            f"{config.where('inputs', index, *key.split('.', 1))}: column {header!r} not found "
            f"in {exc.where}; allowed: one of the headers found {list(exc.found)}"
            for key, header in exc.missing.items()
        ]
        raise ConfigError("\n".join(problems)) from None


@dataclass(frozen=True)
class RegionLayers:
    """The config's region (``region``) and its layers, built from its ``boundaries``."""

    region: Region
    desa: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame
    kabupaten: gpd.GeoDataFrame


def config_region_layers(
    config: ProjectConfig, *, settings: Settings | None = None
) -> RegionLayers | None:
    """The region of the config's ``region`` and its layers from ``boundaries`` (no download;
    cached under the data folder by region code, :func:`mapping.layers.load_region_layers`);
    None for Tapanuli Utara (no ``region``).

    A region file or boundaries file that cannot be used is a
    :class:`~mapping.config.ConfigError` naming the key and its line.
    """
    region = config.region_definition()
    if region is None or config.boundaries is None:
        return None
    b = config.boundaries
    try:
        desa, kec, kab = load_region_layers(
            config.path(b.file), region=region, code=b.code, layer=b.layer, settings=settings
        )
    except DataSourceError as exc:
        raise ConfigError(f"{config.where('boundaries', 'file')}: {exc}") from None
    except BoundaryValidationError as exc:  # the code column, or polygons not of the region
        raise ConfigError(f"{config.where('boundaries')}: {exc}") from None
    return RegionLayers(region, desa, kec, kab)


def user_layers(
    config: ProjectConfig,
    *,
    settings: Settings | None = None,
    region: RegionLayers | None = None,
) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame, MatchReport, list[Measure]]:
    """Desa and kecamatan layers of the config's input files, with its measures added.

    The inputs are read (:func:`read_input`) and joined in one call; when they give no number
    of families (``keluarga``), that of the real desa indicators is joined with them, so rates
    per 1,000 families need no hidden denominator. Returns the layers, the one match report of
    all inputs and the measures added (the config's, then the built-in ones its maps name).
    Inputs of kecamatan totals (``level: kecamatan``) give no desa layer (None): they are
    joined to the 15 kecamatan, their families summed from the desa indicators.

    With the layers of another `region` (:func:`config_region_layers`), the
    inputs are matched to its desa or kecamatan and joined to its layers; the families of
    Tapanuli Utara's desa indicators are not used there, so without their own ``keluarga``
    the inputs give counts, not rates.
    """
    input_level = config.inputs[0].level
    gazetteer = None if region is None else Gazetteer.from_region(region.region, level=input_level)
    tables = [
        read_input(config, i, settings=settings, gazetteer=gazetteer)
        for i in range(len(config.inputs))
    ]
    by_desa = input_level == "desa"
    own_families = any(FAMILIES in set(t.data["category"]) for t in tables)
    layer_of = {} if region is None else {"desa": region.desa, "kecamatan": region.kecamatan}
    if not own_families and by_desa and region is None:
        tables.append(families_table(settings=settings))
    combined = combine_tables(tables)
    year = next((i.year for i in config.inputs if i.year is not None), None)
    measures = config.user_measures()
    codes = {m.code for m in measures}
    measures += [get_measure(m.measure) for m in config.maps.layers if m.measure not in codes]
    measures = list({m.code: m for m in measures}.values())
    categories = sorted(set(combined.data["category"]))
    rates = {
        i.column: Rate(i.column.removesuffix(PER_1000_SUFFIX), FAMILIES)
        for i in quick_indicators(categories)
        if i.column.endswith(PER_1000_SUFFIX) and (own_families or region is None)
    }
    if not by_desa:
        kec, report = join_table(combined, level="kecamatan", year=year, settings=settings,
                                 layer=layer_of.get("kecamatan"))  # fmt: skip
        if not own_families and region is None:
            families, _ = join_table(families_table(settings=settings), level="kecamatan",
                                     settings=settings)  # fmt: skip
            by_code = families.set_index("code")[FAMILIES]
            kec[FAMILIES] = by_code.reindex(kec["code"]).to_numpy()
        kec = add_rates(kec, rates)
        return None, add_measures(kec, measures)[0] if measures else kec, report, measures
    layers = []
    for level in ("desa", "kecamatan"):
        gdf, report = join_table(
            combined, level=level, year=year, rates=rates, settings=settings,
            layer=layer_of.get(level), desa=layer_of.get("desa"),
        )  # fmt: skip
        if measures:
            gdf, _ = add_measures(gdf, measures)
        layers.append((gdf, report))
    (desa, report), (kec, _) = layers
    desa.attrs[FAMILIES_ATTR] = "inputs" if own_families else "portal"
    return desa, kec, report, measures


def _user_indicators(
    config: ProjectConfig, desa: gpd.GeoDataFrame, measures: Sequence[Measure], language: str
) -> list[Indicator]:
    """The layers of the user's map set: ``maps.layers``, else every measure, else every
    category of the inputs per 1,000 families (as ``peta-kesos map`` does)."""
    by_code = {m.code: m for m in measures}
    chosen = config.maps.layers or [MapLayer(measure=m.code) for m in measures]
    inds = []
    for layer in chosen:
        m = by_code[layer.measure]
        column = m.columns.smoothed if layer.smoothed else m.columns.rate
        unit = m.rate_label(language) + (", Empirical Bayes" if layer.smoothed else "")
        palette = layer.palette or ("Greens" if m.role == "capacity" else "YlOrRd")
        inds.append(Indicator(column, m.name(language), unit, scheme=layer.scheme, k=layer.k,
                              palette=palette))  # fmt: skip
    if inds:
        return inds
    categories = [c for c in desa.attrs.get("categories", []) if c in CATEGORY_BY_CODE]
    # without a number of families (another region's counts) the rates are left out
    return [i for i in quick_indicators(categories, language=language) if i.column in desa]


def _high_need_low_capacity(
    desa: gpd.GeoDataFrame, bivariate: tuple[str, str], language: str
) -> pd.DataFrame:
    """The desa of the bivariate map's high-need, low-capacity cell, as a table."""
    need, capacity = bivariate
    biv = classify_bivariate(desa[need], desa[capacity], language=language)
    return areas_in_cell(desa, biv, HIGH_NEED_LOW_CAPACITY)


def category_name(code: str, language: str = "id") -> str:
    """The catalogue name of a category in `language` (the code itself if unknown)."""
    return column_title(code, language=language) or code


STAMP_NAME = ".build-stamp.json"


def _input_files(settings: Settings) -> list[str]:
    """The state (path, size, mtime) of every file all groups of outputs read: data files,
    layers, reference tables, the package's code and assets."""
    here = Path(__file__).parent
    files = sorted(
        [
            *settings.raw_dir.glob("*.geojson"),
            settings.layers_path,
            *(settings.data_dir / "welfare").glob("*"),
            *(settings.reference_dir.glob("*.csv") if settings.reference_dir else []),
            *here.glob("*.py"),
            *here.glob("assets/*"),
            *here.glob("reference/*"),
        ]
    )
    return incremental.file_states(p for p in files if p.is_file())


def _read_stamp(out: Path) -> tuple[str, BuildResult] | None:
    stamp = out / STAMP_NAME
    if not stamp.is_file():
        return None
    try:
        doc = json.loads(stamp.read_text(encoding="utf-8"))
        result = BuildResult(
            maps=[out / m for m in doc["maps"]],
            reports=[out / r for r in doc["reports"]],
            index=out / doc["index"] if doc.get("index") else None,
            manifest=out / doc["manifest"] if doc.get("manifest") else None,
            tables=[out / r for r in doc["tables"]],
        )
    except (ValueError, KeyError, TypeError):
        return None
    return str(doc.get("signature", "")), result


def _remove_stale(out: Path, previous: BuildResult | None, current: BuildResult) -> None:
    """Delete the files of the previous build that this build no longer writes."""
    if previous is None:
        return
    keep = set(current.files)
    for path in previous.files:
        if path not in keep and path.is_file() and out in path.parents:
            path.unlink()
            log.info("removed %s (no longer built)", path)


def _start_build(
    out: Path, previous: BuildResult | None, kept: dict[str, tuple[str, Part]]
) -> None:
    """Mark `out` as being rebuilt, before any output is written.

    The stamp is rewritten with no signature (so a build killed from here on never counts as
    up to date), with only the groups of outputs this build leaves as they are (`kept`: their
    fingerprint and part) and with the previous build's file list (so the next build still
    removes the files it no longer writes), and the manifest, which describes the previous
    build's files, is deleted; both are written again only when the build has finished.
    """
    out.mkdir(parents=True, exist_ok=True)
    _write_stamp(out, "", previous or BuildResult(), kept)
    (out / manifest.MANIFEST_NAME).unlink(missing_ok=True)


def _write_stamp(
    out: Path, signature: str, result: BuildResult, groups: dict[str, tuple[str, Part]]
) -> None:
    doc = {
        "signature": signature,
        "maps": [str(p.relative_to(out)) for p in result.maps],
        "reports": [str(p.relative_to(out)) for p in result.reports],
        "tables": [str(p.relative_to(out)) for p in result.tables],
        "index": str(result.index.relative_to(out)) if result.index else None,
        "manifest": str(result.manifest.relative_to(out)) if result.manifest else None,
        "groups": {n: {"fingerprint": fp, "part": part.to_json(out)}
                   for n, (fp, part) in groups.items()},
    }  # fmt: skip
    write_text(json.dumps(doc, indent=1), out / STAMP_NAME)


def _unchanged_parts(out: Path, groups: Sequence[Group]) -> dict[str, Part]:
    """The groups of outputs in `out` whose fingerprint is that of the last build that wrote
    them and whose files are all there, with what they wrote."""
    try:
        doc = json.loads((out / STAMP_NAME).read_text(encoding="utf-8"))
        stamped = {n: (g["fingerprint"], Part.from_json(g["part"], out))
                   for n, g in doc.get("groups", {}).items()}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {
        g.name: stamped[g.name][1]
        for g in groups
        if g.name in stamped
        and stamped[g.name][0] == g.fingerprint
        and all(p.is_file() for p in stamped[g.name][1].files)
    }


def _write_reports(
    report: MatchReport, folder: Path, name: str, language: str
) -> tuple[list[Path], list[Path]]:
    """The match report and the validation report of one input, each as CSV and XLSX."""
    match = reports.write_match_report(report, folder / f"pencocokan-{name}", language=language)
    problems = reports.validation_report(report)
    valid = reports.write_validation_report(
        problems, folder / f"validasi-{name}", language=language
    )
    return match, valid


def _manifest_inputs(settings: Settings) -> list[tuple[str, Path, Path]]:
    """``(role, path, root)`` of every input file of the build, for the manifest."""
    data = settings.data_dir
    inputs = [("boundaries", p, data) for p in sorted(settings.raw_dir.glob("*.geojson"))]
    inputs.append(("boundary-layers", settings.layers_path, data))
    inputs += [("welfare", p, data) for p in sorted((data / "welfare").glob("*")) if p.is_file()]
    inputs += [
        ("crosswalk", p, PACKAGE_REFERENCE.parent) for p in (CROSSWALK_DESA, CROSSWALK_KECAMATAN)
    ]
    return inputs


def coverage_inputs(user_desa: gpd.GeoDataFrame | None, options: AnalysisOptions) -> list[str]:
    """The columns the coverage analysis takes from the desa layer of the user's inputs.

    Every count it uses (``need``, ``reached``, the denominator, the categories of the need
    and capacity measures, a measure's count named as need or reached) that the inputs have,
    except the number of families the inputs took from the real desa indicators; none when
    the inputs give only the number of families.
    """
    if user_desa is None:
        return []
    need_m, cap_m = get_measure(options.need_measure), get_measure(options.capacity_measure)
    used = dict.fromkeys([
        options.need, options.reached, options.denominator, *need_m.categories,
        need_m.denominator, *cap_m.categories, cap_m.denominator,
    ])  # fmt: skip
    portal = user_desa.attrs.get(FAMILIES_ATTR) == "portal"
    taken = [c for c in used if c in user_desa.columns and not (portal and c == FAMILIES)]
    return taken if set(taken) - {options.denominator, FAMILIES} else []


def coverage_layer(
    desa: gpd.GeoDataFrame, user_desa: gpd.GeoDataFrame | None, config: ProjectConfig
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The desa layer the config's coverage analysis runs on, and the columns from the inputs.

    `desa` is the real desa indicators layer (:func:`real_indicator_layers`); the columns of
    :func:`coverage_inputs` replace or join its own, so a user's own need and reached counts
    drive the coverage maps, tables and CSR shortlist. A count the coverage names that neither
    has is a :class:`~mapping.config.ConfigError` naming the key and its line.
    """
    options = config.coverage_options()
    taken = coverage_inputs(user_desa, options)
    out = desa.copy()
    if taken and user_desa is not None:
        aligned = user_desa.set_index(user_desa["code"].astype(str)).reindex(
            out["code"].astype(str)
        )
        for column in taken:
            out[column] = aligned[column].to_numpy()
    own = [] if user_desa is None else [c for c in user_desa.columns if c in CATEGORY_BY_CODE]
    real = [c for c in desa.columns if c in CATEGORY_BY_CODE]
    measured = {get_measure(options.need_measure).code, get_measure(options.capacity_measure).code}
    wanted: list[tuple[str, str]] = [
        (key, str(getattr(options, key))) for key in ("need", "reached", "denominator")
    ]
    for key in ("need_measure", "capacity_measure"):
        m = get_measure(getattr(options, key))
        wanted += [(key, c) for c in (*m.categories, m.denominator)]
    by_kecamatan = bool(config.inputs) and config.inputs[0].level == "kecamatan"
    yours = (
        "(kecamatan totals: the coverage analysis needs desa rows)" if by_kecamatan else str(own)
    )
    problems = []
    for key, column in wanted:
        if column not in out.columns and column not in measured:
            problems.append(
                f"{config.where('coverage', key)}: column {column!r} is in neither your inputs "
                f"{yours} nor the real desa indicators {real}; allowed: one of those columns, "
                "or a measure code"
            )
    if problems:
        raise ConfigError("\n".join(dict.fromkeys(problems)))
    return out, taken


class _Shared:
    """The layers and the analysis the groups of outputs share, each computed once, when a
    group first needs it (in the build's process: see :func:`mapping.incremental.run_groups`),
    and what every group writes with (folder, language, dpi, build time)."""

    def __init__(
        self,
        settings: Settings,
        config: ProjectConfig,
        out: Path,
        language: str,
        dpi: int,
        built_at: dt.datetime,
        *,
        area: RegionLayers | None = None,
    ) -> None:
        self.settings, self.config, self.out = settings, config, out
        self.lang, self.dpi, self.built_at = language, dpi, built_at
        #: Another region's layers (the config's ``region``), None for Tapanuli Utara.
        self.area = area
        #: Processes each group may draw its PNGs in (1 when groups run side by side).
        self.workers = 1

    @cached_property
    def real(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, MatchReport]:
        return real_indicator_layers(settings=self.settings)

    @cached_property
    def real_safe(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        return _protect(self.real[0], self.real[1], self.config)

    @cached_property
    def synthetic(
        self,
    ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, MatchReport, gpd.GeoDataFrame]:
        return synthetic_layers(settings=self.settings, language=self.lang)

    @cached_property
    def synthetic_safe(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        sdesa, skec, _, _ = self.synthetic
        return _protect_synthetic(sdesa, skec, **_privacy_options(self.config))

    @cached_property
    def user(
        self,
    ) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame, MatchReport, list[Measure]] | None:
        """The layers of the config's inputs (:func:`user_layers`), None without inputs."""
        if not self.config.inputs:
            return None
        return user_layers(self.config, settings=self.settings, region=self.area)

    @cached_property
    def coverage_layer(self) -> tuple[gpd.GeoDataFrame, list[str]]:
        """The desa layer the coverage runs on and the columns it takes from the inputs."""
        udesa = self.user[0] if self.user is not None else None
        return coverage_layer(self.real[0], udesa, self.config)

    @cached_property
    def analysis(self) -> CoverageAnalysis:
        options = self.config.coverage_options()
        return coverage_analysis(self.coverage_layer[0], language=self.lang, options=options)

    @cached_property
    def safe_analysis(self) -> CoverageAnalysis:
        """One protected copy (the config's k and k_by_category) behind every coverage and
        CSR file."""
        return publishable(self.analysis, **_privacy_options(self.config))

    @cached_property
    def both(self) -> bool:
        """The real and the synthetic layers computed (for the reports on both)."""
        return bool(self.real and self.synthetic)

    @cached_property
    def profile_inputs(self) -> bool:
        """What the profiles need computed."""
        return bool(self.analysis and self.synthetic_safe)

    @cached_property
    def coverage_inputs(self) -> bool:
        """What the coverage and the shortlist need computed."""
        return bool(self.safe_analysis)


def _real_maps(sh: _Shared) -> Part:
    """The map set of the real desa indicators."""
    t = TEXTS[sh.lang]
    safe, safe_kec = sh.real_safe
    real_inds: Sequence[Indicator] = [
        Indicator(FAMILIES, category_name(FAMILIES, sh.lang), palette="Blues"),
        *(Indicator(_rate_name(c), category_name(c, sh.lang), t["per_1000"]) for c in REAL_RATES),
    ]
    items = build_map_set(
        safe, safe_kec, real_inds, sh.out, title=t["real_title"], source=t["real_source"],
        synthetic=False, language=sh.lang, dpi=sh.dpi, file_prefix="indikator-",
        workers=sh.workers,
    )  # fmt: skip
    return Part(items)


def _synthetic_maps(sh: _Shared) -> Part:
    """The map set of the synthetic PMKS/PSKS sample and its high-need, low-capacity table."""
    t = TEXTS[sh.lang]
    per = t["per_1000"]
    sdesa, skec = sh.synthetic_safe
    sites = sh.synthetic[3]
    syn_inds = [
        Indicator(_rate_name("pmks_total"), t["pmks_total"], per),
        Indicator(_rate_name("psks_total"), t["psks_total"], per, palette="Greens"),
        *(Indicator(_rate_name(c), category_name(c, sh.lang), per) for c in SYNTHETIC_PMKS),
    ]
    need_m, capacity_m = (get_measure(c) for c in SYNTHETIC_MEASURES[:2])
    bivariate = (need_m.columns.smoothed, capacity_m.columns.smoothed)
    syn_inds += [
        Indicator(c.columns.smoothed, c.name(sh.lang), f"{per}, Empirical Bayes",
                  palette="Greens" if c.role == "capacity" else "YlOrRd")
        for c in (need_m, capacity_m)
    ]  # fmt: skip
    items = build_map_set(
        sdesa, skec, syn_inds, sh.out,
        bivariate=bivariate,
        points=sites, point_category="jenis", point_name="nama",
        point_fields={"desa": t["desa"], "kecamatan": t["kecamatan"], "keterangan": t["note"]},
        title=t["synthetic_title"], source=t["synthetic_source"], synthetic=True,
        language=sh.lang, dpi=sh.dpi, file_prefix="contoh-sintetis-", workers=sh.workers,
    )  # fmt: skip
    cell = _high_need_low_capacity(sdesa, bivariate, sh.lang)
    cell_files = reports.write_table(
        cell, sh.out / "contoh-sintetis-kebutuhan-tinggi-kapasitas-rendah"
    )
    return Part(items, [(f"{t['cell_table']} ({len(cell)})", cell_files)])


def _coverage_outputs(sh: _Shared) -> Part:
    """The coverage maps and tables."""
    safe = sh.safe_analysis
    items = build_coverage_maps(safe, sh.real[1], sh.out, dpi=sh.dpi, workers=sh.workers)
    tables = write_coverage_tables(safe, sh.out)
    return Part(items, [(TEXTS[sh.lang]["coverage_tables"], tables)])


def _shortlist_outputs(sh: _Shared) -> Part:
    """The CSR shortlist (map and tables) and, when asked for, the new programme sites."""
    t, config = TEXTS[sh.lang], sh.config
    frame, components = priority_components(sh.safe_analysis)
    sl = shortlist(frame, components=components, language=sh.lang,
                   **config.csr.shortlist_kwargs())  # fmt: skip
    layer = sh.coverage_layer[0]
    sl_items, sl_tables = build_shortlist_outputs(sl, layer, sh.real[1], sh.out, dpi=sh.dpi)
    label = t["shortlist_tables"].format(sites=sites_label(sl.sites, language=sh.lang))
    downloads: list[tuple[str, list[Path]]] = [(label, list(sl_tables))]
    if config.csr.new_sites:
        siting = new_sites(
            sh.analysis, sl, n_sites=config.csr.new_sites, radius_km=config.csr.site_radius_km
        )
        stem = sh.out / "csr-lokasi-baru"
        sited = [
            export.save_table(frame, stem.with_name(f"{stem.name}{part}{ext}"), language=sh.lang)
            for part, frame in (("", siting.sites), ("-ringkasan", siting.summary))
            for ext in (".csv", ".xlsx")
        ]
        downloads.append((f"{t['new_sites']} ({config.csr.new_sites})", sited))
    return Part(list(sl_items), downloads)


def _profile_outputs(sh: _Shared) -> Part:
    """The kecamatan profiles and the regency summary (PDF)."""
    raw_sdesa, raw_skec, _, _ = sh.synthetic
    data = profiles.prepare_profiles(
        sh.analysis, raw_sdesa, raw_skec, published=sh.synthetic_safe[1], k=sh.config.privacy.k,
        k_by_column=sh.config.privacy.k_by_category,
    )  # fmt: skip
    pdfs = profiles.write_profiles(data, sh.out / profiles.PROFILE_DIR, built=sh.built_at)
    return Part(downloads=[(f"{TEXTS[sh.lang]['profiles']} ({len(pdfs)})", pdfs)])


def _input_reports(sh: _Shared) -> Part:
    """The match and validation reports of the real indicators and the synthetic sample."""
    t = TEXTS[sh.lang]
    inputs = [
        (sh.real[2], "indikator-desa", t["real_data"]),
        (sh.synthetic[2], "pmks-psks-contoh-sintetis", t["synthetic_data"]),
    ]
    return Part(reports=_report_downloads(inputs, sh.out, sh.lang))


def _report_downloads(
    inputs: Sequence[tuple[MatchReport, str, str]], out: Path, lang: str
) -> list[tuple[str, list[Path]]]:
    """Write the match and validation reports of `inputs` ``(report, file name, what)``."""
    t = TEXTS[lang]
    downloads: list[tuple[str, list[Path]]] = []
    for report, name, what in inputs:
        match, valid = _write_reports(report, out / "laporan", name, lang)
        downloads += [(f"{t['report_match']}: {what}", match)]
        downloads += [(f"{t['report_validation']}: {what}", valid)]
    return downloads


def _user_outputs(sh: _Shared) -> Part:
    """The map set of the config's input files, and their match and validation reports."""
    cfg, lang = sh.config, sh.lang
    assert sh.user is not None  # the group exists only with inputs
    udesa, ukec, ureport, measures = sh.user
    layer = ukec if udesa is None else udesa  # kecamatan totals: kecamatan maps only
    counts = _user_counts(layer, measures)
    totals = {m.code: list(m.categories) for m in measures}
    if udesa is None:
        ukec, _ = privacy.protect(ukec, counts=counts, totals=totals, **_privacy_options(cfg))
    else:
        udesa, ukec = _protect(udesa, ukec, cfg, counts=counts, totals=totals)
    names = ", ".join(str(i.file) for i in cfg.inputs)
    usources = [i.source for i in cfg.inputs if i.source] or [names]
    items = build_map_set(
        udesa, ukec, _user_indicators(cfg, layer, measures, lang), sh.out,
        title=cfg.maps.title or names, source="; ".join(usources), language=lang, dpi=sh.dpi,
        file_prefix="data-", min_indicators=1, workers=sh.workers,
    )  # fmt: skip
    name = "data-" + slug("-".join(i.label for i in cfg.inputs))
    return Part(items, reports=_report_downloads([(ureport, name, names)], sh.out, lang))


#: The groups of outputs: name, what the progress says, the function writing them, what it
#: computes first in the build's process, and the config sections it reads besides those
#: every group reads (see :func:`_fingerprints`). In the gallery's order.
_GROUPS: tuple[tuple[str, str, Callable[[_Shared], Part], str, tuple[str, ...]], ...] = (
    ("indikator", "maps of the real desa indicators", _real_maps, "real_safe", ()),
    ("contoh-sintetis", "maps of the synthetic PMKS/PSKS sample (contoh sintetis)",
     _synthetic_maps, "synthetic_safe", ()),
    ("cakupan", "coverage analysis: gap, severity, access, clusters", _coverage_outputs,
     "coverage_inputs", ("coverage", "user_data")),
    ("sasaran-csr", "CSR shortlist around the Sarulla stand-in sites", _shortlist_outputs,
     "coverage_inputs", ("coverage", "csr", "user_data")),
    ("profil", "kecamatan profiles and the regency summary (PDF)", _profile_outputs,
     "profile_inputs", ("coverage", "user_data")),
    ("laporan", "match and validation reports", _input_reports, "both", ()),
    ("data", "maps of the config's input files", _user_outputs, "user", ("user",)),
)  # fmt: skip
#: Rough CPU seconds of each group (300 dpi): the longest start first when run side by side.
_COST = {"contoh-sintetis": 19, "indikator": 17, "cakupan": 15, "profil": 11, "data": 10,
         "laporan": 4, "sasaran-csr": 2}  # fmt: skip
#: Config sections only some groups read (every other section is read by every group).
_OWN_SECTIONS = ("coverage", "csr", "inputs", "measures")


def _fingerprints(
    settings: Settings,
    config: ProjectConfig,
    out: Path,
    language: str,
    dpi: int,
    *,
    names: Sequence[str] | None = None,
    region_files: Sequence[Path] = (),
) -> dict[str, str]:
    """The fingerprint of each group of outputs this build writes (in the gallery's order).

    Every group reads the data files, the package's code, the output folder, the language,
    the dpi and every config section but those of :data:`_OWN_SECTIONS` and the title and
    layers of the user's maps; a group also reads its own sections (``user_data``: the inputs,
    their files and the measures, which the coverage may take counts from; ``user``: those and
    ``maps.title`` and ``maps.layers``). Another region's files (`region_files`) are read by
    every group. A key added to the config later is read by every group until it is given to a
    group here.
    """
    dump = config.model_dump(mode="json")
    own = {key: dump.pop(key) for key in _OWN_SECTIONS}
    maps = dump["maps"]
    user_maps = {key: maps.pop(key) for key in ("title", "layers")}
    for key in ("language", "dpi"):
        maps.pop(key)
    files = incremental.file_states(config.path(i.file) for i in config.inputs)
    own["user_data"] = {"inputs": own["inputs"], "measures": own["measures"], "files": files}
    own["user"] = {**own["user_data"], **user_maps}
    base = [_input_files(settings), str(out), language, dpi, dump]
    if region_files:  # another region: its definition and boundaries are read by every group
        base.append(incremental.file_states(region_files))
    reads = {g[0]: g[4] for g in _GROUPS}
    return {
        n: incremental.fingerprint(base, n, [own[k] for k in reads[n]])
        for n in (_group_names(config) if names is None else names)
    }


def _group_names(
    config: ProjectConfig, *, bundled: bool | None = None, user_coverage: bool = False
) -> list[str]:
    """The groups of outputs a build with `config` writes, in the gallery's order.

    `bundled` (default ``maps.bundled``; never for another region): the bundled map sets,
    coverage, shortlist, profiles and reports. Without them, the coverage and the CSR
    shortlist are still built when they run on columns of the user's inputs
    (`user_coverage`, see :func:`coverage_inputs`).
    """
    if config.maps.bundled if bundled is None else bundled:
        names = [g[0] for g in _GROUPS if g[0] != "data"]
    else:
        names = ["cakupan", "sasaran-csr"] if user_coverage else []
    return names + (["data"] if config.inputs else [])


def _groups(
    shared: _Shared, fingerprints: dict[str, str], *, taken: Sequence[str] = ()
) -> list[Group]:
    """The groups of outputs of `fingerprints`, ready to run with `shared` (`taken`: the
    columns the coverage takes from the inputs, named in its progress line)."""
    groups = []
    sites = shared.config.csr.sites
    for name, title, write, needs, _ in _GROUPS:
        if name == "sasaran-csr" and sites:
            title = f"CSR shortlist around the sites {sites_label(parse_sites(sites))}"
        if name == "cakupan" and taken:
            title = f"{title} (from your inputs: {', '.join(taken)})"
        if name in fingerprints:
            prepare = functools.partial(getattr, shared, needs) if needs else None
            run = functools.partial(_run_part, write, shared)
            groups.append(Group(name, fingerprints[name], run, prepare, title))
    return groups


def _run_part(write: Callable[[_Shared], Part], shared: _Shared) -> Part:
    """Run one group's writer; its part with the thumbnails made on the way."""
    return write(shared).with_thumbnails()


def _user_counts(desa: gpd.GeoDataFrame, measures: Sequence[Measure]) -> list[str]:
    """The person and family count columns of the user's layer, measure totals included."""
    return [*privacy.person_count_columns(desa.columns), *(m.code for m in measures)]


def build_outputs(
    out_dir: str | Path | None = None,
    *,
    settings: Settings | None = None,
    language: str = "id",
    dpi: int = 300,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    config: ProjectConfig | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """Build the default maps and reports into `out_dir` (default ``./outputs``).

    With a project `config` (:func:`mapping.config.load_config`, ``peta-kesos build --config``)
    its language, dpi and output folder replace `language`, `dpi` and the default folder (an
    explicit `out_dir` still wins); its coverage, CSR and privacy settings are used; its input
    files are mapped as one more map set (``data-*`` files) with their match and validation
    reports; ``maps.bundled: false`` leaves out the bundled map sets, the coverage analysis
    and the CSR shortlist (they need the bundled data). The config's content is part of the
    up-to-date check and goes into the manifest.

    Two map sets, each at desa and kecamatan level (HTML with switchable layers + one PNG per
    indicator): the real desa indicators (rates per 1,000 families) and the synthetic
    PMKS/PSKS sample (need, capacity, bivariate need vs capacity, PSKS sites), labelled
    "contoh sintetis" everywhere. Match and validation reports (CSV and XLSX, in `language`)
    go to ``laporan/``; ``index.html`` lists every map with a thumbnail, the build date, the
    sources and links to the reports; ``manifest.json`` lists every file with its SHA-256,
    the inputs' checksums, the options, the package version and the build time.

    Every published value goes through :func:`mapping.privacy.protect`: person and family
    counts from 1 to 4 (and the cells that would give them back, and their rates) show as
    "< 5"; for the synthetic set ``pmks_total`` and its categories form row groups too.

    Nothing is rebuilt when the data, the code and the options are those of the last build
    and its files are all there (unless `force`). Otherwise only the groups of outputs (the
    real and the synthetic map sets, coverage, CSR shortlist, profiles, reports, the maps of
    the config's inputs) whose inputs or settings changed, or whose files are missing, are
    rebuilt: e.g. a new ``csr`` setting rewrites the shortlist and leaves the maps as they
    were. The groups run in `jobs` processes at once (default
    :func:`mapping.export.default_workers`; 1: one after another in this process); the files
    are the same whatever `jobs`. A real build first clears the stamp that says the folder is
    up to date (keeping only the groups it will not rebuild) and deletes the manifest, and
    writes both last: a build killed mid-way leaves a folder the next build finishes, never
    one it takes as up to date.
    """
    s = settings or get_settings()
    cfg = config or ProjectConfig()
    if config is not None:
        language, dpi = config.maps.language, config.maps.dpi
    lang = check_language(language)
    if out_dir is not None:
        out = Path(out_dir)
    else:
        out = config.out_dir if config is not None else default_output_dir()
    say = progress or (lambda msg: log.info("%s", msg))
    n_jobs = export.default_workers() if jobs is None else jobs
    if n_jobs < 1:
        msg = f"jobs must be >= 1 (1 builds one group of outputs after another); got {jobs!r}."
        raise InputError(msg)
    t = TEXTS[lang]
    area = config_region_layers(cfg, settings=s)
    bundled = cfg.maps.bundled and area is None
    # Without the bundled sets, the coverage is built only on columns of the inputs: read them
    # first to know (a count only inputs can give that they lack stops the build here).
    user = user_layers(cfg, settings=s, region=area) if cfg.inputs and not bundled else None
    user_coverage = False
    if user is not None and area is None:
        user_coverage = bool(coverage_inputs(user[0], cfg.coverage_options()))
        own = {cfg.coverage.need, cfg.coverage.reached} - set(RAW_INDICATOR_COLUMNS)
        if own and not user_coverage:
            coverage_layer(real_indicator_layers(settings=s)[0], user[0], cfg)
    names = _group_names(cfg, bundled=bundled, user_coverage=user_coverage)
    steps = 3 + len(names)
    step = iter(range(1, steps + 1))
    t0 = time.perf_counter()
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0)

    if area is None:
        say(f"[{next(step)}/{steps}] boundary layers")
        build_layers(settings=s)
        say(f"[{next(step)}/{steps}] welfare datasets (real indicators, synthetic sample)")
        build_welfare_datasets(settings=s)
    else:
        say(f"[{next(step)}/{steps}] boundary layers of {area.region.title()} (from boundaries)")
        say(f"[{next(step)}/{steps}] {REGION_SKIPPED}")
    fingerprints = _fingerprints(
        s, cfg, out, lang, dpi, names=names, region_files=cfg.region_files()
    )
    signature = incremental.fingerprint(fingerprints)
    stamp = _read_stamp(out)
    previous = stamp[1] if stamp else None
    if not force and stamp and stamp[0] == signature and all(p.is_file() for p in stamp[1].files):
        say(f"outputs up to date in {out} (nothing changed since the last build)")
        return stamp[1]
    shared = _Shared(s, cfg, out, lang, dpi, built_at, area=area)
    if user is not None:
        shared.user = user
    # The columns the coverage takes from the inputs: named in the gallery's sources.
    taken = shared.coverage_layer[1] if cfg.inputs and "cakupan" in fingerprints else []
    groups = _groups(shared, fingerprints, taken=taken)
    done = {} if force else _unchanged_parts(out, groups)
    todo = sorted((g for g in groups if g.name not in done), key=lambda g: -_COST[g.name])
    for group in groups:
        if group.name in done:
            say(f"[{next(step)}/{steps}] {group.title}: unchanged since the last build")
    if stamp is not None and not stamp[0] and not done:
        log.warning("the last build in %s did not finish; rebuilding every output", out)
    _start_build(out, previous, {n: (fingerprints[n], part) for n, part in done.items()})
    shared.workers = n_jobs if len(todo) == 1 else 1

    def finished(group: Group, part: Part) -> None:
        export.keep_thumbnails(part.thumbnails)
        done[group.name] = part
        kept = {n: (fingerprints[n], p) for n, p in done.items()}
        _write_stamp(out, "", previous or BuildResult(), kept)

    incremental.run_groups(todo, jobs=n_jobs, finished=finished,
                           started=lambda g: say(f"[{next(step)}/{steps}] {g.title}"))  # fmt: skip
    parts = [done[g.name] for g in groups]
    items = [i for part in parts for i in part.items]
    downloads = [d for part in parts for d in part.downloads]
    report_downloads = [d for part in parts for d in part.reports]
    sources: list[str] = []
    if bundled:
        sources = [t[k] for k in ("source_boundaries", "source_indicators", "caveat_families")]
        sources.append(t["source_puskesmas"])
        sources += [t["source_sarulla"]] if cfg.csr.sites is None else []
        sources.append(t["source_synthetic"])
    if taken:
        sources.append(t["coverage_inputs"].format(columns=", ".join(taken)))
    if cfg.inputs:
        sources += [i.source for i in cfg.inputs if i.source] or [
            ", ".join(str(i.file) for i in cfg.inputs)
        ]
    result = BuildResult(
        maps=[f for item in items for f in item.files],
        tables=[p for _, files in downloads for p in files],
        reports=[p for _, files in report_downloads for p in files],
    )

    say(f"[{steps}/{steps}] gallery and manifest")
    region = tapanuli_utara() if area is None else area.region
    result.index = export.write_gallery(
        items, out / "index.html", title=t["gallery"].format(region=region.title()),
        language=lang,
        built=built_at.strftime("%Y-%m-%d %H:%M UTC"), sources=sources,
        disclaimer=t["disclaimer"] if bundled else "", downloads=downloads + report_downloads,
        manifest=out / manifest.MANIFEST_NAME, thumbnail=incremental.gallery_thumbnail,
    )  # fmt: skip
    _remove_stale(out, previous, result)
    used: dict[str, object] = {"language": lang, "dpi": dpi, "year": SAMPLE_YEAR, "per": 1000}
    used |= {"real_rates": list(REAL_RATES), "synthetic_pmks": list(SYNTHETIC_PMKS)}
    used["coverage_from_inputs"] = taken
    if config is not None:
        used["project_config"] = config.model_dump(mode="json")
    if area is None:
        files = _manifest_inputs(s)
    else:
        used["region"] = {"code": region.code, "name": region.title(), "crs": region.metric_crs}
        files = [("region", p, p.parent) for p in cfg.region_files()]
    files += [("input", cfg.path(i.file), cfg.path(i.file).parent) for i in cfg.inputs]
    result.manifest = manifest.write_manifest(
        out, built_at=built_at, config=used, inputs=files, sources=sources
    )
    _write_stamp(out, signature, result, {n: (fingerprints[n], done[n]) for n in fingerprints})
    say(f"done in {time.perf_counter() - t0:.0f} s: {len(result.files)} files in {out}")
    return result
