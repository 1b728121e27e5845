"""Installable anywhere: the wheel, installed in a fresh venv outside the checkout, works."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mapping.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory, in_ci: bool) -> Path:
    """The project's wheel, built offline from a copy of the sources."""
    try:
        import setuptools

        new_enough = int(setuptools.__version__.split(".")[0]) >= 77
    except ImportError:
        new_enough = False
    if not new_enough and not in_ci:
        pytest.skip("building the wheel offline needs setuptools>=77 in this environment")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    dist = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    _run([*cmd, "--no-index", "-q", "-w", str(dist), str(src)], cwd=src, env=dict(os.environ))
    (whl,) = dist.glob("peta_kesos-*.whl")
    return whl


def test_wheel_ships_the_runtime_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "mapping/reference/boundaries-manifest.json",
        "mapping/reference/kode-wilayah-desa.csv",
        "mapping/reference/kode-wilayah-kecamatan.csv",
        "mapping/reference/SOURCE.md",
        "mapping/assets/choropleth.js",
    ):
        assert needed in names, needed


def test_wheel_works_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    mirror = get_settings().mirror
    assert mirror is not None, "set PETA_KESOS_MIRROR to the boundary mirror"
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, env={})
    # The dependencies come from this environment (nothing is downloaded): a .pth line puts its
    # site-packages after the new venv's own. Its editable-install hook is not run from there.
    py = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PETA_KESOS_MIRROR": str(mirror),
        "PETA_KESOS_OFFLINE": "1",
        "MPLBACKEND": "Agg",
    }
    work = tmp_path / "work"
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps"]
    _run([*pip, "--no-index", "-q", str(wheel)], cwd=work, env=env)
    run = [str(venv / "bin" / "peta-kesos")]  # the console script the wheel installs

    # The installed package, not the checkout, is what runs.
    where = _run([str(py), "-c", "import mapping; print(mapping.__file__)"], cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)

    fetch = _run([*run, "-q", "fetch"], cwd=work, env=env)
    data = tmp_path / "cache" / "peta-kesos"  # the user cache folder (no PETA_KESOS_DATA)
    assert str(data / "boundaries" / "tapanuli-utara.gpkg") in fetch.stdout
    assert len(list((data / "boundaries" / "raw").glob("*.geojson"))) == 15
    assert not (site / "data").exists() and not (venv / "lib" / "data").exists()

    _run([*run, "-q", "build", "--dpi", "50"], cwd=work, env=env)
    out = work / "outputs"
    assert (out / "index.html").is_file() and (out / "laporan").is_dir()
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in doc["files"]} >= {"index.html", "indikator-peta-desa.html"}

    # BPS codes and spellings come from the shipped crosswalk (no reference folder here).
    table = work / "desa.csv"
    table.write_text("Kode,Nama Desa\n1205060030,Partali Toruan\n", encoding="utf-8")
    _run([*run, "match", str(table), "-o", "m.csv"], cwd=work, env=env)
    rows = pd.read_csv(work / "m.csv", dtype=str)
    assert rows.loc[0, ["code", "method"]].tolist() == ["12.02.01.1001", "code"]
