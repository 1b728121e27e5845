"""Building the shipped welfare datasets: real desa indicators and the seeded synthetic sample."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapping.categories import CATEGORY_BY_CODE, INDICATORS, PMKS, PSKS
from mapping.files import atomic_path, write_layer
from mapping.regions import metric_crs_of
from mapping.settings import Settings, get_settings
from mapping.tables import SYNTHETIC_LABEL, canonical_frame

log = logging.getLogger(__name__)

#: Seed of the synthetic sample; change it and every number changes.
SEED = 20240617
SAMPLE_YEAR = 2024
SYNTHETIC_SLUG = "contoh-sintetis"

INDICATOR_FILE = "indikator-desa.csv"
INDICATOR_DICTIONARY_FILE = "indikator-desa-kamus.csv"
SAMPLE_CSV = f"pmks-psks-desa-{SYNTHETIC_SLUG}.csv"
SAMPLE_XLSX = f"pmks-psks-desa-{SYNTHETIC_SLUG}.xlsx"
POINTS_FILE = f"psks-lokasi-{SYNTHETIC_SLUG}.geojson"

#: Raw boundary-file columns of each indicator; the two schemas differ by ' ' vs '_'.
RAW_INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "keluarga": ("JUMLAH KEL",),
    "keluarga_berisiko_stunting": ("RESIKO STU",),
    "anak_stunting": ("STUNTING",),
    "penerima_bst": ("Penerima B",),
    "penerima_bpnt": ("Penerima 1",),
    "penerima_pkh": ("Penerima P",),
    "penerima_sembako": ("Penerima S",),
    "penerima_prakerja": ("Penerima 2",),
    "penerima_kur": ("Penerima K",),
    "penerima_cbp": ("Penerima C",),
    "tim_pendamping_keluarga": ("Jumlah TPK",),
    "posyandu": ("Jumlah Pos",),
    "kader": ("Jumlah Kad",),
    "kader_pembangunan_manusia": ("Jumlah KPM",),
    "dana_stunting": ("Dana",),
}

#: Sarulla geothermal plant (Sarulla Operations Ltd, 3 x 110 MW): unit 1 at Silangkitang.
SARULLA_SILANGKITANG = "12.02.06.2004"
#: Stand-in location of unit 1 (the centre of Desa Silangkitang, not the plant site).
SARULLA_POINT = (99.0992, 1.8395)
#: Units 2-3 are at Namora-I-Langit, Pahae Julu, which is not a desa name in the Kemendagri,
#: BPS or BIG lists; the sample uses the Pahae Julu desa nearest to Silangkitang as stand-in.
PAHAE_JULU = "12.02.05"


# --- real indicators --------------------------------------------------------------------------


def indicator_dictionary() -> pd.DataFrame:
    """The indicators of the boundary files: code, names, raw columns, description, inferred."""
    return pd.DataFrame(
        [
            {
                "category": c.code,
                "name_id": c.name_id,
                "name_en": c.name_en,
                "raw_columns": " / ".join(
                    sorted(
                        {
                            *RAW_INDICATOR_COLUMNS[c.code],
                            *(r.replace(" ", "_") for r in RAW_INDICATOR_COLUMNS[c.code]),
                        }
                    )
                ),
                "kind": c.kind,
                "description": c.description,
                "meaning_inferred": True,
            }
            for c in INDICATORS
        ]
    )


def indicator_table(raw: gpd.GeoDataFrame | pd.DataFrame) -> pd.DataFrame:
    """Tidy canonical table of the welfare attributes of the raw BIG desa features.

    `raw` is the concatenation of the raw files with ``source_file`` (see
    :func:`mapping.layers.read_raw_desa`). Column names are unified (``JUMLAH_KEL`` and
    ``JUMLAH KEL`` are one column); a column a file lacks gives NaN for its desa, never 0.
    The extra stunting-intervention columns of one file are left out. ``year`` is missing:
    the source does not say which year the figures are for. A negative count (one in the
    source: -13 TPK teams) becomes NaN with the original value in ``catatan``.
    """
    frame = pd.DataFrame(raw.drop(columns="geometry", errors="ignore"))
    unified: dict[str, pd.Series] = {}
    for col in frame.columns:  # 'JUMLAH_KEL' and 'JUMLAH KEL' become one column
        key = str(col).replace("_", " ")
        unified[key] = unified[key].combine_first(frame[col]) if key in unified else frame[col]
    df = pd.DataFrame(unified)
    df["source row"] = df.groupby("source file").cumcount() + 1
    records = []
    for code, names in RAW_INDICATOR_COLUMNS.items():
        col = next((n for n in names if n in df.columns), None)
        values = pd.to_numeric(df[col], errors="coerce") if col else pd.Series(np.nan, df.index)
        records.append(
            pd.DataFrame(
                {
                    "area_code": df["KDEPUM"].astype(str).str.strip(),
                    "level": "desa",
                    "year": pd.NA,
                    "group": "indicator",
                    "category": code,
                    "value": values.astype(float),
                    "source_file": df["source file"],
                    "source_row": df["source row"],
                }
            )
        )
    out = canonical_frame(pd.concat(records, ignore_index=True))
    negative = out["value"] < 0
    out["catatan"] = ""
    out.loc[negative, "catatan"] = (
        "nilai sumber "
        + out.loc[negative, "value"].map("{:g}".format)
        + " negatif (tidak mungkin); dikosongkan"
    )
    for _, r in out[negative].iterrows():
        log.warning(
            "%s %s is %g in %s; set to missing",
            r["area_code"],
            r["category"],
            r["value"],
            r["source_file"],
        )
    out.loc[negative, "value"] = np.nan
    return out.sort_values(["area_code", "category"]).reset_index(drop=True)


# --- synthetic sample ---------------------------------------------------------------------------

#: PMKS per 1,000 families: (base rate, urban multiplier, scaled by the poverty field?).
PMKS_RATES: dict[str, tuple[float, float, bool]] = {
    "abt": (1.5, 1.0, True),
    "at": (8.0, 1.0, True),
    "abh": (0.4, 2.0, False),
    "aj": (0.3, 6.0, False),
    "adk": (4.0, 1.0, False),
    "aktk": (0.8, 1.5, False),
    "ampk": (0.6, 1.0, False),
    "lut": (25.0, 0.8, True),
    "pd": (22.0, 1.0, False),
    "ts": (0.1, 5.0, False),
    "gel": (0.2, 5.0, False),
    "peng": (0.3, 5.0, False),
    "pem": (0.5, 4.0, False),
    "km": (0.0, 1.0, False),
    "bwblp": (1.2, 1.5, False),
    "odha": (0.6, 2.0, False),
    "napza": (1.0, 2.0, False),
    "trafficking": (0.15, 1.0, False),
    "ktk": (1.5, 1.2, False),
    "pmbs": (0.8, 1.0, True),
    "kba": (1.0, 1.0, False),
    "kbs": (0.2, 1.0, False),
    "prse": (18.0, 1.0, True),
    "fm": (160.0, 0.7, True),
    "kbsp": (4.0, 1.0, True),
    "kat": (0.0, 1.0, False),
}


def _poverty_field(desa: gpd.GeoDataFrame, rng: np.random.Generator) -> np.ndarray:
    """A smooth multiplier around 1: higher far from Tarutung, a kecamatan effect, desa noise."""
    pts = desa.geometry.to_crs(metric_crs_of(desa)).representative_point()
    capital = gpd.GeoSeries([shapely.Point(98.967, 2.017)], crs="EPSG:4326").to_crs(pts.crs)
    dist_km = pts.distance(capital.iloc[0]).to_numpy() / 1000
    z = (dist_km - dist_km.mean()) / dist_km.std()
    kec = desa["kecamatan_code"].to_numpy()
    kec_effect = {k: rng.normal(0, 0.25) for k in sorted(set(kec))}
    log_m = 0.3 * z + np.array([kec_effect[k] for k in kec]) + rng.normal(0, 0.15, len(desa))
    return np.exp(log_m)


def _disaster_field(desa: gpd.GeoDataFrame, rng: np.random.Generator) -> np.ndarray:
    """Two seeded hotspots (e.g. a landslide and a flood) fading over about 8 km."""
    pts = desa.geometry.to_crs(metric_crs_of(desa)).representative_point()
    centres = pts.iloc[rng.choice(len(desa), size=2, replace=False)]
    field = np.zeros(len(desa))
    for c in centres:
        d = pts.distance(c).to_numpy() / 1000
        field += np.exp(-((d / 8.0) ** 2))
    return field


def _seat(desa: gpd.GeoDataFrame, families: pd.Series) -> pd.Series:
    """Per kecamatan, its seat stand-in: the kelurahan with most families, else the desa."""
    d = desa.assign(fam=desa["code"].map(families).fillna(0), urban=desa["kind"] == "kelurahan")
    d = d.sort_values(
        ["kecamatan_code", "urban", "fam", "code"], ascending=[True, False, False, True]
    )
    return d.groupby("kecamatan_code")["code"].first()


def sarulla_sites(desa: gpd.GeoDataFrame) -> dict[str, str]:
    """Desa codes of the Sarulla plant: Silangkitang and the Namora-I-Langit stand-in."""
    metric = desa.to_crs(metric_crs_of(desa)).set_index("code")
    silang = metric.geometry[SARULLA_SILANGKITANG]
    julu = metric[metric["kecamatan_code"] == PAHAE_JULU]
    dist = julu.geometry.distance(silang).round(0)
    nil = sorted(zip(dist, dist.index, strict=True))[0][1]
    return {"silangkitang": SARULLA_SILANGKITANG, "namora_i_langit": nil}


def synthetic_sample(
    desa: gpd.GeoDataFrame,
    families: pd.Series,
    *,
    seed: int = SEED,
    year: int = SAMPLE_YEAR,
) -> pd.DataFrame:
    """A synthetic PMKS/PSKS table for every desa (canonical long, value column synthetic).

    Not real data: made so that maps, joins and readers can be shown and tested without
    exposing anyone. How it is made (all from ``numpy.random.default_rng(seed)``):

    - PMKS: ``Poisson(families / 1000 * rate * multipliers)`` per desa and category, with the
      base rates of :data:`PMKS_RATES` (per 1,000 families), an urban multiplier for
      kelurahan, a smooth poverty field (higher far from Tarutung, a random kecamatan effect
      and desa noise) for poverty-linked categories, and two disaster hotspots for
      ``kba``. Families come from the boundary files (`families`, code -> count; 100 if
      missing).
    - PSKS: one TKSK per kecamatan at its seat stand-in (the kelurahan, else the desa, with
      most families); Karang Taruna in about 88% of desa; PSM 0-4 per desa; LKS in about 12%
      of desa (half of the kelurahan); Tagana at each TKSK desa; professional social workers,
      LK3 and penyuluh at the Tarutung seat; a few Keluarga Pioner, WKSBM and WPKS; Dunia
      Usaha (CSR) only for the Sarulla geothermal plant, at Silangkitang and the Namora-I-Langit
      stand-in (:func:`sarulla_sites`).
    """
    rng = np.random.default_rng(seed)
    desa = desa.sort_values("code").reset_index(drop=True)
    codes = desa["code"].to_numpy()
    fam = desa["code"].map(families).fillna(100).to_numpy(dtype=float)
    urban = (desa["kind"] == "kelurahan").to_numpy()
    poverty = _poverty_field(desa, rng)
    disaster = _disaster_field(desa, rng)
    values: dict[str, np.ndarray] = {}
    for cat in PMKS:
        base, urban_m, poor = PMKS_RATES[cat.code]
        lam = fam / 1000 * base * np.where(urban, urban_m, 1.0) * (poverty if poor else 1.0)
        if cat.code == "kba":
            lam = fam / 1000 * (base + 80.0 * disaster)
        values[cat.code] = rng.poisson(lam)
    n = len(desa)
    seats = _seat(desa, families)
    seat_mask = np.isin(codes, seats.to_numpy())
    tarutung_seat = seats.get("12.02.01")
    at_capital = codes == tarutung_seat
    sarulla = sarulla_sites(desa)
    values.update(
        peksos=np.where(at_capital, 3, 0),
        psm=rng.poisson(1.2, n) + (fam > 200),
        tagana=np.where(seat_mask, 1 + rng.poisson(1.5, n), 0) + np.where(at_capital, 4, 0),
        lks=(rng.random(n) < np.where(urban, 0.5, 0.12)) * (1 + rng.poisson(0.5, n)),
        kartar=(rng.random(n) < 0.88).astype(int),
        lk3=np.where(at_capital, 1, 0),
        kp=rng.poisson(0.3, n),
        wksbm=(rng.random(n) < 0.3).astype(int),
        wpks=rng.poisson(0.4, n),
        penyuluh=np.where(at_capital, 2, 0),
        tksk=seat_mask.astype(int),
        du=np.isin(codes, list(sarulla.values())).astype(int),
    )
    records = []
    for cat in (*PMKS, *PSKS):
        for code, v in zip(codes, values[cat.code], strict=True):
            records.append(
                {
                    "area_code": code,
                    "level": "desa",
                    "year": year,
                    "group": cat.group,
                    "category": cat.code,
                    "value": float(v),
                    "source_file": SAMPLE_CSV,
                    "source_row": None,
                }
            )
    out = canonical_frame(records)
    out["source_row"] = pd.array(range(2, len(out) + 2), dtype="Int64")
    return out


def _sample_in(polygon: shapely.Geometry, k: int, rng: np.random.Generator) -> list:
    minx, miny, maxx, maxy = polygon.bounds
    pts: list = []
    while len(pts) < k:
        xs = rng.uniform(minx, maxx, 64)
        ys = rng.uniform(miny, maxy, 64)
        cand = shapely.points(xs, ys)
        pts.extend(p for p in cand[shapely.contains(polygon, cand)])
    return pts[:k]


def psks_points(
    sample: pd.DataFrame,
    desa: gpd.GeoDataFrame,
    *,
    categories: Sequence[str] = ("tksk", "lks", "du"),
    seed: int = SEED,
) -> gpd.GeoDataFrame:
    """Synthetic point locations of PSKS sites (one per unit of `sample`), for map overlays.

    Points are drawn uniformly inside their desa (seeded); the Sarulla unit at Silangkitang uses
    :data:`SARULLA_POINT` (the desa centre, itself a stand-in). Counting these points per desa
    gives back the sample's numbers.
    """
    rng = np.random.default_rng(seed + 1)
    by_code = desa.set_index("code")
    sarulla = sarulla_sites(desa)
    rows = []
    part = sample[sample["category"].isin(categories) & (sample["value"] > 0)]
    for _, r in part.sort_values(["category", "area_code"]).iterrows():
        d = by_code.loc[r["area_code"]]
        k = int(r["value"])
        pts = _sample_in(d.geometry, k, rng)
        if r["category"] == "du" and r["area_code"] == sarulla["silangkitang"]:
            pts[0] = shapely.Point(*SARULLA_POINT)
        for j, p in enumerate(pts, start=1):
            label = {
                "tksk": f"TKSK Kecamatan {d['kecamatan']}",
                "lks": f"LKS {d['name']} {j}",
                "du": "PLTP Sarulla (CSR) - "
                + (
                    "Silangkitang"
                    if r["area_code"] == sarulla["silangkitang"]
                    else "Namora-I-Langit, lokasi pengganti"
                ),
            }.get(r["category"], f"{CATEGORY_BY_CODE[r['category']].name_id} {d['name']} {j}")
            rows.append(
                {
                    "kategori": r["category"],
                    "nama": f"{label} ({SYNTHETIC_LABEL})",
                    "desa_code": r["area_code"],
                    "desa": d["name"],
                    "kecamatan": d["kecamatan"],
                    "keterangan": SYNTHETIC_LABEL,
                    "geometry": p,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=desa.crs)


# --- writing ------------------------------------------------------------------------------------


def sample_csv_frame(sample: pd.DataFrame, desa: pd.DataFrame) -> pd.DataFrame:
    """The sample as written to CSV: area code and names, then the canonical fields."""
    names = desa.set_index("code")
    return pd.DataFrame(
        {
            "area_code": sample["area_code"],
            "nama_desa": sample["area_code"].map(names["name"]),
            "kecamatan": sample["area_code"].map(names["kecamatan"]),
            "level": sample["level"],
            "year": sample["year"],
            "group": sample["group"],
            "category": sample["category"],
            f"value ({SYNTHETIC_LABEL})": sample["value"].astype(int),
            "keterangan": SYNTHETIC_LABEL,
        }
    )


#: Headers of the messy XLSX, spelled the ways real files spell them.
MESSY_HEADERS: dict[str, str] = {
    "abt": "ANAK BALITA TERLANTAR",
    "at": "Anak Terlantar",
    "abh": "ABH",
    "aj": "ANJAL",
    "adk": "Anak Cacat",
    "aktk": "Anak Korban Tindak Kekerasan",
    "ampk": "AMPK",
    "lut": "Lansia Terlantar",
    "pd": "Penyandang Cacat",
    "ts": "WTS",
    "gel": "GELANDANGAN",
    "peng": "PENGEMIS",
    "pem": "Pemulung",
    "km": "Kelompok Minoritas",
    "bwblp": "Eks Napi",
    "odha": "ODHA",
    "napza": "Korban NAPZA",
    "trafficking": "Korban Trafficking",
    "ktk": "Korban Tindak Kekerasan",
    "pmbs": "TKI Bermasalah",
    "kba": "Korban Bencana Alam",
    "kbs": "Korban Bencana Sosial",
    "prse": "Wanita Rawan Sosial Ekonomi",
    "fm": "FAKIR MISKIN (KK)",
    "kbsp": "Keluarga Bermasalah Sosial Psikologis",
    "kat": "KAT",
    "peksos": "Pekerja Sosial",
    "psm": "PSM",
    "tagana": "TAGANA",
    "lks": "LKS/Orsos",
    "kartar": "Karang Taruna",
    "lk3": "LK3",
    "kp": "Keluarga Pionir",
    "wksbm": "WKSBM",
    "wpks": "Wanita Pemimpin Kesejahteraan Sosial",
    "penyuluh": "Penyuluh Sosial",
    "tksk": "TKSK",
    "du": "CSR / Dunia Usaha",
}


def write_messy_xlsx(
    sample: pd.DataFrame, desa: pd.DataFrame, path: Path, *, reference: pd.DataFrame | None
) -> Path:
    """The sample as a government-style workbook: sheets PMKS and PSKS, title rows, a two-row
    merged header, column numbers, BPS CAPITAL names, kecamatan merged down, ``-`` for zero, a
    JUMLAH row and a footnote. Every sheet says it is synthetic."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    ref = reference.set_index("kemendagri_code") if reference is not None else None
    d = desa.sort_values("code").set_index("code")
    bps_desa = ref["desa_bps_2018"] if ref is not None else d["name"].str.upper()
    bps_kec = ref["kecamatan_bps_2018"] if ref is not None else d["kecamatan"].str.upper()
    wide = sample.pivot(index="area_code", columns="category", values="value").astype(int)
    wb = Workbook()
    wb.remove(wb.active)
    for group, cats, title in (
        ("pmks", PMKS, "PENYANDANG MASALAH KESEJAHTERAAN SOSIAL (PMKS)"),
        ("psks", PSKS, "POTENSI DAN SUMBER KESEJAHTERAAN SOSIAL (PSKS)"),
    ):
        ws = wb.create_sheet(group.upper())
        n_cat = len(cats)
        last = 3 + n_cat + 1
        ws.append([f"DATA {title} - CONTOH SINTETIS, BUKAN DATA RESMI"])
        ws.append([f"KABUPATEN TAPANULI UTARA KEADAAN TAHUN {SAMPLE_YEAR}"])
        ws.append([])
        ws.append(
            ["No", "Kecamatan", "Desa/Kelurahan", f"Jenis {group.upper()}"]
            + [None] * (n_cat - 1)
            + ["Keterangan"]
        )
        ws.append([None, None, None] + [MESSY_HEADERS[c.code] for c in cats] + [None])
        ws.append([f"({i})" for i in range(1, last + 1)])
        for r in (1, 2):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
            ws.cell(r, 1).font = Font(bold=True)
        for col in (1, 2, 3, last):
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
        ws.merge_cells(start_row=4, start_column=4, end_row=4, end_column=3 + n_cat)
        row = 7
        for _kec, block in d.groupby("kecamatan_code", sort=True):
            start = row
            for i, code in enumerate(block.index):
                vals = [int(wide.at[code, c.code]) for c in cats]
                ws.append(
                    [
                        row - 6,
                        bps_kec.get(code, "") if i == 0 else None,
                        bps_desa.get(code, d.at[code, "name"].upper()),
                    ]
                    + [v if v else "-" for v in vals]
                    + [SYNTHETIC_LABEL]
                )
                row += 1
            ws.merge_cells(start_row=start, start_column=2, end_row=row - 1, end_column=2)
            ws.cell(start, 2).alignment = Alignment(vertical="top")
        totals = [int(wide[c.code].sum()) for c in cats]
        ws.append(["JUMLAH", None, None, *totals, None])
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        ws.append([])
        ws.append(
            [f"Sumber: {SYNTHETIC_LABEL} buatan peta-kesos (seed {SEED}), bukan data Dinas Sosial"]
        )
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def build_welfare_datasets(
    *, settings: Settings | None = None, force: bool = False
) -> dict[str, Path]:
    """Write the welfare datasets into ``<data_dir>/welfare`` and return their paths.

    Builds the real desa indicators (tidy CSV and its dictionary) from the raw boundary files
    and the synthetic PMKS/PSKS sample (CSV, messy XLSX, PSKS points as GeoJSON). Files are
    rebuilt only when missing, older than their inputs (raw files, this module), or `force`.
    """
    from mapping.boundaries import load_desa
    from mapping.data import fetch_raw, load_reference_desa
    from mapping.layers import read_raw_desa

    s = settings or get_settings()
    out_dir = s.data_dir / "welfare"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "indicators": out_dir / INDICATOR_FILE,
        "indicator_dictionary": out_dir / INDICATOR_DICTIONARY_FILE,
        "sample_csv": out_dir / SAMPLE_CSV,
        "sample_xlsx": out_dir / SAMPLE_XLSX,
        "points": out_dir / POINTS_FILE,
    }
    raw_paths = fetch_raw(settings=s)
    newest = max(p.stat().st_mtime for p in [*raw_paths, Path(__file__)])
    if not force and all(p.is_file() and p.stat().st_mtime >= newest for p in paths.values()):
        log.info("welfare datasets up to date in %s", out_dir)
        return paths
    desa = load_desa(settings=s)
    names = desa.set_index("code")
    indicators = indicator_table(read_raw_desa(raw_paths))
    tidy = indicators.assign(
        nama_desa=indicators["area_code"].map(names["name"]),
        kecamatan=indicators["area_code"].map(names["kecamatan"]),
    )
    write_layer(tidy, paths["indicators"])
    write_layer(indicator_dictionary(), paths["indicator_dictionary"])
    fam = indicators[indicators["category"] == "keluarga"].set_index("area_code")["value"]
    sample = synthetic_sample(desa, fam)
    write_layer(sample_csv_frame(sample, desa), paths["sample_csv"])
    write_messy_xlsx(sample, desa, paths["sample_xlsx"], reference=load_reference_desa(settings=s))
    write_layer(psks_points(sample, desa), paths["points"])
    log.info("wrote welfare datasets to %s", out_dir)
    return paths
