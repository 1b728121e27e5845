"""Joining canonical tables to the layers, the MatchReport invariant, and aggregation."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from mapping.errors import InputError, ProblemReport
from mapping.gazetteer import Gazetteer
from mapping.indicators import Rate, rate
from mapping.join import aggregate_to_kecamatan, join_table
from mapping.tables import canonical_frame, read_welfare


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("join") / "pmks.csv"
    path.write_text(
        "REKAP PMKS 2024\nNo;Kecamatan;Desa;Fakir Miskin;Penyandang Cacat\n"
        "1;Tarutung;Hutauruk;10;2\n2;Tarutung;Hapoltahan;5;-\n3;;SITAMPURUNG;1;1\n"
        "4;Muara;Desa Antah;1;1\n5;Sipoholon;Hutauruk;7;\n;JUMLAH;;24;4\n",
        encoding="utf-8",
    )
    return path


def test_join_desa_invariant_and_missing_values(messy: Path, desa: gpd.GeoDataFrame) -> None:
    table = read_welfare(messy, gazetteer=Gazetteer.load(level="desa"))
    joined, report = join_table(table, level="desa")
    assert len(joined) == 252 and joined["code"].is_unique
    assert joined.crs == desa.crs
    assert report.n_input == report.n_joined + report.n_reported == 6
    assert (report.n_joined, report.n_reported) == (3, 3)
    counts = dict(zip(report.counts()["method"], report.counts()["n_rows"], strict=True))
    assert counts == {"exact": 3, "ambiguous": 1, "unmatched": 1, "total-row": 1}
    by_code = joined.set_index("code")
    assert by_code.at["12.02.01.2012", "fm"] == 10
    assert by_code.at["12.02.04.2002", "fm"] == 7  # the Hutauruk of Sipoholon
    assert by_code.at["12.02.01.2013", "pd"] == 0  # '-' is zero
    assert math.isnan(by_code.at["12.02.04.2002", "pd"])  # blank stays missing
    assert math.isnan(by_code.at["12.02.15.2001", "fm"])  # no data: NaN, never 0
    assert int(joined["has_data"].sum()) == 3
    assert len(report.missing) == 249
    frame = report.to_frame()
    assert len(frame) == 6 + 249
    assert list(frame["status"].value_counts().sort_index()) == [3, 249, 3]
    unmatched = frame[frame["method"] == "unmatched"].iloc[0]
    assert unmatched["input_name"] == "Desa Antah" and unmatched["candidates"]
    text = report.describe()
    assert "6 input rows: 3 joined to a desa, 3 reported" in text
    assert "'SITAMPURUNG' ambiguous; candidates: 12.02." in text


def test_join_desa_to_kecamatan_sums(messy: Path) -> None:
    table = read_welfare(messy, gazetteer=Gazetteer.load(level="desa"))
    kec, report = join_table(table, level="kecamatan")
    assert len(kec) == 15 and report.level == "desa"
    by = kec.set_index("code")
    # Tarutung has 31 desa and only 2 reported: a partial sum would undercount -> NaN.
    assert math.isnan(by.at["12.02.01", "fm"]) and by.at["12.02.01", "n_desa_data"] == 2
    assert not by.at["12.02.15", "has_data"]


def test_kecamatan_data_cannot_be_split(tmp_path: Path) -> None:
    path = tmp_path / "kec.csv"
    path.write_text("Kecamatan,ODHA\nTarutung,3\nMuara,1\n", encoding="utf-8")
    table = read_welfare(path)
    with pytest.raises(InputError, match="cannot be joined at desa level because nothing says how"):
        join_table(table, level="desa")
    kec, report = join_table(table, level="kecamatan")
    assert kec.set_index("code").at["12.02.01", "odha"] == 3
    assert report.n_input == report.n_joined == 2
    with pytest.raises(InputError, match="level='rt' cannot be joined"):
        join_table(table, level="rt")  # type: ignore[arg-type]


def _canon(rows: list[tuple[str, int, str, float]]) -> pd.DataFrame:
    return canonical_frame(
        {
            "area_code": a,
            "level": "desa",
            "year": y,
            "group": "pmks",
            "category": c,
            "value": v,
            "source_file": "f.csv",
            "source_row": i + 2,
        }
        for i, (a, y, c, v) in enumerate(rows)
    )


def test_years_must_be_chosen(desa: gpd.GeoDataFrame) -> None:
    data = _canon([("12.02.01.2012", 2023, "fm", 1), ("12.02.01.2012", 2024, "fm", 2)])
    with pytest.raises(InputError, match=r"several years \[2023, 2024\]; pass year="):
        join_table(data, level="desa", layer=desa)
    joined, report = join_table(data, level="desa", year=2024, layer=desa)
    assert joined.set_index("code").at["12.02.01.2012", "fm"] == 2
    # The 2023 row is not in the layer: reported as other-year, not counted as joined.
    assert report.counts()[["method", "n_rows", "rows"]].values.tolist() == [
        ["code", 1, "3"],
        ["other-year", 1, "2"],
    ]
    assert report.n_input == report.n_joined + report.n_reported
    assert (report.n_joined, report.n_reported) == (1, 1)
    frame = report.to_frame().set_index("source_row")
    assert (frame.at[2, "status"], frame.at[2, "year"]) == ("reported", 2023)
    assert "other-year      1  rows 2" in report.describe()
    with pytest.raises(InputError, match=r"year=2020 is not in the table"):
        join_table(data, level="desa", year=2020, layer=desa)
    dup = _canon([("12.02.01.2012", 2024, "fm", 1), ("12.02.01.2012", 2024, "fm", 2)])
    with pytest.raises(InputError, match="repeating an area and category"):
        join_table(dup, level="desa", layer=desa)


def test_other_years_rows_are_reported_and_their_areas_missing(desa: gpd.GeoDataFrame) -> None:
    # A long table with a Tahun column: Sitampurung fm in 2023 and 2024, Lobu Hole only 2023.
    data = _canon(
        [
            ("12.02.09.2004", 2023, "fm", 5),
            ("12.02.09.2004", 2024, "fm", 6),
            ("12.02.02.2012", 2023, "lut", 2),
        ]
    )
    joined, report = join_table(data, level="desa", year=2024, layer=desa)
    by = joined.set_index("code")
    assert by.at["12.02.09.2004", "fm"] == 6
    assert "lut" not in joined.columns  # no 2024 value: never published as 2024
    assert not by.at["12.02.02.2012", "has_data"]
    assert list(report.rows["status"]) == ["reported", "joined", "reported"]
    assert list(report.rows["method"]) == ["other-year", "code", "other-year"]
    assert "12.02.02.2012" in set(report.missing["code"])  # no data of the joined year
    assert len(report.missing) == 251


def test_canonical_frame_of_another_level_is_refused(desa: gpd.GeoDataFrame) -> None:
    data = _canon([("12.02", 2024, "fm", 1)]).assign(level="kabupaten")
    with pytest.raises(InputError, match="the table's level='kabupaten' is not a table level"):
        join_table(data, level="desa", layer=desa)


def test_join_several_tables_at_once(messy: Path, desa: gpd.GeoDataFrame) -> None:
    table = read_welfare(messy, gazetteer=Gazetteer.load(level="desa"))
    families = _canon([("12.02.01.2012", 2024, "keluarga", 200), ("12.02.99.2999", 2024, "x", 1)])
    joined, report = join_table([table, families], level="desa", layer=desa)
    assert report.n_input == report.n_joined + report.n_reported == 6 + 2
    assert (report.n_joined, report.n_reported) == (3 + 1, 3 + 1)
    assert joined.set_index("code").at["12.02.01.2012", "keluarga"] == 200
    assert len(report.problems.errors) == len(table.report.errors)


def test_unknown_code_in_canonical_frame_is_reported(desa: gpd.GeoDataFrame) -> None:
    data = _canon([("12.02.01.2012", 2024, "fm", 1), ("12.02.99.2999", 2024, "fm", 5)])
    joined, report = join_table(data, level="desa", layer=desa)
    assert (report.n_joined, report.n_reported) == (1, 1)
    assert joined["fm"].sum() == 1


# --- aggregation on hand-made squares ----------------------------------------------------------


@pytest.fixture
def squares() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    desa = gpd.GeoDataFrame(
        {
            "code": ["K1.a", "K1.b", "K2.a", "K2.b"],
            "kecamatan_code": ["K1", "K1", "K2", "K2"],
            "pmks": [10.0, 30.0, 5.0, math.nan],
            "kk": [100.0, 300.0, 50.0, 50.0],
            "has_data": [True, True, True, False],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)],
        crs="EPSG:4326",
    )
    desa["pmks_per_kk"] = rate(desa["pmks"], desa["kk"], per=1)  # 0.1, 0.1, 0.1, NaN
    kec = gpd.GeoDataFrame(
        {"code": ["K1", "K2"], "name": ["Satu", "Dua"]},
        geometry=[box(0, 0, 2, 1), box(0, 1, 2, 2)],
        crs="EPSG:4326",
    )
    return desa, kec


def test_aggregate_sums_and_recomputes_rates(
    squares: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    desa, kec = squares
    before = desa.copy()
    out = aggregate_to_kecamatan(
        desa,
        columns=["pmks", "kk"],
        kecamatan=kec,
        rates={"pmks_per_1000": Rate("pmks", "kk", 1000)},
    )
    pd.testing.assert_frame_equal(desa, before)  # input not changed
    k1 = out.set_index("code").loc["K1"]
    assert (k1["pmks"], k1["kk"], k1["pmks_per_1000"]) == (40.0, 400.0, 100.0)
    k2 = out.set_index("code").loc["K2"]
    assert math.isnan(k2["pmks"]) and k2["kk"] == 100.0  # one desa missing -> missing
    assert list(out["n_desa_data"]) == [2, 1]
    summed = aggregate_to_kecamatan(
        desa,
        columns=["pmks", "kk"],
        kecamatan=kec,
        partial="sum",
        rates={"r": Rate("pmks", "kk", 1000)},
    )
    assert summed.set_index("code").at["K2", "pmks"] == 5.0
    assert summed.set_index("code").at["K2", "r"] == 50.0  # 5/100, not the mean of 0.1 and NaN


def test_aggregate_errors(squares: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    desa, kec = squares
    with pytest.raises(InputError, match=r"lacks column\(s\) \['nope'\]"):
        aggregate_to_kecamatan(desa, columns=["nope"], kecamatan=kec)
    with pytest.raises(InputError, match="partial='avg'"):
        aggregate_to_kecamatan(desa, columns=["pmks"], kecamatan=kec, partial="avg")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="Rate 'x' needs column"):
        aggregate_to_kecamatan(desa, columns=["pmks"], kecamatan=kec, rates={"x": Rate("a", "b")})


def test_rate_never_infinite() -> None:
    got = rate(pd.Series([1.0, 2.0, 3.0]), pd.Series([0.0, None, 4.0]), per=100)
    assert math.isnan(got[0]) and math.isnan(got[1]) and got[2] == 75.0


def test_match_report_in_indonesian_and_english_with_rows_to_review(tmp_path: Path) -> None:
    path = tmp_path / "mirip.csv"
    path.write_text(
        "No;Kecamatan;Desa;Fakir Miskin\n1;Tarutung;Hutauruk;10\n2;Muara;Aritonangg;3\n"
        "3;Muara;Desa Antah;1\n",
        encoding="utf-8",
    )
    _, report = join_table(read_welfare(path, strict=False), level="desa")
    table = report.to_table()
    assert list(table.columns[:4]) == ["berkas", "lembar", "baris", "tahun"]
    rows = table[table["status"] != "wilayah tanpa data"].set_index("nama di berkas")
    review = rows[["cara pencocokan", "status", "perlu diperiksa"]]
    assert review.loc["Hutauruk"].tolist() == ["nama sama persis", "digabung", ""]
    assert review.loc["Aritonangg"].tolist() == ["nama mirip (perlu diperiksa)", "digabung", "ya"]
    assert review.loc["Desa Antah"].tolist() == [
        "tidak ditemukan",
        "dilaporkan (tidak digabung)",
        "ya",
    ]
    english = report.to_table(language="en")
    assert "needs review" in english.columns and "nama di berkas" not in english.columns
    with pytest.raises(InputError, match="language='fr' is not a report language"):
        report.to_table(language="fr")
    # Similar names are warnings to review, in the report's words too.
    (warning,) = report.review()
    assert (warning.kind, warning.severity, warning.row) == ("fuzzy-match", "warning", 3)
    assert "'Aritonangg' was taken as Aritonang (12.02.15." in warning.message
    assert "1 name(s) matched by similarity, to review:" in report.describe()
    problems = ProblemReport([*report.problems, warning]).to_table()
    assert problems.columns[0] == "tingkat"
    assert problems["tingkat"].tolist()[0] == "kesalahan"  # errors first
    mirip = problems[problems["jenis masalah"].str.startswith("nama dicocokkan karena mirip")]
    assert mirip[["tingkat", "baris", "nilai"]].values.tolist() == [
        ["peringatan (perlu diperiksa)", 3, "Aritonangg"]
    ]
