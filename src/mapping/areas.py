"""Tables of areas (code, name, parent): fetching, reading and checking them; regions from them.

A table of areas is what a gazetteer is built from when the region is not Tapanuli Utara: for
example the Kepmendagri list of about 83,000 desa under 7,300 kecamatan. Each row is one area
with its code, its name, the code and name of the area it lies in, and optional other spellings.
A table of areas, or a desa boundary layer with name and code columns, also defines a whole
region (:func:`region_from_areas`, :func:`region_from_desa`).
"""

from __future__ import annotations

import logging
import math
import shutil
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pooch

from mapping.errors import ChecksumError, DataSourceError, InputError, Problem, ValidationFailed
from mapping.regions import (
    Desa,
    Kecamatan,
    Region,
    load_region,
    read_region_file,
    region_options,
)
from mapping.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: Columns of a table of areas; ``aliases`` (other spellings, ``;``-separated) is optional.
AREA_COLUMNS: list[str] = ["code", "name", "parent_code", "parent", "aliases"]
REQUIRED_COLUMNS: list[str] = ["code", "name", "parent_code", "parent"]
#: Separator of several spellings in the ``aliases`` column.
ALIAS_SEPARATOR = ";"


def validate_areas(table: pd.DataFrame, *, source: str = "") -> pd.DataFrame:
    """The table of areas checked and made canonical; every problem is raised at once.

    Checks: the required columns exist, no code or name is blank, no code appears twice, and
    a parent code always carries the same parent name. Rows are named by their 1-based data
    row. ``aliases`` becomes a tuple of spellings (empty when the column is missing).

    Raises
    ------
    ValidationFailed
        With one problem per missing column, blank cell, duplicated code or parent conflict.

    >>> t = pd.DataFrame({"code": ["11.01.01.2001", "11.01.01.2001"], "name": ["A", "B"],
    ...                   "parent_code": ["11.01.01"] * 2, "parent": ["K"] * 2})
    >>> try:
    ...     validate_areas(t, source="areas.csv")
    ... except ValidationFailed as exc:
    ...     print(exc.problems[0].message)
    code 11.01.01.2001 appears twice, first in row 1
    """
    where = source or "the table of areas"
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        problems = [
            Problem(
                kind="missing-column",
                message=f"column '{c}' not found; found: {[str(x) for x in table.columns]}",
                file=source,
                column=c,
                expected=f"the columns {REQUIRED_COLUMNS} (and optionally 'aliases')",
                suggestion="rename the columns of the table to these names",
            )
            for c in missing
        ]
        raise ValidationFailed(problems, context=where)
    rows = pd.DataFrame({c: table[c].map(_cell) for c in REQUIRED_COLUMNS})
    aliases = table["aliases"] if "aliases" in table.columns else pd.Series([""] * len(table))
    rows["aliases"] = [_aliases(v) for v in aliases]
    rows = rows.reset_index(drop=True)
    problems = []
    for col in REQUIRED_COLUMNS:
        for i in rows.index[rows[col] == ""]:
            problems.append(
                Problem(
                    kind="blank",
                    message=f"the {col} is blank",
                    file=source,
                    row=int(i) + 1,
                    column=col,
                    expected="a value in every row",
                    suggestion="fill it in or remove the row",
                )
            )
    first_row: dict[str, int] = {}
    for i, code in enumerate(rows["code"], start=1):
        if code and code in first_row:
            problems.append(
                Problem(
                    kind="duplicate-code",
                    message=f"code {code} appears twice, first in row {first_row[code]}",
                    file=source,
                    row=i,
                    column="code",
                    expected="each code once",
                    suggestion="keep one row per area (merge spellings into 'aliases')",
                )
            )
        first_row.setdefault(code, i)
    parent_name: dict[str, tuple[str, int]] = {}
    for i, (pcode, pname) in enumerate(
        zip(rows["parent_code"], rows["parent"], strict=True), start=1
    ):
        seen = parent_name.setdefault(pcode, (pname, i))
        if pcode and pname and seen[0] != pname:
            problems.append(
                Problem(
                    kind="parent-conflict",
                    message=(
                        f"parent {pcode} is named {pname!r} here but {seen[0]!r} in row {seen[1]}"
                    ),
                    file=source,
                    row=i,
                    column="parent",
                    value=pname,
                    expected="one name per parent code",
                    suggestion="use one spelling for the parent; put others in its own table",
                )
            )
    if problems:
        raise ValidationFailed(problems, context=where)
    return rows


