"""The PMKS/PSKS catalogue (and desa indicators) and matching column headers to it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from rapidfuzz import fuzz, process

from mapping.errors import InputError
from mapping.labels import check_language, text
from mapping.names import normalize_header

Group = Literal["pmks", "psks", "indicator"]
Kind = Literal["count", "amount"]
GROUPS: tuple[str, ...] = ("pmks", "psks", "indicator")

#: Header match methods, in the order they are tried; the last two are not taken. ``config``
#: is a header the user mapped to a category by name (:func:`configured_header`).
HEADER_METHODS: tuple[str, ...] = (
    "config", "code", "exact", "alias", "fuzzy", "ambiguous", "unmatched",
)  # fmt: skip
HEADER_TAKEN: frozenset[str] = frozenset({"config", "code", "exact", "alias", "fuzzy"})
HEADER_COLUMNS: list[str] = ["header", "category", "group", "method", "score", "candidates"]
#: Lowest rapidfuzz score (0-100) of a fuzzy header match.
FUZZY_CUTOFF = 85.0
#: A fuzzy match must beat the best other category by this many points; two categories this
#: close to each other (and within 10 points of the cutoff) make the header ``ambiguous``.
FUZZY_MARGIN = 6.0


@dataclass(frozen=True)
class Category:
    """One PMKS or PSKS category (or desa indicator) with the spellings people use for it."""

    code: str
    group: Group
    name_id: str
    name_en: str
    aliases: tuple[str, ...] = ()
    kind: Kind = "count"
    description: str = ""

    @property
    def label(self) -> str:
        """``name_id (code)``, for messages."""
        return f"{self.name_id} ({self.code})"


def _c(
    code: str,
    group: Group,
    name_id: str,
    name_en: str,
    *aliases: str,
    kind: Kind = "count",
    description: str = "",
) -> Category:
    return Category(code, group, name_id, name_en, tuple(aliases), kind, description)


#: The 26 PMKS categories of Permensos 08/2012, with older terms and abbreviations as aliases.
#: An alias names the category itself, never the wider population it is part of: "Lansia"
#: (all elderly people), "Penduduk Miskin" (BPS poverty counts) or "Keluarga Rentan" are not
#: aliases, so a column of them is reported instead of being published as a PMKS category.
PMKS: tuple[Category, ...] = (
    _c(
        "abt",
        "pmks",
        "Anak Balita Telantar",
        "Neglected children under five",
        "Balita Telantar",
        "Anak Balita Terlantar",
        "ABT",
    ),
    _c("at", "pmks", "Anak Telantar", "Neglected children", "Anak Terlantar"),
    _c(
        "abh",
        "pmks",
        "Anak yang Berhadapan dengan Hukum",
        "Children in conflict with the law",
        "ABH",
        "Anak Berhadapan dengan Hukum",
        "Anak Nakal",
    ),
    _c("aj", "pmks", "Anak Jalanan", "Street children", "Anjal"),
    _c(
        "adk",
        "pmks",
        "Anak dengan Kedisabilitasan",
        "Children with disabilities",
        "ADK",
        "Anak Penyandang Disabilitas",
        "Anak Disabilitas",
        "Anak Cacat",
        "Anak Dengan Kecacatan",
        "Anak Penyandang Cacat",
    ),
    _c(
        "aktk",
        "pmks",
        "Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah",
        "Child victims of violence or mistreatment",
        "Anak Korban Tindak Kekerasan",
        "Anak Korban Kekerasan",
        "AKTK",
        "Anak yang Diperlakukan Salah",
    ),
    _c(
        "ampk",
        "pmks",
        "Anak yang Memerlukan Perlindungan Khusus",
        "Children in need of special protection",
        "AMPK",
        "Anak Memerlukan Perlindungan Khusus",
    ),
    _c(
        "lut",
        "pmks",
        "Lanjut Usia Telantar",
        "Neglected elderly",
        "Lanjut Usia Terlantar",
        "Lansia Telantar",
        "Lansia Terlantar",
        "LUT",
    ),
    _c(
        "pd",
        "pmks",
        "Penyandang Disabilitas",
        "Persons with disabilities",
        "Penyandang Cacat",
        "Disabilitas",
        "Penca",
        "Difabel",
        "Orang Dengan Kecacatan",
        "Penyandang Difabel",
    ),
    _c("ts", "pmks", "Tuna Susila", "Sex workers", "Wanita Tuna Susila", "WTS", "Pekerja Seks"),
    _c("gel", "pmks", "Gelandangan", "Homeless people", "Gepeng Gelandangan"),
    _c("peng", "pmks", "Pengemis", "Beggars"),
    _c("pem", "pmks", "Pemulung", "Scavengers"),
    _c("km", "pmks", "Kelompok Minoritas", "Minority groups", "Minoritas"),
    _c(
        "bwblp",
        "pmks",
        "Bekas Warga Binaan Lembaga Pemasyarakatan",
        "Former prison inmates",
        "BWBLP",
        "Bekas Warga Binaan Pemasyarakatan",
        "Eks Napi",
        "Mantan Narapidana",
        "Bekas Narapidana",
        "Eks Narapidana",
    ),
    _c(
        "odha",
        "pmks",
        "Orang dengan HIV/AIDS",
        "People living with HIV/AIDS",
        "ODHA",
        "Orang dengan HIV AIDS",
        "Penderita HIV AIDS",
        "HIV AIDS",
    ),
    _c(
        "napza",
        "pmks",
        "Korban Penyalahgunaan NAPZA",
        "Victims of drug abuse",
        "NAPZA",
        "Korban NAPZA",
        "Korban Narkoba",
        "Korban Penyalahgunaan Narkoba",
    ),
    _c(
        "trafficking",
        "pmks",
        "Korban Trafficking",
        "Victims of human trafficking",
        "Korban Perdagangan Orang",
        "Korban Perdagangan Manusia",
        "Korban TPPO",
        "Trafficking",
    ),
    _c(
        "ktk",
        "pmks",
        "Korban Tindak Kekerasan",
        "Victims of violence",
        "KTK",
        "Korban Kekerasan",
        "Korban Kekerasan Dalam Rumah Tangga",
        "Korban KDRT",
    ),
    _c(
        "pmbs",
        "pmks",
        "Pekerja Migran Bermasalah Sosial",
        "Migrant workers with social problems",
        "PMBS",
        "Pekerja Migran Bermasalah",
        "TKI Bermasalah",
        "Tenaga Kerja Indonesia Bermasalah",
        "Pekerja Migran Terlantar",
    ),
    _c("kba", "pmks", "Korban Bencana Alam", "Victims of natural disasters", "KBA"),
    _c(
        "kbs",
        "pmks",
        "Korban Bencana Sosial",
        "Victims of social disasters",
        "KBS",
        "Korban Konflik Sosial",
    ),
    _c(
        "prse",
        "pmks",
        "Perempuan Rawan Sosial Ekonomi",
        "Socio-economically vulnerable women",
        "PRSE",
        "Wanita Rawan Sosial Ekonomi",
        "WRSE",
    ),
    _c(
        "fm",
        "pmks",
        "Fakir Miskin",
        "Poor people",
        "Keluarga Fakir Miskin",
        "Miskin",
        "Orang Miskin",
        "Keluarga Miskin",
    ),
    _c(
        "kbsp",
        "pmks",
        "Keluarga Bermasalah Sosial Psikologis",
        "Families with psychosocial problems",
        "KBSP",
        "Keluarga Bermasalah Sosial Psikologi",
    ),
    _c(
        "kat",
        "pmks",
        "Komunitas Adat Terpencil",
        "Remote indigenous communities",
        "KAT",
        "Masyarakat Terasing",
        "Warga Komunitas Adat Terpencil",
    ),
)

#: The 12 kinds of PSKS (social welfare resources).
PSKS: tuple[Category, ...] = (
    _c(
        "peksos",
        "psks",
        "Pekerja Sosial Profesional",
        "Professional social workers",
        "Pekerja Sosial",
        "Peksos",
        "Pekerja Sosial Profesi",
    ),
    _c("psm", "psks", "Pekerja Sosial Masyarakat", "Community social workers", "PSM"),
    _c("tagana", "psks", "Taruna Siaga Bencana", "Disaster-response youth volunteers", "Tagana"),
    _c(
        "lks",
        "psks",
        "Lembaga Kesejahteraan Sosial",
        "Social welfare institutions",
        "LKS",
        "Orsos",
        "Organisasi Sosial",
        "Panti Sosial",
        "LKSA",
        "Panti Asuhan",
    ),
    _c("kartar", "psks", "Karang Taruna", "Youth organisations (Karang Taruna)", "Kartar"),
    _c(
        "lk3",
        "psks",
        "Lembaga Konsultasi Kesejahteraan Keluarga",
        "Family welfare consultation bodies",
        "LK3",
        "LK 3",
    ),
    _c("kp", "psks", "Keluarga Pioner", "Pioneer families", "Keluarga Pionir"),
    _c(
        "wksbm",
        "psks",
        "Wahana Kesejahteraan Sosial Berbasis Masyarakat",
        "Community-based social welfare forums",
        "WKSBM",
        "Wahana Kesejahteraan Sosial Keluarga Berbasis Masyarakat",
    ),
    _c(
        "wpks",
        "psks",
        "Wanita Pemimpin Kesejahteraan Sosial",
        "Women social welfare leaders",
        "WPKS",
        "Perempuan Pemimpin Kesejahteraan Sosial",
    ),
    _c(
        "penyuluh",
        "psks",
        "Penyuluh Sosial",
        "Social extension workers",
        "Penyuluh Sosial Masyarakat",
        "Penyuluh",
    ),
    _c(
        "tksk",
        "psks",
        "Tenaga Kesejahteraan Sosial Kecamatan",
        "Sub-district social welfare workers",
        "TKSK",
    ),
    _c(
        "du",
        "psks",
        "Dunia Usaha",
        "Businesses (corporate social responsibility)",
        "CSR",
        "Dunia Usaha CSR",
        "Tanggung Jawab Sosial Perusahaan",
        "Perusahaan",
        "TJSL",
        "Dunia Usaha yang Melakukan Usaha Kesejahteraan Sosial",
    ),
)

_INFERRED = "Meaning inferred from the stunting portal's labels (shapefile name cut at 10 chars)."

#: Desa indicators carried by the BIG boundary files (see the mirror's SOURCE.md).
INDICATORS: tuple[Category, ...] = (
    _c(
        "keluarga",
        "indicator",
        "Jumlah Keluarga",
        "Families",
        "Jumlah KK",
        "Jumlah Kel",
        "Keluarga",
        "KK",
        "Jumlah Kepala Keluarga",
        description="Number of families. The 252 desa sum to 33,127, about half the 70,256 "
        "households of the 2020 census, so probably the families the stunting programme "
        "counts (inferred), not all families. " + _INFERRED,
    ),
    _c(
        "keluarga_berisiko_stunting",
        "indicator",
        "Keluarga Berisiko Stunting",
        "Families at risk of stunting",
        "Resiko Stu",
        "Resiko Stunting",
        "Risiko Stunting",
        "KRS",
        description="Families at risk of stunting. " + _INFERRED,
    ),
    _c(
        "anak_stunting",
        "indicator",
        "Anak Stunting",
        "Stunted children",
        "Stunting",
        "Balita Stunting",
        description="Stunted children. " + _INFERRED,
    ),
    _c(
        "penerima_bst",
        "indicator",
        "Penerima BST",
        "Recipients of BST (cash aid)",
        "Penerima B",
        "BST",
        "Bantuan Sosial Tunai",
        description="Recipients of Bantuan Sosial Tunai (cash aid). " + _INFERRED,
    ),
    _c(
        "penerima_bpnt",
        "indicator",
        "Penerima BPNT",
        "Recipients of BPNT (non-cash food aid)",
        "Penerima 1",
        "BPNT",
        "Bantuan Pangan Non Tunai",
        description="Recipients of Bantuan Pangan Non Tunai (food aid). " + _INFERRED,
    ),
    _c(
        "penerima_pkh",
        "indicator",
        "Penerima PKH",
        "Recipients of PKH (conditional cash)",
        "Penerima P",
        "PKH",
        "Program Keluarga Harapan",
        description="Recipients of Program Keluarga Harapan. " + _INFERRED,
    ),
    _c(
        "penerima_sembako",
        "indicator",
        "Penerima Sembako",
        "Recipients of Sembako (staples)",
        "Penerima S",
        "Sembako",
        "Program Sembako",
        description="Recipients of the Sembako programme. " + _INFERRED,
    ),
    _c(
        "penerima_prakerja",
        "indicator",
        "Penerima Prakerja",
        "Recipients of Prakerja",
        "Penerima 2",
        "Prakerja",
        "Kartu Prakerja",
        description="Recipients of Kartu Prakerja. " + _INFERRED,
    ),
    _c(
        "penerima_kur",
        "indicator",
        "Penerima KUR",
        "Recipients of KUR (micro-credit)",
        "Penerima K",
        "KUR",
        "Kredit Usaha Rakyat",
        description="Recipients of Kredit Usaha Rakyat. " + _INFERRED,
    ),
    _c(
        "penerima_cbp",
        "indicator",
        "Penerima CBP",
        "Recipients of CBP (rice reserve aid)",
        "Penerima C",
        "CBP",
        "Cadangan Beras Pemerintah",
        description="Recipients of Cadangan Beras Pemerintah rice aid. " + _INFERRED,
    ),
    _c(
        "tim_pendamping_keluarga",
        "indicator",
        "Jumlah Tim Pendamping Keluarga",
        "Family assistance teams",
        "Jumlah TPK",
        "TPK",
        "Tim Pendamping Keluarga",
        description="Family assistance teams (Tim Pendamping Keluarga). " + _INFERRED,
    ),
    _c(
        "posyandu",
        "indicator",
        "Jumlah Posyandu",
        "Integrated health posts (posyandu)",
        "Jumlah Pos",
        "Posyandu",
        description="Posyandu. " + _INFERRED,
    ),
    _c(
        "kader",
        "indicator",
        "Jumlah Kader",
        "Cadres (kader)",
        "Jumlah Kad",
        "Kader",
        description="Cadres (kader). " + _INFERRED,
    ),
    _c(
        "kader_pembangunan_manusia",
        "indicator",
        "Jumlah Kader Pembangunan Manusia",
        "Human development cadres (KPM)",
        "Jumlah KPM",
        "KPM",
        "Kader Pembangunan Manusia",
        description="Human development cadres (Kader Pembangunan Manusia). " + _INFERRED,
    ),
    _c(
        "dana_stunting",
        "indicator",
        "Dana Desa untuk Stunting",
        "Village fund for stunting (Rp)",
        "Dana",
        "Dana Stunting",
        kind="amount",
        description="Village fund for stunting, rupiah; 0 often means 'not filled in'. "
        + _INFERRED,
    ),
)

CATALOGUE: tuple[Category, ...] = PMKS + PSKS + INDICATORS
CATEGORY_BY_CODE: dict[str, Category] = {c.code: c for c in CATALOGUE}

# Words that say "how many" or "people" around a category name; dropped before matching.
_FILLER_PREFIX = re.compile(r"^(?:jumlah|jml|banyaknya|banyak|total|data)\s+(?=\S)")
_UNIT_SUFFIX = re.compile(r"\s+(?:orang|jiwa|kk|unit|lembaga|org|rt|keluarga)$")
_SYNTHETIC = re.compile(r"\bcontoh\s+sintetis\b")
#: Two-letter codes that, in capitals, are more often a unit or another abbreviation than a
#: category: ``KM`` (kilometre, Kelompok Minoritas) and ``KP`` (kampung, Keluarga Pioner).
_NOT_CODES = frozenset({"KM", "KP"})
_SPELLING = {
    "terlantar": "telantar",
    "pionir": "pioner",
    "psikologi": "psikologis",
}


def header_key(text: object) -> str:
    """Comparison key of a header: folded, spelling variants unified, fillers and units dropped.

    >>> header_key("JUMLAH LANJUT USIA TERLANTAR (Orang)")
    'lanjut usia telantar'
    >>> header_key("Penyandang Cacat (contoh sintetis)")
    'penyandang cacat'
    """
    key = _SYNTHETIC.sub(" ", normalize_header(text))
    key = " ".join(_SPELLING.get(w, w) for w in key.split())
    for _ in range(2):
        key = _FILLER_PREFIX.sub("", key)
        key = _UNIT_SUFFIX.sub("", key)
    return key


def _build_index(categories: Iterable[Category]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(code key -> code, spelling key -> codes) for `categories`."""
    by_code: dict[str, str] = {}
    spellings: dict[str, set[str]] = {}
    for cat in categories:
        by_code[cat.code] = cat.code
        for spelling in (cat.name_id, cat.name_en, *cat.aliases):
            spellings.setdefault(header_key(spelling), set()).add(cat.code)
    return by_code, spellings


