"""The default build: layers, welfare datasets, joined indicators, maps, reports and the gallery.

``peta-kesos build`` (run by ``make maps``) calls :func:`build_outputs`. Every step goes through
the public API, the same chain a notebook uses: raw files -> canonical tables -> joined layers
-> indicator columns -> maps and reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from mapping import export, manifest, privacy, profiles, reports
from mapping.analysis import (
    AnalysisOptions,
    CoverageAnalysis,
    coverage_analysis,
    new_sites,
    priority_components,
)
from mapping.bivariate import HIGH_NEED_LOW_CAPACITY, areas_in_cell, classify_bivariate
from mapping.categories import CATEGORY_BY_CODE, PER_1000_SUFFIX, column_title
from mapping.classify import Indicator
from mapping.config import ConfigError, MapLayer, ProjectConfig
from mapping.coveragemaps import build_coverage_maps, build_shortlist_outputs, write_coverage_tables
from mapping.data import CROSSWALK_DESA, CROSSWALK_KECAMATAN, PACKAGE_REFERENCE
from mapping.datasets import RAW_INDICATOR_COLUMNS, SAMPLE_YEAR, build_welfare_datasets
from mapping.errors import BoundaryValidationError, DataSourceError, MissingColumns
from mapping.files import write_text
from mapping.gazetteer import Gazetteer
from mapping.indicators import Rate, add_rates
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
        "shortlist_tables": "Daftar pendek sasaran CSR Sarulla (peringkat, komponen, alasan)",
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
        "shortlist_tables": "Sarulla CSR shortlist (rank, components, reasons)",
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


def _input_signature(settings: Settings, options: dict[str, object]) -> str:
    """A hash of everything a build reads: data files, layers, reference tables, the package's
    code and assets, and the options."""
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
    parts = [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files if p.is_file()]
    parts.append(json.dumps(options, sort_keys=True, default=str))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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


def _start_build(out: Path, previous: BuildResult | None) -> None:
    """Mark `out` as being rebuilt, before any output is written.

    The stamp is rewritten with no signature (so a build killed from here on never counts as
    up to date) but with the previous build's file list (so the next build still removes the
    files it no longer writes), and the manifest, which describes the previous build's files,
    is deleted; both are written again only when the build has finished.
    """
    out.mkdir(parents=True, exist_ok=True)
    _write_stamp(out, "", previous or BuildResult())
    (out / manifest.MANIFEST_NAME).unlink(missing_ok=True)


def _write_stamp(out: Path, signature: str, result: BuildResult) -> None:
    doc = {
        "signature": signature,
        "maps": [str(p.relative_to(out)) for p in result.maps],
        "reports": [str(p.relative_to(out)) for p in result.reports],
        "tables": [str(p.relative_to(out)) for p in result.tables],
        "index": str(result.index.relative_to(out)) if result.index else None,
        "manifest": str(result.manifest.relative_to(out)) if result.manifest else None,
    }
    write_text(json.dumps(doc, indent=1), out / STAMP_NAME)


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


def _build_bundled(
    s: Settings,
    config: ProjectConfig,
    out: Path,
    lang: str,
    dpi: int,
    say: Callable[[str], None],
    step: Callable[[], int],
    steps: int,
    built_at: dt.datetime,
    user_desa: gpd.GeoDataFrame | None = None,
) -> tuple[
    list[export.GalleryItem],
    list[tuple[str, Sequence[Path]]],
    list[tuple[MatchReport, str, str]],
    list[str],
]:
    """Steps 3-7 of the default build: the bundled map sets, coverage, CSR shortlist, profiles.

    The coverage analysis takes the columns it names from `user_desa` (the desa layer of the
    config's inputs) where it has them (see :func:`coverage_layer`). Returns the gallery
    items, the downloadable tables, the inputs to report on (match report,
    file name, what) and the sources.
    """
    t = TEXTS[lang]
    per = t["per_1000"]
    downloads: list[tuple[str, Sequence[Path]]] = []
    say(f"[{step()}/{steps}] maps of the real desa indicators")
    desa, kec, report_real = real_indicator_layers(settings=s)
    safe, safe_kec = _protect(desa, kec, config)
    real_inds: Sequence[Indicator] = [
        Indicator(FAMILIES, category_name(FAMILIES, lang), palette="Blues"),
        *(Indicator(_rate_name(c), category_name(c, lang), per) for c in REAL_RATES),
    ]
    items = build_map_set(
        safe, safe_kec, real_inds, out, title=t["real_title"], source=t["real_source"],
        synthetic=False, language=lang, dpi=dpi, file_prefix="indikator-",
    )  # fmt: skip

    say(f"[{step()}/{steps}] maps of the synthetic PMKS/PSKS sample (contoh sintetis)")
    sdesa, skec, report_syn, sites = synthetic_layers(settings=s, language=lang)
    raw_sdesa, raw_skec = sdesa, skec  # the profiles protect their own tables
    sdesa, skec = _protect_synthetic(sdesa, skec, **_privacy_options(config))
    syn_inds = [
        Indicator(_rate_name("pmks_total"), t["pmks_total"], per),
        Indicator(_rate_name("psks_total"), t["psks_total"], per, palette="Greens"),
        *(Indicator(_rate_name(c), category_name(c, lang), per) for c in SYNTHETIC_PMKS),
    ]
    need_m, capacity_m = (get_measure(c) for c in SYNTHETIC_MEASURES[:2])
    bivariate = (need_m.columns.smoothed, capacity_m.columns.smoothed)
    syn_inds += [
        Indicator(c.columns.smoothed, c.name(lang), f"{per}, Empirical Bayes",
                  palette="Greens" if c.role == "capacity" else "YlOrRd")
        for c in (need_m, capacity_m)
    ]  # fmt: skip
    items += build_map_set(
        sdesa, skec, syn_inds, out,
        bivariate=bivariate,
        points=sites, point_category="jenis", point_name="nama",
        point_fields={"desa": t["desa"], "kecamatan": t["kecamatan"], "keterangan": t["note"]},
        title=t["synthetic_title"], source=t["synthetic_source"], synthetic=True,
        language=lang, dpi=dpi, file_prefix="contoh-sintetis-",
    )  # fmt: skip
    cell = _high_need_low_capacity(sdesa, bivariate, lang)
    cell_files = reports.write_table(
        cell, out / "contoh-sintetis-kebutuhan-tinggi-kapasitas-rendah"
    )
    downloads.append((f"{t['cell_table']} ({len(cell)})", cell_files))

    cov_items, cov_downloads, analysis = _build_coverage(
        config, desa, kec, user_desa, out, lang, dpi, say, step, steps
    )
    items += cov_items
    downloads += cov_downloads

    say(f"[{step()}/{steps}] kecamatan profiles and the regency summary (PDF)")
    data = profiles.prepare_profiles(
        analysis, raw_sdesa, raw_skec, published=skec, k=config.privacy.k
    )
    pdfs = profiles.write_profiles(data, out / profiles.PROFILE_DIR, built=built_at)
    downloads.append((f"{t['profiles']} ({len(pdfs)})", pdfs))

    inputs = [
        (report_real, "indikator-desa", t["real_data"]),
        (report_syn, "pmks-psks-contoh-sintetis", t["synthetic_data"]),
    ]
    sources = [t[k] for k in ("source_boundaries", "source_indicators", "caveat_families")]
    sources += [t["source_puskesmas"], t["source_sarulla"], t["source_synthetic"]]
    return items, downloads, inputs, sources


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


def _build_coverage(
    config: ProjectConfig,
    desa: gpd.GeoDataFrame,
    kec: gpd.GeoDataFrame,
    user_desa: gpd.GeoDataFrame | None,
    out: Path,
    lang: str,
    dpi: int,
    say: Callable[[str], None],
    step: Callable[[], int],
    steps: int,
) -> tuple[list[export.GalleryItem], list[tuple[str, Sequence[Path]]], CoverageAnalysis]:
    """The coverage analysis and the CSR shortlist: their maps, tables and the analysis."""
    t = TEXTS[lang]
    layer, taken = coverage_layer(desa, user_desa, config)
    from_inputs = f" (from your inputs: {', '.join(taken)})" if taken else ""
    say(f"[{step()}/{steps}] coverage analysis: gap, severity, access, clusters{from_inputs}")
    analysis = coverage_analysis(layer, language=lang, options=config.coverage_options())
    items = build_coverage_maps(analysis, kec, out, dpi=dpi)
    downloads: list[tuple[str, Sequence[Path]]] = [
        (t["coverage_tables"], write_coverage_tables(analysis, out))
    ]

    say(f"[{step()}/{steps}] CSR shortlist around the Sarulla stand-in sites")
    frame, components = priority_components(analysis, k=config.privacy.k)
    sl = shortlist(frame, components=components, language=lang, **config.csr.shortlist_kwargs())
    sl_items, sl_tables = build_shortlist_outputs(sl, layer, kec, out, dpi=dpi)
    items += sl_items
    downloads.append((t["shortlist_tables"], sl_tables))
    if config.csr.new_sites:
        siting = new_sites(
            analysis, sl, n_sites=config.csr.new_sites, radius_km=config.csr.site_radius_km
        )
        stem = out / "csr-lokasi-baru"
        sited = [
            export.save_table(frame, stem.with_name(f"{stem.name}{part}{ext}"), language=lang)
            for part, frame in (("", siting.sites), ("-ringkasan", siting.summary))
            for ext in (".csv", ".xlsx")
        ]
        downloads.append((f"{t['new_sites']} ({config.csr.new_sites})", sited))
    return items, downloads, analysis


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
    and its files are all there (unless `force`). A real build first clears the stamp that says
    so and deletes the manifest, and writes both last: a build killed mid-way leaves a folder
    the next build rebuilds in full, never one it takes as up to date.
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
    result = BuildResult()
    area = config_region_layers(cfg, settings=s)
    bundled = cfg.maps.bundled and area is None
    steps = (6 if bundled else 1) + (1 if cfg.inputs else 0) + 2
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
    options: dict[str, object] = {"out": str(out), "language": lang, "dpi": dpi}
    if config is not None:
        options["config"] = config.signature()
    signature = _input_signature(s, options)
    stamp = _read_stamp(out)
    previous = stamp[1] if stamp else None
    if not force and stamp and stamp[0] == signature and all(p.is_file() for p in stamp[1].files):
        say(f"outputs up to date in {out} (nothing changed since the last build)")
        return stamp[1]
    if stamp is not None and stamp[0]:
        log.info("outputs in %s are out of date; rebuilding them", out)
    elif stamp is not None:
        log.warning("the last build in %s did not finish; rebuilding every output", out)
    _start_build(out, previous)

    t = TEXTS[lang]
    items: list[export.GalleryItem] = []
    downloads: list[tuple[str, Sequence[Path]]] = []
    inputs: list[tuple[MatchReport, str, str]] = []
    sources: list[str] = []
    user = user_layers(cfg, settings=s, region=area) if cfg.inputs else None
    udesa = user[0] if user is not None else None
    taken = coverage_inputs(udesa, cfg.coverage_options()) if area is None else []
    if bundled:
        bundle = _build_bundled(
            s, cfg, out, lang, dpi, say, lambda: next(step), steps, built_at, user_desa=udesa
        )
        items, downloads, inputs, sources = bundle
    if taken:
        sources.append(t["coverage_inputs"].format(columns=", ".join(taken)))
    if user is not None:
        now = next(step)
        say(f"[{now}/{steps}] maps of the config's input files")
        own = {cfg.coverage.need, cfg.coverage.reached} - set(RAW_INDICATOR_COLUMNS)
        if taken and not bundled:  # the coverage of the inputs, without the bundled map sets
            desa, kec, _ = real_indicator_layers(settings=s)
            cov_items, downloads, _ = _build_coverage(
                cfg, desa, kec, udesa, out, lang, dpi, say, lambda: now, steps
            )
            items += cov_items
        elif own and not bundled and area is None:  # counts the inputs lack: say so
            coverage_layer(real_indicator_layers(settings=s)[0], udesa, cfg)
        udesa, ukec, ureport, measures = user
        layer = ukec if udesa is None else udesa
        counts = _user_counts(layer, measures)
        totals = {m.code: list(m.categories) for m in measures}
        if udesa is None:
            ukec, _ = privacy.protect(ukec, counts=counts, totals=totals, **_privacy_options(cfg))
        else:
            udesa, ukec = _protect(udesa, ukec, cfg, counts=counts, totals=totals)
        names = ", ".join(str(i.file) for i in cfg.inputs)
        usources = [i.source for i in cfg.inputs if i.source] or [names]
        items += build_map_set(
            udesa, ukec, _user_indicators(cfg, layer, measures, lang), out,
            title=cfg.maps.title or names, source="; ".join(usources), language=lang, dpi=dpi,
            file_prefix="data-", min_indicators=1,
        )  # fmt: skip
        inputs.append((ureport, "data-" + slug("-".join(i.label for i in cfg.inputs)), names))
        sources += usources
    result.maps = [f for item in items for f in item.files]
    result.tables = [p for _, files in downloads for p in files]

    say(f"[{next(step)}/{steps}] reports, gallery and manifest")
    folder = out / "laporan"
    for report, name, what in inputs:
        match, valid = _write_reports(report, folder, name, lang)
        downloads += [(f"{t['report_match']}: {what}", match)]
        downloads += [(f"{t['report_validation']}: {what}", valid)]
        result.reports += [*match, *valid]
    region = tapanuli_utara() if area is None else area.region
    result.index = export.write_gallery(
        items, out / "index.html", title=t["gallery"].format(region=region.title()),
        language=lang,
        built=built_at.strftime("%Y-%m-%d %H:%M UTC"), sources=sources,
        disclaimer=t["disclaimer"] if bundled else "", downloads=downloads,
        manifest=out / manifest.MANIFEST_NAME,
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
    _write_stamp(out, signature, result)
    say(f"done in {time.perf_counter() - t0:.0f} s: {len(result.files)} files in {out}")
    return result
