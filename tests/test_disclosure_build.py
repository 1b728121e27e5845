"""The whole build (``make maps`` through a config) scanned for small counts: every file.

A table with planted small counts (1-4, and 5-9 in a category with a stricter k), zeros and
large values in sensitive categories is built with the bundled map sets, the coverage
analysis, the CSR shortlist and the kecamatan profiles; then every file of the output folder
(HTML maps with their embedded data, CSV, XLSX, PDF text, JSON) is read and checked, with the
real desa indicators and the synthetic sample as the other true tables
(:mod:`disclosure_scan`). PNG maps are images: their labels and legends are checked by the
static map tests (tests/test_disclosure.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from disclosure_scan import Facts, Truth, find_leaks, read_folder

from mapping import interactive
from mapping.boundaries import load_desa
from mapping.categories import CATALOGUE, column_title
from mapping.config import load_config
from mapping.pipeline import build_outputs, real_indicator_layers, synthetic_layers
from mapping.privacy import PERSON_INDICATORS

#: The planted table's sensitive categories (file header -> catalogue code), and the stricter
#: k of one of them.
PLANTED = {"Orang dengan HIV/AIDS": "odha", "Anak yang Berhadapan dengan Hukum": "abh",
           "Fakir Miskin": "fm"}  # fmt: skip
K, K_ODHA = 5, 10


def _planted_table(path: Path) -> pd.DataFrame:
    """One row per desa: 1-4 (and 5-9) in many cells, zeros, and large values."""
    desa = load_desa()
    rng = np.random.default_rng(2024)
    table = pd.DataFrame({"Kecamatan": desa["kecamatan"], "Desa/Kelurahan": desa["name"]})
    for header in PLANTED:
        table[header] = rng.choice([0, 0, 1, 2, 3, 4, 1, 2, 6, 8, 12, 25, 60, 150], len(desa))
    table.to_csv(path, index=False)
    return table.assign(code=desa["code"].to_numpy())


def _build(folder: Path, *, internal: bool = False) -> Path:
    """Build from a config file next to the planted table; returns the output folder."""
    privacy = "enabled: false\n  internal: true" if internal else "enabled: true"
    config = folder / ("intern.yaml" if internal else "peta-kesos.yaml")
    out = "intern" if internal else "hasil"
    config.write_text(
        "inputs:\n  - file: pmks.csv\n    source: Uji kendali pengungkapan\n"
        f"maps:\n  dpi: 50\n  bundled: {'false' if internal else 'true'}\n"
        "coverage:\n  clusters: false\n"
        f"privacy:\n  k: {K}\n  k_by_category: {{odha: {K_ODHA}}}\n  {privacy}\n"
        f"outputs:\n  folder: {out}\n",
        encoding="utf-8",
    )
    build_outputs(config=load_config(config), progress=lambda _m: None)
    return folder / out


def truth_of(planted: pd.DataFrame) -> Truth:
    """The true counts behind a build: the planted table, the real desa indicators (need and
    reach of the coverage analysis among them) and the synthetic PMKS sample.

    The coverage gap (need minus reach) is not a count of its own: the two counts are not
    matched family by family, so it is hidden only with the need or the reach (and the
    scanner finds a need or a reach given back by the gap).
    """
    real, _, _ = real_indicator_layers()
    frame = pd.DataFrame(real.drop(columns="geometry")).set_index("code")
    truth = frame[["name", "kecamatan", "keluarga"]].copy()
    counts = sorted(c for c in PERSON_INDICATORS if c in frame.columns)
    truth[counts] = frame[counts]
    for header, code in PLANTED.items():
        truth[f"data:{code}"] = planted.set_index("code")[header].reindex(truth.index)
    syn, _, _, _ = synthetic_layers()
    syn = pd.DataFrame(syn.drop(columns="geometry")).set_index("code").reindex(truth.index)
    pmks = [c.code for c in CATALOGUE if c.group == "pmks" and c.code in syn.columns]
    for code in [*pmks, "pmks_total"]:
        truth[f"sintetis:{code}"] = syn[code]
    k = {c: K_ODHA if c.endswith(":odha") else K for c in truth.columns[3:]}
    # Kecamatan totals of rare categories are too often hidden to check a view on: the
    # labels that show them by name are views.
    named = {f"sintetis:{c}": f"^(profil|contoh-sintetis-[^:]*):{re.escape(str(column_title(c)))}$"
             for c in pmks}  # fmt: skip
    named |= {f"data:{c}": f"^data-[^:]*:{re.escape(str(column_title(c)))}$"
              for c in PLANTED.values()}  # fmt: skip
    parts = {"sintetis:pmks_total": [f"sintetis:{c}" for c in pmks]}
    return Truth(truth, k, named, parts)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    folder = tmp_path_factory.mktemp("planted")
    return folder, truth_of(_planted_table(folder / "pmks.csv"))


@pytest.fixture(scope="module")
def scanned(planted) -> tuple[Path, Truth, Facts]:
    folder, truth = planted
    out = _build(folder)
    return out, truth, read_folder(out, truth)


def test_no_file_of_the_build_gives_a_small_count_away(scanned) -> None:
    out, truth, facts = scanned
    assert find_leaks(facts, truth) == []
    # every kind of file was read, and each output's numbers reached the scan
    assert {".html", ".csv", ".xlsx", ".pdf", ".json", ".png"} <= set(facts.files)
    labels = {label for _, label in facts.values}
    for expected in (
        "data-peta-desa.html:Orang dengan HIV/AIDS",
        "indikator-peta-desa.html:Anak Stunting (per 1.000 keluarga)",
        "cakupan-desa.csv:need",
        "cakupan-desa.csv:gap",
        "sasaran-csr-sarulla.csv:coverage_component",
        "profil:Orang dengan HIV/AIDS",
        "profil:Penerima PKH",
        "profil/ringkasan-kabupaten.pdf:col2",
    ):
        assert expected in labels, expected
    assert any(re.match(r"cakupan-desa\.xlsx\[Cakupan@0\]:Kebutuhan", lb) for lb in labels)
    assert any(lv == "kabupaten" for lv, _ in facts.values)  # the regency row of the summary
    # odha has k = 10: its 5-9 are hidden too, as "< 10"
    data, _, _ = interactive.embedded_data((out / "data-peta-desa.html").read_text("utf-8"))
    shown = {v for f in data["features"] for v in f["properties"]["v"]}
    assert "< 10" in shown and "< 5" in shown


@pytest.mark.parametrize("column", ["need", "surplus"])
def test_the_scan_finds_a_small_count_put_back(scanned, tmp_path: Path, column: str) -> None:
    """A hidden need put back into the coverage table, or the surplus that gives it back
    (reach - surplus), as the code before the fix published it: found."""
    out, truth, _ = scanned
    table = pd.read_csv(out / "cakupan-desa.csv", dtype=str, encoding="utf-8-sig")
    need = truth.desa["keluarga_berisiko_stunting"]
    reached = truth.desa["penerima_pkh"]
    code = truth.desa.index[need.between(1, K - 1) & (reached > need)][0]
    row = table.index[table["code"] == code][0]
    assert table.at[row, "need"] == table.at[row, "surplus"] == "< 5"
    assert table.at[row, "reached"] == str(int(reached[code]))
    value = need[code] if column == "need" else reached[code] - need[code]
    table.at[row, column] = str(int(value))
    table.to_csv(tmp_path / "cakupan-desa.csv", index=False)
    leaks = find_leaks(read_folder(tmp_path, truth), truth)
    name = truth.desa.at[code, "name"]
    assert any(leak.startswith("keluarga_berisiko_stunting = ") and f" of desa {name} from "
               in leak for leak in leaks), leaks  # fmt: skip


def test_the_scan_finds_the_planted_counts_when_privacy_is_off(planted) -> None:
    folder, truth = planted
    out = _build(folder, internal=True)
    leaks = find_leaks(read_folder(out, truth), truth)
    for code in PLANTED.values():
        n_small = int(truth.desa[f"data:{code}"].between(1, truth.k[f"data:{code}"] - 1).sum())
        found = [leak for leak in leaks if leak.startswith(f"data:{code} = ") and " desa " in leak]
        assert len(found) == n_small, (code, found[:3])
    assert any("data-peta-desa.html:" in leak for leak in leaks)
    shutil.rmtree(out)
