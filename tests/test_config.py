"""The project config (peta-kesos.yaml): validation with key and line, and builds from it."""

from __future__ import annotations

import csv
import filecmp
import json
from pathlib import Path

import pytest

from mapping.analysis import AnalysisOptions
from mapping.cli import main
from mapping.config import ConfigError, ProjectConfig, load_config, parse_config
from mapping.pipeline import build_outputs

EXAMPLE = Path(__file__).resolve().parents[1] / "peta-kesos.yaml"


def test_example_config_is_the_default_build() -> None:
    config = load_config(EXAMPLE)
    assert config.coverage.options() == AnalysisOptions()
    assert config.csr.shortlist_kwargs() == {"how": "union"}  # shortlist()'s own defaults
    assert (config.maps.language, config.maps.dpi, config.maps.bundled) == ("id", 300, True)
    assert (config.privacy.k, config.privacy.enabled) == (5, True)
    assert not config.inputs and not config.measures and not config.maps.layers
    assert config.out_dir == EXAMPLE.parent / "outputs"
    # every key of the schema is in the example (so it documents all of them)
    assert config.model_dump(exclude={"inputs", "measures"}) == ProjectConfig().model_dump(
        exclude={"inputs", "measures"}
    )


def test_csr_and_privacy_settings_become_the_api_options() -> None:
    config = parse_config(
        "csr:\n  sites: ['Kantor=1.84,99.09']\n  radius_km: 15\n  how: intersection\n"
        "  kecamatan: [Pahae Jae]\n  weights: {need: 2, gap: 1}\n  top_n: 8\n"
        "privacy:\n  k: 10\n  k_by_category: {odha: 20}\n  enabled: false\n  internal: true\n"
    )
    assert config.csr.shortlist_kwargs() == {
        "how": "intersection", "sites": ["Kantor=1.84,99.09"], "radius_km": 15.0,
        "kecamatan": ["Pahae Jae"], "top_n": 8, "weights": {"need": 2.0, "gap": 1.0},
    }  # fmt: skip
    assert (config.privacy.k, config.privacy.k_by_category) == (10, {"odha": 20})
    assert not config.privacy.enabled


