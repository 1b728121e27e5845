"""Fetching and verifying the raw boundary files (pooch, mirror first); the shipped crosswalk."""

from __future__ import annotations

import json
import logging
import shutil
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pooch

from mapping.errors import ChecksumError, DataSourceError
from mapping.settings import PACKAGE_DIR, Settings, get_settings

log = logging.getLogger(__name__)

#: Data shipped inside the package (works from a wheel as from a checkout).
PACKAGE_REFERENCE = PACKAGE_DIR / "reference"
#: What to fetch: upstream URLs pinned to a commit, with SHA-256 checksums.
MANIFEST_PATH = PACKAGE_REFERENCE / "boundaries-manifest.json"
#: The shipped code/name crosswalks (desa: 252 rows, kecamatan: 15) and their source note.
CROSSWALK_DESA = PACKAGE_REFERENCE / "kode-wilayah-desa.csv"
CROSSWALK_KECAMATAN = PACKAGE_REFERENCE / "kode-wilayah-kecamatan.csv"
#: The full reference tables (``settings.reference_dir``) the crosswalks are built from.
REFERENCE_DESA = "kode-wilayah-tapanuli-utara.csv"
REFERENCE_KECAMATAN = "kecamatan-tapanuli-utara.csv"
#: Columns of the desa crosswalk (every code and spelling of the reference table).
DESA_CROSSWALK_COLUMNS: list[str] = [
    "kemendagri_code",
    "bps_code_2018",
    "kind",
    "kecamatan_code",
    "kecamatan_bps_code",
    "kecamatan_kemendagri_2025",
    "kecamatan_bps_2018",
    "kecamatan_big",
    "desa_kemendagri_2025",
    "desa_bps_2018",
    "desa_big_namobj",
    "desa_big_wadmkd",
]
#: Columns of the kecamatan crosswalk (codes, spellings, counts; not population).
KECAMATAN_CROSSWALK_COLUMNS: list[str] = [
    "kemendagri_code",
    "bps_code_2018",
    "name_kemendagri_2025",
    "name_bps_mfd_2018",
    "name_big_wadmkc",
    "n_desa_kel",
    "n_kelurahan",
]


@dataclass(frozen=True)
class RawFile:
    """One upstream boundary file of the manifest."""

    name: str
    upstream: str
    sha256: str
    kecamatan_code: str
    url: str


