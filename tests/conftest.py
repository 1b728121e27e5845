"""Shared fixtures: the real Tapanuli Utara layers (built from the mirror) and temp settings."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import geopandas as gpd
import pytest

from mapping.boundaries import load_desa, load_kecamatan
from mapping.settings import Settings, get_settings


@pytest.fixture(scope="session")
def desa() -> gpd.GeoDataFrame:
    """The 252 canonical desa (read-only use: copy before changing)."""
    return load_desa()


@pytest.fixture(scope="session")
def kecamatan() -> gpd.GeoDataFrame:
    """The 15 canonical kecamatan."""
    return load_kecamatan()


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings writing into a temp data folder, offline, with the real mirror."""
    return dataclasses.replace(get_settings(), data_dir=tmp_path / "data", use_network=False)


@pytest.fixture(scope="session")
def in_ci() -> bool:
    """True when running in CI (CI=true): tests that would skip must fail instead."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}
