"""Kecamatan profiles: one A4 PDF page per kecamatan and the regency summary, read as text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mapping import privacy, profiles
from mapping.analysis import coverage_analysis
from mapping.categories import CATEGORY_BY_CODE
from mapping.errors import InputError
from mapping.pipeline import _protect_synthetic, real_indicator_layers, synthetic_layers

TARUTUNG, PAHAE_JAE = "12.02.01", "12.02.06"
PMKS = [c for c, cat in CATEGORY_BY_CODE.items() if cat.group == "pmks"]


@pytest.fixture(scope="module")
def layers():
    desa, _, _ = real_indicator_layers()
    sdesa, skec, _, _ = synthetic_layers()
    return desa, sdesa, skec


@pytest.fixture(scope="module")
def data(layers) -> profiles.ProfileData:
    desa, sdesa, skec = layers
    analysis = coverage_analysis(desa, clusters=False)
    _, published = _protect_synthetic(sdesa, skec)
    return profiles.prepare_profiles(analysis, sdesa, skec, published=published)


@pytest.fixture(scope="module")
def pdfs(data, tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("profil")
    return profiles.write_profiles(data, out, built="2026-12-01", codes=[TARUTUNG, PAHAE_JAE])


@pytest.fixture(scope="module")
def pdf_text(in_ci):
    """Text of a PDF page by page (poppler's pdftotext, installed by .ci/run)."""
    if shutil.which("pdftotext") is None:
        if in_ci:
            pytest.fail("pdftotext (poppler-utils) is missing; .ci/run installs it")
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def read(path: Path) -> list[str]:
        done = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        )
        return done.stdout.rstrip("\f").split("\f")

    return read


def test_summary_first_then_one_file_per_kecamatan(pdfs) -> None:
    assert [p.name for p in pdfs] == [
        "ringkasan-kabupaten.pdf", "profil-tarutung.pdf", "profil-pahae-jae.pdf",
    ]  # fmt: skip
    assert all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)


def test_profile_is_one_page_with_name_key_figures_and_synthetic_label(
    data, pdfs, pdf_text, layers
) -> None:
    pages = pdf_text(pdfs[2])
    assert len(pages) == 1
    page = re.sub(r"[ ]+", " ", pages[0])
    assert "Profil Kecamatan Pahae Jae" in page and "1 Desember 2026" in page
    desa = layers[0][layers[0]["kecamatan_code"] == PAHAE_JAE]
    families = pd.to_numeric(desa["keluarga"]).sum()
    at_risk = pd.to_numeric(desa["keluarga_berisiko_stunting"]).sum()
    pkh = pd.to_numeric(desa["penerima_pkh"]).sum()
    assert f"Desa/kelurahan {len(desa)}" in page
    assert f"Jumlah keluarga (sasaran) {families:,.0f}".replace(",", ".") in page
    assert f"Keluarga berisiko stunting {at_risk:,.0f}".replace(",", ".") in page
    assert f"Cakupan PKH thd. keluarga berisiko {100 * pkh / at_risk:.0f} %" in page
    assert "CONTOH SINTETIS" in page and "contoh sintetis" in page
    assert "lokasi perkiraan" in page and "bukan semua rumah tangga" in page
    sev = pd.to_numeric(data.analysis.desa.loc[data.analysis.desa["kecamatan_code"] == PAHAE_JAE,
                                               "severity"])  # fmt: skip
    assert f"4 Sangat parah {int((sev == 4).sum())}" in page
    for name in data.analysis.desa.loc[
        (data.analysis.desa["kecamatan_code"] == PAHAE_JAE) & sev.isin([4, 5]), "name"
    ]:
        assert f"{name}: kelas " in page


def _pmks_cells(page: str) -> dict[str, str]:
    """PMKS category -> printed value, from the left column of the table."""
    cells = {}
    for code in PMKS:
        name = CATEGORY_BY_CODE[code].name_id
        short = name if len(name) <= 52 else name[:40]
        m = re.search(re.escape(short) + r"[^\n]*?\s{2,}(<\s*5|[\d.]+)", page)
        assert m, name
        cells[code] = m.group(1)
    return cells


