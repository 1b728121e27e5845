"""One classification for all maps: bins, class per area, colours, legend labels."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mapping.categories import column_title
from mapping.errors import InputError
from mapping.labels import LANGUAGES, check_language, format_number, text

#: ColorBrewer sequential ramps (all colour-blind safe).
SEQUENTIAL: tuple[str, ...] = (
    "YlOrRd", "YlOrBr", "OrRd", "Reds", "Oranges", "PuRd", "RdPu", "Purples", "Blues",
    "Greens", "BuGn", "BuPu", "GnBu", "PuBu", "PuBuGn", "YlGn", "YlGnBu",
)  # fmt: skip
#: ColorBrewer diverging ramps that ColorBrewer marks colour-blind safe.
DIVERGING: tuple[str, ...] = ("RdBu", "PuOr", "BrBG", "PiYG", "PRGn", "RdYlBu")
PALETTES: tuple[str, ...] = SEQUENTIAL + DIVERGING
#: Fill of areas without data: a neutral grey that no ramp above uses.
NO_DATA_COLOR = "#bdbdbd"
MAX_CLASSES = 9

#: Scheme names accepted by :func:`classify` and the mapclassify class each one uses.
#: ``natural_breaks`` is Fisher-Jenks (optimal and deterministic, so a PNG and an HTML map
#: made in two runs get the same bins), not mapclassify's random-start k-means variant.
SCHEMES: dict[str, str] = {
    "quantiles": "Quantiles",
    "fisher_jenks": "FisherJenks",
    "natural_breaks": "FisherJenks",
    "equal_interval": "EqualInterval",
    "headtail": "HeadTailBreaks",
    "headtail_breaks": "HeadTailBreaks",
    "user_defined": "UserDefined",
}


@dataclass(frozen=True)
class LegendEntry:
    """One row of a classed legend: the colour, the range text and how many areas it holds."""

    label: str
    color: str
    count: int
    no_data: bool = False


@dataclass(frozen=True, eq=False)
class Classification:
    """The classes of one column: the same bins, colours and labels for every map of it.

    Class ``i`` holds the values in ``(bins[i-1], bins[i]]``; class 0 starts at ``lower``.
    ``classes`` has the input's index, with ``<NA>`` for missing values (the "no data" class).
    """

    scheme: str
    bins: tuple[float, ...]
    lower: float
    classes: pd.Series
    colors: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    palette: str
    decimals: int
    language: str = "id"
    integer: bool = False
    no_data_color: str = NO_DATA_COLOR
    values: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)

    @property
    def k(self) -> int:
        """Number of classes (missing data not counted)."""
        return len(self.bins)

    @property
    def n_missing(self) -> int:
        """Number of areas without a value."""
        return int(self.classes.isna().sum())

    @property
    def categorical(self) -> bool:
        """True for fixed categories (:func:`classify_categorical`), False for numeric bins."""
        return False

    @property
    def no_data_label(self) -> str:
        """Legend text of the missing-data class."""
        return text("no_data", self.language)

    def color_of(self) -> pd.Series:
        """Fill colour (hex) of each area, :data:`NO_DATA_COLOR` where the value is missing."""
        lookup = dict(enumerate(self.colors))
        out = self.classes.map(lambda c: NO_DATA_COLOR if pd.isna(c) else lookup[int(c)])
        return out.astype(object).rename("color")

    def label_of(self) -> pd.Series:
        """Legend text of each area's class ("Tidak ada data" where the value is missing)."""
        lookup = dict(enumerate(self.labels))
        out = self.classes.map(lambda c: self.no_data_label if pd.isna(c) else lookup[int(c)])
        return out.astype(object).rename("label")

    def format(self, value: float | None) -> str:
        """`value` formatted with this classification's decimals and language."""
        return format_number(value, decimals=self.decimals, language=self.language)

    def legend(self, *, no_data: bool | None = None) -> list[LegendEntry]:
        """Legend rows from the lowest class up; the no-data row last.

        The no-data row is shown when some area lacks a value, or always with ``no_data=True``.
        """
        rows = [
            LegendEntry(label, color, count)
            for label, color, count in zip(self.labels, self.colors, self.counts, strict=True)
        ]
        show = self.n_missing > 0 if no_data is None else no_data
        if show:
            rows.append(LegendEntry(self.no_data_label, NO_DATA_COLOR, self.n_missing, True))
        return rows

    def in_language(self, language: str) -> Classification:
        """The same classes with legend labels and numbers in `language` ("id" or "en").

        >>> c = classify(pd.Series([500, 1500, 2500.5]), bins=[1000, 2000, 3000])
        >>> c.labels[1], c.in_language("en").labels[1]
        ('1.000 – 2.000', '1,000 – 2,000')
        """
        lang = check_language(language)
        if lang == self.language:
            return self
        labels = _labels(self.bins, self.lower, self.integer, self.decimals, lang)
        return dataclasses.replace(self, language=lang, labels=labels)

    def apply(self, values: pd.Series) -> Classification:
        """The same bins, colours and labels applied to other `values` (shared bins)."""
        return _assign(
            numeric_values(values, "values"),
            bins=self.bins,
            lower=self.lower,
            scheme=self.scheme,
            palette=self.palette,
            decimals=self.decimals,
            language=self.language,
            integer=self.integer,
            colors=self.colors,
            labels=self.labels,
        )


