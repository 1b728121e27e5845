"""Need and capacity as defined measures: named category sums per 1,000 families, raw and smoothed.

A measure is a documented combination of catalogue categories divided by a denominator column
(by default ``keluarga``, the families the stunting programme counts). Need measures count
people or families with a problem; capacity measures count resources of one unit only
(people, organisations or services), so they are never a sum of mixed units. A company's CSR
(Dunia Usaha, ``du``) is a programme that reaches desa, not capacity of the desa: no capacity
measure may contain it. :func:`add_measures` adds, per measure, its count, its raw rate, its
Empirical-Bayes rate and a flag for areas too small to map alone, and reports impossible values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import geopandas as gpd
import pandas as pd

from mapping.categories import CATEGORY_BY_CODE
from mapping.errors import InputError, Problem, ProblemReport
from mapping.indicators import (
    MIN_DENOMINATOR,
    SMOOTHING,
    area_label,
    impossible_counts,
    queen_weights,
    rate,
    small_denominator,
    smooth_rate,
)
from mapping.labels import check_language, format_number

Role = Literal["need", "capacity"]
ROLES: tuple[str, ...] = ("need", "capacity")

#: Units a measure counts in, with their Indonesian and English words.
UNITS: dict[str, dict[str, str]] = {
    "orang": {"id": "orang", "en": "people"},
    "keluarga": {"id": "keluarga", "en": "families"},
    "anak": {"id": "anak", "en": "children"},
    "lembaga": {"id": "lembaga", "en": "organisations"},
    "layanan": {"id": "layanan", "en": "services"},
}
#: Units a capacity measure may count: resources of one kind, never mixed.
CAPACITY_UNITS: tuple[str, ...] = ("orang", "lembaga", "layanan")

#: Catalogue categories that are deliberately in no default capacity measure, and why
#: (Indonesian, English). ``du`` may not be in any capacity measure at all.
NOT_CAPACITY: dict[str, tuple[str, str]] = {
    "du": (
        "Dunia Usaha (CSR perusahaan) adalah program yang menjangkau desa, bukan kapasitas "
        "layanan desa; petakan sebagai lokasi program, bukan sebagai kapasitas.",
        "A company's CSR (Dunia Usaha) is a programme that reaches desa, not the desa's own "
        "welfare capacity; map it as programme sites, never as capacity.",
    ),
    "kp": (
        "Keluarga Pioner adalah keluarga teladan, bukan tenaga atau lembaga layanan; tidak "
        "dijumlahkan dengan orang atau lembaga (dapat dipakai dalam ukuran buatan pengguna).",
        "Pioneer families are role-model families, neither workers nor organisations; not "
        "added to either (users may put them in a measure of their own).",
    ),
}
#: Categories a capacity measure may never contain.
PROGRAMMES: frozenset[str] = frozenset({"du"})


class MeasureColumns(NamedTuple):
    """The columns :func:`add_measures` writes for one measure."""

    total: str
    rate: str
    smoothed: str
    small: str


@dataclass(frozen=True)
class Measure:
    """A need or capacity measure: the sum of `categories` per `per` units of `denominator`.

    Parameters
    ----------
    code
        Column name of the count (rates add ``_per_1000``, ``_per_1000_eb``); not a catalogue
        code, so it never overwrites an input column.
    name_id, name_en
        Names for maps and tables.
    categories
        Catalogue codes (:data:`mapping.categories.CATEGORY_BY_CODE`) whose columns are summed.
    role
        ``"need"`` or ``"capacity"``.
    unit
        What one counted item is, a key of :data:`UNITS`; capacity counts one of
        :data:`CAPACITY_UNITS`.
    denominator
        Column divided by (default ``keluarga``, families).
    per
        Rate per this many units of the denominator (default 1,000).
    bounded
        The counted items are part of the denominator (families at risk among families), so a
        count above the denominator is impossible and reported.
    synthetic
        Built from the synthetic sample (contoh sintetis), not from real data.
    description_id, description_en
        What it measures and its caveats, in plain words.

    >>> m = Measure("lansia", "Lansia telantar", "Neglected elderly", ("lut",))
    >>> m.columns.rate, m.rate_label(), m.rate_label("en")
    ('lansia_per_1000', 'per 1.000 keluarga', 'per 1,000 families')
    """

    code: str
    name_id: str
    name_en: str
    categories: tuple[str, ...]
    role: Role = "need"
    unit: str = "orang"
    denominator: str = "keluarga"
    per: float = 1_000
    bounded: bool = False
    synthetic: bool = False
    description_id: str = ""
    description_en: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        problems = _definition_problems(self)
        if problems:
            msg = f"Measure {self.code!r} cannot be used:\n  " + "\n  ".join(problems)
            raise InputError(msg)

    @property
    def columns(self) -> MeasureColumns:
        """Names of the count, raw rate, smoothed rate and small-denominator flag columns."""
        rate_col = f"{self.code}_per_{self.per:g}"
        return MeasureColumns(self.code, rate_col, f"{rate_col}_eb", f"{self.code}_small_base")

    def name(self, language: str = "id") -> str:
        """The measure's name in `language`."""
        return self.name_en if check_language(language) == "en" else self.name_id

    def description(self, language: str = "id") -> str:
        """What the measure counts, in `language`."""
        return self.description_en if check_language(language) == "en" else self.description_id

    def rate_label(self, language: str = "id") -> str:
        """ "per 1.000 keluarga" (Indonesian) or "per 1,000 families" (English)."""
        lang = check_language(language)
        den = CATEGORY_BY_CODE.get(self.denominator)
        if self.denominator == "keluarga":
            word = UNITS["keluarga"][lang]
        elif den is not None:
            word = den.name_en if lang == "en" else den.name_id
        else:
            word = self.denominator
        return f"per {format_number(self.per, language=lang)} {word}"


