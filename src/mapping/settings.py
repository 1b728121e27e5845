"""Typed defaults: CRSs, data folders, the offline mirror, language and classification defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: Storage CRS of every layer the project writes.
CRS_STORAGE = "EPSG:4326"
#: Metric CRS for areas, distances and buffers (UTM zone 47N covers Tapanuli Utara).
CRS_METRIC = "EPSG:32647"

#: Kemendagri code of the regency (Tapanuli Utara) and its BPS code.
KABUPATEN_CODE = "12.02"
KABUPATEN_BPS_CODE = "1205"
KABUPATEN_NAME = "Tapanuli Utara"

#: Area of the BIG polygons in UTM 47N, km2 (SOURCE.md of the reference tables).
EXPECTED_AREA_KM2 = 3895.6
EXPECTED_N_DESA = 252
EXPECTED_N_KECAMATAN = 15

#: Seconds to wait for an upstream server before falling back or failing.
NETWORK_TIMEOUT_S = 10.0

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout this package was installed from (editable install) or site-packages' parent."""


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _first_existing(*candidates: Path) -> Path | None:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


def default_data_dir() -> Path:
    """Folder for generated data: ``$PETA_KESOS_DATA`` or ``<checkout>/data``."""
    return _env_path("PETA_KESOS_DATA") or PROJECT_ROOT / "data"


def default_mirror() -> Path | None:
    """Offline mirror of the boundary files, if one exists.

    ``$PETA_KESOS_MIRROR`` wins; otherwise ``../shared/data/boundaries/tapanuli-utara-desa-2022``
    next to the checkout or the current folder.
    """
    env = _env_path("PETA_KESOS_MIRROR")
    if env is not None:
        return env
    rel = Path("shared/data/boundaries/tapanuli-utara-desa-2022")
    return _first_existing(PROJECT_ROOT.parent / rel, Path.cwd().parent / rel)


def default_reference_dir() -> Path | None:
    """Folder of the reference tables (codes, spellings, population), if one exists.

    ``$PETA_KESOS_REFERENCE`` wins; otherwise ``../shared/data/reference``.
    """
    env = _env_path("PETA_KESOS_REFERENCE")
    if env is not None:
        return env
    rel = Path("shared/data/reference")
    return _first_existing(PROJECT_ROOT.parent / rel, Path.cwd().parent / rel)


@dataclass(frozen=True)
class Settings:
    """Where the project reads and writes, and how it talks to people.

    Build one with :func:`get_settings`; pass a modified copy (``dataclasses.replace``) to
    functions that take ``settings=`` to point them elsewhere (tests do this).
    """

    data_dir: Path = field(default_factory=default_data_dir)
    mirror: Path | None = field(default_factory=default_mirror)
    reference_dir: Path | None = field(default_factory=default_reference_dir)
    use_network: bool = field(
        default_factory=lambda: os.environ.get("PETA_KESOS_OFFLINE", "") not in {"1", "true"}
    )
    network_timeout: float = NETWORK_TIMEOUT_S
    language: str = "id"

    @property
    def boundaries_dir(self) -> Path:
        """Generated boundary layers (git-ignored)."""
        return self.data_dir / "boundaries"

    @property
    def raw_dir(self) -> Path:
        """Verified copies of the upstream boundary files (git-ignored)."""
        return self.data_dir / "boundaries" / "raw"

    @property
    def layers_path(self) -> Path:
        """The canonical GeoPackage with layers ``desa``, ``kecamatan``, ``kabupaten``."""
        return self.boundaries_dir / "tapanuli-utara.gpkg"


def get_settings() -> Settings:
    """Settings read from the environment now (not cached, so tests can change it)."""
    return Settings()
