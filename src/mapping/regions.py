"""The region mapped, as data: codes, kecamatan, desa crosswalk, metric CRS, expected size, texts.

Everything specific to one kabupaten/kota lives in a :class:`Region`. The default region,
Kabupaten Tapanuli Utara (:func:`tapanuli_utara`), is read from package data: the region file
``reference/region-tapanuli-utara.json`` and the shipped code/name crosswalks. Another region is
made from its desa boundaries or from a table of areas (:func:`mapping.areas.region_from_desa`,
:func:`mapping.areas.region_from_areas`), or read from a region file: a small JSON file naming
a CSV table of its desa (:func:`mapping.areas.read_region`) or crosswalks (:func:`load_region`).

Areas and distances are measured in the region's metric CRS: the one its definition names, or
else the WGS 84 / UTM zone of its centre (:func:`utm_crs`). Functions given only a frame use
:func:`metric_crs_of`, which picks the UTM zone of the frame's own centre, so they measure any
region correctly without being told which one it is.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

#: Package data folder (region files and crosswalks); also ``mapping.data.PACKAGE_REFERENCE``.
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
#: The region file of the default region.
DEFAULT_REGION_FILE = REFERENCE_DIR / "region-tapanuli-utara.json"
#: Kinds of second-level region (kabupaten or kota) and their English names.
REGION_KINDS: Mapping[str, str] = {"Kabupaten": "Regency", "Kota": "City"}


class RegionError(ValueError):
    """A region definition is incomplete or inconsistent (subclass of ``ValueError``)."""


@dataclass(frozen=True)
class Kecamatan:
    """One kecamatan: Kemendagri code, BPS code, official (Kemendagri 2025) and BIG spellings.

    ``bps_code`` may be empty and ``name_big`` equal to ``name`` for a region without them.
    """

    code: str
    bps_code: str
    name: str
    name_big: str


@dataclass(frozen=True)
class Desa:
    """One desa/kelurahan of a region's crosswalk: its codes, name and other spellings.

    ``kind`` is ``"desa"``, ``"kelurahan"`` or empty when unknown; ``aliases`` are other
    spellings of the name (BPS, BIG...) that the gazetteer accepts.
    """

    code: str
    name: str
    kecamatan_code: str
    bps_code: str = ""
    kind: str = ""
    aliases: tuple[str, ...] = ()


def utm_crs(lon: float, lat: float) -> str:
    """The WGS 84 / UTM zone CRS of a point: EPSG:326zz north of the equator, 327zz south.

    The zone is ``floor((lon + 180) / 6) + 1`` (1-60; longitude 180 falls in zone 60).

    >>> utm_crs(99.07, 2.0)  # Tapanuli Utara
    'EPSG:32647'
    >>> utm_crs(110.4, -7.8)  # Yogyakarta
    'EPSG:32749'
    >>> utm_crs(-180.0, 10.0), utm_crs(180.0, 10.0), utm_crs(0.0, 0.0)
    ('EPSG:32601', 'EPSG:32660', 'EPSG:32631')
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon + lat):
        msg = (
            f"({lon}, {lat}) is not a longitude/latitude in degrees; expected lon in -180..180 "
            "and lat in -90..90 (longitude first)."
        )
        raise RegionError(msg)
    zone = min(int(math.floor((lon + 180) / 6)) + 1, 60)
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