def _definition_problems(m: Measure) -> list[str]:
    """Everything wrong with a measure's own definition, one plain sentence each."""
    out = []
    if not m.code or not m.code.isidentifier():
        out.append(f"code={m.code!r} must be a column-like name (letters, digits, '_').")
    if m.code in CATEGORY_BY_CODE:
        out.append(
            f"code={m.code!r} is a catalogue category (an input column); choose another code, "
            f"e.g. {m.code + '_ukur'!r}."
        )
    if m.role not in ROLES:
        out.append(f"role={m.role!r} is not a role; expected one of {list(ROLES)}.")
    if m.unit not in UNITS:
        out.append(f"unit={m.unit!r} is not a unit; expected one of {list(UNITS)}.")
    elif m.role == "capacity" and m.unit not in CAPACITY_UNITS:
        out.append(
            f"unit={m.unit!r} is not a capacity unit; capacity counts one of "
            f"{list(CAPACITY_UNITS)} (people, organisations or services), never a mix."
        )
    if not m.categories:
        out.append("categories is empty; list at least one catalogue code, e.g. ('fm',).")
    unknown = [c for c in m.categories if c not in CATEGORY_BY_CODE]
    if unknown:
        out.append(
            f"unknown category code(s) {unknown}; known codes: {sorted(CATEGORY_BY_CODE)} "
            "(see mapping.categories.categories())."
        )
    dupes = sorted({c for c in m.categories if m.categories.count(c) > 1})
    if dupes:
        out.append(f"category code(s) {dupes} listed twice; each counts once.")
    programmes = sorted(PROGRAMMES & set(m.categories))
    if m.role == "capacity" and programmes:
        out.append(
            f"capacity cannot contain {programmes}: {NOT_CAPACITY['du'][1]} Use role='need' "
            "for something else or drop it."
        )
    if not (m.per > 0):
        out.append(f"per={m.per!r} must be a positive number (e.g. 1000).")
    if m.denominator in m.categories:
        out.append(f"denominator {m.denominator!r} is also one of the categories.")
    return out


_FAM = "Penyebut: jumlah keluarga (sasaran program stunting, bukan semua rumah tangga)."
_FAM_EN = "Denominator: families (the stunting programme's target families, not all households)."
_SYN = " Contoh sintetis, bukan data sebenarnya."
_SYN_EN = " Synthetic example (contoh sintetis), not real data."

