"""Spatial clusters: queen weights and (bivariate) local Moran's I via esda, FDR-cut, labelled."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mapping.classify import (
    CategoricalClassification,
    check_columns,
    classify_categorical,
    numeric_values,
)
from mapping.errors import InputError
from mapping.labels import LANGUAGES, check_language, format_number, text

if TYPE_CHECKING:
    from libpysal.weights import W

#: Fewest areas a local Moran's I is run on. With fewer, each area has only a few neighbours
#: (its local statistic rests on 3-5 values), the smallest pseudo p-values cannot survive a
#: false-discovery-rate cut-off, and a "neighbourhood" spans a large part of the regency.
MIN_AREAS = 30
#: Permutations of the conditional randomisation test (pseudo p-values down to 1/1000).
PERMUTATIONS = 999
#: Default seed of the permutations, so a map can be made again exactly.
SEED = 12345
#: Default significance level (of the false discovery rate, or plain p < alpha).
ALPHA = 0.05

#: Cluster codes in legend order: the four quadrants when significant, not significant, and
#: areas without a neighbour (not tested). Areas without a value get the "no data" class.
CLUSTERS: tuple[str, ...] = ("HH", "LL", "HL", "LH", "ns", "island")
#: The usual LISA colours: red hot spots, blue cold spots, pink and light blue outliers, grey
#: not significant; areas without neighbours in a pale tan (not the hatched "no data" grey).
CLUSTER_COLORS: tuple[str, ...] = (
    "#d7191c", "#2c7bb6", "#f4a5ae", "#a6cee3", "#e6e6e6", "#d9ccb0",
)  # fmt: skip
#: Legend labels of :data:`CLUSTERS` by language (one-variable local Moran).
CLUSTER_LABELS: dict[str, tuple[str, ...]] = {
    "id": (
        "Tinggi-Tinggi (titik panas)", "Rendah-Rendah (titik dingin)",
        "Tinggi-Rendah (pencilan)", "Rendah-Tinggi (pencilan)", "Tidak signifikan",
        "Tanpa tetangga (tidak diuji)",
    ),
    "en": (
        "High-High (hot spot)", "Low-Low (cold spot)", "High-Low (outlier)",
        "Low-High (outlier)", "Not significant", "No neighbours (not tested)",
    ),
}  # fmt: skip
#: esda's quadrant numbers (``q``) as codes: own value high/low, neighbours' high/low.
QUADRANTS: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}

_WORDS = {
    "id": {"H": "tinggi", "L": "rendah"},
    "en": {"H": "high", "L": "low"},
}


def queen_weights(gdf: gpd.GeoDataFrame) -> W:
    """Row-standardised queen contiguity weights of `gdf`'s areas (ids = `gdf`'s index).

    Areas touching at a single corner are neighbours. Areas without any neighbour (islands)
    keep an empty row; see ``W.islands``. Build them once and pass them as ``weights=`` to
    several :func:`local_moran` runs on the same areas (building them is the slow part).
    """
    from libpysal.weights import Queen

    w = Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
    return _row_standardised(w)


def _row_standardised(w: W) -> W:
    with warnings.catch_warnings():  # islands: "rows of zero weight", handled by the callers
        warnings.simplefilter("ignore")
        w.transform = "r"
    return w


def _subset(w: W, ids: Sequence[Any]) -> W:
    from libpysal.weights import w_subset

    with warnings.catch_warnings():  # islands and disconnected parts are reported by the caller
        warnings.simplefilter("ignore")
        return _row_standardised(w_subset(w, list(ids), silence_warnings=True))


def _check_options(
    gdf: gpd.GeoDataFrame, *, permutations: int, alpha: float, min_areas: int
) -> None:
    problems = []
    if not isinstance(gdf, gpd.GeoDataFrame):
        problems.append(f"gdf must be a GeoDataFrame of areas; got {type(gdf).__name__}")
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 99:
        problems.append(f"permutations={permutations!r} must be a whole number of at least 99")
    if not 0 < alpha < 1:
        problems.append(f"alpha={alpha!r} must lie between 0 and 1 (e.g. 0.05)")
    if isinstance(min_areas, bool) or not isinstance(min_areas, int) or min_areas < 3:
        problems.append(f"min_areas={min_areas!r} must be a whole number of at least 3")
    if isinstance(gdf, pd.DataFrame) and not gdf.index.is_unique:
        dupes = gdf.index[gdf.index.duplicated()].unique().tolist()[:5]
        problems.append(f"gdf's index repeats labels {dupes}; give each area its own row label")
    if problems:
        raise InputError("Cannot compute local Moran's I: " + "; ".join(problems) + ".")
    if len(gdf) < min_areas:
        msg = (
            f"Local Moran's I (LISA) needs at least {min_areas} areas; gdf has {len(gdf)}. With "
            "so few areas each has only a handful of neighbours, the permutation test cannot "
            "give p-values that survive a false-discovery-rate cut-off, and one area's "
            "neighbourhood covers much of the regency, so 'clusters' would mean nothing. Run it "
            "at desa level instead of kecamatan level; a region with fewer desa is too small "
            "for clusters (run the coverage analysis with clusters=False)."
        )
        raise InputError(msg)


def _usable(
    gdf: gpd.GeoDataFrame, valid: pd.Series, *, weights: W | None, min_areas: int, what: str
) -> tuple[W, pd.Series]:
    """Weights among the areas with values and at least one such neighbour, and the islands.

    Islands are areas with a value but no neighbour with a value; they are not tested.
    """
    full = weights if weights is not None else queen_weights(gdf)
    if set(full.id_order) != set(gdf.index) or len(full.id_order) != len(gdf):
        msg = (
            f"weights are for {len(full.id_order)} other areas than gdf's {len(gdf)} rows; "
            "build them with queen_weights(gdf) from the same GeoDataFrame."
        )
        raise InputError(msg)
    w = _subset(full, gdf.index[valid])
    islands = pd.Series(False, index=gdf.index)
    islands[list(w.islands)] = True
    tested = valid & ~islands
    if w.islands:  # dropping an island changes no other area's neighbours
        w = _subset(full, gdf.index[tested])
    if int(tested.sum()) < min_areas:
        msg = (
            f"Only {int(tested.sum())} of {len(gdf)} areas have {what} and a neighbour with one "
            f"({int((~valid).sum())} missing, {int(islands.sum())} without neighbours); local "
            f"Moran's I needs at least {min_areas}. Fill in the missing values or map a larger "
            "set of areas (desa level)."
        )
        raise InputError(msg)
    return w, islands


def _result(
    index: pd.Index,
    *,
    local: Any,
    tested: pd.Series,
    islands: pd.Series,
    valid: pd.Series,
    alpha: float,
    fdr: bool,
    language: str,
    labels: dict[str, tuple[str, ...]],
) -> pd.DataFrame:
    """The result table: I, pseudo p, quadrant, significance, cluster code and label."""
    import esda

    p = np.asarray(local.p_sim, dtype=float)
    threshold = float(esda.fdr(p, alpha)) if fdr else alpha
    out = pd.DataFrame(index=index)
    out["I"] = np.nan
    out["p_value"] = np.nan
    out.loc[tested, "I"] = np.asarray(local.Is, dtype=float)
    out.loc[tested, "p_value"] = p
    quadrant = pd.Series(pd.NA, index=index, dtype=object)
    quadrant[tested] = [QUADRANTS[int(q)] for q in local.q]
    out["quadrant"] = quadrant
    out["significant"] = tested & (out["p_value"] < threshold)
    cluster = pd.Series(pd.NA, index=index, dtype=object)
    cluster[tested] = "ns"
    cluster[out["significant"]] = quadrant[out["significant"]]
    cluster[islands] = "island"
    out["cluster"] = cluster
    names = dict(zip(CLUSTERS, labels[language], strict=True))
    out["label"] = [
        text("no_data", language) if not ok else names[str(c)]
        for c, ok in zip(cluster, valid, strict=True)
    ]
    out.attrs.update(p_threshold=threshold, alpha=alpha, fdr=fdr, language=language,
                     labels={k: list(v) for k, v in labels.items()},
                     n_tested=int(tested.sum()), n_islands=int(islands.sum()),
                     n_missing=int((~valid).sum()))  # fmt: skip
    return out


def local_moran(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    label: str | None = None,
    weights: W | None = None,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
    fdr: bool = True,
    min_areas: int = MIN_AREAS,
    language: str = "id",
) -> pd.DataFrame:
    """Local Moran's I (LISA) of `column`: hot spots, cold spots and spatial outliers.

    Uses :class:`esda.Moran_Local` with row-standardised queen contiguity
    (:func:`queen_weights`) and `permutations` conditional permutations seeded with `seed`.
    An area is significant when its pseudo p-value is below the false-discovery-rate cut-off
    :func:`esda.fdr` at `alpha` (or below `alpha` itself with ``fdr=False``, which finds more
    clusters, many of them by chance).

    No row is dropped: areas without a value are labelled "Tidak ada data" (cluster ``<NA>``),
    and areas without a neighbour that has a value are labelled "Tanpa tetangga" (cluster
    ``"island"``); neither is tested nor counted in the FDR.

    Parameters
    ----------
    gdf
        Areas (polygons) with a numeric `column`, e.g. desa with a need rate or a gap.
    column
        The variable.
    label
        Its name in titles and captions (default `column`), e.g. "Keluarga berisiko stunting".
    weights
        Queen weights of `gdf` from :func:`queen_weights`, to reuse over several runs; by
        default they are built here.
    permutations, seed
        The conditional permutation test: the pseudo p-value is the share of permutations
        whose statistic is at least as extreme, in the observed direction, as the area's own
        (esda's "directed" test), so it goes down to ``1 / (permutations + 1)``.
    alpha, fdr
        Significance level and whether it bounds the false discovery rate (default) or each
        test alone.
    min_areas
        Fewest areas accepted (:data:`MIN_AREAS`); fewer (e.g. the 15 kecamatan) raise
        :class:`~mapping.errors.InputError`.
    language
        ``"id"`` or ``"en"``: the text of the ``label`` column.

    Returns
    -------
    pandas.DataFrame
        Indexed like `gdf`: ``I`` (local statistic), ``p_value`` (pseudo p), ``quadrant``
        (``HH``/``LH``/``LL``/``HL``, own value vs neighbours' mean, significant or not),
        ``significant``, ``cluster`` (:data:`CLUSTERS` code) and ``label``. ``attrs`` hold the
        method (for :func:`method_note`) and the p-value cut-off used.
    """
    return _lisa(
        gdf, [column], names=[label or column], labels=CLUSTER_LABELS, weights=weights,
        permutations=permutations, seed=seed, alpha=alpha, fdr=fdr, min_areas=min_areas,
        language=language,
    )  # fmt: skip


def _lisa(
    gdf: gpd.GeoDataFrame,
    columns: list[str],
    *,
    names: list[str],
    labels: dict[str, tuple[str, ...]],
    weights: W | None,
    permutations: int,
    seed: int,
    alpha: float,
    fdr: bool,
    min_areas: int,
    language: str,
) -> pd.DataFrame:
    """Local Moran of one column, or bivariate local Moran of two, on the usable areas."""
    import esda

    lang = check_language(language)
    _check_options(gdf, permutations=permutations, alpha=alpha, min_areas=min_areas)
    check_columns(gdf, columns)
    data = [numeric_values(gdf[c], c) for c in columns]
    valid = pd.concat(data, axis=1).notna().all(axis=1)
    what = " and ".join(repr(c) for c in columns)
    w, islands = _usable(gdf, valid, weights=weights, min_areas=min_areas,
                         what=f"a value of {what}")  # fmt: skip
    tested = valid & ~islands
    for column, values in zip(columns, data, strict=True):
        _check_variation(values[tested], column)
    statistic = esda.Moran_Local if len(columns) == 1 else esda.Moran_Local_BV
    with _esda_quiet():
        local = statistic(
            *(values[tested].to_numpy() for values in data), w, transformation="r",
            permutations=permutations, seed=seed, keep_simulations=False, n_jobs=1,
        )  # fmt: skip
    out = _result(gdf.index, local=local, tested=tested, islands=islands, valid=valid,
                  alpha=alpha, fdr=fdr, language=lang, labels=labels)  # fmt: skip
    method = "local_moran" if len(columns) == 1 else "bivariate_local_moran"
    out.attrs.update(method=method, columns=list(columns), names=list(names),
                     permutations=permutations, seed=seed)  # fmt: skip
    return out


@contextlib.contextmanager
def _esda_quiet() -> Iterator[None]:
    """Silence esda's notice that the permutation test's alternative will change.

    esda's local Moran classes do not let the caller choose the alternative yet; the p-values
    are those of its current "directed" (folded) test, as documented in :func:`local_moran`.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        yield


def _check_variation(values: pd.Series, column: str) -> None:
    if values.nunique() < 2:
        msg = (
            f"Column {column!r} has the same value in every tested area; a local Moran's I "
            "needs values that vary."
        )
        raise InputError(msg)


def bivariate_labels(
    x_label: str | None = None, y_label: str | None = None
) -> dict[str, tuple[str, ...]]:
    """Legend labels of a bivariate local Moran in both languages, e.g.
    "Kebutuhan tinggi, kapasitas sekitar rendah" for ``HL``.

    `x_label` and `y_label` name the variables in every language; by default "Kebutuhan" and
    "kapasitas" in Indonesian, "need" and "capacity" in English.

    >>> bivariate_labels()["id"][2], bivariate_labels()["en"][2]
    ('Kebutuhan tinggi, kapasitas sekitar rendah', 'High need, low capacity nearby')
    >>> bivariate_labels("PMKS", "PSKS")["en"][0]
    'High PMKS, high PSKS nearby'
    """
    out = {}
    for lang in LANGUAGES:
        words = _WORDS[lang]
        need = text("need", lang)  # "Kebutuhan" starts the Indonesian label; "need" follows
        xl = x_label or (need if lang == "id" else need.lower())
        yl = y_label or text("capacity", lang).lower()
        quads = [
            f"{xl} {words[c[0]]}, {yl} sekitar {words[c[1]]}"
            if lang == "id"
            else f"{words[c[0]].capitalize()} {xl}, {words[c[1]]} {yl} nearby"
            for c in CLUSTERS[:4]
        ]
        out[lang] = (*quads, *CLUSTER_LABELS[lang][4:])
    return out


def bivariate_local_moran(
    gdf: gpd.GeoDataFrame,
    x: str,
    y: str,
    *,
    x_label: str | None = None,
    y_label: str | None = None,
    weights: W | None = None,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
    fdr: bool = True,
    min_areas: int = MIN_AREAS,
    language: str = "id",
) -> pd.DataFrame:
    """Bivariate local Moran's I: each area's `x` (e.g. need) against its neighbours' `y`
    (e.g. capacity), via :class:`esda.Moran_Local_BV`.

    ``HL`` marks high need surrounded by low capacity. Weights, permutations, FDR, missing
    values and islands are as in :func:`local_moran` (an area is missing when `x` or `y` is).
    `x_label` and `y_label` name the variables in the labels (see :func:`bivariate_labels`),
    titles and captions.

    Returns the same table as :func:`local_moran`; ``quadrant`` is own `x` high/low, then
    neighbours' `y` high/low.
    """
    return _lisa(
        gdf, [x, y], names=[x_label or x, y_label or y],
        labels=bivariate_labels(x_label, y_label), weights=weights, permutations=permutations,
        seed=seed, alpha=alpha, fdr=fdr, min_areas=min_areas, language=language,
    )  # fmt: skip


def _check_result(result: pd.DataFrame) -> None:
    missing = [c for c in ("cluster", "label") if c not in result.columns]
    if missing or "method" not in result.attrs:
        msg = (
            f"result is not a local Moran table (missing columns {missing} or its attrs); pass "
            "the table returned by local_moran(...) or bivariate_local_moran(...)."
        )
        raise InputError(msg)


def classify_clusters(
    result: pd.DataFrame, *, language: str | None = None
) -> CategoricalClassification:
    """The map classes of a :func:`local_moran` table: the LISA colours and labels, counts.

    Every cluster type is in the legend, even when no area has it (a "0" says none was found),
    except "Tanpa tetangga" when every area has neighbours; areas without a value are the
    "no data" class. `language` defaults to the table's.
    """
    _check_result(result)
    lang = check_language(language or result.attrs.get("language", "id"))
    keep = [c != "island" or (result["cluster"] == "island").any() for c in CLUSTERS]
    labels = {
        k: tuple(v for v, ok in zip(vs, keep, strict=True) if ok)
        for k, vs in result.attrs["labels"].items()
    }
    return classify_categorical(
        result["cluster"],
        categories=[c for c, ok in zip(CLUSTERS, keep, strict=True) if ok],
        colors=[c for c, ok in zip(CLUSTER_COLORS, keep, strict=True) if ok],
        labels=labels,
        language=lang,
    )


#: Texts of :func:`method_note` by language.
_NOTES: dict[str, dict[str, str]] = {
    "id": {
        "local_moran": "Moran lokal (LISA) atas '{x}'",
        "bivariate_local_moran": "Moran lokal bivariat: '{x}' terhadap '{y}' tetangga",
        "fdr": "FDR α = {alpha}",
        "plain": "p < {alpha} (tanpa koreksi FDR)",
        "note": "Metode: {what}, ketetanggaan queen (baris distandarkan), {perms} permutasi "
        "(seed {seed}), signifikan pada {test}",
        "islands": "wilayah tanpa tetangga",
        "missing": "tanpa data",
        "untested": "tidak diuji",
        "none": "tidak ada wilayah yang signifikan",
    },
    "en": {
        "local_moran": "local Moran's I (LISA) of '{x}'",
        "bivariate_local_moran": "bivariate local Moran's I: '{x}' against neighbours' '{y}'",
        "fdr": "FDR α = {alpha}",
        "plain": "p < {alpha} (no FDR correction)",
        "note": "Method: {what}, queen contiguity (row-standardised), {perms} permutations "
        "(seed {seed}), significant at {test}",
        "islands": "areas without neighbours",
        "missing": "without data",
        "untested": "not tested",
        "none": "no area is significant",
    },
}


def method_note(result: pd.DataFrame, *, language: str | None = None) -> str:
    """One sentence on how `result` was computed, for a map caption.

    E.g. "Metode: Moran lokal (LISA) atas 'x', ketetanggaan queen (baris distandarkan),
    999 permutasi (seed 12345), signifikan pada FDR α = 0,05." It also says how many areas
    were not tested (no neighbours, no data) and when no area is significant.
    """
    _check_result(result)
    a = result.attrs
    lang = check_language(language or a.get("language", "id"))
    t = _NOTES[lang]
    names = a["names"]
    alpha = format_number(a["alpha"], decimals=_decimals(a["alpha"]), language=lang)
    what = t[a["method"]].format(x=names[0], y=names[-1])
    test = t["fdr" if a["fdr"] else "plain"].format(alpha=alpha)
    perms = format_number(a["permutations"], language=lang)
    parts = [t["note"].format(what=what, perms=perms, seed=a["seed"], test=test)]
    skipped = [
        f"{format_number(n, language=lang)} {t[key]}"
        for key in ("islands", "missing")
        if (n := a[f"n_{key}"])
    ]
    if skipped:
        parts.append(f"{', '.join(skipped)} {t['untested']}")
    if not result["significant"].any():
        parts.append(t["none"])
    return "; ".join(parts) + "."


def _decimals(x: float) -> int:
    """Decimals that show a significance level: 2 (0,05), or more for smaller ones (0,001)."""
    return max(2, -math.floor(math.log10(x))) if x < 0.01 else 2


def cluster_title(result: pd.DataFrame, *, language: str | None = None) -> str:
    """The legend title of a cluster map of `result`, e.g. "Klaster Moran lokal: need"."""
    _check_result(result)
    a = result.attrs
    lang = check_language(language or a.get("language", "id"))
    cols = a["names"]
    if a["method"] == "local_moran":
        return (
            f"Klaster Moran lokal: {cols[0]}"
            if lang == "id"
            else f"Local Moran clusters: {cols[0]}"
        )
    if lang == "id":
        return f"Klaster bivariat: {cols[0]} × {cols[1]} tetangga"
    return f"Bivariate clusters: {cols[0]} × neighbours' {cols[1]}"
