"""Matching names and codes to desa/kecamatan: behaviour on real names and a large messy set."""

from __future__ import annotations

import pandas as pd
import pytest
from name_variants import OUTSIDERS, messy_variants

from mapping.data import load_reference_desa
from mapping.gazetteer import (
    MATCH_COLUMNS,
    TAKEN_METHODS,
    Area,
    Gazetteer,
    allowed_edits,
)
from mapping.names import normalize_name


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.load("desa")


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    table = load_reference_desa()
    assert table is not None, "the reference table must be in the mirror for these tests"
    return table


def one(gz: Gazetteer, name: str, kecamatan: str | None = None, code: str | None = None):
    return gz.match_one(name, kecamatan=kecamatan, code=code)


# --- behaviour on real names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kecamatan", "code", "method"),
    [
        ("Hutatoruan VII", None, "12.02.01.1004", "exact"),
        ("hutatoruan vii", None, "12.02.01.1004", "exact"),
        ("Kel. Huta Toruan 7", None, "12.02.01.1004", "normalized"),
        ("Desa Siabal Abal IV", None, "12.02.12.2022", "normalized"),
        ("PAGARAN LAMBUNG II", None, "12.02.03.2014", "alias"),
        ("Pasar Siborong-Borong", None, "12.02.09.1001", "normalized"),
        ("Pardomuan Janji Angkola", None, "12.02.08.2004", "normalized"),
        ("Silangkitan", None, "12.02.06.2004", "fuzzy"),
        ("Sitampurung", "Kec. Siborong-Borong", "12.02.09.2004", "exact"),
        ("SITAMPURUNG", "1205060", "12.02.01.2025", "exact"),
        ("Hutauruk", "Sipoholon", "12.02.04.2002", "exact"),
    ],
)
def test_real_names(gz: Gazetteer, name, kecamatan, code, method) -> None:
    m = one(gz, name, kecamatan)
    assert (m.code, m.method) == (code, method)


@pytest.mark.parametrize("name", ["Sitampurung", "Hutauruk", "Purbatua", "Sibalanga"])
def test_shared_names_are_ambiguous_without_kecamatan(gz: Gazetteer, name: str) -> None:
    m = one(gz, name)
    assert m.method == "ambiguous" and m.code == ""
    assert len(m.candidates) == 2
    assert {a.kecamatan_code for a in m.candidates} == {
        a.kecamatan_code
        for a in gz.areas.values()
        if normalize_name(a.name) == normalize_name(name)
    }


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12.02.01.2010", "12.02.01.2010"),
        ("1202012010", "12.02.01.2010"),
        (1202012010, "12.02.01.2010"),
        (1202012010.0, "12.02.01.2010"),
        ("1205060030", "12.02.01.1001"),  # BPS code, through the crosswalk
    ],
)
def test_codes(gz: Gazetteer, value, code: str) -> None:
    m = gz.match_one(None, code=value)
    assert (m.code, m.method, m.score) == (code, "code", 100.0)


def test_unknown_code_falls_back_to_the_name(gz: Gazetteer) -> None:
    m = gz.match_one("Silangkitang", code="12.02.99.2999")
    assert (m.code, m.method) == ("12.02.06.2004", "exact")


def test_other_numeral_is_never_fuzzy(gz: Gazetteer) -> None:
    # There is no Hutatoruan XII: it must not become XI or I.
    m = one(gz, "Hutatoruan XII")
    assert m.method == "unmatched" and m.code == ""
    assert "Hutatoruan" in m.candidates[0].name


def test_wrong_kecamatan_is_reported_with_the_real_place(gz: Gazetteer) -> None:
    m = one(gz, "Silangkitang", "Tarutung")
    assert m.method == "unmatched"
    assert m.candidates[0].code == "12.02.06.2004"


def test_blank_name(gz: Gazetteer) -> None:
    assert one(gz, "  ").method == "unmatched"
    assert gz.match_one(float("nan")).method == "unmatched"


def test_kecamatan_level() -> None:
    kec = Gazetteer.load("kecamatan")
    got = kec.match(
        ["Kec. Siborong-Borong", "ADIAN KOTING", "Purba Tua", "1205080", "12.02.15", "Balige"]
    )
    assert list(got["code"]) == [
        "12.02.09",
        "12.02.03",
        "12.02.08",
        "12.02.06",
        "12.02.15",
        "",
    ]
    assert list(got["method"])[-1] == "unmatched"