_INDEX = {
    groups: _build_index(c for c in CATALOGUE if c.group in groups)
    for groups in (("pmks",), ("psks",), ("indicator",), ("pmks", "psks"), GROUPS)
}


def get_category(code: str) -> Category:
    """The catalogue entry of `code` (``fm``, ``lut``, ``tksk`` ...).

    >>> get_category("lut").name_id
    'Lanjut Usia Telantar'
    """
    try:
        return CATEGORY_BY_CODE[code]
    except KeyError:
        msg = f"Unknown category code {code!r}; expected one of {sorted(CATEGORY_BY_CODE)}."
        raise InputError(msg) from None


#: Suffix of a rate column per 1,000 families (``fm_per_1000``).
PER_1000_SUFFIX = "_per_1000"
#: Names of the group totals (``pmks_total``, ``psks_total``) in each language.
GROUP_TOTALS: dict[str, dict[str, str]] = {
    "pmks_total": {"id": "PMKS (semua kategori)", "en": "PMKS (all categories)"},
    "psks_total": {"id": "PSKS (semua jenis)", "en": "PSKS (all kinds)"},
}


def column_title(column: str, *, language: str = "id") -> str | None:
    """The readable title of a column named after the catalogue; None for other columns.

    A category code gives its catalogue name, ``<code>_per_1000`` its name "per 1.000
    keluarga" (the rate per 1,000 families), ``pmks_total``/``psks_total`` the group total.

    >>> column_title("fm"), column_title("fm_per_1000")
    ('Fakir Miskin', 'Fakir Miskin per 1.000 keluarga')
    >>> column_title("lut_per_1000", language="en"), column_title("nama")
    ('Neglected elderly per 1,000 families', None)
    """
    lang = check_language(language)
    base = column.removesuffix(PER_1000_SUFFIX)
    if base in GROUP_TOTALS:
        name = GROUP_TOTALS[base][lang]
    elif base in CATEGORY_BY_CODE:
        cat = CATEGORY_BY_CODE[base]
        name = cat.name_en if lang == "en" else cat.name_id
    else:
        return None
    return f"{name} {text('per_1000_families', lang)}" if base != column else name


