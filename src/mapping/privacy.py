"""Disclosure control: small counts of people suppressed in every table before it is published.

The rule (statistical disclosure control of frequency tables, as in the threshold rule with
primary and secondary cell suppression of the Eurostat/ESSnet *Handbook on Statistical
Disclosure Control*, the UK ONS *Disclosure control guidance for tables produced from
administrative sources* and the Australian Bureau of Statistics' *Confidentiality series*):

1. **Which cells.** Counts of people or families: every PMKS category (people with a welfare
   problem), ``pmks_total``, and the desa indicators that count people or families
   (families at risk of stunting, stunted children, recipients of PKH, BPNT, BST, Sembako,
   Prakerja, KUR, CBP): see :func:`person_count_columns`. Counts of facilities, staff or
   organisations (posyandu, kader, TPK, KPM, PSKS), money, and ``keluarga`` (the number of
   families, the denominator of the rates) are published as they are.
2. **Primary suppression (threshold rule).** A count ``v`` with ``1 <= v <= k - 1`` is
   suppressed (``k = 5`` by default; a stricter ``k`` per column with `k_by_column`). Zero is
   published (it discloses nobody), and so is a missing value ("no data").
3. **Secondary (complementary) suppression.** Cells that add up to a published or derivable
   total form a group: the desa of one kecamatan (total: the kecamatan cell), the kecamatan of
   the regency (total: the regency, treated as published), and, with `totals`, the part
   columns of a total column in one row. In every group that holds a suppressed part, or
   whose total is suppressed and non-zero, cells are added one at a time, the smallest
   non-zero unsuppressed part first (ties: the first in table order), until the group holds
   at least **two** suppressed parts whose **sum is at least k**, or no non-zero
   unsuppressed part is left. So a suppressed cell is never "total minus the published
   others", the suppressed cells together are never a small count that pins them, and a
   suppressed kecamatan is never the sum of its published desa. Groups are revisited until
   nothing changes (a suppression in one group can start another).
4. **Rates.** A rate (or any column derived from a count) whose numerator cell is suppressed
   is suppressed too, so ``rate x published denominator`` cannot give the count back; rates
   of published numerators stay. Derived columns are those given in `rates` and, as a
   safeguard, every column whose name starts with a protected count's name and ``_`` (such
   as ``anak_stunting_per_1000``).

Suppressed cells become missing (NaN) in the returned frames, and the frames' ``attrs`` say
which cells were suppressed (:func:`suppressed_mask`), so maps show them as "< 5" (the same
text in Indonesian and English) with a "Disembunyikan (< 5)" legend entry, never in a value
class, a class bound or a rank. ``enabled=False`` (internal analysis only) suppresses
nothing and marks the frames internal: every map of them is labelled "INTERNAL — tidak untuk
dipublikasikan" (:func:`is_internal`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from mapping.categories import CATEGORY_BY_CODE
from mapping.classify import NO_DATA_COLOR, Classification, LegendEntry
from mapping.errors import InputError
from mapping.labels import check_language, format_number, text

F = TypeVar("F", bound=pd.DataFrame)
G = TypeVar("G", bound=pd.DataFrame)

#: Smallest count published: counts from 1 to K - 1 are suppressed.
DEFAULT_K = 5
#: ``attrs`` key of the suppressed cells: ``{column: [index labels]}``.
SUPPRESSED_ATTR = "suppressed"


#: ``attrs`` key of the rule applied: ``{"enabled": bool, "k": int, "k_by_column": {...}}``.
DISCLOSURE_ATTR = "disclosure"
#: Indicator codes that count people or families (the other indicators count facilities,
#: staff or money, or are the ``keluarga`` denominator).
PERSON_INDICATORS: frozenset[str] = frozenset({
    "keluarga_berisiko_stunting", "anak_stunting", "penerima_bst", "penerima_bpnt",
    "penerima_pkh", "penerima_sembako", "penerima_prakerja", "penerima_kur", "penerima_cbp",
})  # fmt: skip
#: Columns that add up person counts (made by the build).
PERSON_TOTALS: frozenset[str] = frozenset({"pmks_total"})


class _Labels(dict[str, list[Any]]):
    """The labels of the suppressed cells by column, as stored in ``attrs``: pandas deep-copies
    a frame's ``attrs`` into every column and row it hands out, and these labels are never
    changed in place (only replaced), so a copy shares them instead of copying every label."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Labels:
        return self


def is_person_count(column: str) -> bool:
    """Whether `column` counts people or families (see the module docstring, point 1).

    >>> is_person_count("odha"), is_person_count("anak_stunting"), is_person_count("posyandu")
    (True, True, False)
    """
    cat = CATEGORY_BY_CODE.get(column)
    if column in PERSON_TOTALS or column in PERSON_INDICATORS:
        return True
    return cat is not None and cat.group == "pmks"


