"""Sites and their area of influence: which desa lie within R km of a site or in listed kecamatan.

Sites are ``NAME=LAT,LON`` strings or :class:`Site` objects; by default the Sarulla geothermal
plant's units at stand-in points (:func:`default_sites`), or the sites of another region's
definition (:attr:`mapping.regions.Region.sites`). The distance from a site to a desa is the
distance to the desa polygon (0 when the site is inside it), measured in the region's metric
CRS (UTM 47N for Tapanuli Utara).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from mapping.datasets import SARULLA_POINT, sarulla_sites
from mapping.errors import InputError
from mapping.gazetteer import Gazetteer
from mapping.labels import check_language
from mapping.regions import Region, default_region, metric_crs_of, tapanuli_utara
from mapping.settings import CRS_STORAGE

#: Radius of the area of influence when neither a radius nor kecamatan are given, km.
DEFAULT_RADIUS_KM = 15.0
#: A site may lie this far outside the regency's outline (slivers between desa polygons), km.
SITE_TOLERANCE_KM = 0.1

STAND_IN_NOTE = {
    "id": "lokasi pengganti, bukan lokasi pembangkit",
    "en": "stand-in location, not the plant site",
}

# --- sites ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One site (a plant, a programme office): a name and a point in decimal degrees.

    ``stand_in`` marks a point that stands in for an unknown true location; ``note`` says what
    it stands for (shown in tables and maps).
    """

    name: str
    lat: float
    lon: float
    stand_in: bool = False
    note: str = ""

    @property
    def point(self) -> shapely.Point:
        """The site as a shapely point (x = longitude, y = latitude)."""
        return shapely.Point(self.lon, self.lat)


_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_SITE_RE = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*$")
_SITE_EXAMPLE = "Silangkitang=1.8395,99.0992"


def parse_site(text: str) -> Site:
    """A site from ``NAME=LAT,LON`` (decimal degrees, latitude first).

    >>> parse_site("Unit 1 = 1.8395, 99.0992")
    Site(name='Unit 1', lat=1.8395, lon=99.0992, stand_in=False, note='')

    Raises :class:`~mapping.errors.InputError` for bad syntax, a latitude or longitude out of
    range, and latitude and longitude given the wrong way round.
    """
    name, sep, coords = str(text).rpartition("=")
    name = name.strip()
    m = _SITE_RE.match(coords)
    if not sep or not name or m is None:
        msg = (
            f"site {text!r} cannot be read; expected NAME=LAT,LON in decimal degrees "
            f"(latitude first), e.g. {_SITE_EXAMPLE!r}."
        )
        raise InputError(msg)
    lat, lon = float(m.group(1)), float(m.group(2))
    if not -90 <= lat <= 90:
        swap = (
            " Latitude and longitude look swapped: write the latitude first."
            if -90 <= lon <= 90 and -180 <= lat <= 180
            else ""
        )
        msg = (
            f"site {name!r}: latitude {lat} is outside -90..90; expected NAME=LAT,LON, "
            f"e.g. {_SITE_EXAMPLE!r}.{swap}"
        )
        raise InputError(msg)
    if not -180 <= lon <= 180:
        msg = f"site {name!r}: longitude {lon} is outside -180..180; expected NAME=LAT,LON."
        raise InputError(msg)
    return Site(name, lat, lon)


def parse_sites(items: Sequence[Site | str]) -> list[Site]:
    """Sites from :class:`Site` objects or ``NAME=LAT,LON`` strings; names must be unique."""
    sites = [s if isinstance(s, Site) else parse_site(s) for s in items]
    names = [s.name for s in sites]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        msg = f"site names must be unique; {dupes} given more than once. Rename one of them."
        raise InputError(msg)
    if not sites:
        msg = "no site given; pass at least one NAME=LAT,LON (or none for the default sites)."
        raise InputError(msg)
    return sites