def short_name(code: str, *, language: str = "id") -> str:
    """A count's name in running text ("cakupan PKH", "cakupan Fakir Miskin").

    The recipients of a programme (``penerima_*``) are named by the programme, another
    catalogue code by its name in `language`, anything else (a measure code) as given.

    >>> short_name("penerima_pkh"), short_name("fm"), short_name("lut", language="en")
    ('PKH', 'Fakir Miskin', 'Neglected elderly')
    """
    lang = check_language(language)
    cat = CATEGORY_BY_CODE.get(code)
    if cat is None:
        return code
    if code.startswith("penerima_"):
        return cat.name_id.removeprefix("Penerima ")
    return cat.name_en if lang == "en" else cat.name_id


def categories(group: str | None = None) -> pd.DataFrame:
    """The catalogue as a table: code, group, name_id, name_en, aliases, kind, description."""
    if group is not None and group not in GROUPS:
        msg = f"group={group!r} is not a category group; expected one of {list(GROUPS)}."
        raise InputError(msg)
    rows = [
        {
            "code": c.code,
            "group": c.group,
            "name_id": c.name_id,
            "name_en": c.name_en,
            "aliases": "; ".join(c.aliases),
            "kind": c.kind,
            "description": c.description,
        }
        for c in CATALOGUE
        if group is None or c.group == group
    ]
    return pd.DataFrame(rows)


