"""A synthetic national table of areas (desa under kecamatan) and messy names typed against it.

Names are built from real Indonesian name parts (Javanese/Sundanese ``Suka-``, ``Sido-``,
``Karang``, ``-jaya``, ``-makmur``, ``-mulya``; Batak ``Lumban``, ``Huta``, ``Dolok``; Malay
``Tanjung``, ``Pasar``, ``Sungai``; Roman numerals), drawn so that popular names repeat in many
kecamatan ("Sukamaju" hundreds of times) as in the Kepmendagri list. Codes follow the Kemendagri
format ``PP.KK.CC.DNNN``. Seeded, so reproducible; the messy names reuse the variants of
``tests/name_variants.py``. Shared by the tests and ``benchmarks/bench_national.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import accumulate

import pandas as pd
from name_variants import ROMAN, _variants

from mapping.names import normalize_name

#: Words glued in front of a root ("Suka" + "maju" = "Sukamaju").
GLUED_HEADS = ["Suka", "Sido", "Sumber", "Mekar", "Karya", "Tirta", "Mulya", "Harja", "Sari"]
#: Roots that follow a glued head or a word.
ROOTS = [
    "maju", "jaya", "makmur", "mulya", "rejo", "harjo", "mukti", "sari", "asih", "wangi",
    "rame", "raja", "damai", "indah", "agung", "luhur", "mekar", "karya", "tani", "manik",
    "rahayu", "senang", "laksana", "mukti", "galih", "bakti", "murni", "subur", "dadi", "rukun",
]  # fmt: skip
#: First words written apart ("Tanjung Sari", "Lumban Tobing").
WORD_HEADS = [
    "Tanjung", "Karang", "Lumban", "Huta", "Pasar", "Sungai", "Padang", "Bukit", "Kampung",
    "Teluk", "Pulau", "Simpang", "Dolok", "Batu", "Air", "Muara", "Lubuk", "Rantau", "Koto",
    "Ci", "Pematang", "Tapian", "Aek", "Parsaoran", "Sipirok", "Banjar", "Cikal", "Gunung",
]  # fmt: skip
#: Second words: place words and Batak marga/place parts.
WORD_TAILS = [
    "Sari", "Jaya", "Baru", "Lama", "Indah", "Makmur", "Mulya", "Tengah", "Hilir", "Hulu",
    "Tobing", "Siregar", "Nainggolan", "Gaol", "Julu", "Toruan", "Natolu", "Nagodang",
    "Silali", "Pardomuan", "Sianipar", "Simanjuntak", "Hutabarat", "Pohan", "Sitompul",
    "Harapan", "Pinang", "Kelapa", "Beringin", "Merah", "Putih", "Rejo", "Wetan", "Kulon",
    "Lor", "Kidul", "Timur", "Barat", "Selatan", "Utara", "Ganjang", "Bolon", "Godang",
    "Nauli", "Dame", "Pangaribuan", "Ringgit", "Kemuning", "Cempaka", "Melati", "Rambutan",
]  # fmt: skip
NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def _name(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.35:
        name = rng.choice(GLUED_HEADS) + rng.choice(ROOTS)
    elif kind < 0.55:
        name = rng.choice(GLUED_HEADS) + rng.choice(ROOTS) + " " + rng.choice(WORD_TAILS)
    else:
        name = rng.choice(WORD_HEADS) + " " + rng.choice(WORD_TAILS)
        if rng.random() < 0.2:
            name += " " + rng.choice(WORD_TAILS)
    if rng.random() < 0.12:
        name += " " + rng.choice(NUMERALS)
    if name.startswith("Ci "):  # Sundanese names glue "Ci": Cikelapa, Cimerah
        name = "Ci" + name[3:].lower()
    return name


def _pool(rng: random.Random, size: int) -> list[str]:
    pool: list[str] = []
    seen: set[str] = set()
    while len(pool) < size:
        name = _name(rng)
        key = normalize_name(name)
        if key not in seen:
            seen.add(key)
            pool.append(name)
    return pool


def national_areas(
    n_desa: int = 83_000, n_kecamatan: int = 7_300, *, seed: int = 20261202
) -> pd.DataFrame:
    """A table of areas: ``code``, ``name``, ``parent_code``, ``parent``, ``aliases``.

    Desa names are drawn with a heavy head (the first names of the pool are drawn far more
    often), so common names repeat across hundreds of kecamatan; within a kecamatan names are
    distinct. About one desa in fifty carries an alias (an older spelling).
    """
    rng = random.Random(seed)
    pool = _pool(rng, max(200, n_desa // 3))
    weights = list(accumulate(1.0 / (i + 5) ** 0.9 for i in range(len(pool))))
    kec_names = _pool(random.Random(seed + 1), max(50, n_kecamatan * 2 // 3))
    kec_weights = list(accumulate(1.0 / (i + 50) ** 0.5 for i in range(len(kec_names))))
    n_prov, per_kab = 34, 14
    n_kab = -(-n_kecamatan // per_kab)
    rows = []
    per_kec = [n_desa // n_kecamatan + (i < n_desa % n_kecamatan) for i in range(n_kecamatan)]
    for k in range(n_kecamatan):
        kab = k // per_kab
        prov = 11 + kab * n_prov // n_kab
        kec_code = f"{prov:02d}.{kab % 99 + 1:02d}.{k % per_kab + 1:02d}"
        kec_name = rng.choices(kec_names, cum_weights=kec_weights)[0]
        used: set[str] = set()
        for j in range(per_kec[k]):
            name = rng.choices(pool, cum_weights=weights)[0]
            while normalize_name(name) in used:
                name = rng.choices(pool, cum_weights=weights)[0]
            used.add(normalize_name(name))
            kind = "1" if rng.random() < 0.1 else "2"
            alias = ""
            if rng.random() < 0.02:  # the spelling before 1972: Soekamadjoe for Sukamaju
                old = name.replace("u", "oe").replace("j", "dj").replace("c", "tj")
                alias = old if old != name else ""
            rows.append((f"{kec_code}.{kind}{j + 1:03d}", name, kec_code, kec_name, alias))
    table = pd.DataFrame(rows, columns=["code", "name", "parent_code", "parent", "aliases"])
    # kecamatan codes must be unique: kabupaten numbers wrap past 99 only for huge tables
    return table.drop_duplicates("code", ignore_index=True)


def national_messy(
    areas: pd.DataFrame,
    n: int = 100_000,
    *,
    parent_share: float = 0.6,
    seed: int = 20261203,
) -> pd.DataFrame:
    """Messy names typed against `areas`: ``name``, ``kecamatan``, ``expected``, ``resolvable``.

    Each row is a variant of a random desa name (case, prefix, spacing, hyphens, numerals,
    abbreviations, one-letter typos). The kecamatan is given for `parent_share` of rows that
    name a unique desa and for 90% of those whose name repeats (people add the kecamatan when
    they know the name is common), sometimes with ``Kec.``. ``resolvable`` is False where the
    name repeats and no kecamatan is given: then the right answer is *ambiguous*. Typos that
    turn a name into another real name (no matcher can tell) are left out.
    """
    rng = random.Random(seed)
    keys = [normalize_name(v) for v in areas["name"]]
    counts = Counter(keys)
    # a kecamatan name can repeat too: the name is told apart only within all of them
    parent_keys = [normalize_name(p) + "|" + k for p, k in zip(areas["parent"], keys, strict=True)]
    in_parent = Counter(parent_keys)
    names, parents, codes = list(areas["name"]), list(areas["parent"]), list(areas["code"])
    rows = []
    while len(rows) < n:
        i = rng.randrange(len(names))
        kind, variant = rng.choice(_variants(names[i], rng))
        key = keys[i]
        if kind.startswith("typo"):
            typed = normalize_name(variant)
            if typed != key and typed in counts:
                continue
        shared = counts[key] > 1
        give = rng.random() < (0.9 if shared else parent_share)
        kec = (rng.choice(["", "Kec. ", "KECAMATAN "]) + parents[i]) if give else None
        resolvable = in_parent[parent_keys[i]] == 1 if give else not shared
        rows.append((kind, variant, kec, codes[i], resolvable))
    return pd.DataFrame(rows, columns=["kind", "name", "kecamatan", "expected", "resolvable"])


__all__ = ["ROMAN", "national_areas", "national_messy"]
