"""The project config (peta-kesos.yaml): validation with key and line, and builds from it."""

from __future__ import annotations

import csv
import filecmp
import json
from pathlib import Path

import pandas as pd
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


def test_the_commented_input_example_is_valid() -> None:
    """The example's commented ``inputs`` entry, uncommented, is a valid input."""
    block = EXAMPLE.read_text(encoding="utf-8").split("inputs: []\n")[1].split("\n\n")[0]
    text = "inputs:\n" + "\n".join(line.removeprefix("#") for line in block.splitlines())
    (item,) = parse_config(text).inputs
    assert item.columns.roles() == {
        "desa": "Nama Desa/Kel", "kecamatan": "Kec.", "code": "Kode Wilayah",
        "kecamatan_code": "Kd Kec", "year": "Tahun", "category": "Jenis", "value": "Jumlah",
    }  # fmt: skip
    assert item.categories == {"Lansia Terlantar 60+": "lut", "Jml KK": "keluarga"}


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
            "inputs:\n  - file: a.csv\n    columns: {desa: Lokasi}\n    categories: {Lokasi: fm}\n",
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


# --- the user's own data: named columns, kecamatan totals, coverage of their counts ---------


def _messy_xlsx(desa, path: Path) -> Path:
    """A workbook whose headers detection cannot read: a title row, the desa in 'Lokasi', the
    kecamatan in 'Wil. Kec', the year in 'Periode', neglected elderly as 'Orang tua terlantar'
    and families as 'KK'. Tarutung: 9 and 300 per desa; Sipoholon: 6 and 120."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Rekap"
    ws.append(["Rekap data lapangan (uji)"])
    ws.append(["Lokasi", "Wil. Kec", "Periode", "Orang tua terlantar", "KK"])
    for kec, lut, kk in (("Tarutung", 9, 300), ("Sipoholon", 6, 120)):
        for name in desa.loc[desa["kecamatan"] == kec, "name"]:
            ws.append([name, kec, 2024, lut, kk])
    wb.save(path)
    return path


MESSY_INPUT = (
    "inputs:\n"
    "  - file: lapangan.xlsx\n"
    "    sheet: Rekap\n"
    "    columns:\n"
    "      desa: Lokasi\n"
    "      kecamatan: Wil. Kec\n"
    "      year: Periode\n"
    "    categories:\n"
    "      Orang tua terlantar: lut\n"
    "      KK: keluarga\n"
)


def test_named_columns_and_categories_read_a_messy_workbook(desa, tmp_path: Path) -> None:
    from mapping.pipeline import read_input, user_layers

    _messy_xlsx(desa, tmp_path / "lapangan.xlsx")
    plain = parse_config("inputs:\n  - file: lapangan.xlsx\n", base=tmp_path)
    with pytest.raises(ValueError, match=r"No area column found in .*'Lokasi', 'Wil\. Kec'"):
        read_input(plain, 0)
    config = parse_config(MESSY_INPUT, base=tmp_path)
    table = read_input(config, 0)
    used = dict(zip(table.headers["header"], table.headers["category"], strict=True))
    assert used == {"Orang tua terlantar": "lut", "KK": "keluarga"}
    assert set(table.headers["method"]) == {"config"}
    n = int((desa["kecamatan"].isin(["Tarutung", "Sipoholon"])).sum())
    assert len(table.rows) == n and (table.rows["method"] != "unmatched").all()
    assert set(table.rows["year"]) == {2024}
    layer, kec, _, _ = user_layers(config)
    assert layer is not None
    tarutung = layer[layer["kecamatan"] == "Tarutung"]
    assert (tarutung["lut"] == 9).all() and (tarutung["keluarga"] == 300).all()
    assert (tarutung["lut_per_1000"] == 30).all()  # the file's own families, not the portal's
    sip = kec.set_index("name").loc["Sipoholon"]
    assert sip["lut_per_1000"] == pytest.approx(50)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("desa: Lokasi", "desa: Nama Desa"),
            r"line 5, key inputs\[0\]\.columns\.desa: column 'Nama Desa' not found in "
            r"lapangan\.xlsx \(sheet 'Rekap'\); allowed: one of the headers found \['Lokasi', "
            r"'Wil\. Kec', 'Periode', 'Orang tua terlantar', 'KK'\]",
        ),
        (
            ("KK: keluarga", "Jumlah KK: keluarga"),
            r"line 10, key inputs\[0\]\.categories\.Jumlah KK: column 'Jumlah KK' not found in "
            r"lapangan\.xlsx .*headers found \['Lokasi'",
        ),
    ],
)
def test_a_named_column_the_file_lacks_names_key_line_and_headers(
    desa, tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    from mapping.pipeline import read_input

    _messy_xlsx(desa, tmp_path / "lapangan.xlsx")
    config = parse_config(MESSY_INPUT.replace(*change), name="proyek.yaml", base=tmp_path)
    with pytest.raises(ConfigError, match=r"^proyek\.yaml, " + expected):
        read_input(config, 0)


def test_kecamatan_totals_are_mapped_at_kecamatan_level(kecamatan, tmp_path: Path) -> None:
    """15 kecamatan totals of fakir miskin (10 x the row number); no families in the file, so
    they are summed from the desa indicators."""
    from mapping.pipeline import real_indicator_layers, user_layers

    path = tmp_path / "kec.csv"
    names = sorted(kecamatan["name"])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Nama Kec", "Fakir Miskin"])
        writer.writerows([name, 10 * (i + 1)] for i, name in enumerate(names))
    text = (
        "inputs:\n  - file: kec.csv\n    level: kecamatan\n    columns: {kecamatan: Nama Kec}\n"
        f"maps:\n  dpi: 50\n  bundled: false\noutputs:\n  folder: {tmp_path / 'hasil'}\n"
    )
    config = parse_config(text, base=tmp_path)
    layer, kec, report, _ = user_layers(config)
    assert layer is None and len(kec) == 15
    by_name = kec.set_index("name")
    assert [by_name.loc[n, "fm"] for n in names] == [10 * (i + 1) for i in range(15)]
    real = real_indicator_layers()[1].set_index("name")
    assert by_name.loc[names[0], "keluarga"] == real.loc[names[0], "keluarga"]
    assert by_name.loc[names[0], "fm_per_1000"] == pytest.approx(
        10_000 / real.loc[names[0], "keluarga"]
    )
    result = build_outputs(config=config, progress=lambda _m: None)
    built = {p.name for p in result.maps}
    assert {"data-peta-kecamatan.html", "data-kecamatan-fm-per-1000.png"} <= built
    assert not any(n.startswith("data-desa") or n == "data-peta-desa.html" for n in built)
    assert not any(n.startswith("cakupan-") for n in built)  # coverage is per desa
    # a coverage of counts only the inputs could give is refused, never silently left out
    wants = parse_config(text + "coverage:\n  need: fm\n", name="kec.yaml", base=tmp_path)
    with pytest.raises(
        ConfigError,
        match=r"kec\.yaml, line 11, key coverage\.need: column 'fm' is in neither your inputs "
        r"\(kecamatan totals: the coverage analysis needs desa rows\) nor the real desa",
    ):
        build_outputs(config=wants, progress=lambda _m: None)


def _need_reached_csv(desa, path: Path) -> Path:
    """Families in need ('Keluarga Sasaran', 40 per desa) and reached ('Sudah Dibantu': 30 in
    Tarutung, 10 in Sipoholon) of every desa of the two kecamatan."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Desa", "Kecamatan", "Keluarga Sasaran", "Sudah Dibantu"])
        for kec, reached in (("Tarutung", 30), ("Sipoholon", 10)):
            for name in desa.loc[desa["kecamatan"] == kec, "name"]:
                writer.writerow([name, kec, 40, reached])
    return path


