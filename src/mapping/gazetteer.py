"""Matching place names and codes typed by people to desa or kecamatan, with scores and candidates.

Order of attempts for each input: code, exact name, normalised name, alias (another known
spelling), then fuzzy. When the input gives a kecamatan it is matched first (the same way) and
the desa search is scoped to it (to all kecamatan of that name when several share it). A name
that fits several areas equally is ``ambiguous``; a fuzzy match is taken only with a clear
margin over the runner-up, otherwise it is reported.

The gazetteer of Tapanuli Utara comes from the canonical layers (:meth:`Gazetteer.load`); any
other region from its definition (:meth:`Gazetteer.from_region`, :mod:`mapping.regions`) or,
up to the national Kepmendagri list, from a table of areas (:meth:`Gazetteer.from_table`,
:mod:`mapping.areas`). Matching is made for that scale: each
distinct cell is read once, each distinct input matched once, lookups go through dicts kept per
kecamatan, and fuzzy inputs without a kecamatan are scored in batches with
:func:`rapidfuzz.process.cdist` against the spellings of a close length only."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from mapping.areas import validate_areas
from mapping.boundaries import load_desa
from mapping.data import load_reference_desa
from mapping.names import fold, name_tokens, normalize_name
from mapping.regions import KECAMATAN, Kecamatan, Region
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
#: Most areas an ambiguous input lists (a note says how many share the name).
MAX_LISTED = 10
#: A fuzzy search over at most this many spellings scores all of them; a larger one (a national
#: gazetteer without a kecamatan) looks only at spellings of a close length within reach.
SMALL_SEARCH = 2_000
#: Edits beyond the allowed ones within which a large search still lists candidates.
HINT_EDITS = 2
#: Searches over at most this many spellings score them in a plain loop.
N_LOOP = 64
#: Spellings, closest first, looked at for each fuzzy input.
N_CLOSE = 12


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


def _exact_key(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def _code_key(value: object) -> str | None:
    """The digits of a code typed with or without dots ("12.02.01.2010", 1202012010.0)."""
    if isinstance(value, float):
        if value != value or not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    digits = text.replace(".", "").replace(" ", "")
    return digits if len(digits) >= 2 and digits.isdigit() else None


class _Lookup:
    """Key -> area codes, everywhere and per parent (so a scoped lookup never scans)."""

    def __init__(self) -> None:
        self.flat: dict[str, set[str]] = defaultdict(set)
        self.by_parent: dict[tuple[str, str], set[str]] = defaultdict(set)

    def add(self, key: str, parent: str, code: str) -> None:
        self.flat[key].add(code)
        self.by_parent[(parent, key)].add(code)

    def get(self, key: str, parents: frozenset[str] | None) -> set[str]:
        if parents is None:
            return self.flat.get(key, set())
        found: set[str] = set()
        for p in parents:
            found |= self.by_parent.get((p, key), set())
        return found


#: Scope of an input whose kecamatan is not one of the gazetteer's.
_FOREIGN: frozenset[str] = frozenset()
#: Scope (parent codes) of an input, None when no kecamatan is given.
Scope = frozenset[str] | None


class Gazetteer:
    """Matches names and codes to the areas of one level (desa or kecamatan).

    Build it with :meth:`load` (Tapanuli Utara, from the canonical layers and the reference
    table), :meth:`from_table` (any table of areas, e.g. the national Kepmendagri list) or
    :meth:`from_areas` (from any list of :class:`Area`, e.g. in tests).

    Matching is built for national scale: codes, exact, normalised and alias names are dict
    lookups (per kecamatan when one is given), each distinct input is matched once, and fuzzy
    inputs are scored in batches with :func:`rapidfuzz.process.cdist` against only the
    spellings within reach (the kecamatan's desa, or names of a close length).
    """

    def __init__(
        self,
        areas: Iterable[Area],
        *,
        level: MatchLevel,
        parent: Gazetteer | None = None,
        region: str = "Tapanuli Utara",
        definition: Region | None = None,
    ) -> None:
        self.level: MatchLevel = level
        self.areas: dict[str, Area] = {a.code: a for a in areas}
        self.parent = parent
        self.region = region
        #: The region's definition when known (its codes, population): None means Tapanuli
        #: Utara to the checks of tables read with this gazetteer.
        self.definition = definition
        self._codes: dict[str, str] = {}
        self._exact, self._normalized, self._alias = _Lookup(), _Lookup(), _Lookup()
        self._spelled = _Lookup()  # normalised spelling -> areas, for fuzzy search
        spellings: dict[str, str] = {}  # normalised spelling -> its numerals
        keys: dict[str, str] = {}  # spelling -> normalised (names repeat across the country)
        children: dict[str, set[str]] = defaultdict(set)  # parent code -> its spellings
        for area in self.areas.values():
            self._codes[_code_key(area.code) or area.code] = area.code
            for other in area.other_codes:
                self._codes[_code_key(other) or other] = area.code
            parent_code = area.kecamatan_code
            self._exact.add(_exact_key(area.name), parent_code, area.code)
            for spelling in (area.name, *area.aliases):
                if spelling not in keys:
                    keys[spelling] = normalize_name(spelling)
                    if keys[spelling]:
                        numbers = "|".join(_numerals(name_tokens(spelling)))
                        spellings.setdefault(keys[spelling], numbers)
            main_key = keys[area.name]
            self._normalized.add(main_key, parent_code, area.code)
            for spelling in (area.name, *area.aliases):
                key = keys[spelling]
                if not key:
                    continue
                if key != main_key:
                    self._alias.add(key, parent_code, area.code)
                self._spelled.add(key, parent_code, area.code)
                children[parent_code].add(key)
        # spellings sorted by length, so a fuzzy search looks only at those of a close length
        order = sorted(spellings, key=lambda k: (len(k), k))
        self._spellings: list[str] = order
        self._position = {k: i for i, k in enumerate(order)}
        self._lengths = np.array([len(k) for k in order], dtype=np.int64)
        self._spelling_numerals = [spellings[k] for k in order]
        self._children = {p: sorted(self._position[k] for k in ks) for p, ks in children.items()}
        self._sorted_codes: dict[str, tuple[str, ...]] = {}
        self._scope_cache: dict[object, frozenset[str]] = {}

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def from_areas(
        cls,
        areas: Iterable[Area],
        *,
        level: MatchLevel,
        parent: Gazetteer | None = None,
        region: str = "Tapanuli Utara",
    ) -> Gazetteer:
        """A gazetteer over `areas` (desa level takes the kecamatan gazetteer as `parent`)."""
        return cls(areas, level=level, parent=parent, region=region)

    @classmethod
    def from_table(cls, table: pd.DataFrame, *, region: str, source: str = "") -> Gazetteer:
        """A desa gazetteer over a table of areas; its ``parent`` matches the kecamatan.

        `table` has the columns of :data:`mapping.areas.AREA_COLUMNS` (``code``, ``name``,
        ``parent_code``, ``parent``, optional ``aliases`` separated by ``;``); it is checked
        with :func:`mapping.areas.validate_areas` first (`source` names it in errors).
        `region` names the whole table in notes ("not a kecamatan of Indonesia").

        >>> table = pd.DataFrame({
        ...     "code": ["32.01.01.2001", "32.01.02.2001"], "name": ["Sukamaju", "Sukamaju"],
        ...     "parent_code": ["32.01.01", "32.01.02"], "parent": ["Cibinong", "Gunung Putri"]})
        >>> gz = Gazetteer.from_table(table, region="Bogor")
        >>> gz.match_one("Desa Suka Maju").method
        'ambiguous'
        >>> gz.match_one("SUKAMAJU", kecamatan="Kec. Gunung Putri").code
        '32.01.02.2001'
        """
        rows = validate_areas(table, source=source)
        parents = rows.drop_duplicates("parent_code")
        kec = cls(
            (
                Area(p.parent_code, p.parent, p.parent_code, p.parent)
                for p in parents.itertuples(index=False)
            ),
            level="kecamatan",
            region=region,
        )
        desa = (
            Area(r.code, r.name, r.parent_code, r.parent, aliases=r.aliases)
            for r in rows.itertuples(index=False)
        )
        return cls(desa, level="desa", parent=kec, region=region)

    @classmethod
    def from_region(cls, region: Region, *, level: MatchLevel = "desa") -> Gazetteer:
        """The gazetteer of `region` at `level`, from its definition (no layers needed).

        Kecamatan are matched by name, BIG spelling and BPS code; desa (scoped by their
        kecamatan) by name, the other spellings of the region's crosswalk and BPS code.
        `region.name` names the region in notes.
        """
        if level not in ("desa", "kecamatan"):
            msg = f"level={level!r} cannot be matched; expected 'desa' or 'kecamatan'."
            raise ValueError(msg)
        kec = cls(kecamatan_areas(kecamatan=region.kecamatan), level="kecamatan",
                  region=region.name, definition=region)  # fmt: skip
        if level == "kecamatan":
            return kec
        names = {k.code: k.name for k in region.kecamatan}
        desa = (
            Area(
                d.code,
                d.name,
                d.kecamatan_code,
                names[d.kecamatan_code],
                aliases=d.aliases,
                other_codes=(d.bps_code,) if d.bps_code else (),
            )  # fmt: skip
            for d in region.desa
        )
        return cls(desa, level="desa", parent=kec, region=region.name, definition=region)

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
        return self._match_distinct([(name, kecamatan, code)], workers=1)[0]

    def match(
        self,
        names: Sequence[object] | pd.Series,
        *,
        kecamatan: Sequence[object] | pd.Series | None = None,
        codes: Sequence[object] | pd.Series | None = None,
        workers: int = -1,
    ) -> pd.DataFrame:
        """Match many inputs; one row per input, in order, with :data:`MATCH_COLUMNS`.

        ``row`` is the 1-based position of the input. ``code`` is empty unless the match is
        taken; ``candidates`` lists ``code:name`` pairs (``;``-separated) for ambiguous and
        unmatched inputs. Each distinct cell is read once and each distinct input matched
        once; `workers` is the number of threads of the fuzzy search (-1: all cores).
        """
        n = len(names)
        columns_in = [_cells(names, n), _cells(kecamatan, n), _cells(codes, n)]
        if not (len(columns_in[1]) == len(columns_in[2]) == n):
            msg = (
                f"names, kecamatan and codes must have the same length; got {n}, "
                f"{len(columns_in[1])} and {len(columns_in[2])}."
            )
            raise ValueError(msg)
        # Each distinct cell is read once, and each distinct (name, kecamatan, code) matched once.
        texts: list[np.ndarray] = []
        ids: list[np.ndarray] = []
        for cells_in in columns_in:
            cell_ids, cells = pd.factorize(cells_in, use_na_sentinel=False)
            text_ids, text = pd.factorize(np.array([_text(c) for c in cells], dtype=object))
            texts.append(np.asarray(text, dtype=object))
            ids.append(text_ids[cell_ids].astype(np.int64))
        # pairs, then triples, numbered compactly (no overflow even at 1e7 distinct cells)
        pairs = np.unique(ids[0] * len(texts[1]) + ids[1], return_inverse=True)[1]
        combined = pairs.astype(np.int64) * len(texts[2]) + ids[2]
        _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        inputs = [(texts[0][ids[0][i]], texts[1][ids[1][i]], texts[2][ids[2][i]]) for i in first]
        found = self._match_distinct(inputs, workers=workers)

        def column(
            values: Sequence[object] | np.ndarray, at: np.ndarray
        ) -> pd.api.extensions.ExtensionArray:
            return pd.array(list(values), dtype="str").take(at)

        return pd.DataFrame(
            {
                "row": np.arange(1, n + 1),
                "input_name": column(texts[0], ids[0]),
                "input_kecamatan": column(texts[1], ids[1]),
                "input_code": column(texts[2], ids[2]),
                "code": column([m.code for m in found], inverse),
                "name": column([m.name for m in found], inverse),
                "kecamatan": column([m.kecamatan for m in found], inverse),
                "method": column([m.method for m in found], inverse),
                "score": np.asarray([round(m.score, 1) for m in found], dtype=float)[inverse],
                "candidates": column(
                    [";".join(f"{a.code}:{a.name}" for a in m.candidates) for m in found], inverse
                ),
            },
            columns=MATCH_COLUMNS,
        )

    # -- internals ---------------------------------------------------------------------------

    def _match_distinct(
        self, inputs: Sequence[tuple[object, object, object]], *, workers: int
    ) -> list[Match]:
        """Match distinct (name, kecamatan, code) inputs: codes, then names in batches."""
        results: list[Match | None] = [None] * len(inputs)
        named: list[tuple[int, str, Scope, object]] = []
        for i, (name, kecamatan, code) in enumerate(inputs):
            by_code = self._by_code(code) if not _blank(code) else None
            if by_code is None and not _blank(name):
                by_code = self._by_code(name)
            if by_code is not None:
                results[i] = self._taken(by_code, "code", 100.0)
            elif _blank(name):
                results[i] = Match("", "", "", "unmatched", 0.0)
            else:
                given = self.parent is not None and not _blank(kecamatan)
                scope = self._scope(kecamatan) if given else None
                named.append((i, str(name), scope, kecamatan))
        asked = [(name, scope) for _, name, scope, _ in named if scope is not _FOREIGN]
        scoped = iter(self._match_names(asked, workers=workers))
        wider: list[tuple[int, str, Match | None, str]] = []
        for i, name, scope, kecamatan in named:
            if scope is _FOREIGN:
                # A kecamatan that is not one of the region's (Kec. Lumban Julu is in Toba)
                # puts the place elsewhere: a same-named desa here would be a wrong match.
                note = f"kecamatan {_text(kecamatan)!r} is not a kecamatan of {self.region}"
                wider.append((i, name, None, note))
                continue
            got = next(scoped)
            if scope is not None and got.method == "unmatched":
                note = f"no desa of that name in kecamatan {_text(kecamatan)!r}"
                wider.append((i, name, got, note))
            else:
                results[i] = got
        everywhere = self._match_names([(name, None) for _, name, _, _ in wider], workers=workers)
        for (i, _, scoped_match, note), anywhere in zip(wider, everywhere, strict=True):
            results[i] = self._not_taken(scoped_match, anywhere, note)
        return [r for r in results if r is not None]

    def _scope(self, kecamatan: object) -> frozenset[str]:
        """Codes of the kecamatan an input names: one, several of that name, or none."""
        cached = self._scope_cache.get(kecamatan)
        if cached is not None:
            return cached
        # "Kec. X", "KECAMATAN X" and "X" name one kecamatan: look it up once (not codes)
        key = normalize_name(kecamatan) if _code_key(kecamatan) is None else None
        if key is not None and key in self._scope_cache:
            self._scope_cache[kecamatan] = self._scope_cache[key]
            return self._scope_cache[key]
        scope = _FOREIGN
        if self.parent is not None:
            kec = self.parent.match_one(kecamatan, code=kecamatan)
            if kec.taken:
                scope = frozenset({kec.code})
            elif kec.method == "ambiguous":
                # Several kecamatan share the name: the desa is searched in all of them.
                typed = normalize_name(kecamatan)
                kecs = self.parent
                same = kecs._normalized.get(typed, None) | kecs._alias.get(typed, None)
                scope = frozenset(same or {a.code for a in kec.candidates})
        self._scope_cache[kecamatan] = scope
        if key is not None:
            self._scope_cache[key] = scope
        return scope

    def _not_taken(self, scoped: Match | None, wider: Match, note: str) -> Match:
        """Unmatched, listing the places elsewhere that fit the name (they are not taken)."""
        hint = wider.candidates or ((self.areas[wider.code],) if wider.code in self.areas else ())
        fallback = scoped.candidates if scoped is not None else ()
        score = scoped.score if scoped is not None else wider.score
        return Match("", "", "", "unmatched", score, hint or fallback, note)

    def _by_code(self, value: object) -> Area | None:
        key = _code_key(value)
        target = self._codes.get(key) if key is not None else None
        return self.areas[target] if target is not None else None

    def _taken(self, area: Area, method: str, score: float) -> Match:
        return Match(area.code, area.name, area.kecamatan, method, score)

    def _pick(self, codes: set[str], method: str) -> Match | None:
        if not codes:
            return None
        if len(codes) == 1:
            return self._taken(self.areas[next(iter(codes))], method, 100.0)
        listed = sorted(codes)
        note = ""
        if len(listed) > MAX_LISTED:
            note = f"{len(listed)} areas have this name; give the kecamatan to tell them apart"
        cands = tuple(self.areas[c] for c in listed[:MAX_LISTED])
        return Match("", "", "", "ambiguous", 100.0, cands, note)

    def _match_names(self, asked: Sequence[tuple[str, Scope]], *, workers: int) -> list[Match]:
        """Exact, normalised and alias lookups, then one batched fuzzy search for the rest."""
        out: list[Match | None] = [None] * len(asked)
        fuzzy: list[int] = []
        for j, (name, scope) in enumerate(asked):
            key = normalize_name(name)
            # Official names first: a name that normalises to several desa is ambiguous even
            # when it is spelled exactly like one of them ("Purbatua" vs "Purba Tua").
            exact = self._exact.get(_exact_key(name), scope)
            official = self._normalized.get(key, scope)
            picked = self._pick(official | exact, "exact" if exact else "normalized")
            if picked is None:
                picked = self._pick(self._alias.get(key, scope), "alias")
            if picked is None:
                fuzzy.append(j)
            out[j] = picked
        for j, got in zip(fuzzy, self._fuzzy([asked[j] for j in fuzzy], workers), strict=True):
            out[j] = got
        return [m for m in out if m is not None]

    def _within(self, scope: Scope) -> Sequence[int]:
        """Positions of the spellings a fuzzy search in `scope` looks at."""
        if scope is None:
            return range(len(self._spellings))
        parts = [self._children[p] for p in scope if p in self._children]
        return parts[0] if len(parts) == 1 else sorted({k for part in parts for k in part})

    def _fuzzy(self, asked: Sequence[tuple[str, Scope]], workers: int) -> list[Match]:
        """Fuzzy matches; small searches score every spelling, large ones only those in reach."""
        out: list[Match] = [Match("", "", "", "unmatched", 0.0)] * len(asked)
        large: dict[tuple[int, int], list[int]] = defaultdict(list)
        tokens = [name_tokens(name) for name, _ in asked]
        keys = ["".join(t) for t in tokens]
        numerals = ["|".join(_numerals(t)) for t in tokens]
        for j, (key, (_, scope)) in enumerate(zip(keys, asked, strict=True)):
            if not key:
                continue
            within = self._within(scope)
            if len(within) > SMALL_SEARCH:
                large[(len(key), allowed_edits(key) + HINT_EDITS)].append(j)
                continue
            choices = [self._spellings[k] for k in within]
            if len(choices) <= N_LOOP:  # a kecamatan's desa: a loop beats cdist's overhead
                edits = [OSA.distance(key, c) for c in choices]
                ratios = [fuzz.ratio(key, c) for c in choices]
            else:
                edits = process.cdist([key], choices, scorer=OSA.distance)[0].tolist()
                ratios = process.cdist([key], choices, scorer=fuzz.ratio, dtype=np.float64)[0]
                ratios = ratios.tolist()
            close = list(zip(within, edits, ratios, strict=True))
            out[j] = self._decide(key, numerals[j], close, scope)
        for (length, reach), group in large.items():
            lo, hi = np.searchsorted(self._lengths, [length - reach, length + reach + 1])
            choices = self._spellings[lo:hi]
            chunk = max(1, 20_000_000 // max(1, len(choices)))
            for start in range(0, len(group), chunk):
                part = group[start : start + chunk]
                dist = process.cdist(
                    [keys[j] for j in part],
                    choices,
                    scorer=OSA.distance,
                    score_cutoff=reach,
                    dtype=np.uint8,
                    workers=workers,
                )
                for j, row in zip(part, dist, strict=True):
                    hits = np.flatnonzero(row <= reach)
                    close = [
                        (k, e, fuzz.ratio(keys[j], self._spellings[k]))
                        for k, e in zip((hits + lo).tolist(), row[hits].tolist(), strict=True)
                    ]
                    out[j] = self._decide(keys[j], numerals[j], close, asked[j][1])
        return out

    def _decide(
        self, key: str, numerals: str, close: list[tuple[int, int, float]], scope: Scope
    ) -> Match:
        """Take the closest area if it is within the allowed edits and clear of the runner-up.

        `close` holds (spelling position, edits, ratio) for the spellings searched.
        """
        # A different numeral is a different desa (Hutatoruan VI vs VII): never fuzzy.
        ranked_spellings = sorted(
            (e + (100 if self._spelling_numerals[k] != numerals else 0), -r, k) for k, e, r in close
        )[:N_CLOSE]
        best: dict[str, tuple[int, float]] = {}  # code -> (edits, -ratio)
        for e, neg_r, k in ranked_spellings:
            for code in self._codes_spelled(self._spellings[k], scope):
                if code not in best or (e, neg_r) < best[code]:
                    best[code] = (e, neg_r)
        ranked = sorted(best.items(), key=lambda kv: (kv[1], kv[0]))
        if not ranked:
            return Match("", "", "", "unmatched", 0.0)
        cands = tuple(self.areas[c] for c, _ in ranked[:N_CANDIDATES])
        (code, (n_edits, neg_ratio)) = ranked[0]
        if n_edits > allowed_edits(key):
            return Match("", "", "", "unmatched", -neg_ratio, cands)
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 10**6
        if runner_up - n_edits < FUZZY_MARGIN:
            close_areas = tuple(self.areas[c] for c, (e, _) in ranked if e - n_edits < FUZZY_MARGIN)
            return Match("", "", "", "ambiguous", -neg_ratio, close_areas[: max(N_CANDIDATES, 2)])
        return self._taken(self.areas[code], "fuzzy", -neg_ratio)

    def _codes_spelled(self, spelling: str, scope: Scope) -> tuple[str, ...]:
        """Areas spelled so (in `scope`), at most a few more than an ambiguous input lists."""
        if scope is not None:
            return tuple(sorted(self._spelled.get(spelling, scope)))[: MAX_LISTED + 1]
        cached = self._sorted_codes.get(spelling)
        if cached is None:
            cached = tuple(sorted(self._spelled.flat[spelling]))[: MAX_LISTED + 1]
            self._sorted_codes[spelling] = cached
        return cached


def _blank(value: object) -> bool:
    """True for None, NaN/NA and text with no letters or digits."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return True
    text = str(value)
    if text.isascii():
        return _ALNUM.search(text) is None
    return not fold(text)


_ALNUM = re.compile(r"[A-Za-z0-9]")


def _cells(values: Sequence[object] | pd.Series | None, n: int) -> np.ndarray:
    """The cells of one input column as an object array (None everywhere when not given)."""
    if values is None:
        return np.full(n, None, dtype=object)
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _text(value: object) -> str:
    return "" if _blank(value) else str(value).strip()


def kecamatan_areas(
    reference: pd.DataFrame | None = None, *, kecamatan: Sequence[Kecamatan] = KECAMATAN
) -> list[Area]:
    """The `kecamatan` (default the 15 of Tapanuli Utara) as :class:`Area` with their known
    spellings (BIG's, and those of the desa `reference` table when given) and BPS codes."""
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
            other_codes=(k.bps_code,) if k.bps_code else (),
        )
        for k in kecamatan
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