def _groups_key(groups: Sequence[str] | None) -> tuple[str, ...]:
    if groups is None:
        return GROUPS
    key = tuple(g for g in GROUPS if g in set(groups))
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown or key not in _INDEX:
        msg = f"groups={list(groups)!r} is not a valid choice; use any of {list(GROUPS)}."
        raise InputError(msg)
    return key


def configured_header(header: object, code: str) -> dict[str, object]:
    """The match of a header the user mapped to catalogue `code` by name (method ``config``).

    >>> configured_header("Orang tua terlantar", "lut")["method"]
    'config'
    """
    if code not in CATEGORY_BY_CODE:
        msg = (
            f"category code {code!r} for header {header!r} is not in the catalogue; allowed: "
            "codes such as fm, lut, pd, keluarga (see `peta-kesos categories`)."
        )
        raise InputError(msg)
    group = CATEGORY_BY_CODE[code].group
    return {"header": header, "category": code, "group": group, "method": "config",
            "score": 100.0, "candidates": ""}  # fmt: skip


def match_header(header: object, *, groups: Sequence[str] | None = None) -> dict[str, object]:
    """Match one header to the catalogue; a dict with the keys of :data:`HEADER_COLUMNS`.

    Tried in order: the category code itself, an exact name (after :func:`header_key`), an
    alias or old term, then fuzzy (rapidfuzz ``token_sort_ratio`` of at least
    :data:`FUZZY_CUTOFF`, beating the next category by :data:`FUZZY_MARGIN`). A header that is
    a category's name minus words ("Lansia", "Lanjut Usia": all elderly people, not the
    neglected ones) names a wider group and is left unmatched, as are two-letter capitals that
    are usually units (``KM``); see :func:`_is_code`.

    >>> match_header("Lansia Terlantar")["category"]
    'lut'
    >>> match_header("Penyandang Cacat")["method"]
    'alias'
    >>> match_header("Jumlah Fakir Miskinn")["method"]
    'fuzzy'
    """
    key_groups = _groups_key(groups)
    by_code, spellings = _INDEX[key_groups]
    raw = str(header).strip() if header is not None else ""
    key = header_key(raw)
    out: dict[str, object] = {
        "header": raw,
        "category": "",
        "group": "",
        "method": "unmatched",
        "score": 0.0,
        "candidates": "",
    }

    def taken(code: str, method: str, score: float) -> dict[str, object]:
        out.update(category=code, group=CATEGORY_BY_CODE[code].group, method=method, score=score)
        return out

    if not key:
        return out
    if _is_code(raw, by_code):
        return taken(by_code[raw.lower()], "code", 100.0)
    acronym = _acronym(raw)
    if acronym:  # "A.B.H.", "A B H", "O.D.H.A": a code or an abbreviation spelled out
        found_acronym = match_header(acronym, groups=groups)
        if found_acronym["method"] in HEADER_TAKEN:
            return taken(str(found_acronym["category"]), "code", 100.0)
    named = _NAME_ABBR.fullmatch(raw)
    if (
        named and named["abbr"].lower().strip(".") not in _UNITS
    ):  # "Anak Terlantar (AT)": the name and its abbreviation must agree
        by_name = match_header(named["name"], groups=groups)
        by_abbr = match_header(named["abbr"], groups=groups)
        found_cats = [str(m["category"]) for m in (by_name, by_abbr) if m["method"] in HEADER_TAKEN]
        if len(set(found_cats)) == 1:
            best_match = by_name if by_name["method"] in HEADER_TAKEN else by_abbr
            return taken(found_cats[0], str(best_match["method"]), float(str(best_match["score"])))
        if len(set(found_cats)) == 2:
            out.update(method="ambiguous", score=100.0, candidates=_cands(found_cats))
            return out
    codes = spellings.get(key)
    if codes and len(codes) == 1:
        code = next(iter(codes))
        cat = CATEGORY_BY_CODE[code]
        method = "exact" if key in {header_key(cat.name_id), header_key(cat.name_en)} else "alias"
        return taken(code, method, 100.0)
    parts = [p for p in re.split(r"\s*[/|]\s*", raw) if p.strip()]
    if len(parts) > 1:  # "LKS/Orsos", "CSR / Dunia Usaha": alternatives for one category
        found_parts = {match_header(p, groups=groups)["category"] for p in parts} - {""}
        if len(found_parts) == 1:
            return taken(str(found_parts.pop()), "alias", 100.0)
    found = process.extract(key, list(spellings), scorer=fuzz.token_sort_ratio, limit=15)
    best: dict[str, tuple[float, str]] = {}
    for spelling, score, _ in found:
        for code in spellings[spelling]:
            best[code] = max(best.get(code, (0.0, "")), (float(score), spelling))
    ranked = sorted(((c, s) for c, (s, _) in best.items()), key=lambda kv: (-kv[1], kv[0]))
    if codes:  # the same spelling names several categories
        out.update(method="ambiguous", score=100.0, candidates=_cands(sorted(codes)))
        return out
    if not ranked:
        return out
    code, score = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    clear = score >= FUZZY_CUTOFF and score - runner >= FUZZY_MARGIN
    if clear and not _lacks_words(key, best[code][1]):
        return taken(code, "fuzzy", round(score, 1))
    # Two categories about as close as each other (e.g. "Korban Bencana": alam or sosial?).
    ambiguous = score >= FUZZY_CUTOFF - 10 and score - runner < FUZZY_MARGIN
    method = "ambiguous" if ambiguous else "unmatched"
    out.update(method=method, score=round(score, 1), candidates=_cands([c for c, _ in ranked[:3]]))
    return out