@dataclass(frozen=True)
class Region:
    """One kabupaten or kota: what the library needs to know about it, as data.

    Attributes
    ----------
    code
        Kemendagri code of the region (``"12.02"``); desa codes are ``<code>.KK.NNNN``.
    name
        Its name without the kind (``"Tapanuli Utara"``).
    kecamatan
        Its kecamatan, in code order.
    desa
        Its desa crosswalk (codes, names, other spellings); may be empty when the names come
        from the boundary layer only.
    bps_code
        BPS code of the region (``"1205"``), empty when unknown.
    kind
        ``"Kabupaten"`` or ``"Kota"``, used in titles (:meth:`title`).
    crs
        Metric CRS for areas, distances and buffers; ``None`` (the usual case) means the UTM
        zone of `centre` (:attr:`metric_crs`).
    centre
        ``(lon, lat)`` of the region's centre in decimal degrees.
    expected_area_km2, expected_n_desa, expected_n_kecamatan
        What the boundary layers must add up to (checked when building them); ``None`` skips
        a check.
    population
        Its population (census), for the plausibility limit of counts
        (:attr:`max_plausible_count`); ``None`` when unknown.
    sites
        Default sites of the area-of-influence analysis, as ``"NAME=LAT,LON"`` strings
        (:func:`mapping.influence.parse_site`); empty when the region has none.
    source
        Where the region's boundaries come from, for map captions and reports.
    """

    code: str
    name: str
    kecamatan: tuple[Kecamatan, ...]
    desa: tuple[Desa, ...] = ()
    bps_code: str = ""
    kind: str = "Kabupaten"
    crs: str | None = None
    centre: tuple[float, float] | None = None
    expected_area_km2: float | None = None
    expected_n_desa: int | None = None
    expected_n_kecamatan: int | None = None
    population: int | None = None
    sites: tuple[str, ...] = ()
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        problems = []
        if not self.code or not self.name:
            problems.append(f"code {self.code!r} and name {self.name!r} must both be given")
        if self.kind not in REGION_KINDS:
            problems.append(f"kind {self.kind!r} is not one of {list(REGION_KINDS)}")
        if not self.kecamatan:
            problems.append("it has no kecamatan")
        kec_codes = Counter(k.code for k in self.kecamatan)
        for what, codes in (("kecamatan", kec_codes), ("desa", Counter(d.code for d in self.desa))):
            dup = sorted(c for c, n in codes.items() if n > 1)
            if dup:
                problems.append(f"{what} codes {dup[:10]} appear more than once")
        orphans = sorted({d.kecamatan_code for d in self.desa} - set(kec_codes))
        if orphans:
            problems.append(f"desa lie in kecamatan {orphans[:10]} that are not in its list")
        if self.crs is None and self.centre is None:
            problems.append("neither its metric CRS nor its centre is given")
        if problems:
            msg = (
                f"Region {self.name or self.code!r} is not usable: "
                + "; ".join(problems)
                + ". Fix the region definition (its file or the arguments that built it)."
            )
            raise RegionError(msg)

    @property
    def metric_crs(self) -> str:
        """The CRS areas and distances are measured in: `crs`, else the UTM zone of `centre`.

        >>> tapanuli_utara().metric_crs
        'EPSG:32647'
        """
        if self.crs is not None:
            return self.crs
        assert self.centre is not None  # checked in __post_init__
        return utm_crs(*self.centre)

    @property
    def max_plausible_count(self) -> int | None:
        """The largest plausible count of one row: 1.25 x the population, rounded up to
        100,000 (no desa, kecamatan or the whole region counts more people); None when the
        population is unknown.

        >>> tapanuli_utara().population, tapanuli_utara().max_plausible_count
        (312000, 400000)
        """
        if self.population is None:
            return None
        return math.ceil(self.population * 1.25 / 100_000) * 100_000

    def title(self, language: str = "id") -> str:
        """The region's display name: ``Kabupaten Tapanuli Utara`` (``id``) or
        ``Tapanuli Utara Regency`` (``en``).

        >>> tapanuli_utara().title(), tapanuli_utara().title("en")
        ('Kabupaten Tapanuli Utara', 'Tapanuli Utara Regency')
        """
        if language == "en":
            return f"{self.name} {REGION_KINDS[self.kind]}"
        return f"{self.kind} {self.name}"

    @property
    def kecamatan_by_code(self) -> dict[str, Kecamatan]:
        """The kecamatan keyed by Kemendagri code."""
        return {k.code: k for k in self.kecamatan}

    @property
    def desa_by_code(self) -> dict[str, Desa]:
        """The desa of the crosswalk keyed by code."""
        return {d.code: d for d in self.desa}

    @property
    def desa_code_pattern(self) -> str:
        """A regular expression of the region's Kemendagri desa codes (``12\\.02\\.\\d{2}...``)."""
        return rf"{_escape(self.code)}\.\d{{2}}\.[12]\d{{3}}"