def load_manifest(path: Path = MANIFEST_PATH) -> list[RawFile]:
    """The boundary files to fetch, with their upstream URLs and SHA-256 checksums."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        msg = (
            f"Boundary manifest {path} not found; it ships with the package: reinstall "
            "peta-kesos (or restore it with 'git checkout' in a checkout)."
        )
        raise DataSourceError(msg) from exc
    base = doc["upstream_base"]
    return [
        RawFile(
            name=f["name"],
            upstream=f["upstream"],
            sha256=f["sha256"],
            kecamatan_code=f["kecamatan_code"],
            url=base + urllib.parse.quote(f["upstream"]),
        )
        for f in doc["files"]
    ]


def verify_sha256(path: Path, expected: str) -> None:
    """Raise :class:`ChecksumError` unless `path` has SHA-256 `expected`."""
    actual = pooch.file_hash(str(path), alg="sha256")
    if actual != expected:
        msg = (
            f"Checksum mismatch for {path}: SHA-256 is {actual}, the manifest expects {expected}. "
            "The file is corrupt or was changed; delete it and run 'peta-kesos fetch' again "
            "(or restore the mirror copy from its source)."
        )
        raise ChecksumError(msg)


def _from_mirror(raw: RawFile, mirror: Path, dest: Path) -> bool:
    src = mirror / raw.name
    if not src.is_file():
        return False
    verify_sha256(src, raw.sha256)
    tmp = dest.with_suffix(dest.suffix + ".part")
    shutil.copyfile(src, tmp)
    tmp.replace(dest)
    log.info("copied %s from mirror %s", raw.name, mirror)
    return True


def _from_upstream(raw: RawFile, dest: Path, timeout: float) -> None:
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=False)
    try:
        pooch.retrieve(
            raw.url,
            known_hash=f"sha256:{raw.sha256}",
            fname=dest.name,
            path=dest.parent,
            downloader=downloader,
        )
    except ValueError as exc:  # pooch raises ValueError on a hash mismatch
        msg = f"Checksum mismatch for {raw.url}: {exc}. Upstream changed; do not use this file."
        raise ChecksumError(msg) from exc
    log.info("downloaded %s from %s", raw.name, raw.url)


def fetch_raw(*, settings: Settings | None = None) -> list[Path]:
    """Verified local copies of the 15 boundary files, fetched only when missing or changed.

    Order: an existing verified copy in ``settings.raw_dir``, then the mirror
    (``settings.mirror``), then upstream with pooch (when ``settings.use_network``).
    Every file is checked against the manifest's SHA-256.

    Raises
    ------
    ChecksumError
        A copy does not match its checksum.
    DataSourceError
        A file is neither in the mirror nor reachable upstream; the message says what to do.
    """
    s = settings or get_settings()
    s.raw_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    manifest = load_manifest()
    for i, raw in enumerate(manifest, start=1):
        dest = s.raw_dir / raw.name
        if dest.is_file():
            try:
                verify_sha256(dest, raw.sha256)
                paths.append(dest)
                continue
            except ChecksumError:
                log.warning("cached %s has a wrong checksum; fetching it again", dest)
                dest.unlink()
        log.info("[%d/%d] fetching %s", i, len(manifest), raw.name)
        if s.mirror is not None and _from_mirror(raw, s.mirror, dest):
            paths.append(dest)
            continue
        if not s.use_network:
            msg = (
                f"Boundary file {raw.name} is not in the mirror ({s.mirror}) and network use is "
                "off (PETA_KESOS_OFFLINE). Set PETA_KESOS_MIRROR to a folder holding the files "
                f"listed in {MANIFEST_PATH}, or unset PETA_KESOS_OFFLINE."
            )
            raise DataSourceError(msg)
        try:
            _from_upstream(raw, dest, s.network_timeout)
        except ChecksumError:
            raise
        except Exception as exc:  # network errors come in many types (requests, OSError)
            msg = (
                f"Could not get boundary file {raw.name}: not in the mirror "
                f"({s.mirror or 'none set'}) and the download from {raw.url} failed "
                f"({type(exc).__name__}: {exc}). Either connect to the internet and run "
                "'peta-kesos fetch' again, or set PETA_KESOS_MIRROR to a folder holding the "
                f"files listed in {MANIFEST_PATH}."
            )
            raise DataSourceError(msg) from exc
        paths.append(dest)
    return paths


def load_reference_desa(*, settings: Settings | None = None) -> pd.DataFrame:
    """The desa code/spelling crosswalk (Kemendagri, BPS, BIG names) shipped with the package.

    252 rows with :data:`DESA_CROSSWALK_COLUMNS`, every value a string. `settings` is accepted
    for symmetry with the other loaders; the crosswalk does not depend on it.
    """
    return _read_crosswalk(CROSSWALK_DESA)


def load_reference_kecamatan(*, settings: Settings | None = None) -> pd.DataFrame:
    """The kecamatan reference table: the full table of ``settings.reference_dir`` when present
    (it adds population and old areas), otherwise the shipped crosswalk (codes, names, counts).
    """
    s = settings or get_settings()
    if s.reference_dir is not None and (s.reference_dir / REFERENCE_KECAMATAN).is_file():
        return _read_csv(s.reference_dir / REFERENCE_KECAMATAN)
    return _read_crosswalk(CROSSWALK_KECAMATAN)


@lru_cache(maxsize=4)
def _cached_csv(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _read_csv(path: Path) -> pd.DataFrame:
    return _cached_csv(str(path), path.stat().st_mtime).copy()


def _read_crosswalk(path: Path) -> pd.DataFrame:
    if not path.is_file():
        msg = f"Crosswalk {path} not found; it ships with the package: reinstall peta-kesos."
        raise DataSourceError(msg)
    return _read_csv(path)


def crosswalks_from_reference(
    desa: pd.DataFrame, kecamatan: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The desa and kecamatan crosswalks built from the full reference tables.

    Keeps the code and name columns (:data:`DESA_CROSSWALK_COLUMNS`,
    :data:`KECAMATAN_CROSSWALK_COLUMNS`), sorted by Kemendagri code, after checking that the
    two tables agree: 252 unique desa codes, each desa's kecamatan codes and spellings those
    of its kecamatan row, and each kecamatan's desa count that of the desa table.

    Raises
    ------
    DataSourceError
        A column is missing or the tables disagree; every problem is listed.
    """
    problems: list[str] = []
    for what, table, cols in (
        ("desa", desa, DESA_CROSSWALK_COLUMNS),
        ("kecamatan", kecamatan, KECAMATAN_CROSSWALK_COLUMNS),
    ):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            problems.append(f"the {what} table lacks column(s) {missing}")
    if not problems:
        d = desa[DESA_CROSSWALK_COLUMNS].sort_values("kemendagri_code").reset_index(drop=True)
        k = kecamatan[KECAMATAN_CROSSWALK_COLUMNS].sort_values("kemendagri_code")
        k = k.reset_index(drop=True)
        codes = d["kemendagri_code"]
        if codes.nunique() != len(d) or len(d) != 252:
            problems.append(f"{codes.nunique()} unique desa codes in {len(d)} rows; expected 252")
        pairs = {
            "kecamatan_code": "kemendagri_code",
            "kecamatan_bps_code": "bps_code_2018",
            "kecamatan_kemendagri_2025": "name_kemendagri_2025",
            "kecamatan_bps_2018": "name_bps_mfd_2018",
            "kecamatan_big": "name_big_wadmkc",
        }
        by_kec = k.set_index("kemendagri_code", drop=False)
        for desa_col, kec_col in pairs.items():
            expected = d["kecamatan_code"].map(by_kec[kec_col])
            wrong = d[d[desa_col] != expected]
            problems += [
                f"desa {r['kemendagri_code']}: {desa_col} is {r[desa_col]!r}, the kecamatan "
                f"table says {e!r}"
                for (_, r), e in zip(wrong.iterrows(), expected[wrong.index], strict=True)
            ]
        counts = d.groupby("kecamatan_code").size()
        for _, r in k.iterrows():
            n = int(counts.get(r["kemendagri_code"], 0))
            if str(n) != str(r["n_desa_kel"]):
                problems.append(
                    f"kecamatan {r['kemendagri_code']}: n_desa_kel is {r['n_desa_kel']}, the "
                    f"desa table has {n} rows"
                )
    if problems:
        msg = "The reference tables cannot make the crosswalk:\n  " + "\n  ".join(problems)
        raise DataSourceError(msg)
    return d, k


def write_crosswalks(reference_dir: Path, *, dest: Path = PACKAGE_REFERENCE) -> list[Path]:
    """Rebuild the shipped crosswalks in `dest` from the reference tables in `reference_dir`.

    Run it when the reference tables change; the files are committed as package data.
    """
    d, k = crosswalks_from_reference(
        _read_csv(reference_dir / REFERENCE_DESA), _read_csv(reference_dir / REFERENCE_KECAMATAN)
    )
    out = [dest / CROSSWALK_DESA.name, dest / CROSSWALK_KECAMATAN.name]
    for frame, path in zip((d, k), out, strict=True):
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return out
