"""Priority score of desa: weighted, normalised components, ranks, reasons and weight sensitivity.

1. :func:`priority_score`: a weighted sum of components normalised to 0-1 (1 = most
   priority), a rank and a one-line reason built from the components.
2. :func:`sensitivity`: a seeded Monte Carlo of the weights; how often each desa stays in the
   top N, its rank range, and whether the shortlist is stable.

The components are generic (:class:`Component`: a column, whether higher is worse or better,
bilingual labels and how a reason phrases it); the caller computes them (need, gap, distance,
capacity) and passes a frame that holds them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from mapping.errors import InputError
from mapping.labels import check_language, format_number

log = logging.getLogger(__name__)

#: How many desa the shortlist holds (the "top N" of the sensitivity analysis).
DEFAULT_TOP_N = 10
#: Weight perturbation of the sensitivity analysis: each weight times U(1 - p, 1 + p).
DEFAULT_PERTURBATION = 0.2
DEFAULT_DRAWS = 1_000
SEED = 20240617
#: A desa "stays" in the shortlist when it is in the top N in at least this share of draws.
STAY_SHARE = 0.8
#: The shortlist is stable when at least this share of its desa stay; unstable below
#: :data:`UNSTABLE_BELOW` (between the two: partly stable).
STABLE_SHARE = 0.8
UNSTABLE_BELOW = 0.5
#: Percentile ranks at or above / at or below these are "tinggi" / "rendah" in reasons.
HIGH_PERCENTILE = 67
LOW_PERCENTILE = 33

LEVEL_WORDS = {
    "id": {"high": "tinggi", "mid": "sedang", "low": "rendah"},
    "en": {"high": "high", "mid": "medium", "low": "low"},
}

# --- components and weights -------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    """One part of the priority score: a numeric column and how to read it.

    Parameters
    ----------
    name
        The weight key (``need``, ``gap``...).
    column
        The column of the desa frame holding the raw values.
    higher_is
        ``"worse"`` when a higher value means more priority (need, gap, distance), ``"better"``
        when it means less (capacity: its deficit raises priority).
    label_id, label_en
        Short labels ("Kebutuhan", "Need") for headers and texts.
    reason_id, reason_en
        How a reason phrases the component; ``{value}`` (the raw value with `decimals`
        decimals, formatted for the language), ``{level}`` (tinggi/sedang/rendah by the
        percentile rank of the raw value) and ``{percentile}`` (0-100) are filled in.
    decimals
        Decimals of ``{value}`` in reasons.
    """

    name: str
    column: str
    higher_is: Literal["worse", "better"] = "worse"
    label_id: str = ""
    label_en: str = ""
    reason_id: str = "{label} {level} (persentil {percentile})"
    reason_en: str = "{label} {level} (percentile {percentile})"
    decimals: int = 0

    def label(self, language: str = "id") -> str:
        """The label in `language` (the name when no label is given)."""
        text = self.label_en if check_language(language) == "en" else self.label_id
        return text or self.name


#: The default components; the caller's desa frame must hold the columns of those weighted.
DEFAULT_COMPONENTS: tuple[Component, ...] = (
    Component("need", "need", "worse", "Kebutuhan", "Need",
              "kebutuhan {level} (persentil {percentile})",
              "{level} need (percentile {percentile})"),
    Component("gap", "gap", "worse", "Kesenjangan layanan", "Coverage gap",
              "kesenjangan {level} (persentil {percentile})",
              "{level} coverage gap (percentile {percentile})"),
    Component("access", "access_km", "worse", "Jarak ke puskesmas (km)",
              "Distance to puskesmas (km)",
              "{value} km ke puskesmas terdekat", "{value} km to the nearest puskesmas"),
    Component("capacity", "capacity", "better", "Kapasitas", "Capacity",
              "kapasitas {level} (persentil {percentile})",
              "{level} capacity (percentile {percentile})"),
)  # fmt: skip
#: Default weights (they sum to 1): need first, then the gap, then access and capacity deficit.
DEFAULT_WEIGHTS: dict[str, float] = {"need": 0.35, "gap": 0.25, "access": 0.2, "capacity": 0.2}


def parse_weights(text: str) -> dict[str, float]:
    """Weights from ``name=value,name=value`` (as typed on the command line).

    >>> parse_weights("need=0.4, gap=0.3,access=0.3")
    {'need': 0.4, 'gap': 0.3, 'access': 0.3}
    """
    weights: dict[str, float] = {}
    for part in str(text).split(","):
        name, sep, value = part.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not name.strip() or not math.isfinite(number):
            msg = (
                f"weights {text!r}: {part.strip()!r} cannot be read; expected name=number "
                "pairs separated by commas, e.g. 'need=0.4,gap=0.3,access=0.3'."
            )
            raise InputError(msg)
        weights[name.strip()] = number
    return weights


def resolve_weights(
    weights: Mapping[str, float] | str | None,
    components: Sequence[Component] = DEFAULT_COMPONENTS,
) -> dict[str, float]:
    """Weights per component name, re-normalised to sum to 1.

    `weights` (a mapping or a ``need=0.4,...`` string) replaces the defaults entirely: a
    component it does not name gets weight 0. None gives :data:`DEFAULT_WEIGHTS` for the
    default components, equal weights for others.

    >>> resolve_weights({"need": 2, "gap": 1, "access": 1})
    {'need': 0.5, 'gap': 0.25, 'access': 0.25, 'capacity': 0.0}
    """
    names = [c.name for c in components]
    if weights is None:
        given = (
            dict(DEFAULT_WEIGHTS)
            if set(names) == set(DEFAULT_WEIGHTS)
            else dict.fromkeys(names, 1.0)
        )
    else:
        given = parse_weights(weights) if isinstance(weights, str) else dict(weights)
    problems = []
    unknown = [k for k in given if k not in names]
    if unknown:
        problems.append(f"unknown weight name(s) {unknown}; expected some of {names}.")
    negative = {k: v for k, v in given.items() if not (v >= 0)}
    if negative:
        problems.append(f"negative weight(s) {negative}; weights must be 0 or more.")
    if not problems and sum(given.values()) <= 0:
        problems.append(f"weights {given} sum to 0; give at least one positive weight.")
    if problems:
        raise InputError(" ".join(problems))
    total = sum(given.values())
    return {n: float(given.get(n, 0.0)) / total for n in names}


# --- normalisation and score ------------------------------------------------------------------


def normalise(values: pd.Series, *, higher_is: Literal["worse", "better"] = "worse") -> pd.Series:
    """Min-max scale `values` to 0-1 so that 1 is the most priority.

    ``higher_is="worse"``: (x - min) / (max - min); ``"better"``: (max - x) / (max - min).
    Missing values stay missing (never 0). When every value is the same the component cannot
    rank anyone: every present value gets 0.5.

    >>> normalise(pd.Series([10.0, 20.0, 30.0, None])).tolist()
    [0.0, 0.5, 1.0, nan]
    >>> normalise(pd.Series([10.0, 20.0, 30.0]), higher_is="better").tolist()
    [1.0, 0.5, 0.0]
    """
    if higher_is not in ("worse", "better"):
        msg = f"higher_is={higher_is!r} is not supported; expected 'worse' or 'better'."
        raise InputError(msg)
    x = pd.to_numeric(values, errors="coerce").astype(float)
    lo, hi = x.min(), x.max()
    if not np.isfinite(hi - lo) or hi == lo:
        return x.where(x.isna(), 0.5)
    scaled = (x - lo) / (hi - lo)
    return scaled if higher_is == "worse" else 1 - scaled


def percentile_rank(values: pd.Series) -> pd.Series:
    """Percentile rank 0-100 of each value: share below plus half the share equal (NaN kept).

    >>> percentile_rank(pd.Series([1.0, 2.0, 2.0, 5.0])).tolist()
    [12.5, 50.0, 50.0, 87.5]
    """
    x = pd.to_numeric(values, errors="coerce").astype(float)
    n = x.notna().sum()
    return (x.rank(method="average") - 0.5) / n * 100


def check_component_columns(frame: pd.DataFrame, components: Sequence[Component]) -> None:
    """Raise :class:`InputError` unless `frame` holds every component's column, numeric."""
    missing = [c.column for c in components if c.column not in frame.columns]
    if missing:
        msg = (
            f"component column(s) {missing} not found in the desa table; found: "
            f"{list(frame.columns)}. Compute them first or give those components weight 0."
        )
        raise InputError(msg)
    bad = [
        c.column
        for c in components
        if not pd.api.types.is_numeric_dtype(frame[c.column])
        and not pd.api.types.is_bool_dtype(frame[c.column])
    ]
    if bad:
        msg = f"component column(s) {bad} are not numeric; convert them to numbers first."
        raise InputError(msg)


