"""Service points (puskesmas, posyandu, user sites) as one validated layer for access analysis.

Every service layer has the columns of :data:`SERVICE_COLUMNS`: an ``id`` unique within the
layer, a ``name``, a ``kind`` (``puskesmas``, ``posyandu``, ``lks``...), a ``capacity`` (how
many units of service the point offers; 1 for one puskesmas, the count for per-desa counts), the
desa and kecamatan it lies in, and whether its location is approximate (``lokasi_perkiraan``)
with a note in Indonesian and English saying why. Points placed at a desa's or kecamatan's
representative point, because the source gives no coordinates, are approximate and every map
and table must say so.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.errors import InputError, Problem, ProblemReport, ValidationFailed
from mapping.names import fold
from mapping.points import read_points
from mapping.readers import is_blank
from mapping.regions import metric_crs_of
from mapping.settings import CRS_STORAGE, Settings

#: Columns of every service layer, in order.
SERVICE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "capacity",
    "desa_code",
    "desa",
    "kecamatan_code",
    "kecamatan",
    "lokasi_perkiraan",
    "location_note_id",
    "location_note_en",
    "geometry",
)

#: The puskesmas table shipped with the package (see ``assets/README.md``).
PUSKESMAS_FILE = "puskesmas-tapanuli-utara.csv"
#: Its required columns.
PUSKESMAS_COLUMNS: tuple[str, ...] = ("puskesmas", "desa_code", "kecamatan_code")
#: Source of the puskesmas list, for captions.
PUSKESMAS_SOURCE = "WebGIS Kabupaten Tapanuli Utara (alamat puskesmas; tanpa koordinat)"


def area_points(areas: gpd.GeoDataFrame, *, id_column: str = "code") -> gpd.GeoSeries:
    """Representative point of each area in its metric CRS, indexed by `id_column`.

    The metric CRS is that of :func:`mapping.regions.metric_crs_of` (the areas' own UTM CRS,
    else the UTM zone of their centre: 47N, EPSG:32647, for Tapanuli Utara).

    The point is shapely's ``representative_point`` computed on the metric geometry: always
    inside the area (unlike the centroid of a crescent-shaped desa), and for a square exactly
    its centre. Access distances start here and approximate service points are placed here,
    so a service placed at a desa is at distance 0 from that desa.

    >>> import shapely
    >>> sq = gpd.GeoDataFrame({"code": ["a"]}, geometry=[shapely.box(0, 0, 2, 2)], crs="EPSG:32647")
    >>> area_points(sq)["a"].wkt
    'POINT (1 1)'
    """
    if areas.crs is None:
        msg = "The areas have no CRS; set it (e.g. areas.set_crs('EPSG:4326')) first."
        raise InputError(msg)
    if id_column not in areas.columns:
        msg = f"Column {id_column!r} not found in the areas; found {list(areas.columns)}."
        raise InputError(msg)
    metric = areas.geometry.to_crs(metric_crs_of(areas))
    points = metric.representative_point()
    points.index = pd.Index(areas[id_column].astype(str), name=id_column)
    return points


def _frame(records: list[dict[str, Any]], geometry: list[Any], crs: Any) -> gpd.GeoDataFrame:
    """A service layer in EPSG:4326 with exactly :data:`SERVICE_COLUMNS`."""
    gdf = gpd.GeoDataFrame(
        pd.DataFrame(records, columns=list(SERVICE_COLUMNS[:-1])), geometry=geometry, crs=crs
    ).to_crs(CRS_STORAGE)
    gdf["capacity"] = gdf["capacity"].astype("float64")
    gdf["lokasi_perkiraan"] = gdf["lokasi_perkiraan"].astype(bool)
    for col in ("id", "name", "kind", "desa_code", "desa", "kecamatan_code", "kecamatan"):
        gdf[col] = gdf[col].astype("string")
    return gdf


def _desa(desa: gpd.GeoDataFrame | None, settings: Settings | None) -> gpd.GeoDataFrame:
    if desa is not None:
        return desa
    from mapping.boundaries import load_desa

    return load_desa(settings=settings)


def read_puskesmas_table() -> pd.DataFrame:
    """The puskesmas table shipped with the package, as text (blank cells are empty strings)."""
    path = resources.files("mapping").joinpath("assets", PUSKESMAS_FILE)
    with path.open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


def puskesmas_points(
    table: pd.DataFrame, desa: gpd.GeoDataFrame, *, file: str = PUSKESMAS_FILE
) -> gpd.GeoDataFrame:
    """Place each puskesmas of `table` at its desa's (else its kecamatan's) representative point.

    `table` has one row per puskesmas with columns ``puskesmas`` (name), ``desa_code`` (blank
    when the source gives no desa) and ``kecamatan_code``. Every point is approximate
    (``lokasi_perkiraan`` True) and its notes say where it was placed. A kecamatan point is
    the representative point of the union of its desa in `desa`. Every problem (missing
    column, blank name, duplicate name, a code that names no area, a desa outside the given
    kecamatan) is collected and raised once as :class:`~mapping.errors.ValidationFailed`.
    """
    missing = [c for c in PUSKESMAS_COLUMNS if c not in table.columns]
    if missing:
        msg = (
            f"Column(s) {missing} not found in {file}; found {list(table.columns)}. The "
            f"puskesmas table needs {list(PUSKESMAS_COLUMNS)} (desa_code may be blank)."
        )
        raise InputError(msg)
    report = ProblemReport()
    by_desa = desa.set_index(desa["code"].astype(str))
    kec_codes = set(desa["kecamatan_code"].astype(str))
    seen: dict[str, int] = {}
    line = 0

    def add(kind: str, message: str, column: str, value: Any, expected: str, fix: str) -> None:
        report.add(Problem(kind, message, file=file, row=line, column=column, value=value,
                           expected=expected, suggestion=fix))  # fmt: skip

    for i, row in enumerate(table.itertuples(index=False)):
        line = i + 2  # the header is line 1
        name = "" if is_blank(row.puskesmas) else str(row.puskesmas).strip()
        d_code = "" if is_blank(row.desa_code) else str(row.desa_code).strip()
        k_code = "" if is_blank(row.kecamatan_code) else str(row.kecamatan_code).strip()

        if not name:
            add("blank-name", "puskesmas has no name", "puskesmas", "", "a name", "fill it in")
        elif fold(name) in seen:
            add(
                "duplicate", f"same name as line {seen[fold(name)]}", "puskesmas", name,
                "one row per puskesmas", "remove the repeated row",
            )  # fmt: skip
        else:
            seen[fold(name)] = line
        if k_code not in kec_codes:
            add(
                "unknown-code", "kecamatan code names no kecamatan", "kecamatan_code", k_code,
                f"one of {sorted(kec_codes)}", "use the Kemendagri code 12.02.KK",
            )  # fmt: skip
        if d_code and d_code not in by_desa.index:
            add(
                "unknown-code", "desa code names no desa", "desa_code", d_code,
                "a Kemendagri desa code of the desa layer (12.02.KK.NNNN)",
                "correct the code or leave it blank (the kecamatan's point is then used)",
            )  # fmt: skip
        elif d_code and k_code in kec_codes and by_desa.at[d_code, "kecamatan_code"] != k_code:
            add(
                "conflict", "desa lies in another kecamatan", "desa_code", d_code,
                f"a desa of kecamatan {k_code}",
                f"the desa is in {by_desa.at[d_code, 'kecamatan_code']}; correct either code",
            )  # fmt: skip
    report.raise_if_errors(context=file)

    desa_pts = area_points(desa)
    kec_needed = sorted({str(k) for k, d in zip(table["kecamatan_code"], table["desa_code"],
                                               strict=True) if is_blank(d)})  # fmt: skip
    kec_pts: dict[str, Any] = {}
    if kec_needed:
        metric = desa.to_crs(desa_pts.crs)
        kec = metric[metric["kecamatan_code"].astype(str).isin(kec_needed)]
        merged = kec.dissolve("kecamatan_code")
        kec_pts = dict(zip(merged.index.astype(str), merged.representative_point(), strict=True))
    kec_names = desa.drop_duplicates("kecamatan_code").set_index("kecamatan_code")["kecamatan"]
    records, geoms = [], []
    for row in table.itertuples(index=False):
        name = str(row.puskesmas).strip()
        d_code = "" if is_blank(row.desa_code) else str(row.desa_code).strip()
        k_code = str(row.kecamatan_code).strip()
        k_name = str(kec_names[k_code])
        if d_code:
            d_name = str(by_desa.at[d_code, "name"])
            geoms.append(desa_pts[d_code])
            note_id = f"Lokasi perkiraan: titik tengah desa {d_name} (sumber tanpa koordinat)"
            note_en = (
                f"Approximate location: representative point of desa {d_name} "
                "(the source gives no coordinates)"
            )
        else:
            d_name = ""
            geoms.append(kec_pts[k_code])
            note_id = (
                f"Lokasi perkiraan: titik tengah Kecamatan {k_name} (desa dan koordinat tidak "
                "disebut sumber)"
            )
            note_en = (
                f"Approximate location: representative point of kecamatan {k_name} (the source "
                "gives neither the desa nor coordinates)"
            )
        records.append(
            {
                "id": fold(name).replace(" ", "-"),
                "name": name,
                "kind": "puskesmas",
                "capacity": 1.0,
                "desa_code": d_code or pd.NA,
                "desa": d_name or pd.NA,
                "kecamatan_code": k_code,
                "kecamatan": k_name,
                "lokasi_perkiraan": True,
                "location_note_id": note_id,
                "location_note_en": note_en,
            }
        )
    return _frame(records, geoms, desa_pts.crs)


def load_puskesmas(
    *, desa: gpd.GeoDataFrame | None = None, settings: Settings | None = None
) -> gpd.GeoDataFrame:
    """The 17 puskesmas of Tapanuli Utara as approximate points in EPSG:4326.

    Names and addresses come from a district web-GIS (probably incomplete: none is listed for
    Pahae Jae or Simangumban) without coordinates. Fourteen are placed at their desa's
    representative point, three (Siatas Barita, Siborong-borong, Garoga: the source names no
    desa) at their kecamatan's; all have ``lokasi_perkiraan`` True and a note saying so, and
    must be labelled "lokasi perkiraan" wherever they are shown
    (``mapping.labels.text("approximate_location", language)``). `desa` defaults to the
    canonical desa layer; the source is :data:`PUSKESMAS_SOURCE`.
    """
    return puskesmas_points(read_puskesmas_table(), _desa(desa, settings))


def services_from_counts(
    counts: pd.Series,
    *,
    kind: str,
    desa: gpd.GeoDataFrame | None = None,
    settings: Settings | None = None,
) -> gpd.GeoDataFrame:
    """One service point per desa with a positive count, at the desa's representative point.

    `counts` is indexed by desa code (e.g. the real ``posyandu`` count of each desa); the
    point's ``capacity`` is the count, so a desa with 3 posyandu offers 3 units of service
    there. A count of 0 gives no point (there is no service in that desa). Codes that name no
    desa, and missing, negative or non-numeric counts, are all reported at once; fill missing
    counts with 0 first if they mean "none". Points are approximate (``lokasi_perkiraan``):
    the count says the service is in the desa, not where.

    >>> import shapely
    >>> sq = gpd.GeoDataFrame(
    ...     {"code": ["a", "b"], "name": ["A", "B"], "kecamatan_code": ["k", "k"],
    ...      "kecamatan": ["K", "K"]},
    ...     geometry=[shapely.box(0, 0, 2, 2), shapely.box(2, 0, 4, 2)], crs="EPSG:32647")
    >>> pts = services_from_counts(pd.Series({"a": 2, "b": 0}), kind="posyandu", desa=sq)
    >>> pts[["id", "capacity", "desa_code"]].to_dict("records")
    [{'id': 'posyandu-a', 'capacity': 2.0, 'desa_code': 'a'}]
    """
    d = _desa(desa, settings)
    by_desa = d.set_index(d["code"].astype(str))
    values = pd.to_numeric(counts, errors="coerce")
    report = ProblemReport()
    where = counts.name if counts.name is not None else "counts"
    for code, raw, value in zip(counts.index.astype(str), counts, values, strict=True):
        if code not in by_desa.index:
            report.add(
                Problem(
                    "unknown-code", "code names no desa", file=str(where), column="index",
                    value=code, expected="a desa code of the desa layer",
                    suggestion="correct the code or drop the row",
                )
            )  # fmt: skip
        elif np.isnan(value) or value < 0:
            report.add(
                Problem(
                    "bad-count", "count is missing, negative or not a number", file=str(where),
                    column=code, value=raw, expected="a count of 0 or more",
                    suggestion="use 0 where the desa has none",
                )
            )  # fmt: skip
    report.raise_if_errors(context=f"the {kind} counts")
    pts = area_points(d)
    records, geoms = [], []
    for code, value in zip(counts.index.astype(str), values, strict=True):
        if value <= 0:
            continue
        row = by_desa.loc[code]
        records.append(
            {
                "id": f"{kind}-{code}",
                "name": f"{kind} {row['name']}",
                "kind": kind,
                "capacity": float(value),
                "desa_code": code,
                "desa": row["name"],
                "kecamatan_code": row["kecamatan_code"],
                "kecamatan": row["kecamatan"],
                "lokasi_perkiraan": True,
                "location_note_id": f"Lokasi perkiraan: titik tengah desa {row['name']} "
                f"({value:g} {kind} di desa ini)",
                "location_note_en": f"Approximate location: representative point of desa "
                f"{row['name']} ({value:g} {kind} in this desa)",
            }
        )
        geoms.append(pts[code])
    return _frame(records, geoms, pts.crs)


def as_services(
    points: gpd.GeoDataFrame,
    *,
    kind: str | None = None,
    kind_column: str | None = None,
    name_column: str | None = None,
    id_column: str | None = None,
    capacity_column: str | None = None,
    desa: gpd.GeoDataFrame | None = None,
    settings: Settings | None = None,
    file: str = "points",
) -> gpd.GeoDataFrame:
    """User-supplied service points (exact coordinates) as a validated service layer.

    The kind is `kind` for every point or read from `kind_column`; names from `name_column`
    (default: the id); ids from `id_column` (default ``{kind}-{row number}``); capacity from
    `capacity_column` (default 1 each). Each point is joined to the desa it lies in. Points
    without a geometry or outside every desa (with the distance to the nearest one), blank
    kinds, duplicate ids and bad capacities are reported together in one
    :class:`~mapping.errors.ValidationFailed`.
    """
    if (kind is None) == (kind_column is None):
        msg = "Pass exactly one of kind= (one kind for every point) or kind_column=."
        raise InputError(msg)
    wanted = [c for c in (kind_column, name_column, id_column, capacity_column) if c]
    missing = [c for c in wanted if c not in points.columns]
    if missing:
        msg = f"Column(s) {missing} not found in {file}; found {list(points.columns)}."
        raise InputError(msg)
    if points.crs is None:
        msg = f"The points of {file} have no CRS; set it (e.g. .set_crs('EPSG:4326'))."
        raise InputError(msg)
    d = _desa(desa, settings)
    crs = metric_crs_of(d)
    pts = points.reset_index(drop=True).to_crs(crs)
    rows = pts["source_row"].tolist() if "source_row" in pts else list(range(1, len(pts) + 1))
    metric_desa = d.to_crs(crs).reset_index(drop=True)
    hits = gpd.sjoin(pts[["geometry"]], metric_desa, how="left", predicate="intersects")
    hits = hits[~hits.index.duplicated(keep="first")]
    report = ProblemReport()
    kinds = [kind] * len(pts) if kind is not None else list(pts[str(kind_column)])
    ids = (
        [str(v).strip() for v in pts[id_column]]
        if id_column
        else [f"{k}-{r}" for k, r in zip(kinds, rows, strict=True)]
    )
    caps = (
        pd.to_numeric(pts[capacity_column], errors="coerce")
        if capacity_column
        else pd.Series(1.0, index=pts.index)
    )
    seen: dict[str, int] = {}
    records, geoms = [], []
    row = 0

    def add(kind_: str, message: str, column: str, value: Any, expected: str, fix: str) -> None:
        report.add(Problem(kind_, message, file=file, row=row, column=column, value=value,
                           expected=expected, suggestion=fix))  # fmt: skip

    for i, geom in enumerate(pts.geometry):
        row = int(rows[i])
        n_problems = len(report)

        code = hits.at[i, "code"] if i in hits.index else None
        if geom is None or geom.is_empty:
            add("bad-point", "point has no coordinates", "geometry", "(empty)",
                "a point in a desa", "fill in the coordinates")  # fmt: skip
        elif code is None or pd.isna(code):
            dist = metric_desa.distance(geom)
            near = dist.idxmin()
            geo = gpd.GeoSeries([geom], crs=crs).to_crs(CRS_STORAGE).iloc[0]
            add(
                "outside", "point lies outside every desa", "geometry",
                f"lat {geo.y:.5f}, lon {geo.x:.5f}", "a point in a desa",
                f"nearest desa {metric_desa.at[near, 'name']} ({metric_desa.at[near, 'code']}), "
                f"{dist[near] / 1000:.1f} km away",
            )  # fmt: skip
        if is_blank(kinds[i]):
            add("blank-kind", "point has no kind", str(kind_column), "", "a kind such as 'lks'",
                "fill in the kind of service")  # fmt: skip
        if not ids[i] or ids[i] in seen:
            repeats = f"id is blank or repeats row {seen.get(ids[i], '')}"
            add("duplicate", repeats, id_column or "id", ids[i], "a unique id per point",
                "give each point its own id")  # fmt: skip
        seen.setdefault(ids[i], row)
        if np.isnan(caps.iloc[i]) or caps.iloc[i] < 0:
            add("bad-capacity", "capacity is missing, negative or not a number",
                str(capacity_column), pts.at[i, capacity_column] if capacity_column else "",
                "a number of 0 or more", "fill in the capacity (1 for one site)")  # fmt: skip
        if len(report) > n_problems:
            continue
        name_value = pts.at[i, name_column] if name_column else None
        records.append(
            {
                "id": ids[i],
                "name": ids[i] if name_value is None or is_blank(name_value) else str(name_value),
                "kind": str(kinds[i]).strip(),
                "capacity": float(caps.iloc[i]),
                "desa_code": code,
                "desa": hits.at[i, "name"],
                "kecamatan_code": hits.at[i, "kecamatan_code"],
                "kecamatan": hits.at[i, "kecamatan"],
                "lokasi_perkiraan": False,
                "location_note_id": f"Koordinat dari {file}",
                "location_note_en": f"Coordinates from {file}",
            }
        )
        geoms.append(geom)
    report.raise_if_errors(context=file)
    return _frame(records, geoms, crs)


def read_services(
    path: Path | str,
    *,
    kind: str | None = None,
    kind_column: str | None = None,
    name_column: str | None = None,
    id_column: str | None = None,
    capacity_column: str | None = None,
    lat: str | None = None,
    lon: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    desa: gpd.GeoDataFrame | None = None,
    settings: Settings | None = None,
) -> gpd.GeoDataFrame:
    """Service points from a CSV/XLSX (lat/lon columns) or GeoJSON/GPKG file, validated.

    Reads with :func:`mapping.points.read_points`, then :func:`as_services`; any problem of
    either (bad coordinates, points outside the regency, ...) is raised at once.
    """
    pts, report = read_points(path, lat=lat, lon=lon, layer=layer, sheet=sheet)
    name = Path(path).name
    if report.errors:
        raise ValidationFailed(report.errors, context=name)
    return as_services(
        pts,
        kind=kind,
        kind_column=kind_column,
        name_column=name_column,
        id_column=id_column,
        capacity_column=capacity_column,
        desa=desa,
        settings=settings,
        file=name,
    )
