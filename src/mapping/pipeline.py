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

import geopandas as gpd
import pandas as pd

from mapping import export, manifest, privacy, profiles, reports
from mapping.analysis import coverage_analysis, priority_components
from mapping.bivariate import HIGH_NEED_LOW_CAPACITY, areas_in_cell, classify_bivariate
from mapping.categories import CATEGORY_BY_CODE
from mapping.classify import Indicator
from mapping.coveragemaps import build_coverage_maps, build_shortlist_outputs, write_coverage_tables
from mapping.data import CROSSWALK_DESA, CROSSWALK_KECAMATAN, PACKAGE_REFERENCE
from mapping.datasets import SAMPLE_YEAR, build_welfare_datasets
from mapping.files import write_text
from mapping.indicators import Rate, add_rates
from mapping.join import MatchReport, join_table
from mapping.labels import check_language
from mapping.layers import build_layers
from mapping.maps import build_map_set
from mapping.measures import add_measures, get_measure
from mapping.settings import Settings, default_output_dir, get_settings
from mapping.tables import combine_tables, read_welfare
from mapping.targeting import shortlist

log = logging.getLogger(__name__)

FAMILIES = "keluarga"
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
        "gallery": "peta-kesos: peta Kabupaten Tapanuli Utara",
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
        "gallery": "peta-kesos: maps of Kabupaten Tapanuli Utara",
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
    },
}

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
    desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame
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
    safe_desa, safe_kec = privacy.protect(frames[0], frames[1], counts=counts, totals=totals)
    return safe_desa, frames[1] if safe_kec is None else safe_kec


def _high_need_low_capacity(
    desa: gpd.GeoDataFrame, bivariate: tuple[str, str], language: str
) -> pd.DataFrame:
    """The desa of the bivariate map's high-need, low-capacity cell, as a table."""
    need, capacity = bivariate
    biv = classify_bivariate(desa[need], desa[capacity], language=language)
    return areas_in_cell(desa, biv, HIGH_NEED_LOW_CAPACITY)


def category_name(code: str, language: str = "id") -> str:
    """The catalogue name of a category in `language` (the code itself if unknown)."""
    cat = CATEGORY_BY_CODE.get(code)
    if cat is None:
        return code
    return cat.name_en if language == "en" else cat.name_id


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


