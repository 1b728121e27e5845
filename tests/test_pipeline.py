"""The default build (``make maps``): every map, report and the gallery, on the real data."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import mapping
from mapping import __version__, interactive, manifest
from mapping.categories import CATALOGUE
from mapping.config import ProjectConfig
from mapping.data import load_manifest
from mapping.pipeline import build_outputs
from mapping.privacy import is_person_count
from mapping.settings import get_settings


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("outputs")
    messages: list[str] = []
    result = build_outputs(out, dpi=40, progress=messages.append)
    return out, result, messages


def test_maps_of_both_levels_with_at_least_five_indicators(built) -> None:
    out, result, _ = built
    names = {p.name for p in result.maps}
    for prefix in ("indikator-", "contoh-sintetis-"):
        for level in ("desa", "kecamatan"):
            assert f"{prefix}peta-{level}.html" in names
            pngs = [n for n in names if n.startswith(f"{prefix}{level}-") and n.endswith(".png")]
            assert len(pngs) >= 5, (prefix, level, pngs)
    assert "contoh-sintetis-desa-bivariat.png" in names
    assert all(p.is_file() and p.stat().st_size > 0 for p in result.files)


def test_synthetic_maps_say_so(built) -> None:
    out, result, _ = built
    page = (out / "contoh-sintetis-peta-desa.html").read_text(encoding="utf-8")
    assert "contoh sintetis" in page
    real = (out / "indikator-peta-desa.html").read_text(encoding="utf-8")
    assert "contoh sintetis" not in real


#: Map titles of person or family counts (the build's names of the protected columns).
PERSON_NAMES = (
    *(c.name_id for c in CATALOGUE if is_person_count(c.code)),
    "PMKS (semua kategori)",
)


def _number(text: str) -> float | None:
    return (
        float(text.replace(".", "").replace(",", ".")) if re.fullmatch(r"[\d.,]+", text) else None
    )


def test_published_maps_give_no_small_count_away(built) -> None:
    """The issue's case: 28 families x 71 per 1,000 = 2 stunted children came back."""
    out, _, _ = built
    for name in ("indikator-peta-desa.html", "contoh-sintetis-peta-desa.html"):
        data, config, _ = interactive.embedded_data((out / name).read_text(encoding="utf-8"))
        feats = [f["properties"] for f in data["features"]]
        titles = [layer["title"] for layer in config["layers"]]
        assert "INTERNAL" not in config["caption"]
        families = None
        if name.startswith("indikator-"):
            families = [_number(p["v"][titles.index("Jumlah Keluarga")]) for p in feats]
        hidden = 0
        for i, title in enumerate(titles):
            if "per 1.000" not in title or not title.startswith(PERSON_NAMES):
                continue  # posyandu and PSKS count facilities and organisations
            for p, fam in zip(feats, families or [None] * len(feats), strict=True):
                value = p["v"][i]
                hidden += value == "< 5"
                rate = _number(value)
                if rate is not None and fam:
                    assert not 1 <= round(rate * fam / 1000) <= 4, (name, title, p["n"])
        assert hidden >= (107 if name.startswith("indikator-") else 1)


def test_gallery_lists_every_map_with_a_thumbnail(built) -> None:
    out, result, _ = built
    index = result.index.read_text(encoding="utf-8")
    for path in result.maps:
        assert f'href="{path.name}"' in index, path.name
    thumbs = re.findall(r'<img src="(thumbs/[^"]+)"', index)
    assert len(thumbs) == len(result.maps)
    assert all((out / t).is_file() for t in thumbs)