def read_areas(path: Path, *, sep: str = ",") -> pd.DataFrame:
    """A table of areas read from a CSV file (all text, codes kept as written), checked."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8")
    except FileNotFoundError as exc:
        msg = f"Table of areas {path} not found; fetch it with fetch_areas() or check the path."
        raise InputError(msg) from exc
    return validate_areas(table, source=str(path))


def fetch_areas(
    url: str,
    *,
    sha256: str,
    fname: str | None = None,
    settings: Settings | None = None,
) -> Path:
    """A verified local copy of a table of areas, downloaded with pooch only when missing.

    The copy lives in ``settings.data_dir / "areas"``; a cached copy is checked against
    `sha256` and fetched again if it differs. ``file://`` URLs are copied (a mirror on disk);
    other URLs need network use to be on (``PETA_KESOS_OFFLINE`` unset).

    Raises
    ------
    ChecksumError
        The file does not have the SHA-256 `sha256`.
    DataSourceError
        The file is not cached and cannot be fetched (offline, or the download failed).
    """
    s = settings or get_settings()
    name = fname or Path(urllib.parse.urlparse(url).path).name
    folder = s.data_dir / "areas"
    cached = folder / name
    local = urllib.parse.urlparse(url).scheme == "file"
    if not local and not s.use_network and not cached.is_file():
        msg = (
            f"Table of areas {name} is not cached in {folder} and network use is off "
            f"(PETA_KESOS_OFFLINE). Put the file there, give a file:// URL, or go online."
        )
        raise DataSourceError(msg)
    downloader = _copy_local if local else pooch.HTTPDownloader(timeout=s.network_timeout)
    try:
        path = pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}",
            fname=name,
            path=folder,
            downloader=downloader,
            progressbar=False,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        msg = (
            f"Checksum mismatch for {url}: {exc}. The table changed upstream or is corrupt; "
            "do not use it (check the expected SHA-256 with its publisher)."
        )
        raise ChecksumError(msg) from exc
    except OSError as exc:
        msg = f"Could not get the table of areas from {url} ({type(exc).__name__}: {exc})."
        raise DataSourceError(msg) from exc
    log.info("table of areas %s ready at %s", name, path)
    return Path(path)


def _copy_local(url: str, output_file: str, pooch_obj: object) -> None:
    """A pooch downloader for ``file://`` URLs: copies the file."""
    source = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
    shutil.copyfile(source, output_file)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _aliases(value: object) -> tuple[str, ...]:
    """Spellings of one cell: ``;``-separated text, or already a list (a checked table)."""
    parts = value if isinstance(value, list | tuple) else _cell(value).split(ALIAS_SEPARATOR)
    return tuple(str(a).strip() for a in parts if str(a).strip())


def region_from_areas(
    table: pd.DataFrame,
    *,
    code: str,
    name: str,
    kind: str = "Kabupaten",
    bps_code: str = "",
    centre: tuple[float, float] | None = None,
    crs: str | None = None,
    expected_area_km2: float | None = None,
    population: int | None = None,
    sites: Sequence[str] = (),
    source: str = "",
) -> Region:
    """A :class:`~mapping.regions.Region` from a table of its desa (code, name, parent).

    `table` has the columns of :data:`AREA_COLUMNS` (checked by :func:`validate_areas`):
    one row per desa with its kecamatan as parent; ``aliases`` become other spellings the
    gazetteer accepts. `code` and `name` are the region's Kemendagri code and name
    (``"34.04"``, ``"Sleman"``). The metric CRS is `crs`, else the UTM zone of `centre`
    (``(lon, lat)``); one of them is needed. The layers built for the region must then have
    as many desa and kecamatan as the table.

    >>> t = pd.DataFrame({"code": ["34.04.01.2001", "34.04.02.2001"], "name": ["Sumber", "Sumber"],
    ...                   "parent_code": ["34.04.01", "34.04.02"], "parent": ["Gamping", "Godean"]})
    >>> r = region_from_areas(t, code="34.04", name="Sleman", centre=(110.35, -7.72))
    >>> r.title(), r.metric_crs, [k.name for k in r.kecamatan], r.expected_n_desa
    ('Kabupaten Sleman', 'EPSG:32749', ['Gamping', 'Godean'], 2)
    """
    rows = validate_areas(table, source="the table of areas")
    parents = rows.drop_duplicates("parent_code").sort_values("parent_code")
    kecamatan = tuple(
        Kecamatan(str(p.parent_code), "", str(p.parent), str(p.parent))
        for p in parents.itertuples(index=False)
    )
    desa = tuple(
        Desa(str(r.code), str(r.name), str(r.parent_code), aliases=tuple(r.aliases))
        for r in rows.sort_values("code").itertuples(index=False)
    )
    return Region(
        code=code,
        name=name,
        kecamatan=kecamatan,
        desa=desa,
        bps_code=bps_code,
        kind=kind,
        crs=crs,
        centre=centre,
        expected_area_km2=expected_area_km2,
        expected_n_desa=len(desa),
        expected_n_kecamatan=len(kecamatan),
        population=population,
        sites=tuple(sites),
        source=source,
    )