def build_outputs(
    out_dir: str | Path | None = None,
    *,
    settings: Settings | None = None,
    language: str = "id",
    dpi: int = 300,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the default maps and reports into `out_dir` (default ``./outputs``).

    Two map sets, each at desa and kecamatan level (HTML with switchable layers + one PNG per
    indicator): the real desa indicators (rates per 1,000 families) and the synthetic
    PMKS/PSKS sample (need, capacity, bivariate need vs capacity, PSKS sites), labelled
    "contoh sintetis" everywhere. Match and validation reports (CSV and XLSX, in `language`)
    go to ``laporan/``; ``index.html`` lists every map with a thumbnail, the build date, the
    sources and links to the reports; ``manifest.json`` lists every file with its SHA-256,
    the inputs' checksums, the options, the package version and the build time. ``profil/``
    holds one A4 PDF profile per kecamatan and the regency summary (:mod:`mapping.profiles`).

    Every published value goes through :func:`mapping.privacy.protect`: person and family
    counts from 1 to 4 (and the cells that would give them back, and their rates) show as
    "< 5"; for the synthetic set ``pmks_total`` and its categories form row groups too.

    Nothing is rebuilt when the data, the code and the options are those of the last build
    and its files are all there (unless `force`).
    """
    s = settings or get_settings()
    lang = check_language(language)
    out = Path(out_dir) if out_dir is not None else default_output_dir()
    say = progress or (lambda msg: log.info("%s", msg))
    result = BuildResult()
    steps = 8
    t0 = time.perf_counter()
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0)

    say(f"[1/{steps}] boundary layers")
    build_layers(settings=s)

    say(f"[2/{steps}] welfare datasets (real indicators, synthetic sample)")
    build_welfare_datasets(settings=s)
    signature = _input_signature(s, {"out": str(out), "language": lang, "dpi": dpi})
    stamp = _read_stamp(out)
    previous = stamp[1] if stamp else None
    if not force and stamp and stamp[0] == signature and all(p.is_file() for p in stamp[1].files):
        say(f"outputs up to date in {out} (nothing changed since the last build)")
        return stamp[1]

    say(f"[3/{steps}] maps of the real desa indicators")
    desa, kec, report_real = real_indicator_layers(settings=s)
    t = TEXTS[lang]
    per = t["per_1000"]
    real_inds: Sequence[Indicator] = [
        Indicator(FAMILIES, category_name(FAMILIES, lang), palette="Blues"),
        *(Indicator(_rate_name(c), category_name(c, lang), per) for c in REAL_RATES),
    ]
    items = build_map_set(
        desa, kec, real_inds, out, title=t["real_title"], source=t["real_source"],
        synthetic=False, language=lang, dpi=dpi, file_prefix="indikator-",
    )  # fmt: skip

    say(f"[4/{steps}] maps of the synthetic PMKS/PSKS sample (contoh sintetis)")
    sdesa, skec, report_syn, sites = synthetic_layers(settings=s, language=lang)
    raw_sdesa, raw_skec = sdesa, skec  # the profiles protect their own tables
    sdesa, skec = _protect_synthetic(sdesa, skec)
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
    downloads: list[tuple[str, Sequence[Path]]] = []
    cell = _high_need_low_capacity(sdesa, bivariate, lang)
    cell_files = reports.write_table(
        cell, out / "contoh-sintetis-kebutuhan-tinggi-kapasitas-rendah"
    )
    downloads.append((f"{t['cell_table']} ({len(cell)})", cell_files))

    say(f"[5/{steps}] coverage analysis: gap, severity, access, clusters")
    analysis = coverage_analysis(desa, language=lang)
    items += build_coverage_maps(analysis, kec, out, dpi=dpi)
    downloads.append((t["coverage_tables"], write_coverage_tables(analysis, out)))

    say(f"[6/{steps}] CSR shortlist around the Sarulla stand-in sites")
    frame, components = priority_components(analysis)
    sl = shortlist(frame, components=components, language=lang)
    sl_items, sl_tables = build_shortlist_outputs(sl, desa, kec, out, dpi=dpi)
    items += sl_items
    downloads.append((t["shortlist_tables"], sl_tables))

    say(f"[7/{steps}] kecamatan profiles and the regency summary (PDF)")
    data = profiles.prepare_profiles(analysis, raw_sdesa, raw_skec, published=skec)
    pdfs = profiles.write_profiles(data, out / profiles.PROFILE_DIR, built=built_at)
    downloads.append((f"{t['profiles']} ({len(pdfs)})", pdfs))
    result.maps = [f for item in items for f in item.files]
    result.tables = [p for _, files in downloads for p in files]

    say(f"[8/{steps}] reports, gallery and manifest")
    folder = out / "laporan"
    for report, name, what in (
        (report_real, "indikator-desa", t["real_data"]),
        (report_syn, "pmks-psks-contoh-sintetis", t["synthetic_data"]),
    ):
        match, valid = _write_reports(report, folder, name, lang)
        downloads += [(f"{t['report_match']}: {what}", match)]
        downloads += [(f"{t['report_validation']}: {what}", valid)]
        result.reports += [*match, *valid]
    sources = [t[k] for k in ("source_boundaries", "source_indicators", "caveat_families")]
    sources += [t["source_puskesmas"], t["source_sarulla"], t["source_synthetic"]]
    result.index = export.write_gallery(
        items, out / "index.html", title=t["gallery"], language=lang,
        built=built_at.strftime("%Y-%m-%d %H:%M UTC"), sources=sources,
        disclaimer=t["disclaimer"], downloads=downloads, manifest=out / manifest.MANIFEST_NAME,
    )  # fmt: skip
    _remove_stale(out, previous, result)
    config: dict[str, object] = {"language": lang, "dpi": dpi, "year": SAMPLE_YEAR, "per": 1000}
    config |= {"real_rates": list(REAL_RATES), "synthetic_pmks": list(SYNTHETIC_PMKS)}
    result.manifest = manifest.write_manifest(
        out, built_at=built_at, config=config, inputs=_manifest_inputs(s), sources=sources
    )
    _write_stamp(out, signature, result)
    say(f"done in {time.perf_counter() - t0:.0f} s: {len(result.files)} files in {out}")
    return result