#: The default measures, by code. ``synthetic`` ones need the PMKS/PSKS sample columns; the
#: others use the real desa indicators.
DEFAULT_MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "pmks_prioritas",
            "PMKS prioritas",
            "Priority PMKS",
            ("fm", "lut", "pd", "at"),
            unit="orang",
            synthetic=True,
            description_id="Fakir miskin, lanjut usia telantar, penyandang disabilitas dan anak "
            "telantar, per 1.000 keluarga. " + _FAM + _SYN,
            description_en="Poor people, neglected elderly, persons with disabilities and "
            "neglected children, per 1,000 families. " + _FAM_EN + _SYN_EN,
        ),
        Measure(
            "psks_orang",
            "Tenaga kesejahteraan sosial",
            "Social welfare workers",
            ("peksos", "psm", "tagana", "wpks", "penyuluh", "tksk"),
            role="capacity",
            unit="orang",
            synthetic=True,
            description_id="PSKS perorangan: pekerja sosial profesional, PSM, Tagana, WPKS, "
            "penyuluh sosial dan TKSK, per 1.000 keluarga. " + _FAM + _SYN,
            description_en="Welfare workers: professional and community social workers, "
            "Tagana, women welfare leaders, social extension workers and TKSK, per 1,000 "
            "families. " + _FAM_EN + _SYN_EN,
        ),
        Measure(
            "psks_lembaga",
            "Lembaga kesejahteraan sosial",
            "Social welfare organisations",
            ("lks", "kartar", "lk3", "wksbm"),
            role="capacity",
            unit="lembaga",
            synthetic=True,
            description_id="PSKS kelembagaan: LKS, Karang Taruna, LK3 dan WKSBM, per 1.000 "
            "keluarga. Dunia Usaha (CSR) tidak termasuk: itu program, bukan kapasitas. "
            + _FAM
            + _SYN,
            description_en="Welfare organisations: LKS, Karang Taruna, LK3 and WKSBM, per "
            "1,000 families. Businesses (CSR) are not included: a programme, not capacity. "
            + _FAM_EN
            + _SYN_EN,
        ),
        Measure(
            "risiko_stunting",
            "Keluarga berisiko stunting",
            "Families at risk of stunting",
            ("keluarga_berisiko_stunting",),
            unit="keluarga",
            bounded=True,
            description_id="Keluarga berisiko stunting per 1.000 keluarga. " + _FAM,
            description_en="Families at risk of stunting per 1,000 families. " + _FAM_EN,
        ),
        Measure(
            "stunting",
            "Anak stunting",
            "Stunted children",
            ("anak_stunting",),
            unit="anak",
            description_id="Anak stunting per 1.000 keluarga (satu keluarga dapat memiliki "
            "lebih dari satu anak). " + _FAM,
            description_en="Stunted children per 1,000 families (a family may have more than "
            "one). " + _FAM_EN,
        ),
        Measure(
            "pendamping_desa",
            "Kader dan pendamping keluarga",
            "Cadres and family assistants",
            ("kader", "kader_pembangunan_manusia", "tim_pendamping_keluarga"),
            role="capacity",
            unit="orang",
            description_id="Kader, kader pembangunan manusia dan anggota tim pendamping keluarga "
            "(tim beranggota 3 orang), per 1.000 keluarga; satu orang dapat tercatat di dua "
            "peran. " + _FAM,
            description_en="Cadres, human development cadres and members of family assistance "
            "teams (teams of 3), per 1,000 families; one person may hold two roles. " + _FAM_EN,
        ),
        Measure(
            "layanan_posyandu",
            "Posyandu",
            "Posyandu (health posts)",
            ("posyandu",),
            role="capacity",
            unit="layanan",
            description_id="Posyandu per 1.000 keluarga. Puskesmas dihitung sebagai titik "
            "layanan (jarak), bukan di sini. " + _FAM,
            description_en="Posyandu per 1,000 families. Puskesmas are service points "
            "(distance), not counted here. " + _FAM_EN,
        ),
    )
}
#: Defaults on the synthetic PMKS/PSKS sample (contoh sintetis).
SAMPLE_MEASURES: tuple[str, ...] = tuple(c for c, m in DEFAULT_MEASURES.items() if m.synthetic)
#: Defaults on the real desa indicators.
REAL_MEASURES: tuple[str, ...] = tuple(c for c, m in DEFAULT_MEASURES.items() if not m.synthetic)


