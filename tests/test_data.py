"""Fetching the raw boundary files: mirror first, checksums, upstream with pooch, clear errors."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pooch
import pytest

from mapping import data
from mapping.data import fetch_raw, load_manifest, load_reference_desa, load_reference_kecamatan
from mapping.errors import ChecksumError, DataSourceError
from mapping.settings import Settings


@pytest.fixture
def mirror_copy(tmp_path: Path, tmp_settings: Settings) -> Path:
    """A writable copy of the real mirror."""
    assert tmp_settings.mirror is not None and tmp_settings.mirror.is_dir()
    dest = tmp_path / "mirror"
    shutil.copytree(tmp_settings.mirror, dest)
    return dest


def test_manifest_lists_the_15_files() -> None:
    files = load_manifest()
    assert len(files) == 15
    assert len({f.kecamatan_code for f in files}) == 15
    tarutung = next(f for f in files if f.name == "desa-tarutung.geojson")
    assert tarutung.url.endswith("/public/KEL%20TARUTUNG.geojson")
    assert "3e8fbd765062d3760ff222147478d628f98be530" in tarutung.url
    assert all(len(f.sha256) == 64 for f in files)


def test_manifest_missing(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="manifest .* not found"):
        load_manifest(tmp_path / "nope.json")


def test_fetch_from_mirror_is_verified_and_idempotent(tmp_settings: Settings) -> None:
    paths = fetch_raw(settings=tmp_settings)
    assert len(paths) == 15 and all(p.is_file() for p in paths)
    mtimes = [p.stat().st_mtime_ns for p in paths]
    assert fetch_raw(settings=tmp_settings) == paths
    assert [p.stat().st_mtime_ns for p in paths] == mtimes


def test_bad_checksum_in_mirror_is_refused(tmp_settings: Settings, mirror_copy: Path) -> None:
    target = mirror_copy / "desa-muara.geojson"
    target.write_bytes(target.read_bytes().replace(b"Muara", b"Moara", 1))
    s = dataclasses.replace(tmp_settings, mirror=mirror_copy)
    with pytest.raises(ChecksumError, match=r"Checksum mismatch for .*desa-muara\.geojson"):
        fetch_raw(settings=s)


def test_corrupt_cached_copy_is_fetched_again(tmp_settings: Settings) -> None:
    paths = fetch_raw(settings=tmp_settings)
    good = paths[0].read_bytes()
    paths[0].write_bytes(b"{}")
    again = fetch_raw(settings=tmp_settings)
    assert again == paths  # the same cache path, fetched again
    assert again[0].read_bytes() == good  # the damaged copy was replaced, byte for byte
    assert len(good) > 1000 and good != b"{}"
    data.verify_sha256(again[0], load_manifest()[0].sha256)  # and it checks against the manifest


def test_missing_file_offline_says_what_to_do(tmp_settings: Settings, mirror_copy: Path) -> None:
    (mirror_copy / "desa-garoga.geojson").unlink()
    s = dataclasses.replace(tmp_settings, mirror=mirror_copy)
    with pytest.raises(
        DataSourceError, match="desa-garoga.geojson is not in the mirror.*PETA_KESOS_MIRROR"
    ):
        fetch_raw(settings=s)


def _point_manifest_at(monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    real = load_manifest()
    patched = [dataclasses.replace(f, url=base + f.upstream.replace(" ", "%20")) for f in real]
    monkeypatch.setattr(data, "load_manifest", lambda *a, **k: patched)


def test_unreachable_upstream_says_what_to_do(
    tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 9 on loopback refuses at once: no waiting on the network.
    _point_manifest_at(monkeypatch, "http://127.0.0.1:9/public/")
    s = dataclasses.replace(tmp_settings, mirror=None, use_network=True, network_timeout=2)
    with pytest.raises(
        DataSourceError, match="download from http://127.0.0.1:9.*PETA_KESOS_MIRROR"
    ):
        fetch_raw(settings=s)


@pytest.fixture
def upstream(tmp_path: Path, tmp_settings: Settings) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server serving the mirror's files under their upstream names."""
    root = tmp_path / "upstream" / "public"
    root.mkdir(parents=True)
    assert tmp_settings.mirror is not None
    for f in load_manifest():
        shutil.copyfile(tmp_settings.mirror / f.name, root / f.upstream)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root.parent))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/public/", root
    finally:
        server.shutdown()


