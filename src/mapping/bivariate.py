"""Bivariate 3x3 classification (e.g. need vs capacity) with its colour grid and class names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mapping.classify import NO_DATA_COLOR, Classification, classify
from mapping.errors import InputError
from mapping.labels import Language, check_language, text

#: Joshua Stevens' 3x3 pink-blue grid, ``GRID[y][x]`` with x (need) left to right and y
#: (capacity) bottom to top. High x with low y is the saturated magenta, so "high need, low
#: capacity" areas stand out; high/high is dark blue-violet; low/low is light grey.
GRID: tuple[tuple[str, str, str], ...] = (
    ("#e8e8e8", "#dfb0d6", "#be64ac"),
    ("#ace4e4", "#a5add3", "#8c62aa"),
    ("#5ac8c8", "#5698b9", "#3b4994"),
)
LEVELS = ("low", "mid", "high")
#: The cell of high need (x) and low capacity (y), ``y * 3 + x``: the areas to look at first.
HIGH_NEED_LOW_CAPACITY = 2


@dataclass(frozen=True, eq=False)
class BivariateClassification:
    """Each area's class on two variables, as cell ``y * 3 + x`` of the 3x3 :data:`GRID`.

    ``classes`` is ``<NA>`` where either value is missing (drawn as "Tidak ada data").
    """

    x: Classification
    y: Classification
    x_label: str
    y_label: str
    classes: pd.Series
    language: str = "id"
    x_description: str = ""
    y_description: str = ""

    @property
    def colors(self) -> tuple[str, ...]:
        """The 9 cell colours, cell ``y * 3 + x``."""
        return tuple(c for row in GRID for c in row)

    @property
    def n_missing(self) -> int:
        """Areas missing either value."""
        return int(self.classes.isna().sum())

    def check_language(self, language: str | None) -> Language:
        """`language` (default: this classification's), refused if the classification has
        another: its axis names and cell names are written in its own language.
        """
        lang = check_language(self.language if language is None else language)
        if lang != self.language:
            msg = (
                f"The bivariate classification is in language={self.language!r} but the map is "
                f"asked in language={lang!r}; make it with classify_bivariate(..., "
                f"language={lang!r}) (and x_label/y_label in that language)."
            )
            raise InputError(msg)
        return lang

    def counts(self) -> np.ndarray:
        """3x3 array of area counts, ``counts[y, x]``."""
        out = np.zeros((3, 3), dtype=int)
        for cell, n in self.classes.dropna().astype(int).value_counts().items():
            out[cell // 3, cell % 3] = n
        return out

    def color_of(self) -> pd.Series:
        """Fill colour (hex) of each area, grey where a value is missing."""
        colors = self.colors
        out = self.classes.map(lambda c: NO_DATA_COLOR if pd.isna(c) else colors[int(c)])
        return out.astype(object).rename("color")

    def cell_name(self, cell: int) -> str:
        """Plain-words name of a cell: "Kebutuhan tinggi, Kapasitas rendah" (Indonesian puts
        the adjective after the noun) or "High need, low capacity" in English.
        """
        x_level = text(LEVELS[cell % 3], self.language)
        y_level = text(LEVELS[cell // 3], self.language)
        if self.language == "en":
            name = f"{x_level} {_in_sentence(self.x_label)}, {y_level} {_in_sentence(self.y_label)}"
            return name[0].upper() + name[1:]
        return f"{self.x_label} {x_level}, {self.y_label} {y_level}"

    def descriptions(self) -> list[str]:
        """What each axis measures, e.g. "Kebutuhan: PMKS per 1.000 keluarga" (when given)."""
        pairs = ((self.x_label, self.x_description), (self.y_label, self.y_description))
        return [f"{label}: {desc}" for label, desc in pairs if desc]

    def name_of(self) -> pd.Series:
        """Cell name of each area ("Tidak ada data" where a value is missing)."""
        no_data = text("no_data", self.language)
        return self.classes.map(lambda c: no_data if pd.isna(c) else self.cell_name(int(c)))


def _in_sentence(label: str) -> str:
    """A one-word capitalised label ("Need") in lower case; names like "PMKS" unchanged."""
    return label.lower() if label.istitle() and " " not in label else label


def classify_bivariate(
    x: pd.Series,
    y: pd.Series,
    *,
    scheme: str = "quantiles",
    x_label: str | None = None,
    y_label: str | None = None,
    x_description: str = "",
    y_description: str = "",
    language: str = "id",
) -> BivariateClassification:
    """Classify `x` (e.g. need per 1,000 families) and `y` (e.g. capacity) into 3 classes each.

    Both use :func:`mapping.classify.classify` with ``k=3`` and `scheme`, so their ranges print
    exactly as on a univariate map. `x` and `y` must share one index (one row per area).
    `x_label`/`y_label` name the axes (default "Kebutuhan"/"Kapasitas"); `x_description`/
    `y_description` say what they measure (e.g. "PMKS per 1.000 keluarga") under the legends.

    >>> need = pd.Series([1, 2, 3, 10, 20, 30, 7.0, None, 5])
    >>> cap = pd.Series([30, 20, 10, 3, 2, 1, 7.0, 4, 5])
    >>> b = classify_bivariate(need, cap, scheme="equal_interval")
    >>> b.classes.tolist()[:6], b.cell_name(2), b.n_missing
    ([6, 3, 0, 0, 1, 2], 'Kebutuhan tinggi, Kapasitas rendah', 1)
    """
    lang = check_language(language)
    if not x.index.equals(y.index):
        msg = (
            "classify_bivariate needs x and y with the same index (one row per area); "
            f"got {len(x)} and {len(y)} rows with different labels. Take both columns from "
            "one (Geo)DataFrame."
        )
        raise InputError(msg)
    cx = classify(x, scheme=scheme, k=3, language=lang)
    cy = classify(y, scheme=scheme, k=3, language=lang, palette="Blues")
    if cx.k != 3 or cy.k != 3:
        msg = (
            f"A bivariate map needs 3 classes of each variable; {x.name or 'x'} gave {cx.k} and "
            f"{y.name or 'y'} gave {cy.k} (too few distinct values). Use scheme='equal_interval' "
            "or more varied data."
        )
        raise InputError(msg)
    cells = cy.classes * 3 + cx.classes
    return BivariateClassification(
        x=cx,
        y=cy,
        x_label=x_label or text("need", lang),
        y_label=y_label or text("capacity", lang),
        classes=cells.astype("Int64"),
        language=lang,
        x_description=x_description,
        y_description=y_description,
    )


def areas_in_cell(
    areas: pd.DataFrame,
    classification: BivariateClassification,
    cell: int = HIGH_NEED_LOW_CAPACITY,
    *,
    columns: Sequence[str] = ("code", "name", "kecamatan"),
) -> pd.DataFrame:
    """The areas in one `cell` of `classification` (default: high need, low capacity).

    `areas` is the (Geo)DataFrame the two classified columns came from (same index). Returns
    its `columns` plus both values under the axis labels (e.g. "Kebutuhan", "Kapasitas"),
    sorted by kecamatan and name (or by the first columns given), so a legend or report can
    name every area of the cell; ``len()`` of it equals ``classification.counts()`` there.

    >>> df = pd.DataFrame({"code": list("abcd"), "name": ["W", "X", "Y", "Z"],
    ...                    "kecamatan": ["K1", "K2", "K1", "K1"]})
    >>> b = classify_bivariate(pd.Series([1.0, 9, 9, 5]), pd.Series([9.0, 1, 1, 5]),
    ...                        scheme="equal_interval")
    >>> areas_in_cell(df, b)[["code", "name", "kecamatan"]].values.tolist()
    [['c', 'Y', 'K1'], ['b', 'X', 'K2']]
    """
    if not (isinstance(cell, int | np.integer) and 0 <= cell <= 8):
        msg = (
            f"cell={cell!r} is not a cell of the 3x3 grid; expected 0-8 (y * 3 + x), e.g. "
            f"{HIGH_NEED_LOW_CAPACITY} for high need, low capacity."
        )
        raise InputError(msg)
    if not areas.index.equals(classification.classes.index):
        msg = (
            f"areas ({len(areas)} rows) must have the index of the classified columns "
            f"({len(classification.classes)} rows); pass the frame the columns came from."
        )
        raise InputError(msg)
    missing = [c for c in columns if c not in areas.columns]
    if missing:
        msg = f"Column(s) {missing} not found in areas; it has {list(areas.columns)}."
        raise InputError(msg)
    inside = (classification.classes == cell).fillna(False).to_numpy(dtype=bool)
    out = pd.DataFrame(areas.loc[inside, list(columns)])
    for label, values in (
        (classification.x_label, classification.x.values),
        (classification.y_label, classification.y.values),
    ):
        if label not in out.columns and values.index.equals(areas.index):
            out[label] = values.to_numpy()[inside]
    order = [c for c in ("kecamatan", "name") if c in out.columns] or list(columns)[:1]
    return out.sort_values(order, kind="stable") if order else out
