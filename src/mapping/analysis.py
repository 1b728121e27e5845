"""The coverage analysis of the desa in one call: measures, access, gap, clusters, CSR inputs.

:func:`coverage_analysis` chains the analysis modules on a joined desa layer, the same chain
the build, the command line and the notebooks use:

1. need and capacity measures with raw and Empirical-Bayes rates (:mod:`mapping.measures`);
2. access to services: distance to the nearest puskesmas and 2SFCA/E2SFCA
   (:mod:`mapping.access`, puskesmas at approximate locations from :mod:`mapping.services`);
3. the coverage gap and its 1-5 severity (:mod:`mapping.coverage`), quadrants of need vs
   capacity;
4. local Moran clusters of need and of the gap, and need vs neighbours' capacity
   (:mod:`mapping.clusters`).

:func:`priority_components` then turns the result into the components of a CSR shortlist
(:func:`mapping.targeting.shortlist`): need, PKH coverage, distance to a puskesmas, capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import geopandas as gpd
import pandas as pd

from mapping import access, clusters, coverage
from mapping.categories import CATEGORY_BY_CODE, short_name
from mapping.errors import InputError, ProblemReport
from mapping.labels import check_language
from mapping.measures import Measure, add_measures, get_measure
from mapping.priority import Component
from mapping.privacy import DEFAULT_K, is_person_count, protect
from mapping.regions import tapanuli_utara
from mapping.services import load_puskesmas
from mapping.siting import SitingResult, select_sites
from mapping.targeting import Shortlist


@dataclass(frozen=True)
class AnalysisOptions:
    """What the coverage analysis measures, and how (defaults: the real desa indicators).

    Attributes
    ----------
    need, reached
        Count columns of the coverage gap: the people or families in need and those reached
        (default: families at risk of stunting and PKH recipients).
    need_measure, capacity_measure
        The :mod:`mapping.measures` measures (built-in codes, or
        :class:`~mapping.measures.Measure` objects of your own) mapped as need and capacity
        (their Empirical-Bayes rates go into the quadrants, the clusters and the priority).
    denominator
        Column of the rates' denominator (families).
    smoothing
        ``"global"`` or ``"spatial"`` Empirical-Bayes smoothing.
    min_denominator
        Areas with fewer families are flagged as too small to map alone.
    catchment_km, decay, detour_factor
        Access: 2SFCA catchment, E2SFCA distance decay, road-distance factor over a straight
        line (see :mod:`mapping.access`).
    permutations, seed, alpha
        Local Moran's permutation test and false-discovery-rate level.
    clusters
        Whether to compute the clusters (the slowest step, about a second).
    """

    need: str = coverage.REAL_COVERAGE["need"]
    reached: str = coverage.REAL_COVERAGE["reached"]
    need_measure: str | Measure = "risiko_stunting"
    capacity_measure: str | Measure = "pendamping_desa"
    denominator: str = coverage.REAL_COVERAGE["denominator"]
    smoothing: str = "global"
    min_denominator: float = 50
    catchment_km: float = access.CATCHMENT_KM
    decay: access.Decay = "step"
    detour_factor: float = access.DETOUR_FACTOR
    permutations: int = clusters.PERMUTATIONS
    seed: int = clusters.SEED
    alpha: float = clusters.ALPHA
    clusters: bool = True


#: Column names of the analysis result that the maps, tables and priority use.
COLUMNS: dict[str, str] = {
    "need_rate": "need_rate",  # need measure, EB rate per 1,000 families
    "capacity_rate": "capacity_rate",  # capacity measure, EB rate per 1,000 families
    "puskesmas_km": "puskesmas_km",
    "puskesmas_2sfca": "puskesmas_2sfca",
}


@dataclass
class CoverageAnalysis:
    """The desa with every analysis column, the service points, clusters and warnings.

    ``desa`` holds the input columns plus: the measure columns (``<measure>``,
    ``<measure>_per_1000``, ``<measure>_per_1000_eb``, ``<measure>_small_base``), ``need_rate``
    and ``capacity_rate`` (the EB rates of the chosen measures), the coverage columns
    (``need``, ``reached``, ``gap``, ``surplus``, ``coverage_pct``, ``severity``,
    ``severity_label``, ``gap_per_1000``), ``quadrant`` and ``quadrant_label``, the access
    columns (``puskesmas_km``, ``puskesmas_name``, ``puskesmas_2sfca``, ``puskesmas_e2sfca``...)
    and, with clusters, ``lisa_need``, ``lisa_gap`` and ``lisa_need_capacity`` (cluster codes;
    the full tables are in ``clusters``).
    """

    desa: gpd.GeoDataFrame
    services: gpd.GeoDataFrame
    clusters: dict[str, pd.DataFrame] = field(default_factory=dict)
    report: ProblemReport = field(default_factory=ProblemReport)
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    language: str = "id"
    #: Whether the desa are those of :func:`publishable` (disclosure control applied).
    published: bool = False

    def severity_counts(self) -> pd.Series:
        """Number of desa per severity label, in severity order (no-data last)."""
        order = [c.label(self.language) for c in coverage.SEVERITY]
        counts = self.desa["severity_label"].value_counts()
        return counts.reindex([*order, *[k for k in counts.index if k not in order]]).fillna(0)


def _label(measure: str, language: str) -> str:
    m = get_measure(measure)
    return f"{m.name(language)} ({m.rate_label(language)})"


def coverage_analysis(
    desa: gpd.GeoDataFrame,
    *,
    services: gpd.GeoDataFrame | None = None,
    options: AnalysisOptions | None = None,
    language: str = "id",
    **changes: object,
) -> CoverageAnalysis:
    """The coverage analysis of joined desa data (one row per desa, counts as columns).

    `services` are the service points (``kind``, ``capacity``; default the 17 puskesmas of
    Tapanuli Utara at their approximate locations, :func:`mapping.services.load_puskesmas`;
    desa of another region need their own, e.g. from :func:`mapping.services.read_services`).
    `options` (or keyword `changes` of :class:`AnalysisOptions`, e.g. ``catchment_km=5``)
    choose the columns and the methods. The input is not changed.

    Example::

        desa, kec, _ = real_indicator_layers()
        result = coverage_analysis(desa)
        result.desa[["name", "coverage_pct", "severity_label", "puskesmas_km"]]
    """
    lang = check_language(language)
    opts = options or AnalysisOptions()
    if changes:
        unknown = sorted(set(changes) - set(AnalysisOptions.__dataclass_fields__))
        if unknown:
            allowed = sorted(AnalysisOptions.__dataclass_fields__)
            msg = f"Unknown analysis option(s) {unknown}; allowed: {allowed}."
            raise InputError(msg)
        opts = replace(opts, **changes)  # type: ignore[arg-type]
    if "code" not in desa.columns:
        msg = "coverage_analysis needs desa with a 'code' column (the joined desa layer)."
        raise InputError(msg)
    measured, report = add_measures(
        desa,
        [opts.need_measure, opts.capacity_measure],
        smoothing=opts.smoothing,
        min_denominator=opts.min_denominator,
    )
    need_m, cap_m = get_measure(opts.need_measure), get_measure(opts.capacity_measure)
    measured["need_rate"] = measured[need_m.columns.smoothed]
    measured["capacity_rate"] = measured[cap_m.columns.smoothed]
    out = coverage.coverage_gap(
        measured, need=opts.need, reached=opts.reached, denominator=opts.denominator,
        language=lang,
    )  # fmt: skip
    out = coverage.quadrants(out, need="need_rate", capacity="capacity_rate", language=lang)

    if services is None:
        tu = tapanuli_utara()
        foreign = sorted(c for c in desa["code"].astype(str) if not c.startswith(tu.code + "."))
        if foreign:
            msg = (
                f"services=None uses the puskesmas of {tu.title()}, but desa {foreign[:3]} are "
                "not in it. Pass the region's service points as services= (read them with "
                "mapping.services.read_services or as_services)."
            )
            raise InputError(msg)
    points = load_puskesmas() if services is None else services
    demand = pd.Series(
        pd.to_numeric(out[opts.denominator], errors="coerce").fillna(0).to_numpy(),
        index=out["code"].astype(str),
    )
    acc = access.service_access(
        out, points, demand, catchment=opts.catchment_km, decay=opts.decay,
        detour_factor=opts.detour_factor,
    )  # fmt: skip
    aligned = acc.reindex(out["code"].astype(str))
    for column in aligned.columns:
        out[column] = aligned[column].to_numpy()
    out.attrs = {**measured.attrs, "analysis": opts}

    found: dict[str, pd.DataFrame] = {}
    if opts.clusters:
        w = clusters.queen_weights(out)
        common = {
            "weights": w, "permutations": opts.permutations, "seed": opts.seed,
            "alpha": opts.alpha, "language": lang,
        }  # fmt: skip
        gap_label = "Kesenjangan per 1.000 keluarga" if lang == "id" else "Gap per 1,000 families"
        found["need"] = clusters.local_moran(out, "need_rate", label=need_m.name(lang), **common)
        found["gap"] = clusters.local_moran(out, "gap_per_1000", label=gap_label, **common)
        found["need_capacity"] = clusters.bivariate_local_moran(
            out, "need_rate", "capacity_rate", x_label=need_m.name(lang),
            y_label=cap_m.name(lang), **common,
        )  # fmt: skip
        for key, table in found.items():
            out[f"lisa_{key}"] = table["cluster"].to_numpy()
    return CoverageAnalysis(
        desa=out, services=points, clusters=found, report=report, options=opts, language=lang
    )


#: Weight names of :func:`priority_components` and what each measures (for help texts).
PRIORITY_MEANING: Mapping[str, str] = {
    "need": "need rate (Empirical Bayes, per 1,000 families): higher = more priority",
    "gap": "coverage of need by the programme (%): lower = more priority",
    "access": "estimated road km to the nearest puskesmas: farther = more priority",
    "capacity": "capacity rate per 1,000 families: lower = more priority",
}


#: Columns of the frame :func:`priority_components` returns (besides the components).
PRIORITY_ID_COLUMNS: tuple[str, ...] = ("code", "name", "kecamatan", "kecamatan_code")


def priority_components(
    analysis: CoverageAnalysis, *, language: str | None = None, k: int = DEFAULT_K
) -> tuple[gpd.GeoDataFrame, tuple[Component, ...]]:
    """The desa with the four priority columns, and the components that weigh them.

    ``need_component`` is the need rate, ``coverage_component`` the coverage of need capped
    at 100% (a desa with no need counts as covered: nothing is missing there), ``access_km``
    the distance to the nearest service, ``capacity_component`` the capacity rate. Reasons
    read e.g. "kebutuhan tinggi (persentil 92); cakupan PKH 41%; 14 km ke puskesmas
    terdekat". The values are those of :func:`publishable` (small counts hidden with disclosure
    threshold `k`, unless `analysis` is already publishable with its own settings), so a
    shortlist and its reasons never give a small count back: a desa whose need is hidden is
    scored on its other components and says so.
    """
    lang = check_language(language or analysis.language)
    opts = analysis.options
    safe = publishable(analysis, k=k).desa
    cols = [c for c in PRIORITY_ID_COLUMNS if c in safe.columns]
    frame = gpd.GeoDataFrame(safe[cols], geometry=safe.geometry, crs=safe.crs)
    need = pd.to_numeric(safe["need"], errors="coerce")
    cov = pd.to_numeric(safe["coverage_pct"], errors="coerce").clip(upper=100)
    frame["need_component"] = safe["need_rate"]
    frame["coverage_component"] = cov.where(~(need == 0), 100.0)
    frame["access_km"] = safe[COLUMNS["puskesmas_km"]]
    frame["capacity_component"] = safe["capacity_rate"]
    need_m, cap_m = get_measure(opts.need_measure), get_measure(opts.capacity_measure)
    reached, reached_en = (short_name(opts.reached, language=lg) for lg in ("id", "en"))
    components = (
        Component(
            "need", "need_component", "worse", f"{need_m.name('id')} per 1.000 keluarga (EB)",
            f"{need_m.name('en')} per 1,000 families (EB)",
            "kebutuhan {level} (persentil {percentile})",
            "{level} need (percentile {percentile})",
        ),
        Component(
            "gap", "coverage_component", "better", f"Cakupan {reached} (%)",
            f"{reached_en} coverage (%)", f"cakupan {reached} {{value}}%",
            f"{reached_en} coverage {{value}}%",
        ),
        Component(
            "access", "access_km", "worse", "Jarak ke puskesmas (km)",
            "Distance to puskesmas (km)", "{value} km ke puskesmas terdekat",
            "{value} km to the nearest puskesmas",
        ),
        Component(
            "capacity", "capacity_component", "better",
            f"{cap_m.name('id')} per 1.000 keluarga (EB)",
            f"{cap_m.name('en')} per 1,000 families (EB)",
            "kapasitas {level} (persentil {percentile})",
            "{level} capacity (percentile {percentile})",
        ),
    )  # fmt: skip
    frame.attrs = {**safe.attrs, "language": lang}
    return frame, components


#: Columns of :func:`coverage_table`, in order (those the analysis has).
TABLE_COLUMNS: tuple[str, ...] = (
    "code", "name", "kecamatan", "keluarga", "need", "reached", "gap", "surplus",
    "coverage_pct", "severity", "severity_label", "gap_per_1000", "need_rate",
    "capacity_rate", "quadrant_label", "puskesmas_km", "puskesmas_name",
    "puskesmas_lokasi_perkiraan", "puskesmas_2sfca", "puskesmas_e2sfca", "lisa_need",
    "lisa_gap", "lisa_need_capacity",
)  # fmt: skip


def coverage_table(analysis: CoverageAnalysis, *, protected: bool = True) -> pd.DataFrame:
    """One row per area with the analysis columns people read (no geometry), in order.

    Also ``small_base``: the area has too few families for its rates to be read alone. The
    values are those of :func:`publishable` (``protected=False`` for internal use only; an
    analysis already made publishable keeps its suppressions and settings either way).
    """
    frame = (publishable(analysis) if protected else publishable(analysis, enabled=False)).desa
    cols = [c for c in TABLE_COLUMNS if c in frame.columns]
    table = pd.DataFrame(frame[cols]).copy()
    small = get_measure(analysis.options.need_measure).columns.small
    if small in frame.columns:
        table.insert(cols.index("need_rate") + 1, "small_base", frame[small].to_numpy())
    table.attrs = dict(frame.attrs)
    return table


def new_sites(
    analysis: CoverageAnalysis,
    shortlist: Shortlist,
    *,
    n_sites: int,
    radius_km: float = 5.0,
    existing: gpd.GeoDataFrame | None = None,
) -> SitingResult:
    """Where to put `n_sites` new programme sites among the desa of `shortlist`'s area.

    Maximises the unmet need (the coverage gap: families in need not reached) within
    `radius_km` of a new site (:func:`mapping.siting.select_sites`, MCLP and greedy side by
    side); need within `radius_km` of `existing` sites (points of the same programme already
    running) counts as covered before.
    """
    frame = analysis.desa
    gap = pd.to_numeric(frame["gap"], errors="coerce").fillna(0)
    need = pd.Series(gap.to_numpy(), index=frame["code"].astype(str))
    return select_sites(
        frame,
        need,
        n_sites=n_sites,
        radius_km=radius_km,
        candidates=shortlist.table["code"].astype(str).tolist(),
        existing=existing,
        detour_factor=analysis.options.detour_factor,
    )


#: Measure units that count people or families (their counts are protected).
PERSON_UNITS: frozenset[str] = frozenset({"orang", "keluarga", "anak"})


def _counts_people(column: str, measures: list[Measure]) -> bool:
    """Whether count `column` counts people: a catalogue column by the catalogue, a measure's
    count by its unit, anything else (a measure of the user's not at hand) to be safe."""
    if column in CATEGORY_BY_CODE:
        return is_person_count(column)
    unit = next((m.unit for m in measures if m.code == column), None)
    return unit is None or unit in PERSON_UNITS


def publishable(
    analysis: CoverageAnalysis,
    *,
    k: int = DEFAULT_K,
    k_by_column: Mapping[str, int] | None = None,
    enabled: bool = True,
) -> CoverageAnalysis:
    """A copy of `analysis` whose desa are safe to publish (:func:`mapping.privacy.protect`).

    Besides the catalogue's person counts, the analysis' own counts are protected when the
    need or the reach counts people or families: ``need``, ``reached`` and the need measure's
    total; every rate, share and smoothed rate of a hidden count is hidden with it. The gap
    and the surplus (``need - reached`` floored at 0, and the other way round) are not counts
    of their own (the two are not matched family by family) but give either count back from
    the other, so they, ``gap_per_1000`` and ``coverage_pct`` are hidden when the need or the
    reach is. The maps and tables of :mod:`mapping.coveragemaps` call this, so their values
    show "< 5". `k`, `k_by_column` and `enabled` are those of :func:`mapping.privacy.protect`
    (``enabled=False`` is for internal analysis only: the outputs then say "INTERNAL"). An
    analysis that is already publishable is returned as it is, so a build protects it once
    with its own settings and every output uses the same cells.
    """
    if analysis.published:
        return analysis
    opts = analysis.options
    frame = analysis.desa
    need_m = get_measure(opts.need_measure)
    measures = [need_m, get_measure(opts.capacity_measure)]
    people = _counts_people(opts.need, measures) or _counts_people(opts.reached, measures)
    own = ["need", "reached", need_m.columns.total] if people else []
    counts = [
        c
        for c in dict.fromkeys([*(c for c in frame.columns if is_person_count(str(c))), *own])
        if c in frame.columns
    ]
    both = ["need", "reached"]
    rates: dict[str, object] = {
        "coverage_pct": both,
        "coverage_component": both,
        "gap": both,
        "surplus": both,
        "gap_per_1000": both,
        "need_rate": need_m.columns.total,
        "need_component": need_m.columns.total,
    }
    safe, _ = protect(
        frame, counts=counts, rates=rates, k=k, k_by_column=k_by_column, enabled=enabled
    )
    return replace(analysis, desa=safe, published=True)