def person_count_columns(columns: Iterable[object]) -> list[str]:
    """The columns of `columns` that count people or families, in their order.

    >>> person_count_columns(["name", "keluarga", "lut", "posyandu", "penerima_pkh"])
    ['lut', 'penerima_pkh']
    """
    return [str(c) for c in columns if isinstance(c, str) and is_person_count(c)]


def suppressed_text(k: int = DEFAULT_K) -> str:
    """How a suppressed count is shown, the same in every language.

    >>> suppressed_text(), suppressed_text(10)
    ('< 5', '< 10')
    """
    return f"< {k}"


def disclosure_k(frame: pd.DataFrame, column: str | None = None) -> int:
    """The threshold k applied to `frame` (to `column`, when it has its own)."""
    info = frame.attrs.get(DISCLOSURE_ATTR) or {}
    by_column = info.get("k_by_column") or {}
    return int(by_column.get(column, info.get("k", DEFAULT_K)))


def suppressed_mask(frame: pd.DataFrame, column: str) -> pd.Series:
    """True for the rows of `frame` whose `column` was suppressed by :func:`protect`."""
    labels = (frame.attrs.get(SUPPRESSED_ATTR) or {}).get(column, [])
    return pd.Series(frame.index.isin(labels), index=frame.index, name=column)


def is_protected(frame: pd.DataFrame) -> bool:
    """Whether :func:`protect` was applied to `frame` with suppression on."""
    return bool((frame.attrs.get(DISCLOSURE_ATTR) or {}).get("enabled", False))


def is_internal(*frames: pd.DataFrame | None) -> bool:
    """Whether any of `frames` was made with ``protect(..., enabled=False)`` (internal use)."""
    return any(
        f is not None and (f.attrs.get(DISCLOSURE_ATTR) or {}).get("enabled") is False
        for f in frames
    )


def internal_label(language: str = "id") -> str:
    """The label of outputs made without disclosure control.

    >>> internal_label()
    'INTERNAL — tidak untuk dipublikasikan'
    """
    return text("internal", check_language(language))


def _check(k: int, k_by_column: Mapping[str, int]) -> None:
    problems = []
    for name, value in [("k", k), *((f"k_by_column[{c!r}]", v) for c, v in k_by_column.items())]:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 2:
            problems.append(f"{name}={value!r} must be a whole number of at least 2")
    weaker = [c for c, v in k_by_column.items() if isinstance(v, int | np.integer) and v < k]
    if weaker:
        problems.append(
            f"k_by_column may only be stricter than k={k}; {weaker} are lower (raise them or k)"
        )
    if problems:
        raise InputError("Cannot apply disclosure control: " + "; ".join(problems) + ".")