COVERAGE_INPUT = (
    "inputs:\n  - file: sasaran.csv\n"
    "    categories: {Keluarga Sasaran: fm, Sudah Dibantu: penerima_pkh}\n"
    "measures:\n  - {code: sasaran, name_id: Keluarga sasaran, categories: [fm]}\n"
    "coverage:\n  need: fm\n  reached: penerima_pkh\n  clusters: false\n"
    "  need_measure: sasaran\n"
    "csr:\n  sites: ['Tarutung=2.0167,98.9667']\n  radius_km: 1\n"
    "  kecamatan: [Tarutung, Sipoholon]\n"
)


def test_coverage_and_shortlist_use_the_users_need_and_reached(desa, tmp_path: Path) -> None:
    from mapping.analysis import coverage_analysis, coverage_table, priority_components
    from mapping.pipeline import coverage_layer, real_indicator_layers, user_layers
    from mapping.targeting import shortlist

    _need_reached_csv(desa, tmp_path / "sasaran.csv")
    config = parse_config(COVERAGE_INPUT, base=tmp_path)
    real = real_indicator_layers()[0]
    frame, taken = coverage_layer(real, user_layers(config)[0], config)
    assert taken == ["fm", "penerima_pkh"]  # the families are the portal's: not "yours"
    assert (frame["keluarga"].to_numpy() == real["keluarga"].to_numpy()).all()
    analysis = coverage_analysis(frame, options=config.coverage_options())
    table = coverage_table(analysis).set_index("name")
    tarutung = desa.loc[desa["kecamatan"] == "Tarutung", "name"].iloc[0]
    sipoholon = desa.loc[desa["kecamatan"] == "Sipoholon", "name"].iloc[0]
    assert (table.loc[tarutung, "need"], table.loc[tarutung, "reached"]) == (40, 30)
    assert table.loc[tarutung, "coverage_pct"] == pytest.approx(75)
    assert table.loc[sipoholon, "coverage_pct"] == pytest.approx(25)
    assert table.loc[~table["kecamatan"].isin(["Tarutung", "Sipoholon"]), "need"].isna().all()
    components_frame, components = priority_components(analysis, k=config.privacy.k)
    sl = shortlist(components_frame, components=components, **config.csr.shortlist_kwargs())
    listed = sl.table.set_index("name")
    assert set(listed["kecamatan"]) == {"Tarutung", "Sipoholon"}
    assert listed.loc[sipoholon, "coverage_component"] == pytest.approx(25)
    assert listed.loc[tarutung, "coverage_component"] == pytest.approx(75)
    # the need rate (maps, quadrants, the shortlist's need) is the user's measure
    assert components[0].label_id == "Keluarga sasaran per 1.000 keluarga (EB)"
    rates = analysis.desa.set_index("name")
    families = rates.loc[tarutung, "keluarga"]
    assert rates.loc[tarutung, "sasaran_per_1000"] == pytest.approx(40_000 / families)
    assert rates["need_rate"].equals(rates["sasaran_per_1000_eb"])