def numeric_values(values: pd.Series, name: str) -> pd.Series:
    """`values` as floats with NaN for missing; :class:`InputError` naming column `name` when
    they are not numbers or hold infinite values.
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    if not (pd.api.types.is_numeric_dtype(values) or values.isna().all()):
        msg = (
            f"Column {name!r} is not numeric (dtype {values.dtype}); convert it with "
            "pd.tonumeric_values(...) before mapping it."
        )
        raise InputError(msg)
    out = values.astype("Float64").astype(float)
    if np.isinf(out).any():
        msg = f"Column {name!r} holds infinite values; replace them with NaN (missing) first."
        raise InputError(msg)
    return out


def palette_colors(palette: str, k: int) -> tuple[str, ...]:
    """`k` ColorBrewer colours of `palette`, light to dark (or one end to the other).

    >>> palette_colors("YlOrRd", 3)
    ('#ffeda0', '#feb24c', '#f03b20')
    """
    from branca.utilities import color_brewer

    if palette not in PALETTES:
        msg = (
            f"palette={palette!r} is not a colour-blind-safe ColorBrewer ramp; use one of "
            f"{list(SEQUENTIAL)} (sequential) or {list(DIVERGING)} (diverging)."
        )
        raise InputError(msg)
    if not 1 <= k <= MAX_CLASSES:
        msg = f"k={k} classes is not possible; choose 1 to {MAX_CLASSES}."
        raise InputError(msg)
    if k >= 3:
        return tuple(color_brewer(palette, k))
    three = color_brewer(palette, 3)
    return (three[1],) if k == 1 else (three[0], three[2])


def is_dark(color: str) -> bool:
    """True for a fill (``#rrggbb``) dark enough to need white text on it.

    >>> is_dark("#3b4994"), is_dark("#e8e8e8")
    (True, False)
    """
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 110


def _bins(
    y: np.ndarray, scheme: str, k: int, bins: Sequence[float] | None, *, integer: bool
) -> tuple[float, ...]:
    """Upper bounds of the classes of `y`: the user's `bins`, or computed by `scheme`."""
    import mapclassify

    with warnings.catch_warnings():  # ties: mapclassify drops repeated quantiles and warns
        warnings.simplefilter("ignore")
        if scheme == "user_defined":
            result = mapclassify.UserDefined(y, bins=sorted(bins or []))
        elif SCHEMES[scheme] == "HeadTailBreaks":
            result = mapclassify.HeadTailBreaks(y)
        else:
            result = getattr(mapclassify, SCHEMES[scheme])(y, k=min(k, len(np.unique(y))))
    out = np.unique(np.asarray(result.bins, dtype=float))
    out = out[out >= y.min()]  # user bins below every value would give empty classes
    if scheme != "user_defined":
        out = _without_empty_classes(y, out, integer=integer, keep_empty=scheme == "equal_interval")
    return tuple(float(b) for b in out) if len(out) else (float(y.max()),)


def _without_empty_classes(
    y: np.ndarray, bins: np.ndarray, *, integer: bool, keep_empty: bool
) -> np.ndarray:
    """Computed `bins` of `y` tidied so that no class is empty and no two labels overlap.

    For whole numbers a bound ``b`` holds the same values as ``floor(b)``, so bounds are
    snapped down to whole numbers; bounds that snap together would leave a class with no whole
    number in it (``1 – 0``) and become one. Ties (many zeros) can also leave a class with no
    value in it; its upper bound is dropped, so it merges into the next class, which holds the
    same values. With `keep_empty` (equal intervals, whose point is equal widths) classes
    without values are kept.

    >>> _without_empty_classes(np.array([0, 0, 0, 0, 1, 50]), np.array([0, 1 / 3, 50]),
    ...                        integer=True, keep_empty=False).tolist()
    [0.0, 50.0]
    >>> _without_empty_classes(np.array([0, 0, 0, 0, 0.5, 50]), np.array([0, 1 / 3, 50]),
    ...                        integer=False, keep_empty=False).tolist()
    [0.0, 50.0]
    """
    if integer:
        bins = np.unique(np.floor(bins))
    if keep_empty or len(bins) < 2:
        return bins
    lower = np.concatenate([[-np.inf], bins[:-1]])
    counts = ((y[:, None] > lower) & (y[:, None] <= bins)).sum(axis=0)
    counts[-1] = max(counts[-1], 1)  # the last class holds the maximum: always kept
    return bins[counts > 0]


def _decimals(bins: Sequence[float], lower: float, integer: bool, language: str) -> int:
    """Decimals that show the narrowest class sensibly and print every class edge differently.

    >>> _decimals((8.3, 11.2, 370.0), 4.1, False, "id")  # classes 3 wide: one decimal
    1
    >>> _decimals((273.4, 1122.0), 41.0, False, "id")
    0
    """
    if integer:
        return 0
    edges = [lower, *bins]
    widths = [hi - lo for lo, hi in zip(edges, edges[1:], strict=False) if hi > lo]
    width = min(widths) if widths else abs(lower) or 1.0
    d = 0 if width >= 5 else 1 if width >= 0.5 else 2 if width >= 0.05 else 3
    while d < 6 and len({format_number(e, decimals=d, language=language) for e in edges}) < len(
        set(edges)
    ):
        d += 1
    return d


def _labels(
    bins: Sequence[float], lower: float, integer: bool, decimals: int, language: str
) -> tuple[str, ...]:
    def fmt(x: float) -> str:
        return format_number(x, decimals=decimals, language=language)

    labels: list[str] = []
    for i, hi in enumerate(bins):
        if integer:
            lo_i = lower if i == 0 else math.floor(bins[i - 1]) + 1
            hi_i = math.floor(hi)
            labels.append(fmt(lo_i) if lo_i >= hi_i else f"{fmt(lo_i)} – {fmt(hi_i)}")
        else:
            lo = lower if i == 0 else bins[i - 1]
            labels.append(fmt(lo) if lo == hi else f"{fmt(lo)} – {fmt(hi)}")
    return tuple(labels)


def _assign(
    values: pd.Series,
    *,
    bins: Sequence[float],
    lower: float,
    scheme: str,
    palette: str,
    decimals: int,
    language: str,
    integer: bool,
    colors: Sequence[str],
    labels: Sequence[str],
) -> Classification:
    arr = values.to_numpy(dtype=float)
    valid = ~np.isnan(arr)
    outside = valid & ((arr > bins[-1]) | (arr < lower))
    if outside.any():
        bad = values[outside]
        msg = (
            f"{int(outside.sum())} value(s) lie outside the shared bins {lower}..{bins[-1]} "
            f"(e.g. {bad.iloc[:5].tolist()}); classify all columns together with "
            "classify_pooled(...) so the bins cover every value."
        )
        raise InputError(msg)
    cls = np.searchsorted(np.asarray(bins), arr, side="left")
    classes = pd.Series(pd.array(np.where(valid, cls, 0), dtype="Int64"), index=values.index)
    classes[~valid] = pd.NA
    counts = tuple(int((classes == i).sum()) for i in range(len(bins)))
    return Classification(
        scheme=scheme,
        bins=tuple(float(b) for b in bins),
        lower=float(lower),
        classes=classes,
        colors=tuple(colors),
        labels=tuple(labels),
        counts=counts,
        palette=palette,
        decimals=decimals,
        language=language,
        integer=integer,
        values=values,
    )


def classify(
    values: pd.Series,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    palette: str = "YlOrRd",
    decimals: int | None = None,
    language: str = "id",
) -> Classification:
    """Classify `values` into `k` classes for a choropleth.

    Parameters
    ----------
    values
        One number per area; NaN/None is missing and gets the "Tidak ada data" class.
    scheme
        ``quantiles``, ``fisher_jenks`` (= ``natural_breaks``), ``equal_interval``,
        ``headtail`` (k is chosen by the data) or ``user_defined`` (give `bins`).
    k
        Number of classes, at most: fewer when the data have fewer distinct values or ties
        (many zeros) would leave a class empty. Computed classes are never empty, except with
        ``equal_interval`` (equal widths), and whole numbers get whole-number bounds.
    bins
        Upper bounds of the classes for ``user_defined``; passing `bins` implies it. A class
        is added up to the maximum when values exceed the last bound. These classes are kept
        as given, even when no value falls in one.
    palette
        A colour-blind-safe ColorBrewer ramp, see :data:`PALETTES`.
    decimals
        Decimals of the legend labels; by default 0 for whole numbers, else chosen from the
        spread so that every class edge prints differently.
    language
        ``"id"`` (``1.234``, ``12,5``, "Tidak ada data") or ``"en"``.

    Examples
    --------
    >>> c = classify(pd.Series([1, 2, 3, 4, 5, 6, None]), scheme="equal_interval", k=3)
    >>> c.labels, c.counts, c.n_missing
    (('1 – 2', '3 – 4', '5 – 6'), (2, 2, 2), 1)
    >>> c.classes.tolist()
    [0, 0, 1, 1, 2, 2, <NA>]
    >>> classify(pd.Series([0.5, 1.25, 20.0]), bins=[1, 10, 20]).labels
    ('0,5 – 1,0', '1,0 – 10,0', '10,0 – 20,0')
    """
    lang = check_language(language)
    if bins is not None:
        scheme = "user_defined"
    problems = []
    if scheme not in SCHEMES:
        problems.append(f"scheme={scheme!r} is unknown; expected one of {list(SCHEMES)}")
    if scheme == "user_defined" and not bins:
        problems.append("scheme='user_defined' needs bins=[upper bound of each class, ...]")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= MAX_CLASSES:
        problems.append(f"k={k!r} must be a whole number of classes from 1 to {MAX_CLASSES}")
    if decimals is not None and not 0 <= decimals <= 6:
        problems.append(f"decimals={decimals!r} must be from 0 to 6")
    if problems:
        raise InputError("Cannot classify: " + "; ".join(problems) + ".")
    name = values.name if isinstance(values, pd.Series) and values.name is not None else "values"
    y = numeric_values(values, str(name))
    valid = y.dropna().to_numpy()
    if len(valid) == 0:
        msg = f"Column {name!r} has no values to classify (all {len(y)} are missing)."
        raise InputError(msg)
    integer = bool(np.all(np.mod(valid, 1) == 0))
    edges = _bins(valid, scheme, k, bins, integer=integer)
    if len(edges) > MAX_CLASSES:
        msg = f"{len(edges)} classes (from bins={bins!r}) is too many; use at most {MAX_CLASSES}."
        raise InputError(msg)
    lower = float(valid.min())
    # User bins can hold no whole number (bins=[0.2, 0.5]): then only decimals tell them apart.
    integer = integer and bool(np.all(np.diff(np.floor(edges)) > 0))
    d = _decimals(edges, lower, integer, lang) if decimals is None else decimals
    labels = _labels(edges, lower, integer, d, lang)
    return _assign(
        y,
        bins=edges,
        lower=lower,
        scheme=scheme,
        palette=palette,
        decimals=d,
        language=lang,
        integer=integer,
        colors=palette_colors(palette, len(edges)),
        labels=labels,
    )


def classify_pooled(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    palette: str = "YlOrRd",
    decimals: int | None = None,
    language: str = "id",
) -> dict[str, Classification]:
    """One classification per column with bins computed from all `columns` together.

    Use it for small multiples (years, categories) so equal colours mean equal values.
    The options are those of :func:`classify`.

    >>> df = pd.DataFrame({"2023": [1, 2, 3], "2024": [4, 5, 6]})
    >>> pooled = classify_pooled(df, ["2023", "2024"], scheme="equal_interval", k=2)
    >>> pooled["2023"].labels == pooled["2024"].labels, pooled["2023"].counts
    (True, (3, 0))
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing or not columns:
        msg = (
            f"classify_pooled needs existing columns; missing {missing} (columns={list(columns)}); "
            f"found {list(frame.columns)}."
        )
        raise InputError(msg)
    stacked = pd.concat([numeric_values(frame[c], c) for c in columns], ignore_index=True)
    pooled = classify(
        stacked.rename("pooled"), scheme=scheme, k=k, bins=bins, palette=palette,
        decimals=decimals, language=language,
    )  # fmt: skip
    return {c: pooled.apply(frame[c]) for c in columns}


#: Colours of a fixed-category map must be given as ``#rrggbb`` (legends and text contrast).
_HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, eq=False)
class CategoricalClassification(Classification):
    """Fixed categories of a column (cluster types, severity 1-5, quadrants), one colour each.

    A :class:`Classification` whose class ``i`` is ``categories[i]``: the static and the
    interactive maps draw it the same way (same colours, legend text and counts per class).
    ``translations`` holds the legend labels by language.
    """

    categories: tuple[Any, ...] = ()
    translations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of categories (missing data not counted)."""
        return len(self.categories)

    @property
    def categorical(self) -> bool:
        """Always True: the classes are fixed categories."""
        return True

    def format(self, value: Any) -> str:
        """The legend label of category `value` ("Tidak ada data" when missing)."""
        if _missing(value):
            return self.no_data_label
        return self.labels[self.categories.index(value)]

    def in_language(self, language: str) -> Classification:
        """The same categories with the labels (and "no data" text) in `language`."""
        lang = check_language(language)
        if lang == self.language:
            return self
        return dataclasses.replace(self, language=lang, labels=self.translations[lang])

    def apply(self, values: pd.Series) -> Classification:
        """The same categories, colours and labels applied to other `values`."""
        return classify_categorical(
            values, categories=self.categories, colors=self.colors,
            labels=dict(self.translations), language=self.language,
        )  # fmt: skip


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _category_labels(
    labels: Sequence[str] | Mapping[str, Sequence[str]] | None, categories: Sequence[Any]
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Labels by language (one sequence serves both) and the problems found in them."""
    if labels is None:
        given: dict[str, Sequence[str]] = {lang: [str(c) for c in categories] for lang in LANGUAGES}
    elif isinstance(labels, Mapping):
        given = {lang: labels.get(lang, labels.get("id", [])) for lang in LANGUAGES}
        unknown = [lang for lang in labels if lang not in LANGUAGES]
        if unknown:
            return {}, [f"labels has languages {unknown}; expected keys from {list(LANGUAGES)}"]
    else:
        given = {lang: labels for lang in LANGUAGES}
    problems = [
        f"labels[{lang!r}] has {len(seq)} entries for {len(categories)} categories"
        for lang, seq in given.items()
        if len(seq) != len(categories)
    ]
    return {lang: tuple(str(s) for s in seq) for lang, seq in given.items()}, problems


def classify_categorical(
    values: pd.Series,
    *,
    categories: Sequence[Any],
    colors: Sequence[str],
    labels: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    language: str = "id",
) -> CategoricalClassification:
    """Classes of a categorical column: each of `categories` with its colour and label.

    Parameters
    ----------
    values
        One category per area (codes such as ``"HH"`` or severity ``1``-``5``); missing values
        (NaN, None, ``<NA>``) get the "Tidak ada data" class. A value that is not one of
        `categories` is an error (nothing is silently left uncoloured).
    categories
        The categories in legend order.
    colors
        One ``#rrggbb`` colour per category.
    labels
        Legend text per category: one sequence for every language, or
        ``{"id": [...], "en": [...]}``; default the categories themselves.
    language
        ``"id"`` or ``"en"``: the labels (and the "no data" text) shown.

    Examples
    --------
    >>> c = classify_categorical(pd.Series(["b", "a", None, "b"]), categories=["a", "b"],
    ...     colors=["#ff0000", "#0000ff"], labels={"id": ["Satu", "Dua"], "en": ["One", "Two"]})
    >>> c.classes.tolist(), c.counts, c.label_of().tolist()
    ([1, 0, <NA>, 1], (1, 2), ['Dua', 'Satu', 'Tidak ada data', 'Dua'])
    >>> c.in_language("en").labels
    ('One', 'Two')
    """
    lang = check_language(language)
    cats = tuple(categories)
    problems = []
    if not cats:
        problems.append("categories is empty; give the categories in legend order")
    if len(set(cats)) != len(cats):
        problems.append(f"categories={list(cats)} has repeated entries")
    if len(colors) != len(cats):
        problems.append(f"colors has {len(colors)} entries for {len(cats)} categories")
    bad_colors = [c for c in colors if not isinstance(c, str) or not _HEX_RE.match(c)]
    if bad_colors:
        problems.append(f"colors {bad_colors} are not '#rrggbb' hex colours")
    translations, label_problems = _category_labels(labels, cats)
    problems += label_problems
    if problems:
        raise InputError("Cannot classify categories: " + "; ".join(problems) + ".")
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    missing = series.map(_missing).astype(bool)
    position = {c: i for i, c in enumerate(cats)}
    unknown = sorted({str(v) for v in series[~missing] if v not in position})
    if unknown:
        name = series.name if series.name is not None else "values"
        msg = (
            f"Column {name!r} holds {unknown[:10]}, which are not among categories "
            f"{list(cats)}; add them to categories or set them to missing."
        )
        raise InputError(msg)
    codes = [pd.NA if m else position[v] for v, m in zip(series, missing, strict=True)]
    classes = pd.Series(pd.array(codes, dtype="Int64"), index=series.index)
    return CategoricalClassification(
        scheme="categorical",
        bins=tuple(float(i) for i in range(len(cats))),
        lower=0.0,
        classes=classes,
        colors=tuple(colors),
        labels=translations[lang],
        counts=tuple(int((classes == i).sum()) for i in range(len(cats))),
        palette="",
        decimals=0,
        language=lang,
        values=series,
        categories=cats,
        translations=translations,
    )


@dataclass(frozen=True)
class Indicator:
    """A column to map and how: its title, unit and classification options.

    With `categories` (and one colour each in `colors`) the column holds fixed categories,
    classified by :func:`classify_categorical` with `category_labels`; `scheme`, `k`, `bins`,
    `palette` and `decimals` are then not used.
    """

    column: str
    label: str | None = None
    unit: str = ""
    scheme: str = "quantiles"
    k: int = 5
    bins: tuple[float, ...] | None = None
    palette: str = "YlOrRd"
    decimals: int | None = None
    categories: tuple[Any, ...] | None = None
    colors: tuple[str, ...] = ()
    category_labels: Sequence[str] | Mapping[str, Sequence[str]] | None = None

    @property
    def name(self) -> str:
        """The label, or the column name when there is no label."""
        return self.label or self.column

    @property
    def title(self) -> str:
        """The legend title: label (or column) and unit.

        >>> Indicator("x", "Keluarga", "per 1.000").title, Indicator("x", "PMKS (semua)", "%").title
        ('Keluarga (per 1.000)', 'PMKS (semua), %')
        """
        if not self.unit:
            return self.name
        return (
            f"{self.name}, {self.unit}" if self.name.endswith(")") else f"{self.name} ({self.unit})"
        )

    def classify(self, values: pd.Series, *, language: str = "id") -> Classification:
        """Classify `values` with this indicator's options."""
        if self.categories is not None:
            return classify_categorical(
                values, categories=self.categories, colors=self.colors,
                labels=self.category_labels, language=language,
            )  # fmt: skip
        return classify(
            values,
            scheme=self.scheme,
            k=self.k,
            bins=self.bins,
            palette=self.palette,
            decimals=self.decimals,
            language=language,
        )


def as_indicators(
    items: Sequence[str | Indicator] | Mapping[str, str], *, language: str = "id"
) -> list[Indicator]:
    """Indicators from column names, ``{column: label}`` or :class:`Indicator` objects.

    A bare column name named after the catalogue gets its readable title in `language`
    (see :func:`mapping.categories.column_title`), never the raw code; other names (and
    labels given in a mapping or an :class:`Indicator`) are kept as they are.

    >>> [i.title for i in as_indicators(["fm", "fm_per_1000", "skor"])]
    ['Fakir Miskin', 'Fakir Miskin per 1.000 keluarga', 'skor']
    """
    if isinstance(items, Mapping):
        return [Indicator(column=c, label=lab) for c, lab in items.items()]
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items:
        if isinstance(item, Indicator):
            out.append(item)
        elif isinstance(item, str):
            out.append(Indicator(column=item, label=column_title(item, language=language)))
        else:
            msg = f"indicators must be column names or Indicator objects; got {item!r}."
            raise InputError(msg)
    return out


def check_columns(frame: pd.DataFrame, columns: Sequence[str], *, what: str = "gdf") -> None:
    """Raise :class:`InputError` naming every one of `columns` that `frame` lacks."""
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        found = [c for c in frame.columns if c != "geometry"]
        msg = f"Column(s) {missing} not found in {what}; found: {found}."
        raise InputError(msg)
