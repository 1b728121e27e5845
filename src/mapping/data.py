"""Fetching and verifying the raw boundary files (pooch, mirror first); the reference tables."""

from __future__ import annotations

import json
import logging
import shutil
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pooch

from mapping.errors import ChecksumError, DataSourceError
from mapping.settings import PROJECT_ROOT, Settings, get_settings

log = logging.getLogger(__name__)

MANIFEST_PATH = PROJECT_ROOT / "data" / "boundaries" / "manifest.json"
REFERENCE_DESA = "kode-wilayah-tapanuli-utara.csv"
REFERENCE_KECAMATAN = "kecamatan-tapanuli-utara.csv"


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
        msg = f"Boundary manifest {path} not found; restore it with 'git checkout {path}'."
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
                "listed in data/boundaries/manifest.json, or unset PETA_KESOS_OFFLINE."
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
                "files listed in data/boundaries/manifest.json."
            )
            raise DataSourceError(msg) from exc
        paths.append(dest)
    return paths


def load_reference_desa(*, settings: Settings | None = None) -> pd.DataFrame | None:
    """The desa code/spelling crosswalk (Kemendagri, BPS, BIG names), or None if unavailable."""
    return _read_reference(REFERENCE_DESA, settings)


def load_reference_kecamatan(*, settings: Settings | None = None) -> pd.DataFrame | None:
    """The kecamatan reference table (codes, names, population, old areas), or None."""
    return _read_reference(REFERENCE_KECAMATAN, settings)


def _read_reference(name: str, settings: Settings | None) -> pd.DataFrame | None:
    s = settings or get_settings()
    if s.reference_dir is None:
        log.info("no reference folder; working without %s", name)
        return None
    path = s.reference_dir / name
    if not path.is_file():
        log.info("reference table %s not found; working without it", path)
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