@pytest.mark.slow
def test_a_build_maps_the_coverage_of_the_users_counts(desa, tmp_path: Path) -> None:
    _need_reached_csv(desa, tmp_path / "sasaran.csv")
    text = COVERAGE_INPUT + "maps:\n  dpi: 50\n  bundled: false\noutputs:\n  folder: hasil\n"
    messages: list[str] = []
    result = build_outputs(config=parse_config(text, base=tmp_path), progress=messages.append)
    assert any("from your inputs: fm, penerima_pkh)" in m for m in messages)
    names = {p.name for p in result.files}
    assert {"cakupan-desa.csv", "cakupan-peta-desa.html", "sasaran-csr-tarutung.csv"} <= names
    assert {"data-peta-desa.html", "data-desa-sasaran-per-1000.png"} <= names
    table = pd.read_csv(tmp_path / "hasil" / "cakupan-desa.csv", dtype={"code": str})
    inside = table["kecamatan"].isin(["Tarutung", "Sipoholon"])
    assert (table.loc[inside, "need"] == 40).all() and table.loc[~inside, "need"].isna().all()
    doc = json.loads((tmp_path / "hasil" / "manifest.json").read_text(encoding="utf-8"))
    assert doc["config"]["coverage_from_inputs"] == ["fm", "penerima_pkh"]