def test_reports_account_for_every_input_row(built) -> None:
    out, result, _ = built
    assert {p.parent.name for p in result.reports} == {"laporan"}
    welfare = get_settings().data_dir / "welfare"
    n_indicators = len(pd.read_csv(welfare / "indikator-desa.csv"))
    n_desa = pd.read_csv(welfare / "pmks-psks-desa-contoh-sintetis.csv")["area_code"].nunique()
    # Sample workbook: one row per desa and a totals row, on each of the PMKS and PSKS sheets.
    expected = {
        "pencocokan-indikator-desa": n_indicators,
        "pencocokan-pmks-psks-contoh-sintetis": 2 * (n_desa + 1) + n_indicators,
    }
    for stem, n_rows in expected.items():
        report = pd.read_csv(out / "laporan" / f"{stem}.csv", dtype=str, keep_default_na=False)
        inputs = report[report["status"] != "wilayah tanpa data"]
        assert len(inputs) == n_rows, stem
        assert set(inputs["status"]) <= {"digabung", "dilaporkan (tidak digabung)"}
        reported = inputs[inputs["status"] == "dilaporkan (tidak digabung)"]
        assert set(reported["cara pencocokan"]) <= {"baris jumlah"}, reported.head().to_string()
        xlsx = pd.read_excel(out / "laporan" / f"{stem}.xlsx", dtype=str)
        assert list(xlsx.columns) == list(report.columns) and len(xlsx) == len(report)


def test_reports_are_csv_and_formatted_xlsx_linked_from_the_gallery(built) -> None:
    from openpyxl import load_workbook

    out, result, _ = built
    names = sorted(p.name for p in result.reports)
    stems = sorted({p.stem for p in result.reports})
    assert names == sorted(f"{s}{ext}" for s in stems for ext in (".csv", ".xlsx"))
    assert {s.split("-", 1)[0] for s in stems} == {"pencocokan", "validasi"}
    ws = load_workbook(out / "laporan" / "validasi-pmks-psks-contoh-sintetis.xlsx").active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions
    assert ws["A1"].value == "tingkat" and ws["A1"].font.bold
    index = result.index.read_text(encoding="utf-8")
    for path in result.reports:
        assert f'href="laporan/{path.name}"' in index, path.name


def test_gallery_shows_date_sources_caveats_and_disclaimer(built) -> None:
    out, result, _ = built
    index = result.index.read_text(encoding="utf-8")
    built_at = manifest.read_manifest(out)["built_at"]
    assert f"<time>{built_at[:10]} {built_at[11:16]} UTC</time>" in index
    assert "BIG 2022" in index and "bukan semua rumah tangga" in index
    assert 'class="disclaimer"' in index and "CONTOH SINTETIS" in index
    assert 'href="manifest.json"' in index


def test_manifest_lists_every_file_with_checksums_that_hold(built) -> None:
    out, result, _ = built
    doc = manifest.read_manifest(out)
    assert manifest.check_manifest(out) == []
    listed = {f["path"] for f in doc["files"]}
    expected = {p.relative_to(out).as_posix() for p in result.files if p != result.manifest}
    assert expected <= listed and "index.html" in listed
    assert any(p.startswith("thumbs/") for p in listed)
    assert doc["version"] == __version__ and doc["config"]["dpi"] == 40
    assert dt.datetime.fromisoformat(doc["built_at"]).tzinfo is not None
    roles = {i["role"] for i in doc["inputs"]}
    assert {"boundaries", "welfare", "crosswalk"} <= roles
    raw = [i for i in doc["inputs"] if i["role"] == "boundaries"]
    assert len(raw) == 15
    by_name = {Path(i["path"]).name: i["sha256"] for i in raw}
    assert by_name == {f.name: f.sha256 for f in load_manifest()}
    # A changed output breaks the check, and says which.
    first = out / doc["files"][0]["path"]
    original = first.read_bytes()
    first.write_bytes(original + b" ")
    try:
        assert manifest.check_manifest(out) == [
            f"{doc['files'][0]['path']}: changed since the build (SHA-256 differs)"
        ]
    finally:
        first.write_bytes(original)


def test_progress_is_reported(built) -> None:
    _, _, messages = built
    assert messages[0].startswith("[1/9]") and messages[-1].startswith("done in")