def region_from_desa(
    desa: gpd.GeoDataFrame,
    *,
    code: str,
    name: str,
    code_column: str = "code",
    name_column: str = "name",
    kecamatan_code_column: str = "kecamatan_code",
    kecamatan_column: str = "kecamatan",
    aliases_column: str | None = None,
    kind: str = "Kabupaten",
    bps_code: str = "",
    crs: str | None = None,
    sites: Sequence[str] = (),
    source: str = "",
) -> Region:
    """A :class:`~mapping.regions.Region` from desa boundaries with code and name columns.

    For any region one has desa polygons of (e.g. BIG's, with ``KDEPUM``, ``NAMOBJ``,
    ``KDCPUM``, ``WADMKC``): the desa come from the named columns, the kecamatan from the
    kecamatan columns, and the centre (hence the UTM zone, unless `crs` is given) from the
    bounds of the polygons. Build the layers with :func:`mapping.layers.region_layers` from
    the same frame (``code=code_column``).

    Raises
    ------
    InputError
        A named column is missing or the frame has no CRS.
    ValidationFailed
        A blank or repeated code, or a kecamatan code with two names (:func:`validate_areas`).
    """
    wanted = {
        code_column: "code",
        name_column: "name",
        kecamatan_code_column: "parent_code",
        kecamatan_column: "parent",
    }
    if aliases_column is not None:
        wanted[aliases_column] = "aliases"
    missing = [c for c in wanted if c not in desa.columns]
    if missing:
        found = [str(c) for c in desa.columns if c != desa.geometry.name]
        msg = (
            f"Column(s) {missing} not found in the desa boundaries; found {found}. Name the "
            "columns with code_column=, name_column=, kecamatan_code_column=, kecamatan_column=."
        )
        raise InputError(msg)
    if desa.crs is None:
        msg = "The desa boundaries have no CRS; set it (e.g. .set_crs('EPSG:4326')) first."
        raise InputError(msg)
    minx, miny, maxx, maxy = desa.to_crs("EPSG:4326").total_bounds
    centre = ((minx + maxx) / 2, (miny + maxy) / 2)
    if any(math.isnan(v) for v in centre):
        msg = "The desa boundaries have no geometry to place the region; give polygons."
        raise InputError(msg)
    table = pd.DataFrame({new: desa[old].to_numpy() for old, new in wanted.items()})
    return region_from_areas(
        table, code=code, name=name, kind=kind, bps_code=bps_code, crs=crs,
        centre=(float(centre[0]), float(centre[1])), sites=sites, source=source,
    )  # fmt: skip


def read_region(path: Path) -> Region:
    """A region from its JSON region file: any region, defined as data.

    The file has the keys of :data:`mapping.regions.REGION_FILE_KEYS` (``code`` and ``name``
    required) and either ``areas``, a CSV table of its desa in the format of
    :data:`AREA_COLUMNS` (read with :func:`read_areas`, names relative to the region file), or
    the crosswalks of :func:`mapping.regions.load_region`. For example::

        {"code": "34.90", "name": "Merapi Kidul", "centre": [110.4, -7.8],
         "areas": "desa-merapi-kidul.csv", "sites": ["Kantor CSR=-7.80,110.40"]}

    Raises
    ------
    RegionError
        The file is not JSON, lacks a key, has an unknown key, or defines an unusable region.
    ValidationFailed
        The table of areas has blank cells, repeated codes or parent conflicts.
    """
    path = Path(path)
    doc = read_region_file(path)
    if "areas" not in doc:
        return load_region(path)
    region = region_from_areas(read_areas(path.parent / str(doc["areas"])), **region_options(doc))
    counts = {k: doc[k] for k in ("expected_n_desa", "expected_n_kecamatan") if k in doc}
    return replace(region, **counts) if counts else region