def _escape(code: str) -> str:
    return code.replace(".", r"\.")


# --- region files -----------------------------------------------------------------------------


def _read_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError as exc:
        msg = f"Crosswalk {path} named by a region file not found; check the file name."
        raise RegionError(msg) from exc


def _spellings(row: Mapping[str, str], columns: tuple[str, ...], main: str) -> tuple[str, ...]:
    return tuple(sorted({row[c].strip() for c in columns if row.get(c, "").strip()} - {main}))


def kecamatan_from_crosswalk(rows: list[dict[str, str]]) -> tuple[Kecamatan, ...]:
    """Kecamatan from the rows of a kecamatan crosswalk (``kode-wilayah-kecamatan.csv``)."""
    return tuple(
        Kecamatan(
            r["kemendagri_code"],
            r.get("bps_code_2018", ""),
            r["name_kemendagri_2025"],
            r.get("name_big_wadmkc") or r["name_kemendagri_2025"],
        )
        for r in sorted(rows, key=lambda r: r["kemendagri_code"])
    )


def desa_from_crosswalk(rows: list[dict[str, str]]) -> tuple[Desa, ...]:
    """Desa from the rows of a desa crosswalk (``kode-wilayah-desa.csv``), all spellings kept."""
    other = ("desa_bps_2018", "desa_big_namobj", "desa_big_wadmkd")
    return tuple(
        Desa(
            code=r["kemendagri_code"],
            name=r["desa_kemendagri_2025"],
            kecamatan_code=r["kecamatan_code"],
            bps_code=r.get("bps_code_2018", ""),
            kind=r.get("kind", ""),
            aliases=_spellings(r, other, r["desa_kemendagri_2025"]),
        )
        for r in sorted(rows, key=lambda r: r["kemendagri_code"])
    )


#: Keys of a region file besides the region's kecamatan and desa (see :func:`load_region`).
REGION_FILE_KEYS: tuple[str, ...] = (
    "code", "name", "kind", "bps_code", "crs", "centre", "expected_area_km2", "expected_n_desa",
    "expected_n_kecamatan", "population", "sites", "source",
)  # fmt: skip


def read_region_file(path: Path) -> dict[str, Any]:
    """The JSON document of a region file, checked for ``code`` and ``name``."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        msg = f"Cannot read region file {path} ({type(exc).__name__}: {exc}); expected JSON."
        raise RegionError(msg) from exc
    if not isinstance(doc, dict):
        msg = f"Region file {path} holds a {type(doc).__name__}; expected a JSON object."
        raise RegionError(msg)
    missing = [k for k in ("code", "name") if k not in doc]
    unknown = sorted(set(doc) - {*REGION_FILE_KEYS, "kecamatan_crosswalk", "desa_crosswalk",
                                 "areas"})  # fmt: skip
    if missing or unknown:
        msg = (
            f"Region file {path} lacks key(s) {missing} or has unknown key(s) {unknown}; "
            f"expected {list(REGION_FILE_KEYS)} and either 'areas' or 'kecamatan_crosswalk'."
        )
        raise RegionError(msg)
    return doc


def region_options(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The :class:`Region` arguments a region file gives besides its kecamatan and desa."""
    centre = doc.get("centre")
    return {
        "code": str(doc["code"]),
        "name": str(doc["name"]),
        "bps_code": str(doc.get("bps_code", "")),
        "kind": str(doc.get("kind", "Kabupaten")),
        "crs": doc.get("crs"),
        "centre": (float(centre[0]), float(centre[1])) if centre else None,
        "expected_area_km2": doc.get("expected_area_km2"),
        "population": int(doc["population"]) if doc.get("population") is not None else None,
        "sites": tuple(doc.get("sites", ())),
        "source": str(doc.get("source", "")),
    }


