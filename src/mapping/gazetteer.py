"""Matching place names and codes typed by people to desa or kecamatan, with scores and candidates.

Order of attempts for each input: code, exact name, normalised name, alias (another known
spelling), then fuzzy. When the input gives a kecamatan it is matched first (the same way) and
the desa search is scoped to it. A name that fits several areas equally is ``ambiguous``; a fuzzy
match is taken only with a clear margin over the runner-up, otherwise it is reported.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from mapping.boundaries import load_desa
from mapping.data import load_reference_desa
from mapping.names import fold, name_tokens, normalize_name, parse_code
from mapping.regions import KECAMATAN
from mapping.settings import Settings

MatchLevel = Literal["desa", "kecamatan"]
Method = Literal["code", "exact", "normalized", "alias", "fuzzy", "ambiguous", "unmatched"]

METHODS: tuple[str, ...] = (
    "code",
    "exact",
    "normalized",
    "alias",
    "fuzzy",
    "ambiguous",
    "unmatched",
)
#: Methods whose match is taken (the area code is filled in).
TAKEN_METHODS: frozenset[str] = frozenset({"code", "exact", "normalized", "alias", "fuzzy"})
MATCH_COLUMNS: list[str] = [
    "row",
    "input_name",
    "input_kecamatan",
    "input_code",
    "code",
    "name",
    "kecamatan",
    "method",
    "score",
    "candidates",
]
#: How many candidates an ambiguous or unmatched row lists.
N_CANDIDATES = 3
#: A fuzzy match needs this many more edits to the runner-up than to the best area.
FUZZY_MARGIN = 2


def allowed_edits(key: str) -> int:
    """Most edits a fuzzy match may need for a normalised name of this length.

    Edits are counted as optimal string alignment: a swap of two neighbours is one edit.

    >>> [allowed_edits(k) for k in ("siaro", "sarulla", "hutatoruan", "lumbansiagianjulu")]
    [1, 1, 2, 3]
    """
    n = len(key)
    if n < 5:
        return 0
    if n < 9:
        return 1
    if n < 16:
        return 2
    return 3


@dataclass(frozen=True)
class Area:
    """One area that names can be matched to, with every spelling known for it."""

    code: str
    name: str
    kecamatan_code: str
    kecamatan: str
    aliases: tuple[str, ...] = ()
    other_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """The outcome of matching one input."""

    code: str
    name: str
    kecamatan: str
    method: str
    score: float
    candidates: tuple[Area, ...] = ()
    note: str = ""
    """Why an input was not taken when its name alone would have been (else empty)."""

    @property
    def taken(self) -> bool:
        """True when the match is accepted (the code is filled in)."""
        return self.method in TAKEN_METHODS


def _numerals(key_tokens: Sequence[str]) -> tuple[str, ...]:
    return tuple(t for t in key_tokens if t.isdigit())


@dataclass
class _Index:
    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    normalized: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    alias: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # normalised spelling -> (codes, numerals) for fuzzy search
    spellings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    numerals: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _exact_key(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


class Gazetteer:
    """Matches names and codes to the areas of one level (desa or kecamatan).

    Build it with :meth:`load` (from the canonical layers and the reference table) or
    :meth:`from_areas` (from any list of :class:`Area`, e.g. in tests).
    """

    def __init__(
        self,
        areas: Iterable[Area],
        *,
        level: MatchLevel,
        parent: Gazetteer | None = None,
    ) -> None:
        self.level: MatchLevel = level
        self.areas: dict[str, Area] = {a.code: a for a in areas}
        self.parent = parent
        self._codes: dict[str, str] = {}
        self._index = _Index()
        for area in self.areas.values():
            self._add(area)
        self._choices_cache: dict[frozenset[str] | None, list[str]] = {}

    # -- construction ----------------------------------------------------------------------

    def _add(self, area: Area) -> None:
        idx = self._index
        self._codes[area.code] = area.code
        for other in area.other_codes:
            self._codes[other] = area.code
        idx.exact[_exact_key(area.name)].add(area.code)
        main_key = normalize_name(area.name)
        idx.normalized[main_key].add(area.code)
        for spelling in (area.name, *area.aliases):
            key = normalize_name(spelling)
            if not key:
                continue
            if key != main_key:
                idx.alias[key].add(area.code)
            idx.spellings[key].add(area.code)
            idx.numerals[key] = _numerals(name_tokens(spelling))

    @classmethod
    def from_areas(
        cls, areas: Iterable[Area], *, level: MatchLevel, parent: Gazetteer | None = None
    ) -> Gazetteer:
        """A gazetteer over `areas` (desa level takes the kecamatan gazetteer as `parent`)."""
        return cls(areas, level=level, parent=parent)

    @classmethod
    def load(cls, level: MatchLevel = "desa", *, settings: Settings | None = None) -> Gazetteer:
        """The gazetteer of Tapanuli Utara at `level`, from the canonical layers.

        Aliases come from the reference table of spellings (Kemendagri 2025, BPS 2018, BIG
        ``NAMOBJ``/``WADMKD``) when it is available; BPS codes are accepted too.
        """
        if level not in ("desa", "kecamatan"):
            msg = f"level={level!r} cannot be matched; expected 'desa' or 'kecamatan'."
            raise ValueError(msg)
        key = None if settings is None else settings
        return _load_cached(level, key)

    # -- matching ----------------------------------------------------------------------------

    def match_one(
        self,
        name: object = None,
        *,
        kecamatan: object = None,
        code: object = None,
    ) -> Match:
        """Match one input: a name, optionally its kecamatan and/or a code."""
        if code is not None and not _blank(code):
            by_code = self._by_code(code)
            if by_code is not None:
                return self._taken(by_code, "code", 100.0)
        if _blank(name):
            return Match("", "", "", "unmatched", 0.0)
        if parse_code(name) is not None:
            by_code = self._by_code(name)
            if by_code is not None:
                return self._taken(by_code, "code", 100.0)
        scope: frozenset[str] | None = None
        if self.parent is not None and not _blank(kecamatan):
            kec = self.parent.match_one(kecamatan, code=kecamatan)
            if not kec.taken:
                # A kecamatan that is not one of Tapanuli Utara's (Kec. Lumban Julu is in Toba)
                # puts the place elsewhere: a same-named desa here would be a wrong match.
                note = f"kecamatan {_text(kecamatan)!r} is not a kecamatan of Tapanuli Utara"
                return self._not_taken(name, None, self._match_name(str(name), None), note)
            scope = frozenset(a.code for a in self.areas.values() if a.kecamatan_code == kec.code)
        result = self._match_name(str(name), scope)
        if scope is not None and result.method == "unmatched":
            note = f"no desa of that name in kecamatan {_text(kecamatan)!r}"
            return self._not_taken(name, result, self._match_name(str(name), None), note)
        return result

    def _not_taken(self, name: object, scoped: Match | None, wider: Match, note: str) -> Match:
        """Unmatched, listing the places elsewhere that fit the name (they are not taken)."""
        hint = wider.candidates or ((self.areas[wider.code],) if wider.code in self.areas else ())
        fallback = scoped.candidates if scoped is not None else ()
        score = scoped.score if scoped is not None else wider.score
        return Match("", "", "", "unmatched", score, hint or fallback, note)

    def match(
        self,
        names: Sequence[object] | pd.Series,
        *,
        kecamatan: Sequence[object] | pd.Series | None = None,
        codes: Sequence[object] | pd.Series | None = None,
    ) -> pd.DataFrame:
        """Match many inputs; one row per input, in order, with :data:`MATCH_COLUMNS`.

        ``row`` is the 1-based position of the input. ``code`` is empty unless the match is
        taken; ``candidates`` lists ``code:name`` pairs (``;``-separated) for ambiguous and
        unmatched inputs.
        """
        names_l = list(names)
        n = len(names_l)
        kec_l = list(kecamatan) if kecamatan is not None else [None] * n
        codes_l = list(codes) if codes is not None else [None] * n
        if not (len(kec_l) == len(codes_l) == n):
            msg = (
                f"names, kecamatan and codes must have the same length; got {n}, "
                f"{len(kec_l)} and {len(codes_l)}."
            )
            raise ValueError(msg)
        cache: dict[tuple[str, str, str], Match] = {}
        rows = []
        for i, (nm, kc, cd) in enumerate(zip(names_l, kec_l, codes_l, strict=True), start=1):
            key = (_text(nm), _text(kc), _text(cd))
            m = cache.get(key)
            if m is None:
                m = cache[key] = self.match_one(nm, kecamatan=kc, code=cd)
            rows.append(
                {
                    "row": i,
                    "input_name": key[0],
                    "input_kecamatan": key[1],
                    "input_code": key[2],
                    "code": m.code,
                    "name": m.name,
                    "kecamatan": m.kecamatan,
                    "method": m.method,
                    "score": round(m.score, 1),
                    "candidates": ";".join(f"{a.code}:{a.name}" for a in m.candidates),
                }
            )
        return pd.DataFrame(rows, columns=MATCH_COLUMNS)

    # -- internals ---------------------------------------------------------------------------

    def _by_code(self, value: object) -> Area | None:
        parsed = parse_code(value)
        if parsed is None:
            return None
        target = self._codes.get(parsed.code)
        return self.areas[target] if target is not None else None

    def _taken(self, area: Area, method: str, score: float) -> Match:
        return Match(area.code, area.name, area.kecamatan, method, score)

    def _pick(self, codes: set[str], scope: frozenset[str] | None, method: str) -> Match | None:
        hits = codes if scope is None else codes & scope
        if not hits:
            return None
        if len(hits) == 1:
            return self._taken(self.areas[next(iter(hits))], method, 100.0)
        cands = tuple(sorted((self.areas[c] for c in hits), key=lambda a: a.code))
        return Match("", "", "", "ambiguous", 100.0, cands)

    def _match_name(self, name: str, scope: frozenset[str] | None) -> Match:
        idx = self._index
        key = normalize_name(name)
        # Official names first: a name that normalises to several desa is ambiguous even when
        # it is spelled exactly like one of them ("Purbatua" vs "Purba Tua").
        official = idx.normalized.get(key, set())
        exact = idx.exact.get(_exact_key(name), set())
        method = "exact" if exact and (scope is None or exact & scope) else "normalized"
        picked = self._pick(official | exact, scope, method)
        if picked is None and key in idx.alias:
            picked = self._pick(idx.alias[key], scope, "alias")
        return picked if picked is not None else self._fuzzy(name, scope)

    def _choices(self, scope: frozenset[str] | None) -> list[str]:
        cached = self._choices_cache.get(scope)
        if cached is None:
            cached = [
                k for k, codes in self._index.spellings.items() if scope is None or codes & scope
            ]
            self._choices_cache[scope] = cached
        return cached

    def _fuzzy(self, name: str, scope: frozenset[str] | None) -> Match:
        key = normalize_name(name)
        if not key:
            return Match("", "", "", "unmatched", 0.0)
        numerals = _numerals(name_tokens(name))
        choices = self._choices(scope)
        found = process.extract(key, choices, scorer=fuzz.ratio, limit=12)
        best: dict[str, tuple[int, float]] = {}  # code -> (edits, ratio)
        for spelling, ratio, _ in found:
            edits = OSA.distance(key, spelling)
            same_numbers = self._index.numerals.get(spelling, ()) == numerals
            for code in self._index.spellings[spelling]:
                if scope is not None and code not in scope:
                    continue
                # A different numeral is a different desa (Hutatoruan VI vs VII): never fuzzy.
                penalty = 0 if same_numbers else 100
                cand = (edits + penalty, float(ratio))
                if code not in best or cand < best[code]:
                    best[code] = cand
        ranked = sorted(best.items(), key=lambda kv: (kv[1][0], -kv[1][1], kv[0]))
        cands = tuple(self.areas[c] for c, _ in ranked[:N_CANDIDATES])
        if not ranked:
            return Match("", "", "", "unmatched", 0.0)
        (code, (edits, ratio)) = ranked[0]
        if edits > allowed_edits(key):
            return Match("", "", "", "unmatched", ratio, cands)
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 10**6
        if runner_up - edits < FUZZY_MARGIN:
            close = tuple(self.areas[c] for c, (e, _) in ranked if e - edits < FUZZY_MARGIN)
            return Match("", "", "", "ambiguous", ratio, close[: max(N_CANDIDATES, 2)])
        return self._taken(self.areas[code], "fuzzy", ratio)


def _blank(value: object) -> bool:
    """True for None, NaN/NA and text with no letters or digits."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return True
    return not fold(value)