#: Units written in brackets after a header ("Fakir Miskin (KK)"): not abbreviations.
_UNITS = frozenset({"orang", "org", "jiwa", "kk", "unit", "lembaga", "rt", "ruta", "kpm", "rp"})
_NAME_ABBR = re.compile(r"(?P<name>.*?\S)\s*\((?P<abbr>[A-Za-z][A-Za-z0-9.]{1,9})\)\s*")
_SPELLED = re.compile(r"(?:[A-Za-z][.\s]\s*)+[A-Za-z]\.?")


def _acronym(raw: str) -> str:
    """The letters of an abbreviation written with dots or spaces ("A.B.H." -> "ABH"), in
    capitals, or ``""``.

    >>> [_acronym(h) for h in ["A.B.H.", "A B H", "O.D.H.A", "ABH", "Anak Jalanan"]]
    ['ABH', 'ABH', 'ODHA', '', '']
    """
    text = raw.strip()
    if not _SPELLED.fullmatch(text):
        return ""
    return re.sub(r"[.\s]", "", text).upper()


def _is_code(raw: str, by_code: dict[str, str]) -> bool:
    """True when the header is a category code written so that it cannot mean anything else.

    Codes of three letters or more count in any case (``ODHA``, ``Tagana``); a two-letter code
    counts as the project writes it (``fm``, ``km``) or in capitals (``FM``), except capitals
    that are usually a unit or another abbreviation (``KM``, ``KP``).

    >>> [_is_code(h, {"fm": "fm", "km": "km", "odha": "odha"}) for h in ["ODHA", "fm", "FM"]]
    [True, True, True]
    >>> [_is_code(h, {"fm": "fm", "km": "km"}) for h in ["KM", "Km", "Fm", "KK"]]
    [False, False, False, False]
    """
    code = raw.lower()
    if code not in by_code:
        return False
    return len(code) >= 3 or raw == code or (raw.isupper() and raw not in _NOT_CODES)


