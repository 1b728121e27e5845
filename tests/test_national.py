"""A national gazetteer from a table of areas: repeated names, parents, typos, numerals, scale."""

from __future__ import annotations

import pandas as pd
import pytest
from national_names import national_areas, national_messy

from mapping import gazetteer as gazetteer_module
from mapping.gazetteer import TAKEN_METHODS, Area, Gazetteer
from mapping.names import normalize_name

#: Hand-made areas with answers worked out by hand: Sukamaju in three kecamatan, two of them
#: named Cibeber (in different kabupaten), Tanjung Sari II and III but no IV.
HAND = pd.DataFrame(
    [
        ("32.01.01.2001", "Sukamaju", "32.01.01", "Cibeber", ""),
        ("32.01.01.2002", "Tanjung Sari II", "32.01.01", "Cibeber", ""),
        ("32.01.01.2003", "Tanjung Sari III", "32.01.01", "Cibeber", ""),
        ("32.03.05.2001", "Sukamaju", "32.03.05", "Cibeber", ""),
        ("32.03.05.2002", "Karangjaya", "32.03.05", "Cibeber", ""),
        ("32.04.02.2007", "Sukamaju", "32.04.02", "Pagaden", "Soekamadjoe"),
        ("32.04.02.2008", "Lumban Tobing", "32.04.02", "Pagaden", ""),
        ("12.02.01.2001", "Karangjaya", "12.02.01", "Tarutung", ""),
    ],
    columns=["code", "name", "parent_code", "parent", "aliases"],
)


@pytest.fixture(scope="module")
def hand() -> Gazetteer:
    return Gazetteer.from_table(HAND, region="Indonesia")


@pytest.mark.parametrize(
    ("name", "kecamatan", "code", "method"),
    [
        ("Desa SUKAMAJU", None, "", "ambiguous"),
        ("Sukamaju", "Kec. Pagaden", "32.04.02.2007", "exact"),
        ("Suka-Maju", "PAGADEN", "32.04.02.2007", "normalized"),
        ("Soekamadjoe", None, "32.04.02.2007", "alias"),
        # two kecamatan are named Cibeber: the desa is looked for in both
        ("Sukamaju", "Cibeber", "", "ambiguous"),
        ("Karangjaya", "Cibeber", "32.03.05.2002", "exact"),
        ("Karangjaya", None, "", "ambiguous"),
        ("Lumban Tobnig", None, "32.04.02.2008", "fuzzy"),  # one swap
        ("Tanjung Sari 2", None, "32.01.01.2002", "normalized"),
        ("Tanjung Sari IV", None, "", "unmatched"),  # another numeral is another desa
        ("Sukamaju", "Kec. Lumban Julu", "", "unmatched"),  # not a kecamatan of the table
        ("Sukamaju", "Tarutung", "", "unmatched"),  # no Sukamaju in Tarutung
        ("x", "Cibeber", "", "unmatched"),
    ],
)
def test_rules_on_hand_made_areas(hand: Gazetteer, name, kecamatan, code, method) -> None:
    m = hand.match_one(name, kecamatan=kecamatan)
    assert (m.code, m.method) == (code, method)


def test_reports_say_why(hand: Gazetteer) -> None:
    m = hand.match_one("Sukamaju")
    assert [a.code for a in m.candidates] == ["32.01.01.2001", "32.03.05.2001", "32.04.02.2007"]
    foreign = hand.match_one("Sukamaju", kecamatan="Kec. Lumban Julu")
    assert foreign.note == "kecamatan 'Kec. Lumban Julu' is not a kecamatan of Indonesia"
    assert len(foreign.candidates) == 3
    elsewhere = hand.match_one("Sukamaju", kecamatan="Tarutung")
    assert elsewhere.note == "no desa of that name in kecamatan 'Tarutung'"
    numeral = hand.match_one("Tanjung Sari IV")
    assert numeral.candidates[0].name.startswith("Tanjung Sari")


@pytest.mark.parametrize("code", ["32.04.02.2008", "3204022008", 3204022008, 3204022008.0])
def test_codes_of_any_province(hand: Gazetteer, code: object) -> None:
    m = hand.match_one("whatever", code=code)
    assert (m.code, m.method) == ("32.04.02.2008", "code")
    assert hand.match_one(code).code == "32.04.02.2008"