def test_no_pmks_count_from_1_to_4_is_printed(data, pdfs, pdf_text, layers) -> None:
    _, sdesa, skec = layers
    for path, code in ((pdfs[1], TARUTUNG), (pdfs[2], PAHAE_JAE)):
        cells = _pmks_cells(pdf_text(path)[0])
        raw = skec.set_index("code").loc[code]
        for cat, shown in cells.items():
            if shown.startswith("<"):
                continue
            value = int(shown.replace(".", ""))
            assert not 1 <= value <= 4, (code, cat, value)
            assert value == raw[cat], (code, cat)  # published values are the real counts
        small = [c for c in PMKS if 1 <= raw[c] <= 4]
        assert small and all(re.fullmatch(r"<\s*5", cells[c]) for c in small)


def test_pmks_row_never_gives_a_hidden_category_back(data, layers) -> None:
    _, _, skec = layers
    counts = data.counts.set_index("code")
    raw = skec.set_index("code")
    for code in counts.index:
        hidden = [c for c in PMKS if privacy.suppressed_mask(data.counts, c).to_numpy()[
            list(counts.index).index(code)]]  # fmt: skip
        if hidden:  # the total is printed: the hidden ones must not be one small sum
            assert len(hidden) >= 2 and raw.loc[code, hidden].sum() >= 5, (code, hidden)


def test_cells_hidden_in_the_published_maps_stay_hidden(data, layers) -> None:
    _, sdesa, skec = layers
    _, published = _protect_synthetic(sdesa, skec)
    for col in ["fm", "lut", "pd", "pmks_total"]:
        before = privacy.suppressed_mask(published, col).to_numpy()
        after = privacy.suppressed_mask(data.counts, col).to_numpy()
        assert not (before & ~after).any(), col
        assert data.counts.loc[before, col].isna().all()


def test_kecamatan_figures_add_up_to_the_desa(data, layers) -> None:
    desa = layers[0]
    figs = data.figures.set_index("kecamatan_code")
    sums = desa.groupby("kecamatan_code")["keluarga"].sum()
    assert np.allclose(figs["keluarga"], sums.reindex(figs.index))
    n = figs[[f"severity_{lv}" for lv in range(1, 6)] + ["severity_none"]].sum(axis=1)
    assert (n == figs["n_desa"]).all() and figs["n_desa"].sum() == 252
    assert (figs["km_median"] <= figs["km_max"]).all()
    assert data.regency["keluarga"] == pytest.approx(desa["keluarga"].sum())


def test_summary_lists_every_kecamatan_and_the_regency(data, pdfs, pdf_text) -> None:
    pages = pdf_text(pdfs[0])
    assert len(pages) == 1
    page = pages[0]
    assert "Ringkasan Kabupaten Tapanuli Utara" in page
    for name in data.figures["kecamatan"]:
        assert re.search(rf"^\s*{re.escape(name)}\s+\d", page, re.MULTILINE), name
    families = f"{data.regency['keluarga']:,.0f}".replace(",", ".")
    assert re.search(rf"Kabupaten\s+252\s+{re.escape(families)}", page)
    assert "contoh sintetis" in page


def test_english_profile(layers, tmp_path, pdf_text) -> None:
    desa, sdesa, skec = layers
    analysis = coverage_analysis(desa, clusters=False, language="en")
    data = profiles.prepare_profiles(analysis, sdesa, skec)
    fig = profiles.plot_profile(data, PAHAE_JAE, built="2026-12-01")
    path = tmp_path / "profile.pdf"
    fig.savefig(path, format="pdf")
    page = pdf_text(path)[0]
    assert "Kecamatan profile: Pahae Jae" in page and "1 December 2026" in page
    assert "SYNTHETIC EXAMPLE" in page and "PMKS by category" in page
    assert "Families at risk of stunting" in page and "Keluarga" not in page.split("Note")[0]


def test_unknown_kecamatan_is_refused(data) -> None:
    with pytest.raises(InputError, match=r"kecamatan_code='12\.02\.99' is not in the analysis"):
        profiles.plot_profile(data, "12.02.99")


def test_counts_need_the_synthetic_layer(layers) -> None:
    _, sdesa, skec = layers
    with pytest.raises(InputError, match=r"missing: \['pmks_total'\]"):
        profiles.protected_counts(sdesa, skec.drop(columns=["pmks_total"]))


def test_kecamatan_without_worst_desa_says_so(data) -> None:
    sev = pd.to_numeric(data.analysis.desa["severity"])
    worst = data.analysis.desa.loc[sev >= 4, "kecamatan_code"]
    calm = sorted(set(data.figures["kecamatan_code"]) - set(worst))
    assert calm  # Sipoholon has no desa in class 4 or 5
    assert profiles._worst_rows(data.analysis, calm[0]) == []
