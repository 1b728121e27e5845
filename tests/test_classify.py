"""Tests of the one classification used by every map: bins, classes, colours, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mapping.classify import (
    NO_DATA_COLOR,
    CategoricalClassification,
    Indicator,
    as_indicators,
    classify,
    classify_categorical,
    classify_pooled,
    palette_colors,
)
from mapping.errors import InputError
from mapping.labels import format_number, text

YLORRD5 = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")  # ColorBrewer YlOrRd, 5


def test_equal_interval_worked_by_hand() -> None:
    c = classify(pd.Series(range(11)), scheme="equal_interval", k=5)
    assert c.bins == (2.0, 4.0, 6.0, 8.0, 10.0)
    assert c.labels == ("0 – 2", "3 – 4", "5 – 6", "7 – 8", "9 – 10")
    assert c.counts == (3, 2, 2, 2, 2)
    assert c.classes.tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert c.colors == YLORRD5


def test_quantiles_integer_labels_do_not_overlap() -> None:
    c = classify(pd.Series(range(1, 11)), scheme="quantiles", k=2)
    assert c.bins == (5.0, 10.0)  # 5.5 holds the same whole numbers as 5
    assert c.labels == ("1 – 5", "6 – 10")
    assert c.counts == (5, 5)


@pytest.mark.parametrize("scheme", ["fisher_jenks", "natural_breaks"])
def test_natural_breaks_find_clusters(scheme: str) -> None:
    c = classify(pd.Series([1, 1, 2, 10, 11, 12, 100, 101]), scheme=scheme, k=3)
    assert c.classes.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert c.labels == ("1 – 2", "3 – 12", "13 – 101")


def test_headtail_chooses_k_from_data() -> None:
    values = pd.Series([1.0] * 20 + [2.0] * 5 + [10.0, 50.0])
    c = classify(values, scheme="headtail", k=9)
    assert 2 <= c.k <= 4
    order = values.sort_values().index
    assert c.classes[order].is_monotonic_increasing  # higher values never get lower classes


def test_user_defined_bins_and_decimals_indonesian() -> None:
    c = classify(pd.Series([0.5, 1.25, 12.5, 20.0]), bins=[1, 12.5, 20])
    assert c.scheme == "user_defined"
    assert c.labels == ("0,5 – 1,0", "1,0 – 12,5", "12,5 – 20,0")
    assert c.counts == (1, 2, 1)


def test_english_numbers_and_no_data() -> None:
    c = classify(pd.Series([0.5, 1.25, None, 20.0]), bins=[1, 12.5, 20], language="en")
    assert c.labels[1] == "1.0 – 12.5"
    assert c.legend()[-1].label == "No data"


def test_thousands_separator_in_labels() -> None:
    c = classify(pd.Series([1000, 1234, 5678, 9999]), scheme="equal_interval", k=2)
    assert c.labels == ("1.000 – 5.499", "5.500 – 9.999")
    c_en = classify(
        pd.Series([1000, 1234, 5678, 9999]), scheme="equal_interval", k=2, language="en"
    )
    assert c_en.labels == ("1,000 – 5,499", "5,500 – 9,999")


def test_missing_data_is_its_own_class() -> None:
    c = classify(pd.Series([1.0, np.nan, 3.0, None, 5.0, 7.0]), scheme="equal_interval", k=2)
    assert c.n_missing == 2
    assert c.classes.isna().tolist() == [False, True, False, True, False, False]
    colors = c.color_of()
    assert colors[1] == colors[3] == NO_DATA_COLOR
    assert NO_DATA_COLOR not in c.colors
    assert c.label_of()[1] == "Tidak ada data"
    legend = c.legend()
    assert [r.label for r in legend] == ["1 – 4", "5 – 7", "Tidak ada data"]
    assert [r.count for r in legend] == [2, 2, 2]
    assert legend[-1].no_data and legend[-1].color == NO_DATA_COLOR
    assert len(c.legend(no_data=False)) == 2
    assert classify(pd.Series([1, 2, 3])).legend()[-1].label != "Tidak ada data"


def test_ties_give_fewer_classes_not_empty_duplicates() -> None:
    c = classify(pd.Series([0] * 8 + [1, 2]), scheme="quantiles", k=5)
    assert len(set(c.bins)) == c.k < 5
    assert sum(c.counts) == 10
    assert len(c.colors) == c.k


def _integer_ranges(labels: tuple[str, ...]) -> list[tuple[int, int]]:
    ends = [[int(x.replace(".", "")) for x in lab.split(" – ")] for lab in labels]
    return [(e[0], e[-1]) for e in ends]


@pytest.mark.parametrize(
    ("values", "k", "labels", "counts"),
    [
        # quantile bounds 0, 1/3, 50: the class 1/3 < x <= 1/3 holds no whole number
        ([0, 0, 0, 0, 1, 50], 5, ("0", "1 – 50"), (4, 2)),
        # PMKS-like counts: two-thirds of the desa have none
        ([0] * 20 + [1] * 5 + [2] * 3 + [7, 40], 5, ("0", "1", "2 – 40"), (20, 5, 5)),
        # 10 zeros fill three quintiles; the next bound 2.8 holds 1 and 2
        ([0] * 10 + [1, 1, 2, 3, 5, 8, 13], 5, ("0", "1 – 2", "3 – 13"), (10, 3, 4)),
        # ties at both ends
        ([3] * 6 + [4] + [9] * 6, 4, ("3", "4 – 9"), (6, 7)),
    ],
)
def test_quantiles_of_tied_whole_numbers_have_no_empty_or_overlapping_class(
    values: list[int], k: int, labels: tuple[str, ...], counts: tuple[int, ...]
) -> None:
    c = classify(pd.Series(values), scheme="quantiles", k=k)
    assert c.labels == labels and c.counts == counts
    assert all(b == int(b) for b in c.bins)
    ranges = _integer_ranges(c.labels)
    assert all(hi + 1 == lo for (_, hi), (lo, _) in zip(ranges, ranges[1:], strict=False))


def test_tied_decimals_have_no_empty_class() -> None:
    c = classify(pd.Series([0, 0, 0, 0, 0.5, 50]), scheme="quantiles", k=5)
    assert c.counts == (4, 2) and c.bins == (0.0, 50.0)


def test_empty_classes_kept_where_they_mean_something() -> None:
    # equal intervals keep their widths, empty or not
    c = classify(pd.Series([0, 0, 0, 0, 1, 50]), scheme="equal_interval", k=3)
    assert c.labels == ("0 – 16", "17 – 33", "34 – 50") and c.counts == (5, 0, 1)
    # user bins stay as given; when a class holds no whole number, decimals tell them apart
    c = classify(pd.Series([0, 1, 2]), bins=[0.2, 0.5, 2])
    assert c.bins == (0.2, 0.5, 2.0) and c.counts == (1, 0, 2)
    assert c.labels == ("0,00 – 0,20", "0,20 – 0,50", "0,50 – 2,00")


def test_palettes_are_colorbrewer() -> None:
    assert palette_colors("YlOrRd", 5) == YLORRD5
    assert palette_colors("RdBu", 3) == ("#ef8a62", "#f7f7f7", "#67a9cf")
    assert palette_colors("Blues", 2) == ("#deebf7", "#3182bd")
    assert classify(pd.Series(range(10)), k=4, palette="Blues").colors == palette_colors("Blues", 4)


def test_pooled_classification_shares_bins() -> None:
    df = pd.DataFrame({"2023": [1, 2, 3, 4], "2024": [5, 6, 7, 8]})
    pooled = classify_pooled(df, ["2023", "2024"], scheme="equal_interval", k=2)
    a, b = pooled["2023"], pooled["2024"]
    assert a.bins == b.bins and a.labels == b.labels and a.colors == b.colors
    assert a.counts == (4, 0) and b.counts == (0, 4)
    assert a.lower == 1.0


def test_apply_outside_shared_bins_raises() -> None:
    c = classify(pd.Series([1, 2, 3]), scheme="equal_interval", k=2)
    with pytest.raises(InputError, match="outside the shared bins"):
        c.apply(pd.Series([10]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scheme": "jenks"}, "scheme='jenks' is unknown"),
        ({"k": 0}, "k=0 must be a whole number"),
        ({"k": 12}, "k=12 must be a whole number"),
        ({"scheme": "user_defined"}, "needs bins="),
        ({"palette": "jet"}, "not a colour-blind-safe ColorBrewer ramp"),
        ({"language": "fr"}, "language='fr' is not supported"),
        ({"decimals": 9}, "decimals=9"),
    ],
)
def test_bad_options_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        classify(pd.Series([1.0, 2.0, 3.0]), **kwargs)


def test_bad_values_raise() -> None:
    with pytest.raises(InputError, match="'nama' is not numeric"):
        classify(pd.Series(["a", "b"], name="nama"))
    with pytest.raises(InputError, match="'x' has no values to classify"):
        classify(pd.Series([None, None], name="x", dtype=float))
    with pytest.raises(InputError, match="infinite"):
        classify(pd.Series([1.0, np.inf]))
    with pytest.raises(InputError, match=r"missing \['zz'\]"):
        classify_pooled(pd.DataFrame({"a": [1]}), ["a", "zz"])


def test_indicator_and_as_indicators() -> None:
    ind = Indicator("risk", "Keluarga berisiko", unit="per 1.000 keluarga", k=3)
    assert ind.title == "Keluarga berisiko (per 1.000 keluarga)"
    assert ind.classify(pd.Series(range(9))).k == 3
    assert [i.title for i in as_indicators({"a": "A", "b": "B"})] == ["A", "B"]
    assert as_indicators(["a", ind])[1] is ind
    with pytest.raises(InputError, match="column names or Indicator"):
        as_indicators([3])


def test_labels_module() -> None:
    assert format_number(1234567) == "1.234.567"
    assert format_number(12.5, decimals=1) == "12,5"
    assert format_number(None) == "Tidak ada data"
    assert format_number(float("nan"), language="en") == "No data"
    assert text("rank", "en", rank=1, n=252) == "rank 1 of 252"
    with pytest.raises(InputError, match="No map text 'nope'"):
        text("nope")


def test_real_desa_areas_quintiles(desa) -> None:
    c = classify(desa["area_km2"], k=5, palette="Greens")
    assert c.k == 5
    assert sum(c.counts) == 252 and min(c.counts) >= 49
    biggest = desa["area_km2"].idxmax()
    assert c.classes[biggest] == 4
    assert c.color_of()[biggest] == palette_colors("Greens", 5)[-1]


SEVERITY_COLORS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
SEVERITY_LABELS = {
    "id": ("1 Minimal", "2 Ringan", "3 Sedang", "4 Berat", "5 Sangat berat"),
    "en": ("1 Minimal", "2 Stressed", "3 Moderate", "4 Severe", "5 Extreme"),
}


def test_categorical_severity_classes_counts_and_colours() -> None:
    severity = pd.Series([3, 1, 5, None, 3, 3, 2], index=list("abcdefg"))
    c = classify_categorical(
        severity, categories=[1, 2, 3, 4, 5], colors=SEVERITY_COLORS, labels=SEVERITY_LABELS
    )
    assert isinstance(c, CategoricalClassification) and c.categorical and c.k == 5
    assert c.classes.index.equals(severity.index)
    assert c.classes.tolist() == [2, 0, 4, pd.NA, 2, 2, 1]
    assert c.counts == (1, 1, 3, 0, 1)  # class 4 is empty and still in the legend
    assert c.n_missing == 1
    assert c.color_of()["c"] == "#a50f15" and c.color_of()["d"] == NO_DATA_COLOR
    assert c.label_of()["a"] == "3 Sedang" and c.label_of()["d"] == "Tidak ada data"
    legend = c.legend()
    assert [(r.label, r.color, r.count) for r in legend[:5]] == list(
        zip(SEVERITY_LABELS["id"], SEVERITY_COLORS, (1, 1, 3, 0, 1), strict=True)
    )
    assert legend[-1].no_data and legend[-1].count == 1
    en = c.in_language("en")
    assert en.labels == SEVERITY_LABELS["en"] and en.no_data_label == "No data"
    assert en.colors == c.colors and en.counts == c.counts
    assert c.format(3) == "3 Sedang" and c.format(None) == "Tidak ada data"
    again = c.apply(pd.Series([5, 5]))
    assert again.counts == (0, 0, 0, 0, 2) and again.labels == c.labels


def test_categorical_labels_default_to_categories_and_one_list_serves_both() -> None:
    c = classify_categorical(pd.Series(["HH", "LL"]), categories=["HH", "LL"],
                             colors=["#d7191c", "#2c7bb6"])  # fmt: skip
    assert c.labels == ("HH", "LL")
    same = classify_categorical(pd.Series(["x"]), categories=["x"], colors=["#000000"],
                                labels=["Satu"], language="en")  # fmt: skip
    assert same.labels == ("Satu",) and same.no_data_label == "No data"


def test_categorical_indicator() -> None:
    ind = Indicator("severity", "Tingkat keparahan", categories=(1, 2, 3, 4, 5),
                    colors=SEVERITY_COLORS, category_labels=SEVERITY_LABELS)  # fmt: skip
    c = ind.classify(pd.Series([1, 5, 5]), language="en")
    assert c.categorical and c.counts == (1, 0, 0, 0, 2) and c.labels[4] == "5 Extreme"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"categories": [], "colors": []}, r"categories is empty"),
        ({"categories": [1, 1], "colors": ["#000000"] * 2}, r"\[1, 1\] has repeated entries"),
        ({"categories": [1, 2], "colors": ["#000000"]}, r"colors has 1 entries for 2 categories"),
        ({"categories": [1], "colors": ["red"]}, r"colors \['red'\] are not '#rrggbb'"),
        ({"categories": [1], "colors": ["#000000"], "labels": ["a", "b"]},
         r"labels\['id'\] has 2 entries for 1 categories"),
        ({"categories": [1], "colors": ["#000000"], "labels": {"fr": ["a"]}},
         r"labels has languages \['fr'\]"),
    ],
)  # fmt: skip
def test_categorical_bad_options_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        classify_categorical(pd.Series([1]), **kwargs)


def test_categorical_unknown_values_raise() -> None:
    values = pd.Series(["HH", "XX", None, "YY"], name="cluster")
    with pytest.raises(InputError, match=r"'cluster' holds \['XX', 'YY'\], which are not among"):
        classify_categorical(values, categories=["HH"], colors=["#d7191c"])
