"""Tables of areas (code, name, parent): fetching them with a checksum, reading and checking them.

A table of areas is what a gazetteer is built from when the region is not Tapanuli Utara: for
example the Kepmendagri list of about 83,000 desa under 7,300 kecamatan. Each row is one area
with its code, its name, the code and name of the area it lies in, and optional other spellings.
"""

from __future__ import annotations

import logging
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pooch

from mapping.errors import ChecksumError, DataSourceError, InputError, Problem, ValidationFailed
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
