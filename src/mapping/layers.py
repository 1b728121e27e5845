"""Building and validating the canonical desa, kecamatan and kabupaten layers from raw files."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pooch
import shapely

from mapping.data import CROSSWALK_DESA, fetch_raw, load_manifest, load_reference_desa
from mapping.errors import BoundaryValidationError, DataSourceError
from mapping.files import write_text
from mapping.names import desa_kind
from mapping.regions import DEFAULT_REGION_FILE, Region, default_region, metric_crs_of
from mapping.settings import CRS_STORAGE, Settings, get_settings

log = logging.getLogger(__name__)

DESA_COLUMNS = ["code", "name", "kind", "kecamatan_code", "kecamatan", "bps_code", "area_km2"]
KECAMATAN_COLUMNS = ["code", "name", "bps_code", "n_desa", "area_km2"]
#: Overlap between two desa, in km2, above which the layer is refused.
OVERLAP_TOLERANCE_KM2 = 0.01
#: Relative tolerance of the regency's total area against its expected area
#: (:attr:`mapping.regions.Region.expected_area_km2`).
AREA_TOLERANCE = 0.01


def read_raw_desa(paths: Sequence[Path]) -> gpd.GeoDataFrame:
    """The raw BIG desa polygons of several files in one frame, with ``source_file`` added."""
    frames = []
    for path in paths:
        try:
            gdf = gpd.read_file(path)
        except Exception as exc:
            msg = f"Cannot read boundary file {path}: {exc}. Delete it and run 'peta-kesos fetch'."
            raise DataSourceError(msg) from exc
        required = {"KDEPUM", "KDCPUM", "NAMOBJ", "WADMKD", "geometry"}
        missing = required - set(gdf.columns)
        if missing:
            msg = (
                f"Boundary file {path} lacks column(s) {sorted(missing)}; found "
                f"{sorted(c for c in gdf.columns if c != 'geometry')}. Is it a BIG desa file?"
            )
            raise DataSourceError(msg)
        gdf["source_file"] = Path(path).name
        frames.append(gdf)
    raw = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(raw, geometry="geometry", crs=frames[0].crs).to_crs(CRS_STORAGE)


def area_km2(gdf: gpd.GeoDataFrame, *, region: Region | None = None) -> pd.Series:
    """Area of each geometry in km2, measured in `region`'s metric CRS (when given) or in the
    UTM zone of `gdf`'s centre (:func:`mapping.regions.metric_crs_of`; 47N for Tapanuli Utara).
    """
    return gdf.geometry.to_crs(metric_crs_of(gdf, region=region)).area / 1e6


def canonical_desa(
    raw: gpd.GeoDataFrame,
    *,
    reference: pd.DataFrame | None = None,
    region: Region | None = None,
) -> gpd.GeoDataFrame:
    """The canonical desa layer from raw BIG polygons (see README for the schema).

    Display names are the Kemendagri 2025 spellings when the crosswalk is given (the build
    always gives it), otherwise BIG's ``NAMOBJ``. ``bps_code`` comes from the crosswalk (else
    missing). Kecamatan names are those of `region` (default Tapanuli Utara).
    """
    reg = default_region(region)
    raw = raw.copy()
    code = raw["KDEPUM"].astype(str).str.strip()
    kec_code = code.str.slice(0, 8)
    name = raw["NAMOBJ"].astype(str).str.strip()
    bps = pd.Series(pd.NA, index=raw.index, dtype="string")
    if reference is not None:
        ref = reference.set_index("kemendagri_code")
        known = code.isin(ref.index)
        name = name.where(~known, code.map(ref["desa_kemendagri_2025"]))
        bps = code.map(ref["bps_code_2018"]).astype("string").where(known, pd.NA)
    kinds = [desa_kind(c) if c[-4:-3] in {"1", "2"} else "" for c in code]
    out = gpd.GeoDataFrame(
        {
            "code": code,
            "name": name,
            "kind": kinds,
            "kecamatan_code": kec_code,
            "kecamatan": kec_code.map({k.code: k.name for k in reg.kecamatan}),
            "bps_code": bps,
            "area_km2": 0.0,
            "kdcpum": raw["KDCPUM"].astype(str).str.strip(),
            "source_file": raw.get("source_file", pd.Series("", index=raw.index)),
        },
        geometry=shapely.force_2d(raw.geometry.values),
        crs=raw.crs,
    )
    return out


def repair_geometries(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Geometries made valid with ``make_valid`` (polygons kept), and a note per repair."""
    gdf = gdf.copy()
    invalid = ~gdf.geometry.is_valid
    notes = []
    for idx in gdf.index[invalid]:
        before = gdf.geometry[idx]
        reason = shapely.is_valid_reason(before)
        fixed = shapely.make_valid(before)
        if fixed.geom_type == "GeometryCollection":
            polys = [g for g in fixed.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
            fixed = shapely.union_all(polys)
        gdf.loc[idx, "geometry"] = fixed
        label = gdf.loc[idx, "code"] if "code" in gdf.columns else idx
        notes.append(f"repaired invalid geometry of {label} ({reason}) with make_valid")
        log.warning(notes[-1])
    return gdf, notes


def validate_desa(desa: gpd.GeoDataFrame, *, region: Region | None = None) -> None:
    """Raise :class:`BoundaryValidationError` listing every broken check of the desa layer.

    Checks, against `region` (default Tapanuli Utara): unique codes of the form
    ``<region code>.KK.NNNN`` (12.02.KK.NNNN), as many desa and kecamatan as the region expects
    (252 and 15), every kecamatan one of the region's, every geometry valid and non-empty, no
    overlap between desa above :data:`OVERLAP_TOLERANCE_KM2`, each desa's code agreeing with its
    BIG kecamatan code (``KDCPUM``) and with the kecamatan of the file it came from (manifest),
    total area within 1% of the expected area (3,895.6 km2). Expectations the region leaves
    out (``None``) are not checked.
    """
    reg = default_region(region)
    problems: list[str] = []
    codes = desa["code"]
    pattern = codes.str.fullmatch(reg.desa_code_pattern)
    for i in desa.index[~pattern.fillna(False)]:
        problems.append(
            f"row {i}: code {codes[i]!r} is not a {reg.name} desa code {reg.code}.KK.NNNN"
        )
    dup = codes[codes.duplicated(keep=False)]
    if len(dup):
        problems.append(f"duplicate desa codes: {sorted(set(dup))}")
    if reg.expected_n_desa is not None and codes.nunique() != reg.expected_n_desa:
        problems.append(f"{codes.nunique()} unique desa codes; expected {reg.expected_n_desa}")
    n_kec = desa["kecamatan_code"].nunique()
    if reg.expected_n_kecamatan is not None and n_kec != reg.expected_n_kecamatan:
        problems.append(f"{n_kec} kecamatan; expected {reg.expected_n_kecamatan}")
    unknown_kec = sorted(set(desa["kecamatan_code"]) - set(reg.kecamatan_by_code))
    if unknown_kec:
        problems.append(f"unknown kecamatan codes {unknown_kec}")
    if "source_file" in desa.columns:
        by_file = {f.name: f.kecamatan_code for f in load_manifest()}
        file_kec = desa["source_file"].map(by_file)
        wrong_file = desa[file_kec.notna() & (file_kec != desa["kecamatan_code"])]
        for _, r in wrong_file.iterrows():
            problems.append(
                f"desa {r['code']} ({r['name']}) comes from {r['source_file']}, the file of "
                f"kecamatan {by_file[r['source_file']]}, but its code says {r['kecamatan_code']}"
            )
    if "kdcpum" in desa.columns:
        wrong = desa[desa["kdcpum"] != desa["kecamatan_code"]]
        for _, r in wrong.iterrows():
            problems.append(
                f"desa {r['code']} ({r['name']}) lies in kecamatan {r['kdcpum']} by BIG's KDCPUM "
                f"but its code says {r['kecamatan_code']}"
            )
    empty = desa.geometry.is_empty | desa.geometry.isna()
    for i in desa.index[empty]:
        problems.append(f"desa {codes[i]} has no geometry")
    invalid = ~desa.geometry.is_valid & ~empty
    for i in desa.index[invalid]:
        reason = shapely.is_valid_reason(desa.geometry[i])
        problems.append(f"desa {codes[i]} has an invalid geometry ({reason})")
    if not problems:
        problems.extend(_overlap_problems(desa, region=reg))
        total = float(area_km2(desa, region=reg).sum())
        expected = reg.expected_area_km2
        if expected is not None and abs(total - expected) > AREA_TOLERANCE * expected:
            problems.append(f"total area {total:,.1f} km2 is not within 1% of {expected:,.1f} km2")
    if problems:
        msg = "The desa boundary layer failed validation:\n  " + "\n  ".join(problems)
        msg += "\nCheck the raw files in data/boundaries/raw (run 'peta-kesos fetch --force')."
        raise BoundaryValidationError(msg)


def _overlap_problems(desa: gpd.GeoDataFrame, *, region: Region) -> list[str]:
    metric = desa.geometry.to_crs(region.metric_crs).reset_index(drop=True)
    left, right = metric.sindex.query(metric, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return []
    areas = shapely.area(shapely.intersection(metric.values[left], metric.values[right])) / 1e6
    bad = np.flatnonzero(areas > OVERLAP_TOLERANCE_KM2)
    codes = desa["code"].to_numpy()
    return [
        f"desa {codes[left[k]]} and {codes[right[k]]} overlap by {areas[k]:.3f} km2 "
        f"(tolerance {OVERLAP_TOLERANCE_KM2} km2)"
        for k in bad
    ]


def dissolve_kecamatan(desa: gpd.GeoDataFrame, *, region: Region | None = None) -> gpd.GeoDataFrame:
    """Kecamatan polygons dissolved from their desa, so the two layers tile exactly.

    Names and BPS codes are those of `region`'s kecamatan (default Tapanuli Utara).
    """
    reg = default_region(region)
    by_code = reg.kecamatan_by_code
    groups = desa.groupby("kecamatan_code", sort=True)
    rows = []
    for code, part in groups:
        k = by_code[str(code)]
        rows.append(
            {
                "code": code,
                "name": k.name,
                "bps_code": k.bps_code,
                "n_desa": len(part),
                "geometry": shapely.union_all(part.geometry.values),
            }
        )
    kec = gpd.GeoDataFrame(rows, geometry="geometry", crs=desa.crs)
    kec["area_km2"] = area_km2(kec, region=reg)
    return kec[[*KECAMATAN_COLUMNS, "geometry"]]


def dissolve_kabupaten(
    kecamatan: gpd.GeoDataFrame, *, region: Region | None = None
) -> gpd.GeoDataFrame:
    """The regency (`region`, default Tapanuli Utara) as one polygon dissolved from its
    kecamatan, with the region's code, name and BPS code."""
    reg = default_region(region)
    geom = shapely.union_all(kecamatan.geometry.values)
    kab = gpd.GeoDataFrame(
        {
            "code": [reg.code],
            "name": [reg.name],
            "bps_code": [reg.bps_code],
            "n_kecamatan": [len(kecamatan)],
            "n_desa": [int(kecamatan["n_desa"].sum())],
        },
        geometry=[geom],
        crs=kecamatan.crs,
    )
    kab["area_km2"] = area_km2(kab, region=reg)
    return kab


def check_desa_within_kecamatan(
    desa: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame, *, region: Region | None = None
) -> None:
    """Raise unless every desa lies inside the kecamatan its code names (1 m tolerance)."""
    crs = default_region(region).metric_crs
    kec = kecamatan.set_index("code").geometry.to_crs(crs).buffer(1.0)
    metric = desa.geometry.to_crs(crs)
    outside = [
        c
        for c, kc, g in zip(desa["code"], desa["kecamatan_code"], metric, strict=True)
        if kc not in kec.index or not kec[kc].covers(g)
    ]
    if outside:
        msg = f"desa outside the kecamatan their code names: {outside}"
        raise BoundaryValidationError(msg)


def layers_stamp_path(settings: Settings) -> Path:
    """The stamp next to the layers file: its SHA-256 and the signature of what built it."""
    return settings.layers_path.with_name(settings.layers_path.stem + ".stamp.json")


def _inputs_signature() -> str:
    """A hash of what the layers are built from: the raw files' checksums (verified by
    :func:`fetch_raw`), this builder's code, the shipped crosswalk and the region file."""
    parts = [f"{f.name}:{f.sha256}" for f in load_manifest()]
    files = (Path(__file__), CROSSWALK_DESA, DEFAULT_REGION_FILE)
    parts += [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def layers_damage(*, settings: Settings | None = None) -> str | None:
    """Why the layers file cannot be used as it is, or ``None`` when it can.

    The reasons: the file is missing; it has no stamp (an older version or an interrupted
    build wrote it); its SHA-256 is not the one recorded when it was built (truncated, damaged
    or changed since); or what it was built from (raw files, builder, crosswalk) changed.
    """
    s = settings or get_settings()
    path, stamp = s.layers_path, layers_stamp_path(s)
    if not path.is_file():
        return f"{path} is missing"
    try:
        doc = json.loads(stamp.read_text(encoding="utf-8"))
        recorded, inputs = str(doc["sha256"]), str(doc["inputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"{path} has no readable stamp ({stamp.name}) saying what built it"
    actual = pooch.file_hash(str(path), alg="sha256")
    if actual != recorded:
        return (
            f"{path} is damaged or was changed since it was built (SHA-256 {actual[:12]}..., "
            f"the stamp says {recorded[:12]}...)"
        )
    if inputs != _inputs_signature():
        return (
            "the raw files, the layer builder, the crosswalk or the region file changed since "
            "the last build"
        )
    return None


def build_layers(*, settings: Settings | None = None, force: bool = False) -> Path:
    """Fetch the raw files if needed and write the canonical GeoPackage; return its path.

    The GeoPackage (``settings.layers_path``) has layers ``desa`` (252), ``kecamatan`` (15)
    and ``kabupaten`` (1); its stamp (:func:`layers_stamp_path`) records its SHA-256. It is
    rebuilt, with a log line saying why, when :func:`layers_damage` finds a reason (missing,
    damaged or changed file, no stamp, changed inputs), or when `force` is true.
    """
    s = settings or get_settings()
    paths = fetch_raw(settings=s)
    out = s.layers_path
    stamp = layers_stamp_path(s)
    reason = "--force" if force else layers_damage(settings=s)
    if reason is None:
        log.info("layers up to date: %s", out)
        return out
    log.info("building canonical layers from %d files (%s)", len(paths), reason)
    stamp.unlink(missing_ok=True)
    raw = read_raw_desa(paths)
    desa = canonical_desa(raw, reference=load_reference_desa(settings=s))
    desa, kec, kab = finish_layers(desa)
    tmp = out.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    desa[[*DESA_COLUMNS, "geometry"]].to_file(tmp, layer="desa", driver="GPKG")
    kec.to_file(tmp, layer="kecamatan", driver="GPKG")
    kab.to_file(tmp, layer="kabupaten", driver="GPKG")
    doc = {"sha256": pooch.file_hash(str(tmp), alg="sha256"), "inputs": _inputs_signature()}
    tmp.replace(out)
    write_text(json.dumps(doc, indent=1), stamp)
    log.info("wrote %s", out)
    return out


def finish_layers(
    desa: gpd.GeoDataFrame, *, region: Region | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The desa, kecamatan and kabupaten layers from a canonical desa frame of `region`.

    Repairs invalid geometries, validates the desa (:func:`validate_desa`), measures their
    areas in the region's metric CRS, sorts them by code, dissolves the kecamatan and the
    kabupaten and checks that each desa lies in its kecamatan.
    """
    reg = default_region(region)
    desa, _notes = repair_geometries(desa)
    validate_desa(desa, region=reg)
    desa["area_km2"] = area_km2(desa, region=reg)
    desa = desa.sort_values("code").reset_index(drop=True)
    kec = dissolve_kecamatan(desa, region=reg)
    check_desa_within_kecamatan(desa, kec, region=reg)
    return desa, kec, dissolve_kabupaten(kec, region=reg)


def region_layers(
    boundaries: gpd.GeoDataFrame, *, region: Region, code: str = "code"
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The desa, kecamatan and kabupaten layers of `region` from its desa polygons, no download.

    `boundaries` holds one polygon per desa with the desa's code in column `code`; names,
    kinds, kecamatan and BPS codes come from ``region.desa`` (see
    :func:`mapping.areas.region_from_desa` to make a region from the same frame). The layers
    have the columns of the canonical layers (:data:`DESA_COLUMNS`, :data:`KECAMATAN_COLUMNS`)
    in EPSG:4326, areas measured in the region's metric CRS, and are checked like the
    Tapanuli Utara layers (:func:`validate_desa` with the region's expectations).

    Raises
    ------
    BoundaryValidationError
        A column is missing, a code is not one of the region's desa (or a desa of the region
        has no polygon), or a check of :func:`validate_desa` fails; every problem is listed.
    """
    problems: list[str] = []
    if boundaries.crs is None:
        problems.append("the boundaries have no CRS (set it, e.g. .set_crs('EPSG:4326'))")
    if code not in boundaries.columns:
        found = [str(c) for c in boundaries.columns if c != boundaries.geometry.name]
        problems.append(f"column {code!r} (the desa code) not found; found: {found}")
    if problems:
        raise BoundaryValidationError("Cannot build the layers: " + "; ".join(problems) + ".")
    codes = boundaries[code].astype(str).str.strip()
    known = region.desa_by_code
    unknown = sorted(set(codes) - set(known))
    if unknown:
        problems.append(f"codes {unknown[:10]} are not desa of {region.title()}")
    no_polygon = sorted(set(known) - set(codes))
    if no_polygon:
        problems.append(f"desa {no_polygon[:10]} of {region.title()} have no polygon")
    if problems:
        msg = (
            "Cannot build the layers: " + "; ".join(problems) + ". Give one polygon per desa "
            "of the region, with the codes of its definition."
        )
        raise BoundaryValidationError(msg)
    kec_names = {k.code: k.name for k in region.kecamatan}
    desa_list = [known[c] for c in codes]
    desa = gpd.GeoDataFrame(
        {
            "code": codes.to_numpy(),
            "name": [d.name for d in desa_list],
            "kind": [
                d.kind or (desa_kind(d.code) if d.code[-4:-3] in {"1", "2"} else "")
                for d in desa_list
            ],
            "kecamatan_code": [d.kecamatan_code for d in desa_list],
            "kecamatan": [kec_names[d.kecamatan_code] for d in desa_list],
            "bps_code": pd.array([d.bps_code or pd.NA for d in desa_list], dtype="string"),
            "area_km2": 0.0,
        },
        geometry=shapely.force_2d(boundaries.geometry.values),
        crs=boundaries.crs,
    ).to_crs(CRS_STORAGE)
    desa, kec, kab = finish_layers(desa, region=region)
    return desa[[*DESA_COLUMNS, "geometry"]], kec, kab


def region_layers_path(region: Region, *, settings: Settings | None = None) -> Path:
    """Where the layers of `region` are cached: ``<data>/regions/<code>.gpkg`` (``34-90``),
    keyed by the region's code (Tapanuli Utara's are ``settings.layers_path``)."""
    s = settings or get_settings()
    return s.data_dir / "regions" / f"{region.code.replace('.', '-')}.gpkg"


def load_region_layers(
    path: Path,
    *,
    region: Region,
    code: str = "code",
    layer: str | None = None,
    settings: Settings | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The desa, kecamatan and kabupaten layers of `region` from its desa boundaries file.

    `path` is a GeoPackage or GeoJSON of the region's desa (`layer` of a GeoPackage with
    several) whose `code` column holds their Kemendagri codes; the layers are built with
    :func:`region_layers`, no download. They are cached in :func:`region_layers_path` with a
    stamp of the file's SHA-256, the region and `code`, and built again when one changes.

    Raises
    ------
    DataSourceError
        The file is missing or cannot be read as a vector layer.
    BoundaryValidationError
        See :func:`region_layers`.
    """
    path = Path(path)
    try:
        digest = pooch.file_hash(str(path), alg="sha256")
    except OSError as exc:
        msg = f"Boundaries file {path} of {region.title()} not found or unreadable ({exc})."
        raise DataSourceError(msg) from exc
    cached = region_layers_path(region, settings=settings)
    stamp = cached.with_suffix(".stamp.json")
    inputs = hashlib.sha256(f"{digest}\n{region!r}\n{code}\n{layer}".encode()).hexdigest()
    try:
        fresh = json.loads(stamp.read_text(encoding="utf-8"))["inputs"] == inputs
    except (OSError, ValueError, KeyError, TypeError):
        fresh = False
    names = ("desa", "kecamatan", "kabupaten")
    if fresh and cached.is_file():
        desa, kec, kab = (gpd.read_file(cached, layer=n) for n in names)
        return desa, kec, kab
    try:
        boundaries = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises many types
        msg = f"Cannot read boundaries file {path} ({exc}); expected a GeoPackage or GeoJSON."
        raise DataSourceError(msg) from exc
    built = region_layers(boundaries, region=region, code=code)
    cached.parent.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    tmp = cached.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for frame, name in zip(built, names, strict=True):
        frame.to_file(tmp, layer=name, driver="GPKG")
    tmp.replace(cached)
    write_text(json.dumps({"inputs": inputs}, indent=1), stamp)
    log.info("wrote the layers of %s to %s", region.title(), cached)
    return built