class _Cells:
    """Every protected cell of the desa and kecamatan tables as one flat array."""

    def __init__(self, frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.offsets = np.cumsum([0, *(len(f) * len(columns) for f in frames)])
        parts = [f[columns].apply(pd.to_numeric, errors="coerce").to_numpy(float) for f in frames]
        self.values = np.concatenate([p.ravel() for p in parts]) if parts else np.array([])
        self.mask = np.zeros(len(self.values), dtype=bool)

    def id(self, frame: int, row: int, column: str) -> int:
        return int(self.offsets[frame] + row * len(self.columns) + self.columns.index(column))

    def frame_mask(self, frame: int, n_rows: int) -> np.ndarray:
        lo, hi = self.offsets[frame], self.offsets[frame + 1]
        return self.mask[lo:hi].reshape(n_rows, len(self.columns))


def _secondary(cells: _Cells, groups: list[tuple[list[int], int | None, int]]) -> None:
    """Complementary suppression (module docstring, point 3), in place on ``cells.mask``."""
    v, m = cells.values, cells.mask
    changed = True
    while changed:
        changed = False
        for parts, total, k in groups:
            total_hidden = total is not None and m[total] and v[total] > 0
            if not (m[parts].any() or total_hidden):
                continue
            while True:
                hidden = [p for p in parts if m[p]]
                if len(hidden) >= 2 and np.nansum(v[hidden]) >= k:
                    break
                free = [p for p in parts if not m[p] and v[p] > 0]
                if not free:
                    break
                m[min(free, key=lambda p: (v[p], p))] = True
                changed = True


def _derived(
    frame: pd.DataFrame, counts: Sequence[str], rates: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Derived column -> the counts it comes from: `rates` plus the name rule (point 4).

    A `rates` entry names one numerator (a column or a :class:`~mapping.indicators.Rate`) or
    several (a list or tuple: a share of one count in another is hidden when either is).
    """
    out: dict[str, list[str]] = {}
    for name, spec in rates.items():
        specs = (
            list(spec)
            if isinstance(spec, list | tuple) and not hasattr(spec, "numerator")
            else [spec]
        )
        sources = [x if isinstance(x, str) else x.numerator for x in specs]
        sources = [x for x in sources if x in counts]
        if name in frame.columns and sources:
            out[name] = sources
    for col in frame.columns:
        if isinstance(col, str) and col not in counts and col not in out:
            source = max((c for c in counts if col.startswith(f"{c}_")), key=len, default=None)
            if source is not None:
                out[col] = [source]
    return out


def protect(
    desa: F,
    kecamatan: G | None = None,
    *,
    counts: Sequence[str] | None = None,
    rates: Mapping[str, Any] | None = None,
    totals: Mapping[str, Sequence[str]] | None = None,
    k: int = DEFAULT_K,
    k_by_column: Mapping[str, int] | None = None,
    enabled: bool = True,
    desa_key: str = "kecamatan_code",
    kecamatan_key: str = "code",
) -> tuple[F, G | None]:
    """Copies of `desa` and `kecamatan` safe to publish: small person counts suppressed.

    The rule, and its sources, are in the module docstring. Suppressed cells become NaN;
    ``attrs["suppressed"]`` lists them (read it with :func:`suppressed_mask`) and
    ``attrs["disclosure"]`` holds k, so maps show "< 5" and never class or rank them.

    Parameters
    ----------
    desa, kecamatan
        Desa table (with `desa_key`, the code of its kecamatan) and, if it is published too,
        the kecamatan table (with `kecamatan_key`), whose cells are the desa groups' totals.
        A desa table alone is still protected against its kecamatan totals (they can be
        summed from other sources).
    counts
        The person or family count columns to protect; default :func:`person_count_columns`.
    rates
        ``{rate column: numerator column or Rate}`` of derived columns to suppress with their
        numerator (besides those named ``<count>_...``).
    totals
        ``{total column: [part columns]}`` of row totals published with their parts.
    k, k_by_column
        Threshold: counts 1..k-1 are suppressed; a stricter k for some columns.
    enabled
        ``False`` for internal analysis only: nothing is suppressed and the frames are marked
        internal, so every map of them says "INTERNAL — tidak untuk dipublikasikan".

    Examples
    --------
    >>> desa = pd.DataFrame({"kecamatan_code": ["A", "A", "A", "B"],
    ...                      "odha": [2, 7, 9, 0], "keluarga": [20, 90, 80, 50]})
    >>> safe, _ = protect(desa)
    >>> safe["odha"].tolist(), suppressed_mask(safe, "odha").tolist()
    ([nan, nan, 9.0, 0.0], [True, True, False, False])
    """
    by_column = dict(k_by_column or {})
    _check(k, by_column)
    frames = [desa] if kecamatan is None else [desa, kecamatan]
    cols = list(counts) if counts is not None else person_count_columns(desa.columns)
    problems = [
        f"{name} lacks column(s) {[c for c in cols if c not in f.columns]}"
        for name, f in zip(("desa", "kecamatan"), frames, strict=False)
        if any(c not in f.columns for c in cols)
    ]
    if len(frames) == 2 and cols and desa_key not in desa.columns:
        problems.append(f"desa lacks {desa_key!r} (the code of its kecamatan)")
    if len(frames) == 2 and cols and kecamatan_key not in frames[1].columns:
        problems.append(f"kecamatan lacks {kecamatan_key!r}")
    for total, parts in (totals or {}).items():
        if total not in cols or any(p not in cols for p in parts):
            problems.append(f"totals[{total!r}] and its parts {list(parts)} must be in counts")
    if problems:
        raise InputError("Cannot apply disclosure control: " + "; ".join(problems) + ".")
    out: list[Any] = [f.copy() for f in frames]
    info = {"enabled": bool(enabled), "k": int(k), "k_by_column": by_column, "columns": cols}
    for f in out:
        f.attrs[DISCLOSURE_ATTR] = info
        f.attrs[SUPPRESSED_ATTR] = {}
    if not enabled or not cols:
        return out[0], (out[1] if len(out) == 2 else None)

    ks = {c: max(k, by_column.get(c, k)) for c in cols}
    cells = _Cells(out, cols)
    per_column_k = np.tile([ks[c] for c in cols], len(cells.values) // len(cols))
    cells.mask[:] = (cells.values >= 1) & (cells.values < per_column_k)
    groups: list[tuple[list[int], int | None, int]] = []
    desa_groups = (
        desa[desa_key].astype(str).to_numpy()
        if desa_key in desa.columns
        else np.zeros(len(desa), dtype=str)
    )
    kec_row = (
        {str(code): i for i, code in enumerate(frames[1][kecamatan_key])} if len(out) == 2 else {}
    )
    for c in cols:
        for key in dict.fromkeys(desa_groups):
            rows = np.flatnonzero(desa_groups == key).tolist()
            kec_total = cells.id(1, kec_row[key], c) if key in kec_row else None
            groups.append(([cells.id(0, r, c) for r in rows], kec_total, ks[c]))
        if len(out) == 2:
            groups.append(([cells.id(1, r, c) for r in range(len(out[1]))], None, ks[c]))
    for total, parts in (totals or {}).items():
        group_k = max(ks[p] for p in [total, *parts])
        for fi, f in enumerate(out):
            for r in range(len(f)):
                ids = [cells.id(fi, r, p) for p in parts]
                groups.append((ids, cells.id(fi, r, total), group_k))
    _secondary(cells, groups)

    for fi, f in enumerate(out):
        mask = pd.DataFrame(cells.frame_mask(fi, len(f)), index=f.index, columns=cols)
        derived = _derived(f, cols, rates or {})
        hidden: dict[str, list[Any]] = {}
        for col in cols:
            hidden[col] = f.index[mask[col].to_numpy()].tolist()
        for col, sources in derived.items():
            hidden[col] = list(dict.fromkeys(label for src in sources for label in hidden[src]))
        for col, labels in hidden.items():
            if labels:
                f[col] = f[col].astype(float)
                f.loc[labels, col] = np.nan
        f.attrs[SUPPRESSED_ATTR] = _Labels({c: lab for c, lab in hidden.items() if lab})
        f.attrs[DISCLOSURE_ATTR] = {
            **info,
            "k_by_column": {
                **by_column,
                **{
                    d: max(ks[x] for x in xs)
                    for d, xs in derived.items()
                    if max(ks[x] for x in xs) != k
                },
            },
        }
    return out[0], (out[1] if len(out) == 2 else None)


def display_values(frame: pd.DataFrame, column: str, formatted: Sequence[str]) -> list[str]:
    """`formatted` values of `column` with "< k" where the cell was suppressed."""
    mask = suppressed_mask(frame, column).to_numpy()
    hidden = suppressed_text(disclosure_k(frame, column))
    return [hidden if m else s for m, s in zip(mask, formatted, strict=True)]


def ensure_protected(frame: F) -> F:
    """`frame` as it is if :func:`protect` already ran on it (on or off), else protected.

    Every map function calls this, so a table is never published unprotected by accident.
    """
    return frame if DISCLOSURE_ATTR in frame.attrs else protect(frame)[0]


def _from_k(cls: Classification, rows: list[LegendEntry], k: int) -> list[LegendEntry]:
    """Whole-number class labels that start at k, not at 1..k-1, which no published count
    holds (``1 – 9`` reads as if counts 1-4 were shown; it becomes ``5 – 9``)."""
    out = []
    for i, row in enumerate(rows):
        lo = cls.lower if i == 0 else math.floor(cls.bins[i - 1]) + 1
        hi = math.floor(cls.bins[i])
        if 1 <= lo < k <= hi:
            lo_text, hi_text = (format_number(v, language=cls.language) for v in (k, hi))
            label = lo_text if k == hi else f"{lo_text} – {hi_text}"
            row = LegendEntry(label, row.color, row.count, row.no_data)
        out.append(row)
    return out


def legend_entries(
    classification: Classification, frame: pd.DataFrame, column: str
) -> list[LegendEntry]:
    """Legend rows of `column`: its classes, "no data", then "Disembunyikan (< 5)".

    Suppressed areas are drawn like missing ones (no value class, no rank), with their own
    legend row and count so that they are not taken for missing data.
    """
    hidden = suppressed_mask(frame, column).reindex(classification.classes.index, fill_value=False)
    n_hidden = int((hidden & classification.classes.isna()).sum())
    rows = [r for r in classification.legend() if not r.no_data]
    info = frame.attrs.get(DISCLOSURE_ATTR) or {}
    if info.get("enabled") and column in info.get("columns", ()) and classification.integer:
        rows = _from_k(classification, rows, disclosure_k(frame, column))
    n_missing = classification.n_missing - n_hidden
    if n_missing > 0:
        rows.append(LegendEntry(classification.no_data_label, NO_DATA_COLOR, n_missing, True))
    if n_hidden > 0:
        label = text(
            "suppressed",
            classification.language,
            hidden=suppressed_text(disclosure_k(frame, column)),
        )
        rows.append(LegendEntry(label, NO_DATA_COLOR, n_hidden, True))
    return rows