def _lacks_words(key: str, spelling: str) -> bool:
    """True when `spelling` is `key` plus words: "lanjut usia" lacks the "telantar" of
    "lanjut usia telantar". Such a header names a wider group (all elderly people) than the
    category, so it is never a fuzzy match, however close the strings are.

    >>> _lacks_words("lanjut usia", "lanjut usia telantar")
    True
    >>> _lacks_words("fakir miskinn", "fakir miskin")
    False
    """
    return set(key.split()) < set(spelling.split())


def _cands(codes: Iterable[str]) -> str:
    return ";".join(f"{c}:{CATEGORY_BY_CODE[c].name_id}" for c in codes)


def match_headers(
    headers: Iterable[object], *, groups: Sequence[str] | None = None
) -> pd.DataFrame:
    """Match many headers; one row per header with :data:`HEADER_COLUMNS`.

    ``category`` is empty unless ``method`` is one of :data:`HEADER_TAKEN`; ``candidates``
    lists the closest ``code:name`` pairs of headers it could not place.

    >>> match_headers(["ODHA", "Tagana", "Jumlah Kucing"])[["category", "method"]].values.tolist()
    [['odha', 'code'], ['tagana', 'code'], ['', 'unmatched']]
    """
    rows = [match_header(h, groups=groups) for h in headers]
    return pd.DataFrame(rows, columns=HEADER_COLUMNS)