def _text(value: object) -> str:
    return "" if _blank(value) else str(value).strip()


def kecamatan_areas(reference: pd.DataFrame | None = None) -> list[Area]:
    """The 15 kecamatan as :class:`Area` with their known spellings and BPS codes."""
    extra: dict[str, set[str]] = defaultdict(set)
    if reference is not None:
        for _, r in reference.iterrows():
            extra[r["kecamatan_code"]].update(
                {r["kecamatan_kemendagri_2025"], r["kecamatan_bps_2018"], r["kecamatan_big"]}
            )
    return [
        Area(
            code=k.code,
            name=k.name,
            kecamatan_code=k.code,
            kecamatan=k.name,
            aliases=tuple(sorted(({k.name_big} | extra[k.code]) - {k.name})),
            other_codes=(k.bps_code,),
        )
        for k in KECAMATAN
    ]


def desa_areas(desa: pd.DataFrame, reference: pd.DataFrame | None = None) -> list[Area]:
    """The desa of a canonical desa layer as :class:`Area`, with reference spellings if given."""
    spellings: dict[str, set[str]] = defaultdict(set)
    bps: dict[str, str] = {}
    if reference is not None:
        cols = ["desa_kemendagri_2025", "desa_bps_2018", "desa_big_namobj", "desa_big_wadmkd"]
        for _, r in reference.iterrows():
            spellings[r["kemendagri_code"]].update(v for v in (r[c] for c in cols) if v)
            if r.get("bps_code_2018"):
                bps[r["kemendagri_code"]] = r["bps_code_2018"]
    areas = []
    for _, r in desa.iterrows():
        code = str(r["code"])
        other = bps.get(code) or (str(r["bps_code"]) if not _blank(r.get("bps_code")) else "")
        areas.append(
            Area(
                code=code,
                name=str(r["name"]),
                kecamatan_code=str(r["kecamatan_code"]),
                kecamatan=str(r["kecamatan"]),
                aliases=tuple(sorted(spellings[code] - {r["name"]})),
                other_codes=(other,) if other else (),
            )
        )
    return areas


@lru_cache(maxsize=8)
def _load_cached(level: MatchLevel, settings: Settings | None) -> Gazetteer:
    reference = load_reference_desa(settings=settings)
    kec = Gazetteer(kecamatan_areas(reference), level="kecamatan")
    if level == "kecamatan":
        return kec
    desa = load_desa(settings=settings)
    return Gazetteer(desa_areas(desa, reference), level="desa", parent=kec)
