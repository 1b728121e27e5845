"""Map texts in Indonesian and English, and numbers formatted the Indonesian or English way."""

from __future__ import annotations

import math
from typing import Literal

from mapping.errors import InputError

Language = Literal["id", "en"]
LANGUAGES: tuple[str, ...] = ("id", "en")

#: Every text a map shows, by key, in Indonesian ("id") and English ("en").
TEXTS: dict[str, dict[str, str]] = {
    "no_data": {"id": "Tidak ada data", "en": "No data"},
    "source": {"id": "Sumber", "en": "Source"},
    "made": {"id": "Dibuat", "en": "Made"},
    "synthetic": {
        "id": "Data: contoh sintetis, bukan data sebenarnya",
        "en": "Data: synthetic example (contoh sintetis), not real data",
    },
    "desa": {"id": "Desa/kelurahan", "en": "Village"},
    "kecamatan": {"id": "Kecamatan", "en": "District (kecamatan)"},
    "value": {"id": "Nilai", "en": "Value"},
    "rank": {"id": "peringkat {rank} dari {n}", "en": "rank {rank} of {n}"},
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "outlines": {"id": "Batas kecamatan", "en": "Kecamatan boundaries"},
    "basemap_none": {"id": "Tanpa peta dasar", "en": "No base map"},
    "search": {"id": "Cari desa…", "en": "Find a village…"},
    "not_found": {"id": "Desa tidak ditemukan", "en": "Village not found"},
    "north": {"id": "U", "en": "N"},
    "areas": {"id": "wilayah", "en": "areas"},
    "need": {"id": "Kebutuhan", "en": "Need"},
    "capacity": {"id": "Kapasitas", "en": "Capacity"},
    "low": {"id": "rendah", "en": "low"},
    "mid": {"id": "sedang", "en": "medium"},
    "high": {"id": "tinggi", "en": "high"},
    "high_need_low_capacity": {
        "id": "Kebutuhan tinggi, kapasitas rendah",
        "en": "High need, low capacity",
    },
    "sites": {"id": "Lokasi", "en": "Sites"},
    "category": {"id": "Kategori", "en": "Category"},
    "maps": {"id": "Peta", "en": "Maps"},
    "gallery_title": {"id": "Peta kesejahteraan sosial", "en": "Social welfare maps"},
    "per_1000_families": {"id": "per 1.000 keluarga", "en": "per 1,000 families"},
}


def check_language(language: str) -> Language:
    """`language` if it is ``"id"`` or ``"en"``; otherwise raise :class:`InputError`."""
    if language not in LANGUAGES:
        msg = f"language={language!r} is not supported; expected one of {list(LANGUAGES)}."
        raise InputError(msg)
    return language  # type: ignore[return-value]


def text(key: str, language: str = "id", **fields: object) -> str:
    """The map text `key` in `language`, with ``{fields}`` filled in.

    >>> text("no_data"), text("no_data", "en")
    ('Tidak ada data', 'No data')
    >>> text("rank", rank=3, n=252)
    'peringkat 3 dari 252'
    """
    lang = check_language(language)
    try:
        template = TEXTS[key][lang]
    except KeyError as exc:
        msg = f"No map text {key!r}; known keys: {sorted(TEXTS)}."
        raise InputError(msg) from exc
    return template.format(**fields) if fields else template


def format_number(value: float | None, *, decimals: int = 0, language: str = "id") -> str:
    """`value` with thousands separators and `decimals` decimals, Indonesian style by default.

    Missing values (None, NaN) give the "no data" text.

    >>> format_number(1234), format_number(12.5, decimals=1), format_number(-0.004, decimals=2)
    ('1.234', '12,5', '0,00')
    >>> format_number(1234567.891, decimals=2, language="en")
    '1,234,567.89'
    """
    lang = check_language(language)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return text("no_data", lang)
    s = f"{float(value):,.{decimals}f}"
    if s.startswith("-") and float(s.replace(",", "")) == 0:
        s = s[1:]
    if lang == "id":
        s = s.translate(str.maketrans({",": ".", ".": ","}))
    return s