def load_region(path: Path) -> Region:
    """A region from a JSON region file naming its crosswalks (relative to the file).

    Keys: :data:`REGION_FILE_KEYS` (``code`` and ``name`` required; ``crs`` null or absent
    means the UTM zone of ``centre`` ``[lon, lat]``; ``sites`` are ``NAME=LAT,LON`` strings),
    ``kecamatan_crosswalk`` and ``desa_crosswalk`` (CSV files with the columns of
    :data:`mapping.data.KECAMATAN_CROSSWALK_COLUMNS` and
    :data:`mapping.data.DESA_CROSSWALK_COLUMNS`, as for Tapanuli Utara). A region file with a
    plain table of areas (``areas``) is read by :func:`mapping.areas.read_region`.
    """
    path = Path(path)
    doc = read_region_file(path)
    if "kecamatan_crosswalk" not in doc:
        msg = (
            f"Region file {path} names no 'kecamatan_crosswalk'; a region file with 'areas' is "
            "read with mapping.areas.read_region."
        )
        raise RegionError(msg)
    desa_file = doc.get("desa_crosswalk")
    return Region(
        kecamatan=kecamatan_from_crosswalk(_read_rows(path.parent / doc["kecamatan_crosswalk"])),
        desa=desa_from_crosswalk(_read_rows(path.parent / desa_file)) if desa_file else (),
        expected_n_desa=doc.get("expected_n_desa"),
        expected_n_kecamatan=doc.get("expected_n_kecamatan"),
        **region_options(doc),
    )


@lru_cache(maxsize=1)
def tapanuli_utara() -> Region:
    """Kabupaten Tapanuli Utara (the default region), from the package's region file."""
    return load_region(DEFAULT_REGION_FILE)


def default_region(region: Region | None = None) -> Region:
    """`region`, or Tapanuli Utara when it is None (how functions resolve ``region=None``)."""
    return tapanuli_utara() if region is None else region


# --- the metric CRS of data -------------------------------------------------------------------


def metric_crs_of(data: gpd.GeoDataFrame | gpd.GeoSeries, *, region: Region | None = None) -> str:
    """The metric CRS to measure `data` in.

    `region`'s :attr:`Region.metric_crs` when a region is given; else `data`'s own CRS when it
    is already a UTM zone; else the UTM zone of the centre of `data`'s bounds
    (:func:`utm_crs`). Empty data gets the default region's CRS (nothing to measure).

    >>> import geopandas as gpd, shapely
    >>> yogya = gpd.GeoSeries([shapely.box(110.3, -7.9, 110.5, -7.7)], crs="EPSG:4326")
    >>> metric_crs_of(yogya), metric_crs_of(yogya.to_crs("EPSG:32749"))
    ('EPSG:32749', 'EPSG:32749')
    """
    if region is not None:
        return region.metric_crs
    crs = data.crs
    if crs is None:
        msg = "The data has no CRS; set it (e.g. gdf.set_crs('EPSG:4326')) before measuring it."
        raise RegionError(msg)
    if crs.utm_zone is not None:
        epsg = crs.to_epsg()
        return f"EPSG:{epsg}" if epsg else str(crs.to_wkt())
    minx, miny, maxx, maxy = data.total_bounds
    if any(math.isnan(v) for v in (minx, miny, maxx, maxy)):
        return tapanuli_utara().metric_crs
    x, y = (minx + maxx) / 2, (miny + maxy) / 2
    if not crs.is_geographic or crs.to_epsg() != 4326:
        import pyproj

        to_wgs84 = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        x, y = to_wgs84.transform(x, y)
    return utm_crs(float(x), float(y))


# --- the default region's constants (kept for existing callers) -------------------------------

#: Kemendagri code, BPS code, Kemendagri 2025 spelling, BIG (``WADMKC``) spelling.
KECAMATAN: tuple[Kecamatan, ...] = tapanuli_utara().kecamatan
KECAMATAN_BY_CODE: dict[str, Kecamatan] = {k.code: k for k in KECAMATAN}
KECAMATAN_BY_BPS: dict[str, Kecamatan] = {k.bps_code: k for k in KECAMATAN}
