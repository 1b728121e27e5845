"""Facts about the regency's 15 kecamatan: Kemendagri and BPS codes and their spellings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kecamatan:
    """One kecamatan: Kemendagri code, BPS code, official (Kemendagri 2025) and BIG spellings."""

    code: str
    bps_code: str
    name: str
    name_big: str


#: Kemendagri code, BPS code, Kemendagri 2025 spelling, BIG (``WADMKC``) spelling.
KECAMATAN: tuple[Kecamatan, ...] = (
    Kecamatan("12.02.01", "1205060", "Tarutung", "Tarutung"),
    Kecamatan("12.02.02", "1205061", "Siatas Barita", "Siatas Barita"),
    Kecamatan("12.02.03", "1205040", "Adiankoting", "Adian Koting"),
    Kecamatan("12.02.04", "1205050", "Sipoholon", "Sipoholon"),
    Kecamatan("12.02.05", "1205070", "Pahae Julu", "Pahae Julu"),
    Kecamatan("12.02.06", "1205080", "Pahae Jae", "Pahae Jae"),
    Kecamatan("12.02.07", "1205082", "Simangumban", "Simangumban"),
    Kecamatan("12.02.08", "1205081", "Purbatua", "Purba Tua"),
    Kecamatan("12.02.09", "1205120", "Siborongborong", "Siborong-Borong"),
    Kecamatan("12.02.10", "1205130", "Pagaran", "Pagaran"),
    Kecamatan("12.02.11", "1205030", "Parmonangan", "Parmonangan"),
    Kecamatan("12.02.12", "1205110", "Sipahutar", "Sipahutar"),
    Kecamatan("12.02.13", "1205090", "Pangaribuan", "Pangaribuan"),
    Kecamatan("12.02.14", "1205100", "Garoga", "Garoga"),
    Kecamatan("12.02.15", "1205180", "Muara", "Muara"),
)

KECAMATAN_BY_CODE: dict[str, Kecamatan] = {k.code: k for k in KECAMATAN}
KECAMATAN_BY_BPS: dict[str, Kecamatan] = {k.bps_code: k for k in KECAMATAN}
