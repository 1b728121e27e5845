"""Normalising Indonesian/Batak place and category names; parsing Kemendagri and BPS codes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from mapping.regions import Region, default_region

#: Words that name the kind of area rather than the area ("Desa Lobu", "Kec. Tarutung").
ADMIN_PREFIXES: frozenset[str] = frozenset(
    {
        "desa",
        "ds",
        "kel",
        "kelurahan",
        "kec",
        "kecamatan",
        "kab",
        "kabupaten",
        "kota",
        "kampung",
        "dusun",
    }
)

#: Abbreviations seen in Tapanuli Utara welfare files, expanded before comparison.
ABBREVIATIONS: dict[str, str] = {
    "psr": "pasar",
    "j": "janji",
    "lb": "lumban",
    "lbn": "lumban",
    "htg": "hutagalung",
    "hta": "huta",
    "sp": "simpang",
    "spg": "simpang",
    "smp": "simpang",
    "tg": "tanjung",
    "tpn": "tapian",
}

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ROMAN_RE = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
_WORD_RE = re.compile(r"[a-z0-9]+")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


def roman_to_int(token: str) -> int | None:
    """Value of a Roman numeral from 1 to 39, or None if `token` is not one.

    >>> roman_to_int("vii"), roman_to_int("IX"), roman_to_int("lobu")
    (7, 9, None)
    """
    t = token.lower()
    if not t or not _ROMAN_RE.match(t):
        return None
    total = 0
    for a, b in zip(t, t[1:] + " ", strict=True):
        va, vb = _ROMAN[a], _ROMAN.get(b, 0)
        total += -va if vb > va else va
    return total


def fold(text: object) -> str:
    """Lower-case ASCII letters and digits separated by single spaces.

    Accents are dropped, every other character (hyphens, dots, slashes) becomes a space, and
    words glued in camel case or to a number are split ("HutaToruanVII", "Lobu2").

    >>> fold("  Siborong-Borong ")
    'siborong borong'
    >>> fold("HutaToruanVII")
    'huta toruan vii'
    >>> fold("Kel. Hutatoruan  VII")
    'kel hutatoruan vii'
    """
    if text is None:
        return ""
    s = str(text)
    if s.isascii():  # nothing to decompose: the common case, and 5x faster
        return " ".join(_WORD_RE.findall(_CAMEL_RE.sub(" ", s).lower()))
    s = _CAMEL_RE.sub(" ", unicodedata.normalize("NFKD", s))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(_WORD_RE.findall(s))


def name_tokens(text: object, *, strip_prefixes: bool = True) -> list[str]:
    """Tokens of a place name with prefixes removed, abbreviations expanded, numerals Arabic.

    >>> name_tokens("Kel. Psr Siborong-Borong")
    ['pasar', 'siborong', 'borong']
    >>> name_tokens("Desa Lb. Siantar II")
    ['lumban', 'siantar', '2']
    """
    tokens = fold(text).split()
    if strip_prefixes:
        while len(tokens) > 1 and tokens[0] in ADMIN_PREFIXES:
            tokens = tokens[1:]
    out: list[str] = []
    for i, tok in enumerate(tokens):
        # A lone "i" inside a name ("Namora I Langit") is a word, not a numeral: only the
        # last token is read as a Roman numeral when it is "i".
        value = roman_to_int(tok) if (tok != "i" or i == len(tokens) - 1) and i > 0 else None
        if value is not None:
            out.append(str(value))
        elif tok.isdigit():
            out.append(str(int(tok)))
        else:
            out.append(ABBREVIATIONS.get(tok, tok) if len(tokens) > 1 else tok)
    return out


def normalize_name(text: object) -> str:
    """Comparison key of a place name: spacing, case, punctuation, prefixes and numerals folded.

    Two spellings of one place that differ only in those ways get the same key.

    >>> normalize_name("Siborong-Borong") == normalize_name("SIBORONGBORONG")
    True
    >>> normalize_name("Huta Toruan VII") == normalize_name("Kel. Hutatoruan 7")
    True
    >>> normalize_name("Psr. Siborongborong")
    'pasarsiborongborong'
    """
    return "".join(name_tokens(text))


def normalize_header(text: object) -> str:
    """Comparison key of a column header or category name (spaces kept, prefixes kept).

    >>> normalize_header("  LANJUT USIA TERLANTAR ")
    'lanjut usia terlantar'
    """
    return fold(text)


# --- codes ---------------------------------------------------------------------------------

CodeSystem = Literal["kemendagri", "bps"]
CodeLevel = Literal["kabupaten", "kecamatan", "desa"]


@dataclass(frozen=True)
class AreaCode:
    """A parsed area code: its system, level and canonical text."""

    system: CodeSystem
    level: CodeLevel
    code: str


_KEMENDAGRI_LEN = {4: "kabupaten", 6: "kecamatan", 10: "desa"}
_BPS_LEN = {4: "kabupaten", 7: "kecamatan", 10: "desa"}


def parse_code(value: object, *, region: Region | None = None) -> AreaCode | None:
    """Parse a Kemendagri (dotted or plain) or BPS code of `region`; None if `value` is not one.

    A Kemendagri code starts with the region's code (``12.02`` for Tapanuli Utara, the
    default region), a BPS code with its BPS code (``1205``; none when the region has no
    BPS code). Kemendagri codes are returned dotted (``12.02.01.2010``), BPS codes as
    digits. Spreadsheets often turn codes into numbers, so ``1202012010.0`` is read too.

    >>> parse_code("1202012010")
    AreaCode(system='kemendagri', level='desa', code='12.02.01.2010')
    >>> parse_code("12.02.05")
    AreaCode(system='kemendagri', level='kecamatan', code='12.02.05')
    >>> parse_code(1205060030)
    AreaCode(system='bps', level='desa', code='1205060030')
    >>> parse_code("Tarutung") is None, parse_code("34.04.01.2001") is None
    (True, True)
    """
    if value is None:
        return None
    if isinstance(value, float):
        if value != value or not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text:
        return None
    dotted = "." in text
    digits = re.sub(r"[.\s]", "", text)
    if not digits.isdigit():
        return None
    if dotted:
        parts = text.split(".")
        widths = [len(p) for p in parts]
        if widths not in ([2, 2], [2, 2, 2], [2, 2, 2, 4]):
            return None
    reg = default_region(region)
    level_k = _KEMENDAGRI_LEN.get(len(digits))
    if digits.startswith(reg.code.replace(".", "")) and level_k is not None:
        d = digits
        pieces = [d[0:2], d[2:4], d[4:6], d[6:10]]
        code = ".".join(p for p in pieces if p)
        return AreaCode("kemendagri", level_k, code)  # type: ignore[arg-type]
    level_b = _BPS_LEN.get(len(digits))
    if reg.bps_code and digits.startswith(reg.bps_code) and level_b is not None and not dotted:
        return AreaCode("bps", level_b, digits)  # type: ignore[arg-type]
    return None


def example_code(region: Region | None = None) -> str:
    """An example desa code of `region` for messages: ``<region code>.01.2001``.

    >>> example_code()
    '12.02.01.2001'
    """
    return f"{default_region(region).code}.01.2001"


def desa_kind(code: str) -> str:
    """``kelurahan`` or ``desa`` from the first digit of the last part of a Kemendagri code.

    >>> desa_kind("12.02.01.1004"), desa_kind("12.02.01.2010")
    ('kelurahan', 'desa')
    """
    last = code.rsplit(".", 1)[-1]
    if last[:1] == "1":
        return "kelurahan"
    if last[:1] == "2":
        return "desa"
    msg = f"Code {code!r} is not a desa/kelurahan code: expected 12.02.KK.1NNN or 12.02.KK.2NNN."
    raise ValueError(msg)