def get_measure(measure: Measure | str) -> Measure:
    """`measure` itself, or the default measure of that code.

    >>> get_measure("risiko_stunting").categories
    ('keluarga_berisiko_stunting',)
    """
    if isinstance(measure, Measure):
        return measure
    try:
        return DEFAULT_MEASURES[measure]
    except KeyError:
        msg = (
            f"No default measure {measure!r}; defaults: {list(DEFAULT_MEASURES)}. Define your "
            "own with Measure(code, name_id, name_en, categories, ...)."
        )
        raise InputError(msg) from None


def default_measures(frame: pd.DataFrame) -> list[Measure]:
    """The default measures whose category and denominator columns are all in `frame`."""
    return [
        m
        for m in DEFAULT_MEASURES.values()
        if all(c in frame.columns for c in (*m.categories, m.denominator))
    ]


def measures_table(
    measures: Iterable[Measure | str] | None = None, *, language: str = "id"
) -> pd.DataFrame:
    """The measures as a table for a report or notebook: one row each, in `language`.

    >>> measures_table(["risiko_stunting"])[["code", "role", "rate"]].values.tolist()
    [['risiko_stunting', 'need', 'per 1.000 keluarga']]
    """
    lang = check_language(language)
    chosen = [get_measure(m) for m in (DEFAULT_MEASURES if measures is None else measures)]
    rows = [
        {
            "code": m.code,
            "name": m.name(lang),
            "role": m.role,
            "unit": UNITS[m.unit][lang],
            "categories": ", ".join(
                f"{CATEGORY_BY_CODE[c].name_en if lang == 'en' else CATEGORY_BY_CODE[c].name_id}"
                f" ({c})"
                for c in m.categories
            ),
            "rate": m.rate_label(lang),
            "synthetic": m.synthetic,
            "description": m.description(lang),
        }
        for m in chosen
    ]
    return pd.DataFrame(rows)


def check_measures(frame: pd.DataFrame, measures: Sequence[Measure]) -> None:
    """Raise one :class:`InputError` listing every measure that `frame` cannot compute.

    Names each missing category or denominator column and lists the columns that exist.
    """
    problems = []
    for m in measures:
        missing = [c for c in (*m.categories, m.denominator) if c not in frame.columns]
        if missing:
            problems.append(f"measure {m.code!r} needs column(s) {missing}")
    codes = [m.code for m in measures]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        problems.append(f"measure code(s) {dupes} given twice")
    inputs = {c for m in measures for c in (*m.categories, m.denominator)}
    clash = sorted(inputs & {col for m in measures for col in m.columns})
    if clash:
        problems.append(f"measure column(s) {clash} would overwrite input columns")
    if problems:
        msg = (
            "Cannot add the measures: "
            + "; ".join(problems)
            + f". The frame has columns {list(frame.columns)}; join the table that holds them "
            "(e.g. mapping.pipeline.synthetic_layers) or choose other measures."
        )
        raise InputError(msg)