def default_sites(
    desa: gpd.GeoDataFrame, *, language: str = "id", region: Region | None = None
) -> list[Site]:
    """The default sites of `region`: its definition's ``sites``, and for Tapanuli Utara (the
    default) the Sarulla geothermal plant's units at stand-in points (no plant coordinates
    exist):

    - Unit 1 at Silangkitang (Pahae Jae, desa 12.02.06.2004): the centre of the desa
      (:data:`mapping.datasets.SARULLA_POINT`).
    - Units 2-3 at Namora-I-Langit (Pahae Julu), which is not a desa in any source: the
      representative point of the nearest Pahae Julu desa
      (:func:`mapping.datasets.sarulla_sites`, Sitolu Ama).

    Both are labelled "lokasi pengganti, bukan lokasi pembangkit". A region without sites
    raises :class:`~mapping.errors.InputError` (pass the sites instead).
    """
    lang = check_language(language)
    reg = default_region(region)
    if reg.sites:
        return parse_sites(reg.sites)
    if reg.code != tapanuli_utara().code:
        msg = (
            f"{reg.title()} has no default sites; pass sites as NAME=LAT,LON (e.g. "
            f"{_SITE_EXAMPLE!r}) or add them to the region's definition (sites=...)."
        )
        raise InputError(msg)
    codes = sarulla_sites(desa)
    by_code = desa.set_index("code")
    julu = by_code.loc[codes["namora_i_langit"]]
    julu_pt = gpd.GeoSeries([julu.geometry], crs=desa.crs).to_crs(metric_crs_of(desa))
    pt = julu_pt.representative_point().to_crs(CRS_STORAGE).iloc[0]
    note = STAND_IN_NOTE[lang]
    return [
        Site(
            "PLTP Sarulla unit 1 (Silangkitang)",
            SARULLA_POINT[1],
            SARULLA_POINT[0],
            stand_in=True,
            note=f"{note}: pusat Desa Silangkitang"
            if lang == "id"
            else f"{note}: centre of Desa Silangkitang",
        ),
        Site(
            "PLTP Sarulla unit 2-3 (Namora-I-Langit)",
            round(pt.y, 5),
            round(pt.x, 5),
            stand_in=True,
            note=(
                f"{note}: Desa {julu['name']}, desa Pahae Julu terdekat"
                if lang == "id"
                else f"{note}: Desa {julu['name']}, the nearest Pahae Julu desa"
            ),
        ),
    ]


def sites_frame(sites: Sequence[Site]) -> gpd.GeoDataFrame:
    """The sites as points in EPSG:4326 with name, lat, lon, stand_in and note."""
    return gpd.GeoDataFrame(
        {
            "name": [s.name for s in sites],
            "lat": [s.lat for s in sites],
            "lon": [s.lon for s in sites],
            "stand_in": [s.stand_in for s in sites],
            "note": [s.note for s in sites],
        },
        geometry=[s.point for s in sites],
        crs=CRS_STORAGE,
    )


# --- area of influence ------------------------------------------------------------------------


def area_of_influence(
    desa: gpd.GeoDataFrame,
    sites: Sequence[Site | str] | None = None,
    *,
    radius_km: float | None = None,
    kecamatan: Sequence[str] | None = None,
    how: Literal["union", "intersection"] = "union",
    regency: BaseGeometry | None = None,
    region: Region | None = None,
) -> gpd.GeoDataFrame:
    """`desa` with each desa's distance to the nearest site and whether it is in the area.

    The distance from a site to a desa is the distance to the desa polygon (0 when the site is
    inside it), measured in `region`'s metric CRS (default: the UTM zone of `desa`, 47N for
    Tapanuli Utara). A desa is in the area of influence when it is within
    `radius_km` of any site and/or lies in one of the listed `kecamatan` (names matched like
    people type them: "Pahae Jae", "pahae-jae", "Kec. Pahae Jae"); ``how="union"`` takes
    either, ``"intersection"`` both. With neither a radius nor kecamatan, the radius is
    :data:`DEFAULT_RADIUS_KM`.

    Parameters
    ----------
    desa
        Desa polygons with ``code`` and ``kecamatan_code`` (any CRS).
    sites
        :class:`Site` objects or ``NAME=LAT,LON`` strings; default :func:`default_sites`.
    regency
        The outline sites must lie in (EPSG:4326); default the union of `desa`.
    region
        The region of `desa` (default Tapanuli Utara): its kecamatan names, default sites
        and name in messages.

    Returns
    -------
    A copy of `desa` with ``distance_km`` (to the nearest site), ``nearest_site`` (its name)
    and ``in_area`` (bool).

    Raises
    ------
    InputError
        A site outside the regency (saying how far), a negative radius, an unknown kecamatan,
        or an area of influence that holds no desa. Every problem is listed in one message.
    """
    site_list = parse_sites(sites) if sites is not None else default_sites(desa, region=region)
    if kecamatan is not None and isinstance(kecamatan, str):
        kecamatan = [kecamatan]
    if how not in ("union", "intersection"):
        msg = f"how={how!r} is not supported; expected 'union' or 'intersection'."
        raise InputError(msg)
    problems: list[str] = []
    if radius_km is not None and not (math.isfinite(radius_km) and radius_km >= 0):
        problems.append(
            f"radius_km={radius_km:g} is not allowed; expected a distance of 0 km or more."
        )
    kec_codes = _kecamatan_codes(kecamatan, problems, region=region) if kecamatan else None
    metric = desa.to_crs(metric_crs_of(desa, region=region))
    site_pts = gpd.GeoSeries([s.point for s in site_list], crs=CRS_STORAGE).to_crs(metric.crs)
    dist = np.column_stack([metric.geometry.distance(p).to_numpy() / 1000 for p in site_pts])
    if regency is None:  # the distance to a union is the least distance to its parts
        outside = dist.min(axis=0)
    else:
        outline = gpd.GeoSeries([regency], crs=CRS_STORAGE).to_crs(metric.crs).iloc[0]
        outside = site_pts.distance(outline).to_numpy() / 1000
    problems += _sites_outside(site_list, outside, region=default_region(region))
    if problems:
        raise InputError("\n".join(problems))

    nearest = dist.argmin(axis=1)
    out = desa.copy()
    out["distance_km"] = dist[np.arange(len(out)), nearest]
    out["nearest_site"] = [site_list[i].name for i in nearest]
    if radius_km is None and kec_codes is None:
        radius_km = DEFAULT_RADIUS_KM
    parts = []
    if radius_km is not None:
        parts.append(out["distance_km"].to_numpy() <= radius_km)
    if kec_codes is not None:
        parts.append(out["kecamatan_code"].astype(str).isin(kec_codes).to_numpy())
    inside = np.logical_or.reduce(parts) if how == "union" else np.logical_and.reduce(parts)
    out["in_area"] = inside
    if not inside.any():
        raise InputError(_empty_message(out, site_list, radius_km, kecamatan, kec_codes, how))
    return out


