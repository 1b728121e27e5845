"""Shared fixtures: the real Tapanuli Utara layers (built from the mirror) and temp settings."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import settings as hypothesis_settings

from mapping.boundaries import load_desa, load_kecamatan
from mapping.errors import Problem
from mapping.settings import Settings, get_settings

# CI runs the property tests on a fixed sequence of examples, so a run is reproducible; local
# runs explore new examples each time (and keep failures in .hypothesis/ to replay them).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    hypothesis_settings.load_profile("ci")


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


@pytest.fixture(scope="session")
def missing_fields() -> Callable[[Problem], list[str]]:
    """A checker: the fields of a problem a person would need to fix it that are empty.

    Every problem names its file, column, value, what was expected and a suggestion; every
    problem but an area without a row names its row.
    """

    def check(p: Problem) -> list[str]:
        fields = ["file", "column", "value", "expected", "suggestion"]
        empty = [f for f in fields if getattr(p, f) in (None, "")]
        if p.row is None and p.kind != "missing-area":
            empty.append("row")
        return empty

    return check
