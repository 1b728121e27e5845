"""Typed defaults: CRSs, data folders, the offline mirror, language and classification defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mapping.regions import tapanuli_utara

#: Storage CRS of every layer the project writes.
CRS_STORAGE = "EPSG:4326"
# The default region's facts, kept as names for existing callers; the region itself
# (:func:`mapping.regions.tapanuli_utara`) is the source, and functions take ``region=``.
_REGION = tapanuli_utara()
#: Metric CRS of the default region (the UTM zone of its centre: 47N for Tapanuli Utara).
CRS_METRIC = _REGION.metric_crs

#: Kemendagri code of the default regency (Tapanuli Utara), its BPS code and name.
KABUPATEN_CODE = _REGION.code
KABUPATEN_BPS_CODE = _REGION.bps_code
KABUPATEN_NAME = _REGION.name

#: Area of the BIG polygons in UTM 47N, km2 (SOURCE.md of the reference tables), and counts.
EXPECTED_AREA_KM2 = float(_REGION.expected_area_km2 or 0.0)
EXPECTED_N_DESA = int(_REGION.expected_n_desa or 0)
EXPECTED_N_KECAMATAN = int(_REGION.expected_n_kecamatan or 0)

#: Seconds to wait for an upstream server before falling back or failing.
NETWORK_TIMEOUT_S = 10.0

#: The installed package's folder; its ``reference/`` holds the data shipped with it.
PACKAGE_DIR = Path(__file__).resolve().parent

PROJECT_ROOT = PACKAGE_DIR.parents[1]
"""The checkout this package runs from (``src/mapping`` in it); meaningless for an installed
wheel, where it is site-packages' parent: use :func:`checkout_root` to tell the two apart."""


def checkout_root() -> Path | None:
    """The project checkout the package runs from (an editable install), else None.

    A checkout is recognised by a ``pyproject.toml`` next to the ``src/`` folder holding this
    package; an installed wheel has none.
    """
    if (PROJECT_ROOT / "pyproject.toml").is_file() and PACKAGE_DIR.parent.name == "src":
        return PROJECT_ROOT
    return None


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _first_existing(*candidates: Path) -> Path | None:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    return None


def default_data_dir() -> Path:
    """Folder for generated data, never inside site-packages.

    ``$PETA_KESOS_DATA`` wins; otherwise the checkout's ``data/`` when running from a checkout
    (so ``make`` keeps its data beside the code); otherwise the platform's user cache folder
    (``pooch.os_cache("peta-kesos")``, e.g. ``~/.cache/peta-kesos`` on Linux).
    """
    env = _env_path("PETA_KESOS_DATA")
    if env is not None:
        return env
    root = checkout_root()
    if root is not None:
        return root / "data"
    import pooch

    return Path(pooch.os_cache("peta-kesos"))


def default_output_dir() -> Path:
    """Folder for the build's maps and reports: ``outputs/`` under the current folder."""
    return Path.cwd() / "outputs"


def _beside_checkout_or_cwd(rel: Path) -> Path | None:
    """``../rel`` next to the checkout (if running from one) or next to the current folder."""
    root = checkout_root()
    candidates = [root.parent / rel] if root is not None else []
    return _first_existing(*candidates, Path.cwd().parent / rel)


def default_mirror() -> Path | None:
    """Offline mirror of the boundary files, if one exists.

    ``$PETA_KESOS_MIRROR`` wins; otherwise ``../shared/data/boundaries/tapanuli-utara-desa-2022``
    next to the checkout or the current folder.
    """
    env = _env_path("PETA_KESOS_MIRROR")
    if env is not None:
        return env
    return _beside_checkout_or_cwd(Path("shared/data/boundaries/tapanuli-utara-desa-2022"))


def default_reference_dir() -> Path | None:
    """Folder of the full reference tables (population, puskesmas), if one exists.

    ``$PETA_KESOS_REFERENCE`` wins; otherwise ``../shared/data/reference``. The code/name
    crosswalk ships with the package (:mod:`mapping.data`), so codes and spellings work
    without this folder.
    """
    env = _env_path("PETA_KESOS_REFERENCE")
    if env is not None:
        return env
    return _beside_checkout_or_cwd(Path("shared/data/reference"))


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