def test_without_a_parent_gazetteer_the_kecamatan_is_not_used() -> None:
    areas = [Area("32.01.01.2001", "Sukamaju", "32.01.01", "Cibeber")]
    gz = Gazetteer.from_areas(areas, level="desa")
    assert gz.match_one("Sukamaju", kecamatan="Anywhere").code == "32.01.01.2001"


def test_a_very_common_name_lists_some_and_says_how_many() -> None:
    rows = [
        (
            f"35.{k // 10 + 1:02d}.{k % 10 + 1:02d}.2001",
            "Sukamaju",
            f"35.{k // 10 + 1:02d}.{k % 10 + 1:02d}",
            f"Kec {k}",
            "",
        )
        for k in range(40)
    ]
    table = pd.DataFrame(rows, columns=["code", "name", "parent_code", "parent", "aliases"])
    gz = Gazetteer.from_table(table, region="Jawa Timur")
    m = gz.match_one("Sukamaju")
    assert m.method == "ambiguous" and len(m.candidates) == gazetteer_module.MAX_LISTED
    assert m.note.startswith("40 areas have this name")
    assert gz.match_one("Sukamaju", kecamatan="Kec 17").code == "35.02.08.2001"


# --- a generated national table (3,000 desa) ------------------------------------------------


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return national_areas(3_000, 260)


@pytest.fixture(scope="module")
def messy(areas: pd.DataFrame) -> pd.DataFrame:
    return national_messy(areas, 4_000)


def test_the_generated_table_repeats_names_across_kecamatan(areas: pd.DataFrame) -> None:
    keys = areas["name"].map(normalize_name)
    per_kecamatan = areas.assign(key=keys).groupby("parent_code")["key"].nunique()
    assert (per_kecamatan == areas.groupby("parent_code").size()).all()  # distinct within
    assert keys.value_counts().iloc[0] >= 50  # and a common name in dozens of kecamatan
    assert areas["code"].str.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.[12]\d{3}").all()


def test_quality_on_generated_national_names(areas: pd.DataFrame, messy: pd.DataFrame) -> None:
    gz = Gazetteer.from_table(areas, region="Indonesia")
    got = gz.match(messy["name"], kecamatan=messy["kecamatan"])
    taken = got["method"].isin(TAKEN_METHODS).to_numpy()
    right = taken & (got["code"] == messy["expected"]).to_numpy()
    resolvable = messy["resolvable"].to_numpy()
    assert (taken & ~right).sum() <= 2, got[taken & ~right].to_string()
    assert right[resolvable].mean() >= 0.985, got[resolvable & ~right].head(20).to_string()
    # a repeated name without its kecamatan is never taken
    assert not taken[~resolvable].any()
    # it is ambiguous, unless a typo put it out of reach of every spelling (short names)
    not_ambiguous = ~resolvable & (got["method"] != "ambiguous").to_numpy()
    assert messy.loc[not_ambiguous, "kind"].str.startswith("typo").all()


def test_search_in_reach_decides_like_the_full_search(
    areas: pd.DataFrame, messy: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a kecamatan a national search looks only at spellings within reach (cdist by
    # length); forced on this small table it must take exactly the same decisions.
    sample = messy[messy["kecamatan"].isna()]
    full = Gazetteer.from_table(areas, region="Indonesia").match(sample["name"])
    monkeypatch.setattr(gazetteer_module, "SMALL_SEARCH", 0)
    reach = Gazetteer.from_table(areas, region="Indonesia").match(sample["name"], workers=1)
    assert (full["method"] == "fuzzy").sum() >= 30
    pd.testing.assert_frame_equal(full[["code", "method"]], reach[["code", "method"]])


def test_each_distinct_input_is_matched_once(areas: pd.DataFrame) -> None:
    gz = Gazetteer.from_table(areas, region="Indonesia")
    names = list(areas["name"].head(5)) * 200
    calls: list[int] = []
    original = gz._match_distinct

    def counting(inputs, *, workers):  # noqa: ANN001, ANN202
        calls.append(len(inputs))
        return original(inputs, workers=workers)

    gz._match_distinct = counting  # type: ignore[method-assign]
    got = gz.match(names + [" " + names[0] + " "])
    assert calls == [5]  # the spaced copy reads as the same text
    assert len(got) == 1001 and list(got["row"])[-1] == 1001
    assert got["input_name"].iloc[-1] == names[0]
