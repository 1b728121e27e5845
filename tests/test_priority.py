"""Priority score, reasons and weight sensitivity, on small tables worked out by hand."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from mapping.errors import InputError
from mapping.priority import (
    DEFAULT_COMPONENTS,
    DEFAULT_WEIGHTS,
    Component,
    normalise,
    parse_weights,
    percentile_rank,
    priority_score,
    resolve_weights,
    sensitivity,
)


@pytest.fixture
def three() -> pd.DataFrame:
    """Three desa whose normalised components are easy to work out.

    need 10/20/30 -> 0, .5, 1; gap 0/50/100 -> 0, .5, 1; access_km 5/15/10 -> 0, 1, .5;
    capacity 4/2/0 (lower = more priority) -> 0, .5, 1.
    """
    return pd.DataFrame(
        {
            "code": ["X", "Y", "Z"],
            "need": [10.0, 20.0, 30.0],
            "gap": [0.0, 50.0, 100.0],
            "access_km": [5.0, 15.0, 10.0],
            "capacity": [4.0, 2.0, 0.0],
        },
        index=[7, 8, 9],
    )


# --- normalisation and weights -----------------------------------------------------------------


def test_normalise_min_max_both_directions() -> None:
    s = pd.Series([2.0, 4.0, np.nan, 10.0])
    assert normalise(s).tolist()[:2] == [0.0, 0.25] and normalise(s).iloc[3] == 1.0
    assert np.isnan(normalise(s).iloc[2])  # missing stays missing, never 0
    assert normalise(s, higher_is="better").tolist()[:2] == [1.0, 0.75]
    assert normalise(pd.Series([3.0, 3.0, np.nan])).tolist()[:2] == [0.5, 0.5]
    with pytest.raises(InputError, match="higher_is='up' is not supported"):
        normalise(s, higher_is="up")  # type: ignore[arg-type]


def test_percentile_rank_mid_rank() -> None:
    # 10: (0 + .5) / 3; 20: 1.5 / 3; 30: 2.5 / 3
    got = percentile_rank(pd.Series([10.0, 20.0, 30.0]))
    assert got.tolist() == pytest.approx([100 / 6, 50.0, 250 / 3])


def test_weights_defaults_and_renormalised() -> None:
    assert resolve_weights(None) == DEFAULT_WEIGHTS
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1)
    assert resolve_weights("need=0.4,gap=0.3,access=0.3") == pytest.approx(
        {"need": 0.4, "gap": 0.3, "access": 0.3, "capacity": 0.0}
    )
    assert resolve_weights({"need": 3, "capacity": 1}) == {
        "need": 0.75,
        "gap": 0.0,
        "access": 0.0,
        "capacity": 0.25,
    }
    other = (Component("a", "a"), Component("b", "b"))
    assert resolve_weights(None, other) == {"a": 0.5, "b": 0.5}


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({"need": 1, "poverty": 1}, r"unknown weight name\(s\) \['poverty'\]; expected some of "
         r"\['need', 'gap', 'access', 'capacity'\]"),
        ({"need": -0.1, "gap": 1}, r"negative weight\(s\) \{'need': -0.1\}; weights must be 0"),
        ({"need": 0, "gap": 0}, r"sum to 0; give at least one positive weight"),
        ("need=0.4,gap", r"'gap' cannot be read; expected name=number pairs"),
        ("need=abc", r"'need=abc' cannot be read"),
    ],
)  # fmt: skip
def test_weight_errors(weights, match) -> None:
    with pytest.raises(InputError, match=match):
        resolve_weights(weights)


def test_parse_weights() -> None:
    assert parse_weights(" need = 1 ,gap=2") == {"need": 1.0, "gap": 2.0}


# --- score by hand -------------------------------------------------------------------------------


def test_score_by_hand(three) -> None:
    out = priority_score(three)
    # X: 0; Y: .35*.5 + .25*.5 + .2*1 + .2*.5 = .6; Z: .35 + .25 + .2*.5 + .2 = .9
    assert out["score"].tolist() == pytest.approx([0.0, 0.6, 0.9])
    assert out["rank"].tolist() == [3, 2, 1]
    assert out["access_norm"].tolist() == [0.0, 1.0, 0.5]
    assert out["capacity_norm"].tolist() == [0.0, 0.5, 1.0]
    assert not out["incomplete"].any()
    assert list(out.index) == [7, 8, 9] and "score" not in three.columns


def test_equal_scores_share_a_rank(three) -> None:
    # need .5 / access .5: X 0; Y .25 + .5 = .75; Z .5 + .25 = .75
    out = priority_score(three, weights={"need": 2, "access": 2})
    assert out["score"].tolist() == pytest.approx([0.0, 0.75, 0.75])
    assert out["rank"].tolist() == [3, 1, 1]


def test_reason_by_hand(three) -> None:
    out = priority_score(three).set_index("code")
    # Z contributes need .35, gap .25, capacity .2, access .1 (in that order);
    # need 30 is percentile (2 + .5) / 3 = 83 -> tinggi; capacity 0 is percentile 17 -> rendah
    assert out.loc["Z", "reason"] == (
        "kebutuhan tinggi (persentil 83); kesenjangan tinggi (persentil 83); "
        "kapasitas rendah (persentil 17); 10 km ke puskesmas terdekat"
    )
    # Y: access .2 first, then need .175, gap .125, capacity .1; percentiles 50 -> sedang
    assert out.loc["Y", "reason"] == (
        "15 km ke puskesmas terdekat; kebutuhan sedang (persentil 50); "
        "kesenjangan sedang (persentil 50); kapasitas sedang (persentil 50)"
    )
    en = priority_score(three, language="en").set_index("code")
    assert en.loc["Z", "reason"].startswith("high need (percentile 83); high coverage gap")


def test_missing_component_is_flagged_not_zero(three) -> None:
    frame = pd.concat(
        [
            three,
            pd.DataFrame(
                {"code": ["M"], "need": [np.nan], "gap": [50.0], "access_km": [5.0],
                 "capacity": [4.0]}, index=[10],
            ),
        ]
    )  # fmt: skip
    out = priority_score(frame).set_index("code")
    # M: gap .5, access 0, capacity 0 over the weights present: .25 * .5 / (.25 + .2 + .2)
    assert out.loc["M", "score"] == pytest.approx(0.125 / 0.65)
    assert np.isnan(out.loc["M", "need_norm"])
    assert out.loc["M", "incomplete"] and not out.loc["Z", "incomplete"]
    assert out.loc["M", "reason"].endswith("data tidak ada: kebutuhan (skor dari komponen lain)")
    # the others are scored exactly as without M (its values lie within their range)
    assert out.loc[["X", "Y", "Z"], "score"].tolist() == pytest.approx([0.0, 0.6, 0.9])


def test_no_component_at_all_gives_no_score(three) -> None:
    frame = three.copy()
    frame.loc[7, ["need", "gap", "access_km", "capacity"]] = np.nan
    out = priority_score(frame)
    assert np.isnan(out.loc[7, "score"]) and pd.isna(out.loc[7, "rank"])
    assert out.loc[[8, 9], "rank"].tolist() == [2, 1]


def test_unweighted_components_may_be_absent(three) -> None:
    out = priority_score(three.drop(columns="capacity"), weights={"need": 1, "gap": 1})
    assert out["score"].tolist() == pytest.approx([0.0, 0.5, 1.0])
    assert "capacity_norm" not in out.columns and "kapasitas" not in out["reason"].iloc[0]


def test_column_errors(three) -> None:
    with pytest.raises(InputError, match=r"component column\(s\) \['capacity'\] not found in"):
        priority_score(three.drop(columns="capacity"))
    bad = three.assign(need=["a", "b", "c"])
    with pytest.raises(InputError, match=r"\['need'\] are not numeric"):
        priority_score(bad)


def test_reasons_agree_with_the_numbers() -> None:
    rng = np.random.default_rng(5)
    n = 40
    frame = pd.DataFrame(
        {
            "need": rng.gamma(2, 10, n),
            "gap": rng.normal(50, 20, n),
            "access_km": rng.uniform(0, 30, n),
            "capacity": rng.integers(0, 6, n).astype(float),
        }
    )
    frame.loc[3, "gap"] = np.nan
    out = priority_score(frame)
    labels = {"kebutuhan": "need", "kesenjangan": "gap", "kapasitas": "capacity"}
    weights = DEFAULT_WEIGHTS
    for i, row in out.iterrows():
        phrases = row["reason"].split("; ")
        contributions = []
        for phrase in phrases:
            if phrase.startswith("data tidak ada"):
                assert i == 3 and "kesenjangan" in phrase
                continue
            if m := re.fullmatch(r"(\d+) km ke puskesmas terdekat", phrase):
                assert int(m.group(1)) == round(row["access_km"])
                name = "access"
            else:
                m = re.fullmatch(r"(\w+) (tinggi|sedang|rendah) \(persentil (\d+)\)", phrase)
                assert m, phrase
                name = labels[m.group(1)]
                col = next(c.column for c in DEFAULT_COMPONENTS if c.name == name)
                vals = frame[col].dropna()
                # percentile by hand: share below plus half the share equal
                p = ((vals < row[col]).sum() + 0.5 * (vals == row[col]).sum()) / len(vals) * 100
                assert int(m.group(3)) == int(np.floor(p + 0.5))
                rounded = int(np.floor(p + 0.5))
                level = "tinggi" if rounded >= 67 else "rendah" if rounded <= 33 else "sedang"
                assert m.group(2) == level
            contributions.append(weights[name] * row[f"{name}_norm"])
        assert contributions == sorted(contributions, reverse=True)
        assert len(contributions) == (3 if i == 3 else 4)


# --- sensitivity ---------------------------------------------------------------------------------


def test_clear_winner_stays_first() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {c: rng.uniform(0.2, 0.8, 30) for c in ("need", "gap", "access_km", "capacity")}
    )
    frame.loc[4, ["need", "gap", "access_km"]] = 1.0  # the most of every bad thing
    frame.loc[4, "capacity"] = 0.0  # and no capacity
    result = sensitivity(frame, top_n=1, draws=500, seed=3)
    row = result.table.loc[4]
    assert row["top_n_share"] == 1.0 and row["rank_min"] == row["rank_max"] == 1
    assert result.table["top_n_share"].sum() == pytest.approx(1.0)
    assert result.verdict == "stable" and result.stable_share == 1.0
    assert result.message.startswith("Daftar pendek stabil: 1 dari 1 desa teratas")


def test_tied_desa_flip() -> None:
    # A wins on need, B on gap: equal scores under equal weights, so each wins half the draws
    frame = pd.DataFrame({"need": [1.0, 0.0, 0.0], "gap": [0.0, 1.0, 0.0]}, index=["A", "B", "C"])
    comps = DEFAULT_COMPONENTS[:2]
    result = sensitivity(frame, components=comps, top_n=1, draws=2000, seed=7)
    share = result.table["top_n_share"]
    assert 0.45 < share["A"] < 0.55 and share["A"] + share["B"] == pytest.approx(1.0)
    assert share["C"] == 0.0
    assert result.table.loc["A", "rank_min"] == 1 and result.table.loc["A", "rank_max"] == 2
    assert result.table.loc["C", "rank_min"] == 3


def test_unstable_shortlist_says_so() -> None:
    # need = t, gap = 1 - t: every score is .5 under equal weights; any change in the weights
    # puts either the high-t or the low-t desa on top, so the shortlist flips completely
    t = np.linspace(0, 1, 20)
    frame = pd.DataFrame({"need": t, "gap": 1 - t})
    result = sensitivity(frame, components=DEFAULT_COMPONENTS[:2], top_n=5, draws=1000, seed=1)
    assert result.verdict == "unstable" and result.stable_share == 0.0
    assert result.mean_overlap < 0.6
    assert result.message.startswith(
        "Peringatan: daftar pendek berubah banyak dengan perubahan bobot kecil: 0 dari 5"
    )
    en = sensitivity(frame, components=DEFAULT_COMPONENTS[:2], top_n=5, seed=1, language="en")
    assert en.message.startswith("Warning: the shortlist changes a lot under small weight")


def test_seeded_and_zero_perturbation(three) -> None:
    a = sensitivity(three, top_n=2, draws=200, seed=11)
    b = sensitivity(three, top_n=2, draws=200, seed=11)
    pd.testing.assert_frame_equal(a.table, b.table)
    still = sensitivity(three, top_n=2, perturbation=0.0, draws=50)
    assert still.table["top_n_share"].tolist() == [0.0, 1.0, 1.0]
    assert still.table["rank_p05"].tolist() == still.table["rank_p95"].tolist() == [3, 2, 1]


def test_sensitivity_skips_unscored_desa(three) -> None:
    frame = three.copy()
    frame.loc[7, ["need", "gap", "access_km", "capacity"]] = np.nan
    result = sensitivity(frame, top_n=5, draws=20)
    assert result.top_n == 2  # only two desa have a score
    assert np.isnan(result.table.loc[7, "top_n_share"]) and pd.isna(result.table.loc[7, "rank_max"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"top_n": 0}, r"top_n=0 is not allowed; expected a whole number of 1 or more"),
        ({"perturbation": 1.5}, r"perturbation=1.5 is not allowed; expected a share in \[0, 1\)"),
        ({"draws": 0}, r"draws=0 is not allowed"),
        ({"weights": {"nope": 1}}, r"unknown weight name"),
        ({"weights": {"capacity": 1}, "frame": "no capacity"}, r"no row has a value in any"),
    ],
)
def test_sensitivity_errors(three, kwargs, match) -> None:
    frame = three.assign(capacity=np.nan) if kwargs.pop("frame", None) else three
    with pytest.raises(InputError, match=match):
        sensitivity(frame, **kwargs)


def test_custom_components_phrase_the_issue_example() -> None:
    # the example of issue 7: need at percentile (5 + .5) / 6 = 92, the lowest PKH coverage
    # (41%) and the longest distance (14 km); contributions .5, .3, .2 in that order
    comps = (
        DEFAULT_COMPONENTS[0],
        Component("coverage", "pkh_pct", "better", "Cakupan PKH", "PKH coverage",
                  "cakupan PKH {value}%", "PKH coverage {value}%"),
        DEFAULT_COMPONENTS[2],
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "need": [1.0, 2, 3, 4, 5, 6],
            "pkh_pct": [90.0, 80, 70, 60, 50, 41],
            "access_km": [1.0, 2, 3, 4, 5, 14],
        }
    )
    out = priority_score(frame, components=comps, weights="need=0.5,coverage=0.3,access=0.2")
    assert out["reason"].iloc[5] == (
        "kebutuhan tinggi (persentil 92); cakupan PKH 41%; 14 km ke puskesmas terdekat"
    )
    assert out["score"].iloc[5] == pytest.approx(1.0) and out["rank"].iloc[5] == 1
    assert out["coverage_norm"].tolist() == pytest.approx(
        [0, 10 / 49, 20 / 49, 30 / 49, 40 / 49, 1]
    )
