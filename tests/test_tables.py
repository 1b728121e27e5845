"""The canonical long table: layouts, levels, keys, years and every validation problem."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping.errors import InputError, ValidationFailed
from mapping.gazetteer import Gazetteer
from mapping.tables import (
    CANONICAL_COLUMNS,
    JOINED_METHODS,
    ROW_LOG_COLUMNS,
    TOTAL_ROW,
    canonical_frame,
    describe_problems,
    from_frame,
    read_welfare,
)


@pytest.fixture(scope="module")
def gz_desa() -> Gazetteer:
    return Gazetteer.load(level="desa")


@pytest.fixture(scope="module")
def gz_kec() -> Gazetteer:
    return Gazetteer.load(level="kecamatan")


def _csv(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _kinds(table) -> list[str]:  # noqa: ANN001
    return [p.kind for p in table.report if p.kind != "missing-area"]


def _values(table) -> dict[tuple[str, str], float]:  # noqa: ANN001
    return {(r.area_code, r.category): r.value for r in table.data.itertuples()}


def test_wide_desa_by_names(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(
        tmp_path,
        (
            "DATA PMKS TAHUN 2023;;;\n;;;\nNo;Kecamatan;Desa;Lansia Terlantar;Penyandang Cacat\n"
            "1;TARUTUNG;HUTA TORUAN VII;1.234;-\n2;Tarutung;Hutapea Banuarea;3;\n"
            ";JUMLAH;;1.237;0\n"
        ),
    )
    t = read_welfare(path, gazetteer=gz_desa)
    assert list(t.data.columns) == CANONICAL_COLUMNS
    assert (t.level, t.layout) == ("desa", "wide")
    assert _values(t)[("12.02.01.1004", "lut")] == 1234.0
    assert _values(t)[("12.02.01.1004", "pd")] == 0.0  # '-' is zero
    assert math.isnan(_values(t)[("12.02.01.2010", "pd")])  # blank stays missing
    assert set(t.data["year"]) == {2023}  # from the title
    assert set(t.data["group"]) == {"pmks"}
    assert list(t.data["source_row"].unique()) == [4, 5]
    assert list(t.rows.columns) == ROW_LOG_COLUMNS
    assert list(t.rows["method"]) == ["normalized", "exact", TOTAL_ROW]
    assert _kinds(t) == []  # the total adds up
    missing = [p for p in t.report if p.kind == "missing-area"]
    assert len(missing) == 250 and all(p.severity == "warning" for p in missing)


def test_long_layout_with_codes_and_year_column(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(
        tmp_path,
        (
            "kode_desa,tahun,kategori,jumlah\n12.02.01.2010,2022,ODHA,2\n1202012010,2023,ODHA,3\n"
            "1205060030,2023,Karang Taruna,1\n"
        ),
    )
    t = read_welfare(path, gazetteer=gz_desa)
    assert t.layout == "long"
    got = t.data[["area_code", "year", "category", "value"]].values.tolist()
    assert got == [
        ["12.02.01.2010", 2022, "odha", 2.0],
        ["12.02.01.2010", 2023, "odha", 3.0],
        ["12.02.01.1001", 2023, "kartar", 1.0],
    ]  # BPS code 1205060030
    assert set(t.rows["method"]) == {"code"}
    assert dict(zip(t.data["category"], t.data["group"], strict=True)) == {
        "odha": "pmks",
        "kartar": "psks",
    }


def test_kecamatan_level(tmp_path: Path, gz_kec: Gazetteer) -> None:
    path = _csv(tmp_path, "Kecamatan,ODHA\nSIBORONGBORONG,4\nAdian Koting,1\nJumlah,5\n")
    t = read_welfare(path, gazetteer=gz_kec)
    assert t.level == "kecamatan"
    assert _values(t) == {("12.02.09", "odha"): 4.0, ("12.02.03", "odha"): 1.0}
    assert len([p for p in t.report if p.kind == "missing-area"]) == 13


def test_year_argument_wins(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(tmp_path, "TAHUN 2021\nDesa,Kecamatan,ODHA\nHutauruk,Tarutung,1\n")
    assert set(read_welfare(path, year=2024, gazetteer=gz_desa).data["year"]) == {2024}


def test_level_mismatch_and_missing_columns(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Kecamatan,Desa,ODHA\nTarutung,Hutauruk,1\n")
    with pytest.raises(InputError, match="level='kecamatan' but t.csv has a desa column 'Desa'"):
        read_welfare(path, level="kecamatan")
    with pytest.raises(InputError, match="level='rt' is not a table level"):
        read_welfare(path, level="rt")  # type: ignore[arg-type]
    nokey = _csv(tmp_path, "Nama Orang,ODHA\nA,1\n", name="n.csv")
    with pytest.raises(InputError, match=r"No area column found in n.csv; found: \['Nama Orang'"):
        read_welfare(nokey)
    nodata = _csv(tmp_path, "Desa,Keterangan\nHutauruk,x\n", name="d.csv")
    with pytest.raises(InputError, match="No data columns in d.csv"):
        read_welfare(nodata)


def test_every_problem_is_collected(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(
        tmp_path,
        (
            "Desa;Kecamatan;Fakir Miskin;ODHA;Kucing\n"
            "Hutauruk;Tarutung;10;2;1\n"  # row 2 fine
            "Desa Antah;Tarutung;1;1;1\n"  # row 3 unknown area
            "SITAMPURUNG;;1;1;1\n"  # row 4 ambiguous area (two kecamatan)
            "Hapoltahan;Tarutung;dua;-1;1\n"  # row 5 non-numeric, negative
            "Parbubu I;Tarutung;2,5;1;1\n"  # row 6 fractional count
            "Hutauruk;Tarutung;11;2;1\n"  # row 7 conflicting duplicate of row 2
            "Parbubu II;Tarutung;4;4;1\n"  # row 8
            "Parbubu II;Tarutung;4;4;1\n"  # row 9 identical duplicate (warning)
            "JUMLAH;;99;;\n"  # row 10 total that does not add up
        ),
    )
    t = read_welfare(path, gazetteer=gz_desa)
    by_kind = {}
    for p in t.report:
        by_kind.setdefault(p.kind, []).append(p)
    assert by_kind["unknown-category"][0].column == "Kucing"
    assert by_kind["unknown-area"][0].row == 3
    assert "closest:" in by_kind["unknown-area"][0].suggestion
    amb = by_kind["ambiguous-area"][0]
    assert amb.row == 4 and "12.02.09" in amb.suggestion and "add a kecamatan" in amb.suggestion
    assert [(p.row, p.column) for p in by_kind["non-numeric"]] == [(5, "Fakir Miskin")]
    assert [(p.row, p.column) for p in by_kind["negative"]] == [(5, "ODHA")]
    frac = by_kind["fractional-count"][0]
    assert (frac.row, frac.value, frac.expected) == (6, "2,5", "a whole number")
    conflict = by_kind["duplicate-conflict"]
    assert [p.column for p in conflict] == ["fm"] and "row 2: 10, row 7: 11" in conflict[0].message
    dups = by_kind["duplicate"]  # Hutauruk ODHA 2 twice; Parbubu II both columns twice
    assert [(p.column, p.severity) for p in dups] == [
        ("odha", "warning"),
        ("fm", "warning"),
        ("odha", "warning"),
    ]
    total = by_kind["total-mismatch"][0]
    assert (total.row, total.severity, total.value) == (10, "warning", "99")
    assert total.expected == "31 (sum of rows 2-9)"  # 10+1+1+11+4+4: invalid cells not summed
    values = _values(t)
    assert math.isnan(values[("12.02.01.2012", "fm")])  # conflict kept as missing
    assert values[("12.02.01.2012", "odha")] == 2.0  # same value twice: counted once
    assert math.isnan(values[("12.02.01.2013", "fm")]) and math.isnan(
        values[("12.02.01.2013", "odha")]
    )
    assert t.data.duplicated(["area_code", "category", "year"]).sum() == 0
    assert len(t.report.errors) == 7
    text = describe_problems(t.report)
    assert text.startswith("[error]") and "area(s) have no row" in text


def test_strict_mode_raises_once_with_every_error(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(tmp_path, "Desa,Kecamatan,ODHA\nDesa Antah,Tarutung,1\nHutauruk,Tarutung,x\n")
    with pytest.raises(ValidationFailed, match=r"2 problem\(s\) in t.csv") as exc:
        read_welfare(path, strict=True, gazetteer=gz_desa)
    assert {p.kind for p in exc.value.problems} == {"unknown-area", "non-numeric"}
    lenient = read_welfare(path, gazetteer=gz_desa)
    assert len(lenient.report.errors) == 2


def test_invalid_year_and_row_total_column(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(tmp_path, "Desa,Kecamatan,Tahun,ODHA,PSM,Jumlah\nHutauruk,Tarutung,2x,1,2,4\n")
    t = read_welfare(path, gazetteer=gz_desa)
    assert [p.kind for p in t.report.errors] == ["invalid-year"]
    assert [p.kind for p in t.report.warnings if p.kind != "missing-area"] == ["row-total-mismatch"]


def test_duplicate_category_columns(tmp_path: Path, gz_desa: Gazetteer) -> None:
    path = _csv(tmp_path, "Desa,Kecamatan,Lansia,Lanjut Usia Terlantar\nHutauruk,Tarutung,1,2\n")
    t = read_welfare(path, gazetteer=gz_desa)
    assert _kinds(t) == ["duplicate-category-column"]
    assert _values(t) == {("12.02.01.2012", "lut"): 1.0}


def test_from_frame(gz_desa: Gazetteer) -> None:
    df = pd.DataFrame(
        {"desa": ["Hutauruk", "Nowhere"], "kecamatan": ["Tarutung", None], "ODHA": [1, 2]}
    )
    t = from_frame(df, gazetteer=gz_desa)
    assert list(t.rows["source_row"]) == [2, 3]
    assert _values(t) == {("12.02.01.2012", "odha"): 1.0}
    assert df.shape == (2, 3)  # input untouched


def test_canonical_frame_checks_columns() -> None:
    with pytest.raises(InputError, match="missing \\['value'"):
        canonical_frame(
            pd.DataFrame({"area_code": ["x"]}).assign(
                level="desa", year=1, group="pmks", category="odha", source_file="f", source_row=1
            )
        )
    assert list(canonical_frame([]).columns) == CANONICAL_COLUMNS


# --- property: random messy tables never lose a row ------------------------------------------

_CELLS = st.one_of(
    st.integers(0, 5000).map(str),
    st.integers(1000, 999_999).map(lambda v: f"{v:,}".replace(",", ".")),
    st.sampled_from(["-", "", " ", "dua", "-4", "2,5", "1.234,5", "nihil"]),
)


@st.composite
def messy_tables(draw: st.DrawFn, names: list[tuple[str, str]]) -> tuple[str, int, str, str]:
    n = draw(st.integers(1, 12))
    picks = draw(st.lists(st.sampled_from(range(len(names))), min_size=n, max_size=n, unique=True))
    bogus = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    delim = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    title = draw(st.integers(0, 3))
    total = draw(st.booleans())
    lines = [f"JUDUL TABEL {i}" for i in range(title)]
    lines.append(delim.join(["No", "Kecamatan", "Desa/Kelurahan", "Fakir Miskin", "ODHA"]))
    for i, (k, b) in enumerate(zip(picks, bogus, strict=True), start=1):
        desa, kec = names[k]
        desa = f"Zz{desa}qq" if b else desa.upper()
        cells = [draw(_CELLS), draw(_CELLS)]
        lines.append(delim.join([str(i), kec, desa, *cells]))
    if total:
        lines.append(delim.join(["", "JUMLAH", "", "1", "1"]))
    return "\n".join(lines) + "\n", title, delim, encoding


@pytest.fixture(scope="module")
def desa_names(gz_desa: Gazetteer) -> list[tuple[str, str]]:
    return [(a.name, a.kecamatan) for a in list(gz_desa.areas.values())[::6]]


def test_messy_tables_never_lose_a_row(
    tmp_path: Path, gz_desa: Gazetteer, desa_names: list[tuple[str, str]]
) -> None:
    @settings(
        max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(messy_tables(desa_names))
    def check(case: tuple[str, int, str, str]) -> None:
        text, title, _, encoding = case
        path = tmp_path / "messy.csv"
        path.write_bytes(text.encode(encoding))
        t = read_welfare(path, gazetteer=gz_desa)
        header_line = title + 1
        n_lines = len(text.splitlines())
        expected_rows = list(range(header_line + 1, n_lines + 1))
        assert list(t.rows["source_row"]) == expected_rows  # every data line has a log line
        error_rows = {p.row for p in t.report.errors}
        for r in t.rows.itertuples():
            if r.method in JOINED_METHODS:
                got = set(t.data.loc[t.data["source_row"] == r.source_row, "category"])
                assert got == {"fm", "odha"}  # invalid values stay, as NaN, with a problem
            elif r.method != TOTAL_ROW:
                assert r.source_row in error_rows
        columns = {"Fakir Miskin": "fm", "ODHA": "odha"}
        for p in t.report.errors:
            if p.kind in {"non-numeric", "negative", "fractional-count"}:
                cell = t.data[
                    (t.data["source_row"] == p.row) & (t.data["category"] == columns[p.column])
                ]
                assert cell["value"].isna().all()  # a bad value never enters as a number

    check()