def test_a_coverage_count_in_neither_inputs_nor_indicators_names_key_and_line(
    desa, tmp_path: Path
) -> None:
    from mapping.pipeline import coverage_layer, real_indicator_layers, user_layers

    _need_reached_csv(desa, tmp_path / "sasaran.csv")
    text = (
        "inputs:\n  - file: sasaran.csv\n"
        "    categories: {Keluarga Sasaran: fm, Sudah Dibantu: penerima_pkh}\n"
        "coverage:\n  need: lut\n"
    )
    config = parse_config(text, name="proyek.yaml", base=tmp_path)
    user = user_layers(config)[0]
    real = real_indicator_layers()[0]
    with pytest.raises(
        ConfigError,
        match=r"proyek\.yaml, line 5, key coverage\.need: column 'lut' is in neither your "
        r"inputs \[.*'fm'.*\] nor the real desa indicators \[.*'penerima_pkh'.*\]; allowed:",
    ):
        coverage_layer(real, user, config)
    # the default coverage (stunting risk, PKH) takes the inputs' PKH recipients, the rest
    # from the real desa indicators
    frame, taken = coverage_layer(
        real, user, parse_config(text.replace("coverage:\n  need: lut\n", ""))
    )
    assert taken == ["penerima_pkh"]
    assert frame["keluarga_berisiko_stunting"].equals(real["keluarga_berisiko_stunting"])


def _need_measure(text: str):  # -> str | Measure
    return parse_config(text).coverage_options().need_measure


def test_need_measure_follows_the_need() -> None:
    from mapping.measures import Measure

    assert _need_measure("maps:\n  dpi: 300\n") == "risiko_stunting"  # the default need's
    # a column of the user's: that count per 1,000 families, named from the catalogue
    need = _need_measure("coverage:\n  need: fm\n")
    assert isinstance(need, Measure)
    assert (need.code, need.categories, need.denominator, need.per) == (
        "kebutuhan_fm", ("fm",), "keluarga", 1000)  # fmt: skip
    assert (need.name("id"), need.name("en"), need.rate_label()) == (
        "Fakir Miskin", "Poor people", "per 1.000 keluarga")  # fmt: skip
    # a column a measure counts alone: that measure; a measure code: that measure
    assert _need_measure("coverage:\n  need: anak_stunting\n") == "stunting"
    own = "measures:\n  - {code: sasaran, name_id: Keluarga sasaran, categories: [fm]}\n"
    assert _need_measure(own + "coverage:\n  need: sasaran\n").code == "sasaran"
    assert _need_measure(own + "coverage:\n  need: fm\n").code == "sasaran"
    # a need_measure given wins
    given = "coverage:\n  need: fm\n  need_measure: risiko_stunting\n"
    assert _need_measure(given) == "risiko_stunting"
    assert "coverage.need: 'keluarga' is also the denominator" in _errors(
        "coverage:\n  need: keluarga\n"
    )


def test_the_users_need_without_a_measure_ranks_by_itself(desa, tmp_path: Path) -> None:
    from mapping.analysis import coverage_analysis, priority_components
    from mapping.pipeline import coverage_layer, real_indicator_layers, user_layers

    _need_reached_csv(desa, tmp_path / "sasaran.csv")
    config = parse_config(COVERAGE_INPUT.replace("  need_measure: sasaran\n", "").replace(
        "measures:\n  - {code: sasaran, name_id: Keluarga sasaran, categories: [fm]}\n", ""
    ), base=tmp_path)  # fmt: skip
    frame, _ = coverage_layer(real_indicator_layers()[0], user_layers(config)[0], config)
    analysis = coverage_analysis(frame, options=config.coverage_options())
    _, components = priority_components(analysis, k=config.privacy.k)
    assert components[0].label_id == "Fakir Miskin per 1.000 keluarga (EB)"
    rates = analysis.desa.set_index("name")
    tarutung = desa.loc[desa["kecamatan"] == "Tarutung", "name"].iloc[0]
    assert rates.loc[tarutung, "kebutuhan_fm_per_1000"] == pytest.approx(
        40_000 / rates.loc[tarutung, "keluarga"]
    )
    assert rates["need_rate"].equals(rates["kebutuhan_fm_per_1000_eb"])
