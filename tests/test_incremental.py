"""Groups of outputs: fingerprints, running them side by side, what a group wrote."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PIL import Image

from mapping import export
from mapping.errors import InputError
from mapping.incremental import (
    Group,
    GroupFailed,
    Part,
    file_states,
    fingerprint,
    gallery_thumbnail,
    run_groups,
)


def test_fingerprint_reads_the_content_not_the_key_order() -> None:
    settings = {"csr": {"top_n": 10}, "k": 5}
    assert fingerprint(settings) == fingerprint({"k": 5, "csr": {"top_n": 10}})
    assert fingerprint({"csr": {"top_n": 10}}) != fingerprint({"csr": {"top_n": 11}})
    assert fingerprint(Path("a/b")) == fingerprint("a/b")
    assert len(fingerprint()) == 64


def test_file_states_change_when_a_file_is_rewritten(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("x")
    first = file_states([f, tmp_path / "missing.csv"])
    assert first[0].startswith(f"{f}:1:") and first[1] == f"{tmp_path / 'missing.csv'}:missing"
    os.utime(f, ns=(time.time_ns(), f.stat().st_mtime_ns + 1_000_000))
    assert file_states([f]) != first[:1]  # same bytes, written again: a new state


def _writer(folder: Path, name: str, text: str):  # noqa: ANN202
    def run() -> Part:
        path = folder / f"{name}.txt"
        path.write_text(f"{text} from {name}")
        return Part(downloads=[(name, [path])])

    return run


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_groups_runs_each_group_once_whatever_the_jobs(tmp_path: Path, jobs: int) -> None:
    folder = tmp_path / str(jobs)
    folder.mkdir()
    prepared: list[str] = []
    groups = [
        Group(n, fingerprint(n), _writer(folder, n, "ditulis"), lambda n=n: prepared.append(n))
        for n in ("peta", "tabel", "profil")
    ]
    started: list[str] = []
    finished: list[str] = []
    results = run_groups(
        groups, jobs=jobs, started=lambda g: started.append(g.name),
        finished=lambda g, _part: finished.append(g.name),
    )  # fmt: skip
    assert set(results) == {"peta", "tabel", "profil"} and sorted(finished) == sorted(results)
    assert started == ["peta", "tabel", "profil"]  # started in the order given
    assert set(prepared) == {"peta", "tabel", "profil"}  # prepared here, before each group
    for name, part in results.items():
        assert part.files == [folder / f"{name}.txt"]
        assert part.files[0].read_text() == f"ditulis from {name}"


def _fails() -> Part:
    msg = "Column 'need' not found"
    raise InputError(msg)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_group_raises_its_error_in_the_build(tmp_path: Path, jobs: int) -> None:
    groups = [
        Group("baik", "1", _writer(tmp_path, "baik", "x")),
        Group("rusak", "2", _fails),
    ]
    with pytest.raises(InputError, match="Column 'need' not found"):
        run_groups(groups, jobs=jobs)


def test_a_group_whose_process_dies_is_reported_by_name() -> None:
    groups = [Group("baik", "1", lambda: Part()), Group("mati", "2", lambda: os._exit(3))]
    with pytest.raises(GroupFailed, match="'mati' failed: its process ended with exit code 3"):
        run_groups(groups, jobs=2)


def test_jobs_must_be_at_least_one() -> None:
    with pytest.raises(InputError, match="jobs must be >= 1"):
        run_groups([], jobs=0)


def test_part_round_trips_through_the_stamp(tmp_path: Path) -> None:
    png = tmp_path / "peta.png"
    item = export.GalleryItem("Peta", (tmp_path / "peta.html", png), png, "3 lapisan", "Desa")
    part = Part([item], [("Tabel", [tmp_path / "t.csv"])], [("Laporan", [tmp_path / "l.csv"])])
    doc = part.to_json(tmp_path)
    assert doc["items"][0]["files"] == ["peta.html", "peta.png"]
    back = Part.from_json(doc, tmp_path)
    assert back == part
    assert back.files == [tmp_path / n for n in ("peta.html", "peta.png", "t.csv", "l.csv")]


def test_gallery_thumbnail_is_made_again_only_for_a_newer_png(tmp_path: Path) -> None:
    png, thumb = tmp_path / "peta.png", tmp_path / "thumbs" / "00-peta.png"
    thumb.parent.mkdir()
    Image.new("RGB", (960, 480), "red").save(png)
    gallery_thumbnail(png, thumb)
    with Image.open(thumb) as im:
        assert im.size == (480, 240) and im.getpixel((10, 10)) == (255, 0, 0)
    made = thumb.stat().st_mtime_ns
    gallery_thumbnail(png, thumb)
    assert thumb.stat().st_mtime_ns == made  # the PNG did not change: left as it was
    Image.new("RGB", (960, 480), "blue").save(png)
    os.utime(png, ns=(made + 1_000_000, made + 1_000_000))
    gallery_thumbnail(png, thumb)
    with Image.open(thumb) as im:
        assert im.getpixel((10, 10)) == (0, 0, 255)


def test_each_setting_changes_the_fingerprints_of_the_groups_that_read_it(
    tmp_path: Path,
) -> None:
    from mapping.config import ProjectConfig
    from mapping.pipeline import _fingerprints
    from mapping.settings import get_settings

    settings = get_settings()

    def changed(**sections: dict[str, object]) -> set[str]:
        base = ProjectConfig()
        config = base.model_copy(
            update={k: getattr(base, k).model_copy(update=v) for k, v in sections.items()}
        )
        before = _fingerprints(settings, base, tmp_path, "id", 300)
        after = _fingerprints(settings, config, tmp_path, "id", 300)
        assert set(before) == set(after)
        return {name for name in before if before[name] != after[name]}

    groups = {"indikator", "contoh-sintetis", "cakupan", "sasaran-csr", "profil", "laporan"}
    assert changed() == set()
    assert changed(csr={"top_n": 7}) == {"sasaran-csr"}
    assert changed(coverage={"permutations": 99}) == {"cakupan", "sasaran-csr", "profil"}
    assert changed(privacy={"k": 10}) == groups  # every published count
    assert changed(maps={"title": "Peta saya"}) == set()  # only the user's map set reads it
    base = _fingerprints(settings, ProjectConfig(), tmp_path, "id", 300)
    assert set(base) == groups
    assert (
        _fingerprints(settings, ProjectConfig(), tmp_path, "en", 300)["laporan"]
        != (base["laporan"])
    )
    assert _fingerprints(settings, ProjectConfig(), tmp_path / "lain", "id", 300) != base
