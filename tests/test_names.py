"""Normalising place names and parsing codes."""

from __future__ import annotations

import pytest

from mapping.names import (
    desa_kind,
    fold,
    normalize_header,
    normalize_name,
    parse_code,
    roman_to_int,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Siborong-Borong", "Siborongborong"),
        ("Huta Toruan", "Hutatoruan"),
        ("Hutatoruan VII", "Hutatoruan 7"),
        ("Kel. Hutatoruan VII", "HUTATORUAN  vii"),
        ("Desa Lumban Siagian Julu", "lumban siagian julu"),
        ("Kecamatan Pahae Jae", "Pahae-Jae"),
        ("Kab. Tapanuli Utara", "Tapanuli Utara"),
        ("Psr. Siborong-Borong", "Pasar Siborongborong"),
        ("Pardomuan J.Angkola", "Pardomuan Janji Angkola"),
        ("Lb. Siantar", "Lumban Siantar"),
        ("Htg Siwaluompu", "Hutagalung Siwaluompu"),
        ("Siabal-abal 04", "Siabal Abal IV"),
        ("HutaToruanVII", "Huta Toruan VII"),
        ("Sigurung-gurung", "SIGURUNG GURUNG"),
    ],
)
def test_same_key(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hutatoruan VI", "Hutatoruan VII"),
        ("Siabal-abal I", "Siabal-abal II"),
        ("Sitampurung", "Sitapurung"),
        ("Namora I Langit", "Namora Langit"),
    ],
)
def test_different_key(a: str, b: str) -> None:
    assert normalize_name(a) != normalize_name(b)


def test_prefix_alone_is_a_name() -> None:
    # "Desa" alone is kept rather than turned into an empty key.
    assert normalize_name("Desa") == "desa"
    assert normalize_name("") == "" and normalize_name(None) == ""


def test_fold_and_header() -> None:
    assert fold("Café  Ünïcode—x") == "cafe unicode x"
    assert normalize_header("LANJUT USIA TERLANTAR") == "lanjut usia terlantar"


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("i", 1),
        ("iv", 4),
        ("ix", 9),
        ("xiv", 14),
        ("XXXIX", 39),
        ("iiii", None),
        ("lobu", None),
        ("", None),
    ],
)
def test_roman(token: str, value: int | None) -> None:
    assert roman_to_int(token) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.02.01.2010", ("kemendagri", "desa", "12.02.01.2010")),
        ("1202012010", ("kemendagri", "desa", "12.02.01.2010")),
        (" 12.02.09 ", ("kemendagri", "kecamatan", "12.02.09")),
        ("120209", ("kemendagri", "kecamatan", "12.02.09")),
        ("12.02", ("kemendagri", "kabupaten", "12.02")),
        ("1205060", ("bps", "kecamatan", "1205060")),
        ("1205060030", ("bps", "desa", "1205060030")),
        (1205060030.0, ("bps", "desa", "1205060030")),
        ("1205060030.0", ("bps", "desa", "1205060030")),
    ],
)
def test_parse_code(value: object, expected: tuple[str, str, str]) -> None:
    parsed = parse_code(value)
    assert parsed is not None
    assert (parsed.system, parsed.level, parsed.code) == expected


@pytest.mark.parametrize(
    "value",
    [
        "Tarutung",
        "12.2.1.2010",
        "1201012010",
        "12.02.01.20100",
        "",
        None,
        12.5,
        float("nan"),
        "12.05.060",
    ],
)
def test_not_a_code(value: object) -> None:
    assert parse_code(value) is None


def test_desa_kind() -> None:
    assert desa_kind("12.02.01.1001") == "kelurahan"
    assert desa_kind("12.02.01.2001") == "desa"
    with pytest.raises(ValueError, match="not a desa/kelurahan code"):
        desa_kind("12.02.01.3001")