def _empty_message(
    out: gpd.GeoDataFrame,
    sites: Sequence[Site],
    radius_km: float | None,
    kecamatan: Sequence[str] | None,
    kec_codes: set[str] | None,
    how: str,
) -> str:
    """Why the area of influence holds no desa, and how far the nearest candidate is."""
    what = []
    if radius_km is not None:
        what.append(f"within {radius_km:g} km of {[s.name for s in sites]}")
    if kecamatan:
        what.append(f"in kecamatan {list(kecamatan)}")
    joined = (" and " if how == "intersection" else " or ").join(what)
    pool = out["distance_km"]
    where = "desa"
    if kec_codes is not None:
        pool = pool[out["kecamatan_code"].astype(str).isin(kec_codes)]
        where = "desa of those kecamatan"
    nearest = (
        f"the nearest {where} is {pool.min():.1f} km from a site"
        if len(pool)
        else "the desa table has no desa in those kecamatan"
    )
    return (
        f"the area of influence holds no desa (none {joined}); {nearest}. Widen radius_km or "
        "list other kecamatan."
    )


def _kecamatan_codes(
    names: Sequence[str], problems: list[str], *, region: Region | None
) -> set[str]:
    """Kecamatan codes of `names` in `region`; unknown names are added to `problems`."""
    gz = (
        Gazetteer.load("kecamatan")
        if region is None
        else Gazetteer.from_region(region, level="kecamatan")
    )
    codes = set()
    allowed = sorted(a.name for a in gz.areas.values())
    for name in names:
        m = gz.match_one(name, code=name)
        if m.taken:
            codes.add(m.code)
            continue
        hint = (
            f" Did you mean {' or '.join(repr(a.name) for a in m.candidates[:2])}?"
            if m.candidates and m.score >= 60
            else ""
        )
        problems.append(
            f"kecamatan {name!r} is not a kecamatan of {gz.region}; expected one of "
            f"{allowed}.{hint}"
        )
    return codes


def _sites_outside(sites: Sequence[Site], outside_km: np.ndarray, *, region: Region) -> list[str]:
    """One problem line per site that lies more than the tolerance outside the regency."""
    problems = []
    for site, km in zip(sites, outside_km, strict=True):
        if km <= SITE_TOLERANCE_KM:
            continue
        problems.append(
            f"site {site.name!r} ({site.lat}, {site.lon}) is {km:,.1f} km outside "
            f"{region.title()}; expected a point inside the regency (NAME=LAT,LON, decimal "
            f"degrees, e.g. {_SITE_EXAMPLE!r})."
        )
    return problems
