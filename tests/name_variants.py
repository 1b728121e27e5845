"""Messy variants of real Tapanuli Utara names, for the matcher's tests and its benchmark.

Each real spelling (Kemendagri 2025, BPS 2018, BIG ``NAMOBJ``/``WADMKD``) is written the ways
people write it: capitals, prefixes, numerals, hyphens, spacing, abbreviations and one-letter
typos (never inside a numeral, which would name another desa). Seeded, so reproducible.
"""

from __future__ import annotations

import random
import re

import pandas as pd

from mapping.gazetteer import Gazetteer
from mapping.names import normalize_name

ABBREV = [("Pasar", "Psr"), ("Janji", "J."), ("Lumban", "Lb."), ("Hutagalung", "Htg")]
ROMAN = {
    "I": "1",
    "II": "2",
    "III": "3",
    "IV": "4",
    "V": "5",
    "VI": "6",
    "VII": "7",
    "VIII": "8",
    "IX": "9",
    "X": "10",
    "XI": "11",
}
PREFIXES = ["Desa ", "Ds. ", "Kel. ", "Kelurahan ", "DESA "]


def _typo(word: str, rng: random.Random) -> str:
    # A typo inside a numeral names another desa (VII -> VIII): typos go in the words only.
    words = word.split(" ")
    stem = len(word) - len(words[-1]) - 1 if words[-1].upper() in ROMAN else len(word)
    letters = [i for i, c in enumerate(word[:stem]) if c.isalpha()]
    i = rng.choice(letters)
    kind = rng.choice(["sub", "del", "ins", "swap"])
    alphabet = "abcdefghijklmnoprstuy"
    if kind == "sub":
        return word[:i] + rng.choice(alphabet.replace(word[i].lower(), "")) + word[i + 1 :]
    if kind == "del":
        return word[:i] + word[i + 1 :]
    if kind == "ins":
        return word[:i] + rng.choice(alphabet) + word[i:]
    j = min(i + 1, stem - 1)
    return word[:i] + word[j] + word[i] + word[j + 1 :]


def _variants(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out = [("original", name), ("upper", name.upper()), ("lower", name.lower())]
    out.append(("prefix", rng.choice(PREFIXES) + name))
    out.append(("nospace", name.replace(" ", "")))
    out.append(("hyphen", name.replace(" ", "-")))
    out.append(("spaced", re.sub(r"([a-z])([A-Z])", r"\1 \2", name)))
    words = name.split()
    if words and words[-1].upper() in ROMAN:
        out.append(("arabic", " ".join([*words[:-1], ROMAN[words[-1].upper()]])))
    for full, short in ABBREV:
        if full.lower() in name.lower():
            out.append(("abbrev", re.sub(full, short, name, flags=re.IGNORECASE)))
    if len(normalize_name(name)) >= 5:
        for _ in range(2):
            out.append(("typo", _typo(name, rng)))
        out.append(("typo+upper", _typo(name, rng).upper()))
    return out


#: Names of places in neighbouring regencies (Toba, Humbang Hasundutan, Samosir, Tapanuli
#: Tengah/Selatan, other towns). "Doloksanggul" is left out: Tapanuli Utara has a Dolok Sanggul.
OUTSIDERS = [
    "Balige",
    "Laguboti",
    "Porsea",
    "Parapat",
    "Ajibata",
    "Uluan",
    "Silaen",
    "Habinsaran",
    "Borbor",
    "Nassau",
    "Siantar Narumonda",
    "Sigumpar",
    "Bonatua Lunasi",
    "Lintongnihuta",
    "Pollung",
    "Paranginan",
    "Onan Ganjang",
    "Parlilitan",
    "Pakkat",
    "Tarabintang",
    "Baktiraja",
    "Sijamapolang",
    "Pangururan",
    "Simanindo",
    "Nainggolan",
    "Onan Runggu",
    "Palipi",
    "Ronggur Nihuta",
    "Sitiotio",
    "Sianjur Mula Mula",
    "Sibolga",
    "Pandan",
    "Sarudik",
    "Tukka",
    "Badiri",
    "Pinangsori",
    "Sibabangun",
    "Kolang",
    "Sorkam",
    "Barus",
    "Manduamas",
    "Sirandorung",
    "Andam Dewi",
    "Sipirok",
    "Angkola Timur",
    "Batang Toru",
    "Marancar",
    "Sipangimbar",
    "Saipar Dolok Hole",
    "Pematangsiantar",
    "Tebing Tinggi",
    "Binjai",
    "Kabanjahe",
    "Berastagi",
    "Sidikalang",
    "Padangsidimpuan",
    "Gunungsitoli",
    "Rantau Prapat",
    "Kisaran",
    "Pardede Onan",
    "Napitupulu Bagasan",
    "Hinalang Bagasan",
    "Silamosik",
    "Sibisa",
    "Motung",
    "Sionggang",
    "Jonggi Nihuta",
    "Meat",
    "Tambunan Sunge",
    "Lumban Binanga",
    "Sibuntuon",
    "Pasar Laguboti",
    "Tomok",
    "Ambarita",
    "Tuktuk Siadong",
    "Huta Ginjang Samosir",
    "Desa Sosor Gonting",
    "Simangulampe",
]


SPELLING_COLUMNS = ["desa_kemendagri_2025", "desa_bps_2018", "desa_big_namobj", "desa_big_wadmkd"]
KECAMATAN_COLUMNS = ["kecamatan_kemendagri_2025", "kecamatan_bps_2018", "kecamatan_big"]


def messy_variants(ref: pd.DataFrame, gz: Gazetteer, *, seed: int = 20261129) -> pd.DataFrame:
    """Columns ``kind``, ``name``, ``kecamatan`` (None for half) and ``expected`` (the code).

    Names shared by two desa always come with a kecamatan, since nothing else can tell them
    apart; the kecamatan is spelled as one of its sources spells it.
    """
    rng = random.Random(seed)
    keys = pd.Series([normalize_name(a.name) for a in gz.areas.values()]).value_counts()
    shared = set(keys[keys > 1].index)
    rows = []
    for _, r in ref.iterrows():
        for col in SPELLING_COLUMNS:
            spelling = r[col].title() if col == "desa_bps_2018" else r[col]
            for kind, variant in _variants(spelling, rng):
                give_kec = rng.random() < 0.5 or normalize_name(r[col]) in shared
                kec = r[rng.choice(KECAMATAN_COLUMNS)] if give_kec else None
                rows.append((kind, variant, kec, r["kemendagri_code"]))
    return pd.DataFrame(rows, columns=["kind", "name", "kecamatan", "expected"])