def add_measures(
    frame: pd.DataFrame,
    measures: Iterable[Measure | str] | None = None,
    *,
    smoothing: str = "global",
    min_denominator: float = MIN_DENOMINATOR,
    source: str = "",
) -> tuple[pd.DataFrame, ProblemReport]:
    """A copy of `frame` with four columns per measure, and a report of suspicious values.

    For a measure ``m`` (see :attr:`Measure.columns`): ``m`` the count (sum of its categories,
    a missing category counting 0; missing when all are missing), ``m_per_1000`` the raw
    rate, ``m_per_1000_eb`` the Empirical-Bayes rate (:func:`mapping.indicators.smooth_rate`,
    `smoothing` ``"global"`` or ``"spatial"``, which needs a GeoDataFrame) and
    ``m_small_base``, True where the denominator is below `min_denominator`
    (:data:`mapping.indicators.MIN_DENOMINATOR` families by default): map the smoothed rate
    there, or say the rate is unstable.

    A zero or missing denominator gives missing rates, never 0 or inf. The report holds
    warnings (nothing is changed): areas with a zero or missing denominator, and, for
    ``bounded`` measures, counts above their denominator (a share above 1,000 per 1,000); for
    all, counts below 0 (left out of the smoothing). `measures` defaults to
    :func:`default_measures` of `frame`. `source` names the input in the report.

    >>> df = pd.DataFrame({"code": ["a", "b"], "name": ["A", "B"],
    ...                    "keluarga_berisiko_stunting": [30, 5], "keluarga": [100, 0]})
    >>> out, report = add_measures(df, ["risiko_stunting"])
    >>> out["risiko_stunting_per_1000"].tolist(), len(report.warnings)
    ([300.0, nan], 1)
    """
    if smoothing not in SMOOTHING:
        msg = f"smoothing={smoothing!r} is not a smoothing method; expected one of {SMOOTHING}."
        raise InputError(msg)
    chosen = default_measures(frame) if measures is None else [get_measure(m) for m in measures]
    if not chosen:
        msg = (
            "No measure to add: no default measure finds its columns in the frame (it has "
            f"{list(frame.columns)}). Pass measures=[Measure(...)] naming columns it has."
        )
        raise InputError(msg)
    check_measures(frame, chosen)
    weights = None
    if smoothing == "spatial":
        if not isinstance(frame, gpd.GeoDataFrame):
            msg = "smoothing='spatial' needs a GeoDataFrame (the areas' polygons); got a table."
            raise InputError(msg)
        weights = queen_weights(frame.geometry)
    out = frame.copy()
    report = ProblemReport()
    for m in chosen:
        cols = m.columns
        parts = out[list(m.categories)].apply(pd.to_numeric, errors="coerce")
        count = parts.sum(axis=1, min_count=1)
        den = out[m.denominator]
        out[cols.total] = count
        out[cols.rate] = rate(count, den, per=m.per)
        out[cols.smoothed] = smooth_rate(count, den, per=m.per, method=smoothing, weights=weights)
        out[cols.small] = small_denominator(den, threshold=min_denominator).to_numpy()
        report.extend(
            impossible_counts(
                out, cols.total, m.denominator, per=m.per, bounded=m.bounded, source=source
            )
        )
    for den in dict.fromkeys(m.denominator for m in chosen):
        codes = [m.code for m in chosen if m.denominator == den]
        report.extend(_denominator_problems(out, den, codes, source))
    done = [c for c in frame.attrs.get("measures", []) if c not in {m.code for m in chosen}]
    out.attrs = {**frame.attrs, "measures": [*done, *(m.code for m in chosen)]}
    return out, report


def _denominator_problems(
    frame: pd.DataFrame, denominator: str, codes: list[str], source: str
) -> list[Problem]:
    """Warnings, one per area, for a zero or missing `denominator` (the `codes` have no rate)."""
    den = pd.to_numeric(frame[denominator], errors="coerce")
    out = []
    for pos in (~(den > 0)).to_numpy().nonzero()[0]:
        area = area_label(frame.iloc[pos], int(pos))
        shown = "missing" if pd.isna(den.iloc[pos]) else f"{den.iloc[pos]:g}"
        out.append(
            Problem(
                kind="missing-denominator",
                message=f"{area}: {denominator} is {shown}; no rate for {', '.join(codes)}",
                file=source,
                column=denominator,
                value=None if pd.isna(den.iloc[pos]) else float(den.iloc[pos]),
                expected="a number above 0",
                suggestion=f"fill in {denominator} for this area",
                severity="warning",
            )
        )
    return out