def _errors(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, name="p.yaml")
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "csr:\n  radius_km: 15\n  weights:\n    need: 0.5\n    biaya: 1\n",
            r"p\.yaml, line 5, key csr\.weights\.biaya: unknown key; "
            r"allowed: need, gap, access, capacity",
        ),
        ("maps:\n  language: id\n  dpi: 10\n", r"line 3, key maps\.dpi: .*greater than .* 50"),
        ("maps:\n  language: jw\n", r"line 2, key maps\.language: Input should be 'id' or 'en'"),
        ("petas: {}\n", r"line 1, key petas: unknown key; allowed: inputs, measures, maps, cov"),
        (
            "privacy:\n  k: 3\n  enabled: false\n",
            r"line 3, key privacy\.enabled: enabled: false .* only with internal: true",
        ),
        (
            "csr:\n  sites:\n    - Kantor=1.84\n",
            r"line 2, key csr\.sites: site 'Kantor=1.84' .* expected NAME=LAT,LON",
        ),
        (
            "inputs:\n  - file: a.csv\n    level: rt\n",
            r"line 3, key inputs\[0\]\.level: Input should be 'desa' or 'kecamatan' "
            r"\(found 'rt'\)",
        ),
        (
            "inputs:\n  - file: a.csv\n    columns:\n      nama: Lokasi\n",
            r"line 4, key inputs\[0\]\.columns\.nama: unknown key; allowed: desa, kecamatan, "
            r"code, kecamatan_code, year, category, value",
        ),
        (
            "inputs:\n  - file: a.csv\n    categories:\n      KK: keluarga\n      Ortu: ortu\n",
            r"line 5, key inputs\[0\]\.categories\.Ortu: unknown category code 'ortu'; "
            r"allowed: catalogue codes",
        ),
        (
            "inputs:\n  - file: a.csv\n    columns: {desa: Lokasi}\n"
            "    categories: {Lokasi: fm}\n",
            r"line 4, key inputs\[0\]\.categories: header\(s\) 'Lokasi' \(columns\.desa\) "
            r"also named under columns",
        ),
        (
            "inputs:\n  - file: a.csv\n  - file: b.csv\n    level: kecamatan\n",
            r"line 4, key inputs\[1\]\.level: kecamatan, but inputs\[0\] is desa; allowed: one "
            r"level",
        ),
        (
            "coverage:\n  need: fm\n  reached: penerima_xyz\n",
            r"line 3, key coverage\.reached: 'penerima_xyz' is neither a column nor a measure; "
            r"allowed: a catalogue code .*penerima_pkh.* or a measure code",
        ),
        (
            "coverage:\n  need_measure: lansia\n",
            r"line 2, key coverage\.need_measure: unknown measure 'lansia'; allowed: the codes "
            r"under measures \(none\)",
        ),
        ("inputs:\n  - sheet: PMKS\n", r"line 2, key inputs\[0\]\.file: missing"),
        (
            "measures:\n  - code: lansia\n    name_id: Lansia\n    categories: [lut, xyz]\n",
            r"line 4, key measures\[0\]\.categories: unknown category code\(s\) xyz",
        ),
        (
            "inputs:\n  - file: a.csv\nmaps:\n  layers:\n    - measure: pmks_prioritas\n"
            "    - measure: lansia\n",
            r"line 6, key maps\.layers\[1\]\.measure: unknown measure 'lansia'; allowed: ",
        ),
        (
            "inputs:\n  - file: a.csv\nmaps:\n  layers:\n    - {measure: pmks_prioritas, "
            "scheme: jenks}\n",
            r"line 5, key maps\.layers\[0\]\.scheme: unknown scheme; allowed: quantiles",
        ),
        (
            "privacy:\n  k: 5\n  k_by_category:\n    odha: 3\n",
            r"line 4, key privacy\.k_by_category\.odha: 3 is below k=5; allowed: a stricter",
        ),
        ("coverage:\n  decay: linear\n", r"line 2, key coverage\.decay: .*'step' or 'gaussian'"),
        ("maps: [\n", r"p\.yaml, line 2: not valid YAML"),
    ],
)
def test_config_error_names_key_line_and_what_is_allowed(text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_config(text, name="p.yaml")


def test_every_problem_is_listed_at_once() -> None:
    message = _errors("maps:\n  dpi: 10\ncsr:\n  top_n: 0\n")
    assert "line 2, key maps.dpi" in message and "line 4, key csr.top_n" in message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file .*nope\.yaml not found"):
        load_config(tmp_path / "nope.yaml")


def _small_csv(desa, path: Path) -> Path:
    """Fakir miskin and lansia terlantar of every desa of Tarutung (6 and 4 per 200 families)
    and Sipoholon (10 and 0 per 125): measure rates 50 and 80 per 1,000 families."""
    rows = []
    for kec, fm, lut, kk in (("Tarutung", 6, 4, 200), ("Sipoholon", 10, 0, 125)):
        for name in desa.loc[desa["kecamatan"] == kec, "name"]:
            rows.append({"Kecamatan": kec, "Desa/Kelurahan": name, "Fakir Miskin": fm,
                         "Lansia Terlantar": lut, "Jumlah KK": kk})  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_user_config_maps_a_small_csv(desa, tmp_path: Path, capsys) -> None:
    _small_csv(desa, tmp_path / "pmks.csv")
    config = tmp_path / "proyek.yaml"
    config.write_text(
        "inputs:\n  - file: pmks.csv\n    source: Uji\n"
        "measures:\n  - code: miskin_lansia\n    name_id: Fakir miskin dan lansia\n"
        "    categories: [fm, lut]\n"
        "maps:\n  dpi: 50\n  bundled: false\n  title: Data uji\n"
        "  layers:\n    - {measure: miskin_lansia, scheme: equal_interval, k: 3}\n"
        "outputs:\n  folder: hasil\n",
        encoding="utf-8",
    )
    assert main(["build", "--config", str(config)]) == 0
    out = tmp_path / "hasil"
    names = {p.name for p in out.iterdir()}
    assert {"data-peta-desa.html", "data-peta-kecamatan.html", "index.html"} <= names
    assert "data-kecamatan-miskin-lansia-per-1000.png" in names
    assert not any(n.startswith(("indikator-", "contoh-sintetis-")) for n in names)
    page = (out / "data-peta-kecamatan.html").read_text(encoding="utf-8")
    assert "Fakir miskin dan lansia" in page and "Data uji" in page
    reports = {p.name for p in (out / "laporan").iterdir()}
    assert "pencocokan-data-pmks.csv" in reports
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert doc["config"]["project_config"]["measures"][0]["code"] == "miskin_lansia"
    # the up-to-date check includes the config's content: unchanged -> nothing rebuilt ...
    capsys.readouterr()
    assert main(["build", "--config", str(config)]) == 0
    assert "up to date" in capsys.readouterr().out
    # ... a changed config rebuilds
    config.write_text(config.read_text().replace("k: 3", "k: 4"), encoding="utf-8")
    assert main(["build", "--config", str(config)]) == 0
    assert "up to date" not in capsys.readouterr().out


def test_cli_config_error_is_one_clear_message(tmp_path: Path, capsys) -> None:
    config = tmp_path / "salah.yaml"
    config.write_text("csr:\n  weights:\n    biaya: 1\n", encoding="utf-8")
    assert main(["build", "--config", str(config)]) != 0
    err = capsys.readouterr().err
    assert "salah.yaml, line 3, key csr.weights.biaya: unknown key" in err


@pytest.mark.slow
def test_example_config_builds_the_default_outputs(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("dpi: 300 ", "dpi: 50  ")
    config = parse_config(text.replace("folder: outputs", f"folder: {tmp_path / 'cfg'}"))
    with_config = build_outputs(config=config, progress=lambda _m: None)
    default = build_outputs(tmp_path / "default", dpi=50, progress=lambda _m: None)
    rel = [sorted(p.relative_to(root) for p in r.files) for r, root in (
        (with_config, tmp_path / "cfg"), (default, tmp_path / "default"))]  # fmt: skip
    assert rel[0] == rel[1]
    same = [p for p in rel[0] if p.suffix in {".csv", ".png"}]
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "cfg", tmp_path / "default", same)
    assert not mismatch and not errors