def test_second_build_is_skipped_unless_something_changed(built) -> None:
    out, result, _ = built
    messages: list[str] = []
    before = (out / "manifest.json").read_bytes()
    again = build_outputs(out, dpi=40, progress=messages.append)
    assert any("up to date" in m for m in messages)
    assert again.files == result.files
    assert (out / "manifest.json").read_bytes() == before
    assert manifest.check_manifest(out) == []
    # A missing output file means a rebuild.
    (out / result.maps[0].name).unlink()
    stale = out / "old-map-from-an-earlier-build.png"
    stale.write_bytes(b"x")
    messages.clear()
    rebuilt = build_outputs(out, dpi=40, progress=messages.append)
    assert not any("up to date" in m for m in messages)
    assert [p.name for p in rebuilt.files] == [p.name for p in result.files]
    assert result.maps[0].is_file()
    assert stale.is_file()  # not ours: never deleted


def test_files_an_earlier_build_wrote_and_this_one_does_not_are_removed(built) -> None:
    out, result, _ = built

    stamp = out / ".build-stamp.json"
    doc = json.loads(stamp.read_text())
    doc["maps"].append("peta-lama.png")
    doc["signature"] = "changed"
    stamp.write_text(json.dumps(doc))
    (out / "peta-lama.png").write_bytes(b"x")
    build_outputs(out, dpi=40, progress=lambda _m: None)
    assert not (out / "peta-lama.png").exists()
    assert all(p.is_file() for p in result.files)