def weighted_components(
    components: Sequence[Component], weights: Mapping[str, float]
) -> list[Component]:
    """The components with a positive weight, in order."""
    return [c for c in components if weights[c.name] > 0]


def _normalised_matrix(frame: pd.DataFrame, components: Sequence[Component]) -> np.ndarray:
    """Normalised components as an (n desa, k components) array with NaN where missing."""
    return np.column_stack(
        [normalise(frame[c.column], higher_is=c.higher_is).to_numpy() for c in components]
    )


def _scores(norm: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Scores of (n, k) normalised values under (k,) or (k, d) weights: weighted mean of the
    components present (weights of missing components are shared out among the rest)."""
    present = ~np.isnan(norm)
    filled = np.where(present, norm, 0.0)
    num = filled @ weights
    den = present.astype(float) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def priority_score(
    frame: pd.DataFrame,
    *,
    components: Sequence[Component] = DEFAULT_COMPONENTS,
    weights: Mapping[str, float] | str | None = None,
    language: str = "id",
) -> pd.DataFrame:
    """Score and rank the rows of `frame` (the candidate desa) by a weighted sum of components.

    Each weighted component is min-max normalised over the rows of `frame` (:func:`normalise`;
    1 = most priority), and the score is the weighted sum, 0-1, with weights re-normalised to
    sum to 1 (:func:`resolve_weights`). A desa missing a component is scored on the components
    it has (their weights re-normalised), flagged ``incomplete`` and its reason says which
    data is missing; a desa missing every component gets no score and no rank.

    Returns
    -------
    A copy of `frame` with ``<name>_norm`` per component, ``score``, ``rank`` (1 = first;
    ties share the better rank), ``incomplete`` and ``reason`` (one line, the components in
    order of their contribution to the score).
    """
    lang = check_language(language)
    w = resolve_weights(weights, components)
    used = weighted_components(components, w)
    present = [c for c in components if c.column in frame.columns or w[c.name] > 0]
    check_component_columns(frame, present)
    out = frame.copy()
    norm = _normalised_matrix(out, present) if present else np.empty((len(out), 0))
    for j, c in enumerate(present):
        out[f"{c.name}_norm"] = norm[:, j]
    idx = [present.index(c) for c in used]
    wv = np.array([w[c.name] for c in used])
    score = _scores(norm[:, idx], wv)
    out["score"] = score
    out["rank"] = pd.Series(score, index=out.index).rank(ascending=False, method="min")
    out["rank"] = out["rank"].astype("Int64")
    out["incomplete"] = np.isnan(norm[:, idx]).any(axis=1)
    out["reason"] = reasons(out, components=used, weights=w, language=lang)
    return out


def reasons(
    frame: pd.DataFrame,
    *,
    components: Sequence[Component],
    weights: Mapping[str, float],
    language: str = "id",
) -> pd.Series:
    """One line per row built from its components, strongest contribution first.

    Needs the raw columns and the ``<name>_norm`` columns of :func:`priority_score`. Each
    component is phrased by its template (``{value}``, ``{level}``, ``{percentile}``); the
    percentile is :func:`percentile_rank` of the raw value over the rows of `frame`, rounded half
    up; the level is "tinggi" from :data:`HIGH_PERCENTILE` up, "rendah" from
    :data:`LOW_PERCENTILE` down, else "sedang". Missing components are listed last ("data tidak
    ada: kebutuhan (skor dari komponen lain)").
    """
    lang = check_language(language)
    words = LEVEL_WORDS[lang]
    cols = [
        (
            c,
            pd.to_numeric(frame[c.column], errors="coerce").to_numpy(dtype=float),
            percentile_rank(frame[c.column]).to_numpy(),
            weights[c.name] * frame[f"{c.name}_norm"].to_numpy(dtype=float),
            c.reason_en if lang == "en" else c.reason_id,
            c.label(lang).lower(),
        )
        for c in components
    ]
    lines = []
    for i in range(len(frame)):
        parts: list[tuple[float, str]] = []
        missing: list[str] = []
        for c, raw, pct, contribution, template, label in cols:
            if np.isnan(raw[i]):
                missing.append(label)
                continue
            p = math.floor(pct[i] + 0.5)  # 12.5 -> 13, as people round
            level = words["high"] if p >= HIGH_PERCENTILE else words["mid"]
            level = words["low"] if p <= LOW_PERCENTILE else level
            value = format_number(raw[i], decimals=c.decimals, language=lang)
            phrase = template.format(value=value, level=level, percentile=p, label=label)
            parts.append((-contribution[i], phrase))
        text = [phrase for _, phrase in sorted(parts, key=lambda t: t[0])]
        if missing:
            text.append(
                ("data tidak ada: " if lang == "id" else "no data: ")
                + ", ".join(missing)
                + (" (skor dari komponen lain)" if lang == "id" else " (scored on the rest)")
            )
        lines.append("; ".join(text))
    return pd.Series(lines, index=frame.index, dtype="object")


# --- sensitivity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    """How the ranking holds up when the weights change a little.

    ``table`` has, per desa (the index of the input), ``top_n_share`` (share of draws in which
    the desa is in the top N), ``rank_min``, ``rank_p05``, ``rank_p95`` and ``rank_max``.
    ``stable_share`` is the share of the base top N that stays in the top N in at least
    :data:`STAY_SHARE` of draws; ``mean_overlap`` the average share of the base top N found in
    a draw's top N. ``verdict`` is ``stable``, ``partly`` or ``unstable``; ``message`` says it
    in a plain sentence.
    """

    table: pd.DataFrame
    top_n: int
    draws: int
    perturbation: float
    seed: int
    stable_share: float
    mean_overlap: float
    verdict: Literal["stable", "partly", "unstable"]
    message: str
    weights: dict[str, float] = field(default_factory=dict)


def sensitivity(
    frame: pd.DataFrame,
    *,
    components: Sequence[Component] = DEFAULT_COMPONENTS,
    weights: Mapping[str, float] | str | None = None,
    top_n: int = DEFAULT_TOP_N,
    perturbation: float = DEFAULT_PERTURBATION,
    draws: int = DEFAULT_DRAWS,
    seed: int = SEED,
    language: str = "id",
) -> Sensitivity:
    """Seeded Monte Carlo of the weights: how often each desa stays in the top N.

    Each draw multiplies every weight by its own ``U(1 - perturbation, 1 + perturbation)``
    (``numpy.random.default_rng(seed)``), re-normalises them to sum to 1 and re-scores the
    rows of `frame` exactly as :func:`priority_score` does (same normalisation, same handling
    of missing components). Ranks within a draw are 1..n with ties broken by row order.
    Vectorised: 1,000 draws on 252 desa take well under a second
    (``benchmarks/bench_analysis.py``).
    """
    lang = check_language(language)
    problems = []
    if not (isinstance(top_n, int | np.integer) and top_n >= 1):
        problems.append(f"top_n={top_n!r} is not allowed; expected a whole number of 1 or more.")
    if not (0 <= perturbation < 1):
        problems.append(
            f"perturbation={perturbation!r} is not allowed; expected a share in [0, 1), "
            "e.g. 0.2 for +-20%."
        )
    if not (isinstance(draws, int | np.integer) and draws >= 1):
        problems.append(f"draws={draws!r} is not allowed; expected a whole number of 1 or more.")
    if problems:
        raise InputError(" ".join(problems))
    w = resolve_weights(weights, components)
    used = weighted_components(components, w)
    check_component_columns(frame, used)
    norm = _normalised_matrix(frame, used)
    base_w = np.array([w[c.name] for c in used])
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - perturbation, 1 + perturbation, size=(len(used), draws))
    wd = base_w[:, None] * factors
    wd /= wd.sum(axis=0, keepdims=True)
    base = _scores(norm, base_w)
    scored = np.isfinite(base)
    n = int(scored.sum())
    if n == 0:
        names = [c.column for c in used]
        msg = f"no row has a value in any weighted component column {names}; nothing to rank."
        raise InputError(msg)
    top = min(int(top_n), n)
    if top < top_n:
        log.info("top_n=%s but only %s desa have a score; using %s", top_n, n, top)
    s = _scores(norm[scored], wd)  # (n, draws)
    order = np.argsort(-s, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, n + 1)[:, None], axis=0)  # rank of i in d
    in_top = ranks <= top
    base_order = np.argsort(-base[scored], kind="stable")
    base_top = np.zeros(n, dtype=bool)
    base_top[base_order[:top]] = True
    share = in_top.mean(axis=1)
    table = pd.DataFrame(
        np.nan,
        index=frame.index,
        columns=["top_n_share", "rank_min", "rank_p05", "rank_p95", "rank_max"],
    )
    table.loc[scored, "top_n_share"] = share
    table.loc[scored, "rank_min"] = ranks.min(axis=1)
    table.loc[scored, "rank_p05"] = np.percentile(ranks, 5, axis=1, method="nearest")
    table.loc[scored, "rank_p95"] = np.percentile(ranks, 95, axis=1, method="nearest")
    table.loc[scored, "rank_max"] = ranks.max(axis=1)
    for col in ("rank_min", "rank_p05", "rank_p95", "rank_max"):
        table[col] = table[col].astype("Int64")
    stable_share = float((share[base_top] >= STAY_SHARE).mean()) if top else math.nan
    overlap = float((in_top & base_top[:, None]).sum(axis=0).mean() / top) if top else math.nan
    verdict: Literal["stable", "partly", "unstable"] = (
        "stable"
        if stable_share >= STABLE_SHARE
        else "unstable"
        if stable_share < UNSTABLE_BELOW
        else "partly"
    )
    kept = round(stable_share * top)
    message = _stability_message(verdict, kept, top, overlap, perturbation, draws, lang)
    return Sensitivity(
        table, top, draws, perturbation, seed, stable_share, overlap, verdict, message, w
    )


def _stability_message(
    verdict: str, kept: int, top: int, overlap: float, p: float, draws: int, lang: str
) -> str:
    """The plain sentence of a sensitivity verdict."""
    pct = f"{p * 100:g}"
    stay = f"{STAY_SHARE * 100:g}"
    ov = format_number(overlap * 100, language=lang)
    n_draws = format_number(draws, language=lang)
    if lang == "en":
        base = (
            f"{kept} of the top {top} desa stay in the top {top} in at least {stay}% of "
            f"{n_draws} draws with weights changed by up to ±{pct}%; on average {ov}% of "
            "the shortlist stays the same."
        )
        return {
            "stable": f"The shortlist is stable: {base}",
            "partly": f"The shortlist is partly stable: {base} The others depend on the weights.",
            "unstable": f"Warning: the shortlist changes a lot under small weight changes: "
            f"{base} Its order depends on the weights; agree on the weights before using it.",
        }[verdict]
    base = (
        f"{kept} dari {top} desa teratas tetap di {top} teratas pada sedikitnya {stay}% dari "
        f"{n_draws} simulasi dengan bobot diubah hingga ±{pct}%; rata-rata {ov}% daftar "
        "tetap sama."
    )
    return {
        "stable": f"Daftar pendek stabil: {base}",
        "partly": f"Daftar pendek cukup stabil: {base} Desa lainnya bergantung pada bobot.",
        "unstable": "Peringatan: daftar pendek berubah banyak dengan perubahan bobot kecil: "
        f"{base} Urutannya bergantung pada bobot; sepakati bobotnya sebelum memakai daftar ini.",
    }[verdict]
