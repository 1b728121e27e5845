"""The PMKS/PSKS catalogue and header matching."""

from __future__ import annotations

import pytest

from mapping.categories import (
    CATALOGUE,
    HEADER_COLUMNS,
    INDICATORS,
    PMKS,
    PSKS,
    categories,
    get_category,
    header_key,
    match_header,
    match_headers,
)
from mapping.errors import InputError


def test_catalogue_sizes_and_unique_codes() -> None:
    assert len(PMKS) == 26
    assert len(PSKS) == 12
    codes = [c.code for c in CATALOGUE]
    assert len(codes) == len(set(codes))
    assert {c.group for c in PMKS} == {"pmks"} and {c.group for c in PSKS} == {"psks"}
    assert all(c.name_id and c.name_en for c in CATALOGUE)
    assert all(c.description for c in INDICATORS)


def test_catalogue_table() -> None:
    table = categories("psks")
    assert len(table) == 12
    assert "Tenaga Kesejahteraan Sosial Kecamatan" in set(table["name_id"])
    with pytest.raises(InputError, match="group='pks' is not a category group"):
        categories("pks")


def test_get_category() -> None:
    assert get_category("tksk").name_en.startswith("Sub-district")
    with pytest.raises(InputError, match="Unknown category code 'xyz'"):
        get_category("xyz")


@pytest.mark.parametrize(
    ("header", "code", "method"),
    [
        ("Lansia Terlantar", "lut", "alias"),
        ("LANJUT USIA TERLANTAR", "lut", "exact"),
        ("Penyandang Cacat", "pd", "alias"),
        ("ODHA", "odha", "code"),
        ("PSM", "psm", "code"),
        ("Tagana", "tagana", "code"),
        ("LK3", "lk3", "code"),
        ("WKSBM", "wksbm", "code"),
        ("CSR", "du", "alias"),
        ("Jumlah Anak Terlantar (jiwa)", "at", "exact"),
        ("Eks Napi", "bwblp", "alias"),
        ("LKS/Orsos", "lks", "alias"),
        ("Pekerja Sosial Masyrakat", "psm", "fuzzy"),
        ("Fakir Miskinn", "fm", "fuzzy"),
        ("JUMLAH_KEL", "keluarga", "alias"),
        ("Penyandang Cacat (contoh sintetis)", "pd", "alias"),
    ],
)
def test_match_header_spellings(header: str, code: str, method: str) -> None:
    m = match_header(header)
    assert (m["category"], m["method"]) == (code, method)


def test_unplaceable_headers_report_candidates() -> None:
    unknown = match_header("Jumlah Kucing")
    assert unknown["method"] == "unmatched" and unknown["category"] == ""
    both = match_header("Korban Bencana")  # alam or sosial?
    assert both["method"] == "ambiguous" and both["category"] == ""
    assert both["candidates"].split(";")[:2] == [
        "kba:Korban Bencana Alam",
        "kbs:Korban Bencana Sosial",
    ]


def test_fuzzy_needs_margin_over_runner_up() -> None:
    # "Anak Telantar" vs "Anak Balita Telantar": a one-letter typo of one is taken...
    m = match_header("Anak Balta Telantar")
    assert (m["category"], m["method"]) == ("abt", "fuzzy")
    assert (match_header("Anak Tlantar")["category"], match_header("Anak Tlantar")["method"]) == (
        "at",
        "fuzzy",
    )
    # ...but a header about as close to both is not guessed; both are offered.
    both = match_header("Anak Bal Telantar")
    assert (both["category"], both["method"]) == ("", "ambiguous")
    assert both["candidates"].split(";")[:2] == ["abt:Anak Balita Telantar", "at:Anak Telantar"]


def test_group_hint_restricts_choices() -> None:
    assert match_header("Kader", groups=["indicator"])["category"] == "kader"
    assert match_header("Kader", groups=["pmks"])["category"] == ""
    with pytest.raises(InputError, match="groups=\\['xx'\\] is not a valid choice"):
        match_header("Kader", groups=["xx"])


def test_match_headers_frame() -> None:
    got = match_headers(["Lansia Terlantar", "No", "ODHA"])
    assert list(got.columns) == HEADER_COLUMNS
    assert list(got["category"]) == ["lut", "", "odha"]


@pytest.mark.parametrize(
    "header",
    [
        "Lansia",  # all elderly people, not Lanjut Usia Telantar
        "Jumlah Lansia",
        "Lanjut Usia",  # the category's name minus "telantar": never a fuzzy match
        "Jumlah Lanjut Usia (Orang)",
        "Penduduk Miskin",  # BPS poverty counts, not Fakir Miskin
        "Keluarga Rentan",
        "KM",  # kilometres, not Kelompok Minoritas
        "Km",
        "KP",
        "Fm",
        "JIWA",
    ],
)
def test_general_populations_and_units_are_not_categories(header: str) -> None:
    m = match_header(header)
    assert (m["category"], m["method"]) == ("", "unmatched")


@pytest.mark.parametrize(
    ("header", "code"),
    [("fm", "fm"), ("km", "km"), ("FM", "fm"), ("ODHA", "odha"), ("Tagana", "tagana")],
)
def test_bare_codes_only_where_unambiguous(header: str, code: str) -> None:
    m = match_header(header)
    assert (m["category"], m["method"]) == (code, "code")


def test_header_key_drops_fillers_and_units() -> None:
    assert header_key("Jml. Penyandang Disabilitas (Orang)") == "penyandang disabilitas"
    assert header_key("Anak Terlantar") == header_key("anak telantar")