def test_match_frame_shape(gz: Gazetteer) -> None:
    got = gz.match(["Sitampurung", "Sarulla", "Atlantis"], kecamatan=["Tarutung", None, None])
    assert list(got.columns) == MATCH_COLUMNS
    assert list(got["row"]) == [1, 2, 3]
    assert list(got["method"]) == ["exact", "exact", "unmatched"]
    assert got.loc[2, "candidates"].count(";") == 2
    with pytest.raises(ValueError, match="same length"):
        gz.match(["a", "b"], kecamatan=["x"])


def test_margin_rule_on_made_up_areas() -> None:
    areas = [
        Area("12.02.01.2001", "Lumban Tonga", "12.02.01", "A"),
        Area("12.02.01.2002", "Lumban Tongo", "12.02.01", "A"),
        Area("12.02.01.2003", "Parsingkaman", "12.02.01", "A"),
    ]
    g = Gazetteer.from_areas(areas, level="desa")
    # one edit from both "Lumban Tonga" and "Lumban Tongo": no clear margin, so reported.
    m = g.match_one("Lumban Tongi")
    assert m.method == "ambiguous"
    assert {a.code for a in m.candidates} == {"12.02.01.2001", "12.02.01.2002"}
    assert g.match_one("Parsingkamn").code == "12.02.01.2003"
    assert g.match_one("Parsinggaman bolon").method == "unmatched"


def test_allowed_edits_grow_with_length() -> None:
    assert allowed_edits("abcd") == 0
    assert allowed_edits("abcdefghijklmnopq") == 3


# --- quality bar on a large generated set -------------------------------------------------


def test_quality_bar_on_generated_variants(gz: Gazetteer, ref: pd.DataFrame) -> None:
    cases = messy_variants(ref, gz)
    got = gz.match(cases["name"], kecamatan=cases["kecamatan"])
    got["expected"] = cases["expected"].to_numpy()
    taken = got["method"].isin(TAKEN_METHODS)
    right = taken & (got["code"] == got["expected"])
    wrong = taken & (got["code"] != got["expected"])
    n = len(got)
    assert n > 8000, n
    share_right = right.sum() / n
    share_wrong = wrong.sum() / n
    detail = got[~right].head(20).to_string()
    assert share_right >= 0.97, f"{share_right:.3%} right\n{detail}"
    assert share_wrong <= 0.005, f"{share_wrong:.3%} wrong\n{got[wrong].head(20).to_string()}"


def test_names_from_other_regencies_stay_unmatched(gz: Gazetteer) -> None:
    # An outsider within fuzzy reach of a real Tapanuli Utara name cannot be told from a typo
    # of it; those are set aside (and must be few), every other one must stay unmatched.
    keys = {normalize_name(s) for a in gz.areas.values() for s in (a.name, *a.aliases)}
    from rapidfuzz.distance import OSA

    def near(name: str) -> bool:
        k = normalize_name(name)
        return any(OSA.distance(k, t) <= allowed_edits(k) for t in keys)

    testable = [o for o in OUTSIDERS if not near(o)]
    assert len(testable) >= 0.9 * len(OUTSIDERS)
    got = gz.match(testable)
    leaked = got[got["method"].isin(TAKEN_METHODS)]
    assert leaked.empty, leaked.to_string()
    assert (got["candidates"] != "").all()


#: Desa of neighbouring regencies given with their own kecamatan. Several share a name with a
#: Tapanuli Utara desa (Lumban Julu, Hutaraja, Sitampurung, Lumban Gaol): the kecamatan alone
#: tells them apart, so none may be taken.
FOREIGN_DESA = [
    ("Lumban Julu", "Lumban Julu"),
    ("Hutaraja", "Balige"),
    ("Sitampurung", "Dolok Sanggul"),
    ("Lumban Gaol", "Balige"),
    ("Sosor Dolok", "Harian"),
    ("Pardede Onan", "Balige"),
    ("Sibisa", "Ajibata"),
    ("Huta Namora", "Silaen"),
    ("Pasar Porsea", "Porsea"),
    ("Simanampang", "Lintong Nihuta"),
]


@pytest.mark.parametrize(("name", "kecamatan"), FOREIGN_DESA)
def test_desa_of_other_regencies_with_their_kecamatan_are_not_taken(
    gz: Gazetteer, name: str, kecamatan: str
) -> None:
    m = gz.match_one(name, kecamatan=kecamatan)
    assert m.method == "unmatched" and m.code == ""
    assert "not a kecamatan of Tapanuli Utara" in m.note


def test_foreign_kecamatan_still_lists_the_local_namesake(gz: Gazetteer) -> None:
    m = gz.match_one("Lumban Julu", kecamatan="Kec. Lumban Julu")
    assert [a.code for a in m.candidates] == ["12.02.10.2002"]
    assert gz.match_one("Lumban Julu", kecamatan="Kec. Pagaran").code == "12.02.10.2002"