def test_download_with_pooch_when_no_mirror(
    tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch, upstream: tuple[str, Path]
) -> None:
    base, _ = upstream
    _point_manifest_at(monkeypatch, base)
    s = dataclasses.replace(tmp_settings, mirror=None, use_network=True, network_timeout=5)
    paths = fetch_raw(settings=s)
    assert len(paths) == 15
    for f, p in zip(load_manifest(), paths, strict=True):
        data.verify_sha256(p, f.sha256)


def test_download_with_wrong_bytes_is_refused(
    tmp_settings: Settings, monkeypatch: pytest.MonkeyPatch, upstream: tuple[str, Path]
) -> None:
    base, root = upstream
    (root / "KEL ADIANKOTING.geojson").write_bytes(b'{"type": "FeatureCollection"}')
    _point_manifest_at(monkeypatch, base)
    s = dataclasses.replace(tmp_settings, mirror=None, use_network=True, network_timeout=5)
    with pytest.raises(ChecksumError, match="KEL%20ADIANKOTING"):
        fetch_raw(settings=s)


def test_shipped_crosswalks_work_without_the_reference_folder(tmp_settings: Settings) -> None:
    none = dataclasses.replace(tmp_settings, reference_dir=None)
    desa = load_reference_desa(settings=none)
    kec = load_reference_kecamatan(settings=none)
    assert list(desa.columns) == data.DESA_CROSSWALK_COLUMNS and len(desa) == 252
    assert (
        desa["kemendagri_code"].is_unique
        and desa["bps_code_2018"].str.fullmatch(r"1205\d{6}").all()
    )
    assert list(kec.columns) == data.KECAMATAN_CROSSWALK_COLUMNS and len(kec) == 15
    assert kec["n_desa_kel"].astype(int).sum() == 252
    # The two Pangaribuan desa that only the BIG name pairs (SOURCE.md).
    row = desa.set_index("kemendagri_code").loc["12.02.13.2005"]
    assert (row["desa_kemendagri_2025"], row["desa_bps_2018"]) == (
        "Lumban Siregar",
        "LUMBAN SORMIN",
    )


def test_reference_folder_adds_population(tmp_settings: Settings, in_ci: bool) -> None:
    if tmp_settings.reference_dir is None and not in_ci:
        pytest.skip("no reference folder (../shared/data/reference)")
    kec = load_reference_kecamatan(settings=tmp_settings)
    assert len(kec) == 15 and "pop_census_2010" in kec.columns


def test_shipped_crosswalks_are_those_the_reference_tables_give(
    tmp_settings: Settings, tmp_path: Path, in_ci: bool
) -> None:
    ref = tmp_settings.reference_dir
    if ref is None and not in_ci:
        pytest.skip("no reference folder (../shared/data/reference)")
    assert ref is not None
    written = data.write_crosswalks(ref, dest=tmp_path)
    shipped = [data.CROSSWALK_DESA, data.CROSSWALK_KECAMATAN]
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in shipped]


def test_crosswalk_refuses_tables_that_disagree(tmp_settings: Settings) -> None:
    desa = load_reference_desa()
    kec = data._read_crosswalk(data.CROSSWALK_KECAMATAN)
    desa.loc[0, "kecamatan_bps_2018"] = "TARUTUNK"
    kec.loc[kec["kemendagri_code"] == "12.02.15", "n_desa_kel"] = "16"
    with pytest.raises(
        DataSourceError,
        match=r"(?s)kecamatan_bps_2018 is 'TARUTUNK'.*"
        r"12\.02\.15: n_desa_kel is 16, the desa table has 15",
    ):
        data.crosswalks_from_reference(desa, kec)
    with pytest.raises(DataSourceError, match=r"desa table lacks column\(s\) \['kind'\]"):
        data.crosswalks_from_reference(desa.drop(columns="kind"), kec)


def test_data_folder_env_then_checkout_then_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mapping import settings

    monkeypatch.setenv("PETA_KESOS_DATA", str(tmp_path / "mine"))
    assert settings.default_data_dir() == tmp_path / "mine"
    monkeypatch.delenv("PETA_KESOS_DATA")
    root = settings.checkout_root()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert settings.default_data_dir() == root / "data"
    # An installed wheel (no checkout): the user cache folder, never site-packages.
    monkeypatch.setattr(settings, "checkout_root", lambda: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # honoured on Linux
    cache = settings.default_data_dir()
    assert cache == Path(pooch.os_cache("peta-kesos")) and cache.name == "peta-kesos"
    assert "site-packages" not in cache.parts
    monkeypatch.chdir(tmp_path)
    assert settings.default_output_dir() == tmp_path / "outputs"
