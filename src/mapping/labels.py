"""Map texts in Indonesian and English, and numbers formatted the Indonesian or English way."""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal, cast

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
    "kecamatan_of": {"id": "Kecamatan {name}", "en": "{name} district (kecamatan)"},
    "value": {"id": "Nilai", "en": "Value"},
    "rank": {"id": "peringkat {rank} dari {n}", "en": "rank {rank} of {n}"},
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "outlines": {"id": "Batas kecamatan", "en": "Kecamatan boundaries"},
    "basemap": {"id": "Peta dasar", "en": "Base map"},
    "basemap_none": {"id": "Tanpa peta dasar", "en": "No base map"},
    "search": {"id": "Cari desa…", "en": "Find a village…"},
    "not_found": {"id": "Desa tidak ditemukan", "en": "Village not found"},
    "search_kecamatan": {"id": "Cari kecamatan…", "en": "Find a kecamatan…"},
    "not_found_kecamatan": {"id": "Kecamatan tidak ditemukan", "en": "Kecamatan not found"},
    "rank_short": {"id": "Peringkat", "en": "Rank"},
    "rank_note": {
        "id": "Peringkat 1 = nilai tertinggi",
        "en": "Rank 1 = highest value",
    },
    "synthetic_badge": {"id": "CONTOH SINTETIS", "en": "SYNTHETIC EXAMPLE"},
    "interactive": {"id": "Peta interaktif", "en": "Interactive map"},
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
    "approximate_location": {"id": "lokasi perkiraan", "en": "approximate location"},
    "category": {"id": "Kategori", "en": "Category"},
    "maps": {"id": "Peta", "en": "Maps"},
    "layers": {"id": "lapisan", "en": "layers"},
    "gallery_title": {"id": "Peta kesejahteraan sosial", "en": "Social welfare maps"},
    "per_1000_families": {"id": "per 1.000 keluarga", "en": "per 1,000 families"},
    "fullscreen": {"id": "Layar penuh", "en": "Full screen"},
    "fullscreen_exit": {"id": "Keluar dari layar penuh", "en": "Exit full screen"},
    "zoom_in": {"id": "Perbesar", "en": "Zoom in"},
    "zoom_out": {"id": "Perkecil", "en": "Zoom out"},
    "legend": {"id": "Legenda", "en": "Legend"},
    "layers_button": {"id": "Pilih lapisan", "en": "Choose layer"},
    "table": {"id": "Tabel", "en": "Table"},
    "close": {"id": "Tutup", "en": "Close"},
    "download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "suppressed": {"id": "Disembunyikan ({hidden})", "en": "Suppressed ({hidden})"},
    "internal": {
        "id": "INTERNAL — tidak untuk dipublikasikan",
        "en": "INTERNAL — not for publication (tidak untuk dipublikasikan)",
    },
}


def check_language(language: str) -> Language:
    """`language` if it is ``"id"`` or ``"en"``; otherwise raise :class:`InputError`."""
    if language not in LANGUAGES:
        msg = f"language={language!r} is not supported; expected one of {list(LANGUAGES)}."
        raise InputError(msg)
    return cast(Language, language)


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
        s = s.translate(str.maketrans(",.", ".,"))
    return s


MONTHS: dict[str, tuple[str, ...]] = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


def format_date(date: dt.date | str, *, language: str = "id") -> str:
    """`date` written out in `language` ("31 Januari 2025", "31 January 2025").

    An ISO date string ("2025-01-31") is written out the same way; any other string
    ("Januari 2025", "2024") is returned as given.

    >>> format_date(dt.date(2025, 1, 31)), format_date("2025-01-31", language="en")
    ('31 Januari 2025', '31 January 2025')
    >>> format_date("Triwulan I 2025")
    'Triwulan I 2025'
    """
    lang = check_language(language)
    if isinstance(date, str):
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            return date
    else:
        day = date
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def caption_text(
    *,
    source: str,
    date: dt.date | str | None = None,
    synthetic: bool = False,
    note: str = "",
    internal: bool = False,
    language: str = "id",
) -> str:
    """The caption of a map: data source, a note (e.g. the method), date made and, for
    synthetic data, "contoh sintetis".

    With `internal` (data not protected by :func:`mapping.privacy.protect`) it starts with
    "INTERNAL — tidak untuk dipublikasikan".

    The date (default: today) is written out by :func:`format_date`.

    >>> caption_text(source="Dinas Sosial", date=dt.date(2025, 1, 31), synthetic=True)
    'Sumber: Dinas Sosial. Dibuat 31 Januari 2025. Data: contoh sintetis, bukan data sebenarnya.'
    >>> caption_text(source="Dinas Sosial", date="2025-01-31", language="en")
    'Source: Dinas Sosial. Made 31 January 2025.'
    >>> caption_text(source="BPS", date="2025-01-31", note="Metode: Moran lokal")
    'Sumber: BPS. Metode: Moran lokal. Dibuat 31 Januari 2025.'
    """
    when = format_date(date if date is not None else dt.date.today(), language=language)
    parts = [text("internal", language) + "."] if internal else []
    if source:
        parts.append(f"{text('source', language)}: {source}.")
    if note:
        parts.append(note if note.endswith(".") else f"{note}.")
    parts.append(f"{text('made', language)} {when}.")
    if synthetic:
        parts.append(text("synthetic", language) + ".")
    return " ".join(parts)