def test_english_build_has_english_texts(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("outputs-en")
    result = build_outputs(out, language="en", dpi=40, progress=lambda _m: None)
    page = (out / "indikator-peta-desa.html").read_text(encoding="utf-8")
    assert "per 1,000 families" in page and "Families at risk of stunting" in page
    assert "per 1.000 keluarga" not in page and "Keluarga Berisiko Stunting" not in page
    index = result.index.read_text(encoding="utf-8")
    assert "maps of Kabupaten Tapanuli Utara" in index


def test_coverage_maps_and_shortlist_are_built_and_linked(built) -> None:
    out, result, _ = built
    names = {p.name for p in result.tables}
    assert {"cakupan-desa.csv", "cakupan-desa.xlsx", "sasaran-csr-sarulla.csv",
            "sasaran-csr-sarulla.xlsx"} <= names  # fmt: skip
    maps = {p.name for p in result.maps}
    assert {"cakupan-peta-desa.html", "cakupan-desa-severity.png", "cakupan-desa-puskesmas-km.png",
            "cakupan-desa-klaster-need.png", "sasaran-csr-sarulla.html"} <= maps  # fmt: skip
    index = result.index.read_text(encoding="utf-8")
    for path in result.tables:
        assert f'href="{path.relative_to(out).as_posix()}"' in index, path.name
    assert "Analisis cakupan" in index and "Sasaran CSR" in index
    shortlist = pd.read_csv(out / "sasaran-csr-sarulla.csv", encoding="utf-8-sig")
    assert shortlist["rank"].min() == 1 and shortlist["reason"].str.len().min() > 10
    coverage = pd.read_csv(out / "cakupan-desa.csv", encoding="utf-8-sig", dtype=str)
    assert len(coverage) == 252 and (coverage["need"] == "< 5").any()


def _first_new_output(out: Path, since_ns: int) -> Path | None:
    """An output file (not hidden) written after `since_ns`, if any."""
    for p in manifest.output_files(out):
        try:
            if p.stat().st_mtime_ns > since_ns:
                return p
        except FileNotFoundError:  # replaced while we looked
            continue
    return None


@pytest.mark.slow
def test_a_build_killed_mid_way_is_not_taken_as_up_to_date(built) -> None:
    """Issue 9: a killed English build over a finished Indonesian one, then an Indonesian
    build: it rebuilds everything (not "up to date"), all in Indonesian, manifest intact."""
    out, result, _ = built
    env = {**os.environ, "PYTHONPATH": str(Path(mapping.__file__).parents[1])}
    start = time.time_ns()
    cmd = [sys.executable, "-m", "mapping", "build", "-o", str(out), "--dpi", "50"]
    log = out.parent / f"{out.name}-killed-build.log"
    with log.open("w") as sink:
        proc = subprocess.Popen([*cmd, "--language", "en"], env=env, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + 300
        while _first_new_output(out, start) is None:
            assert proc.poll() is None, f"the build ended before writing a map: {log.read_text()}"
            assert time.monotonic() < deadline, "no map written within 300 s"
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    # Killed mid-way: part English, part Indonesian, and no manifest claiming either.
    assert not (out / manifest.MANIFEST_NAME).exists()
    messages: list[str] = []
    again = build_outputs(out, dpi=40, progress=messages.append)
    assert not any("up to date" in m for m in messages)
    assert messages[-1].startswith("done in")
    assert [p.name for p in again.files] == [p.name for p in result.files]
    assert manifest.check_manifest(out) == []
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "per 1,000 families" not in text and "Village" not in text, page.name
    assert "peta Kabupaten Tapanuli Utara" in (out / "index.html").read_text(encoding="utf-8")
    assert manifest.read_manifest(out)["config"]["language"] == "id"


def test_kecamatan_profiles_and_summary_are_built_and_linked(built) -> None:
    out, result, _ = built
    pdfs = sorted((out / "profil").glob("*.pdf"))
    assert len(pdfs) == 16 and (out / "profil" / "ringkasan-kabupaten.pdf") in pdfs
    assert {"profil-tarutung.pdf", "profil-pahae-jae.pdf"} <= {p.name for p in pdfs}
    assert set(pdfs) <= set(result.tables)
    assert all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)
    index = result.index.read_text(encoding="utf-8")
    assert 'href="profil/profil-pahae-jae.pdf">profil-pahae-jae</a>' in index
    assert "Profil kecamatan untuk TKSK dan camat" in index


def test_only_the_groups_whose_settings_changed_are_rebuilt(built) -> None:
    """Issue 10: a new CSR setting rewrites the shortlist and leaves the maps as they were;
    a killed build never leaves a stamp claiming the folder is up to date."""
    out, _, _ = built
    build_outputs(out, dpi=40, progress=lambda _m: None)  # whatever ran before: up to date
    maps = sorted(out.glob("indikator-*.png")) + sorted(out.glob("contoh-sintetis-*.html"))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in maps}
    shortlist_before = (out / "sasaran-csr-sarulla.csv").read_bytes()
    default = ProjectConfig()
    config = default.model_copy(update={
        "maps": default.maps.model_copy(update={"dpi": 40}),
        "csr": default.csr.model_copy(update={"top_n": 7}),
    })  # fmt: skip
    messages: list[str] = []
    build_outputs(out, config=config, progress=messages.append)
    assert any(m.endswith("maps of the real desa indicators: unchanged since the last build")
               for m in messages)  # fmt: skip
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in maps} == before
    shortlist = pd.read_csv(out / "sasaran-csr-sarulla.csv", encoding="utf-8-sig")
    assert (out / "sasaran-csr-sarulla.csv").read_bytes() != shortlist_before
    assert shortlist["shortlisted"].sum() == 7
    assert manifest.check_manifest(out) == []
    stamp = json.loads((out / ".build-stamp.json").read_text())
    assert stamp["signature"] and set(stamp["groups"]) >= {"indikator", "sasaran-csr"}
    # A build that starts rebuilding clears the signature first, and keeps only the groups
    # it will not rebuild: killed from then on, nothing claims to be up to date.
    from mapping.pipeline import _start_build

    _start_build(out, None, {})
    stamp = json.loads((out / ".build-stamp.json").read_text())
    assert stamp["signature"] == "" and stamp["groups"] == {}
    assert not (out / manifest.MANIFEST_NAME).exists()
