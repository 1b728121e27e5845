"""Need and capacity measures, Empirical-Bayes rates and rate checks, by hand and on real data."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from mapping.categories import PSKS
from mapping.errors import InputError
from mapping.indicators import (
    MIN_DENOMINATOR,
    impossible_counts,
    queen_weights,
    small_denominator,
    smooth_rate,
)
from mapping.measures import (
    DEFAULT_MEASURES,
    NOT_CAPACITY,
    REAL_MEASURES,
    SAMPLE_MEASURES,
    Measure,
    add_measures,
    default_measures,
    get_measure,
    measures_table,
)
from mapping.pipeline import real_indicator_layers, synthetic_layers

# --- Empirical-Bayes smoothing on a few known numbers ---------------------------------------

# Four desa: events e (e.g. families at risk) among b families.
E = [2.0, 10.0, 1.0, 30.0]
B = [20.0, 100.0, 50.0, 200.0]


def test_global_eb_is_marshalls_estimate_worked_by_hand() -> None:
    # Marshall (1991) by hand. m = 43 / 370 = 0.11622; raw rates 0.1, 0.1, 0.02, 0.15.
    m = sum(E) / sum(B)
    assert m == pytest.approx(0.116216, abs=1e-6)
    rates = [e / b for e, b in zip(E, B, strict=True)]
    # s2 = sum b_i (r_i - m)^2 / sum b - m / mean(b)
    #    = (20*0.000263 + 100*0.000263 + 50*0.009264 + 200*0.001141) / 370 - 0.116216 / 92.5
    #    = 0.001954 - 0.001256 = 0.000697
    s2 = sum(b * (r - m) ** 2 for r, b in zip(rates, B, strict=True)) / sum(B) - m / (sum(B) / 4)
    assert s2 == pytest.approx(0.000697, abs=2e-6)
    expected = []
    for r, b in zip(rates, B, strict=True):
        w = s2 / (s2 + m / b)  # the smaller b, the more weight on m
        expected.append((m + w * (r - m)) * 1_000)
    # Worked: w = 0.000697 / (0.000697 + m / b) = 0.107, 0.375, 0.231, 0.545 for b = 20, 100,
    # 50, 200; e.g. desa 3: 0.11622 + 0.231 * (0.02 - 0.11622) = 0.09402. The smallest desa is
    # pulled most towards m, the largest least.
    assert expected == pytest.approx([114.48, 110.14, 94.02, 134.64], abs=0.01)
    got = smooth_rate(pd.Series(E), pd.Series(B))
    assert got.tolist() == pytest.approx(expected, rel=1e-9)
    raw = [r * 1000 for r in rates]
    assert all(min(raw) <= g <= max(raw) for g in got)


def test_global_eb_without_extra_variation_gives_the_overall_rate() -> None:
    # Equal raw rates: s2 = 0 - m / mean(b) < 0, so every desa gets m (Marshall's rule).
    got = smooth_rate(pd.Series([1, 5, 20]), pd.Series([10, 50, 200]), per=100)
    assert got.tolist() == pytest.approx([10.0, 10.0, 10.0])


def test_missing_and_zero_denominators_give_nan_and_do_not_move_the_others() -> None:
    e = pd.Series([*E, 3.0, None, 4.0])
    b = pd.Series([*B, 0.0, 40.0, None])
    got = smooth_rate(e, b)
    assert got.iloc[4:].isna().all()
    assert got.iloc[:4].tolist() == pytest.approx(smooth_rate(pd.Series(E), pd.Series(B)))
    assert not np.isinf(got).any()


def _row_of_squares(n: int) -> gpd.GeoSeries:
    return gpd.GeoSeries([box(i, 0, i + 1, 1) for i in range(n)], crs="EPSG:32647")


def test_spatial_eb_worked_by_hand() -> None:
    # Three squares in a row A-B-C; A's neighbourhood is {A, B}, B's is {A, B, C}.
    e, b = pd.Series([5.0, 10.0, 40.0]), pd.Series([100.0, 100.0, 100.0])
    got = smooth_rate(e, b, method="spatial", geometry=_row_of_squares(3))
    # A: local rate 15/200 = 0.075; s2 = (100*0.025^2*2)/200 - 0.075/(200/2) < 0 -> A = 0.075.
    assert got[0] == pytest.approx(75.0)
    # B: local rate 55/300 = 0.18333; s2 = 100*(0.13333^2 + 0.08333^2 + 0.21667^2)/300
    #    - 0.18333/100 = 0.023889 - 0.001833 = 0.022056; w = s2 / (s2 + 0.18333/100) = 0.92326
    m = 55 / 300
    s2 = 100 * ((0.05 - m) ** 2 + (0.1 - m) ** 2 + (0.4 - m) ** 2) / 300 - m / 100
    w = s2 / (s2 + m / 100)
    assert w == pytest.approx(0.92326, abs=1e-5)
    assert got[1] == pytest.approx((m + w * (0.1 - m)) * 1000)
    assert got[1] == pytest.approx(106.39, abs=0.01)


def test_spatial_eb_skips_areas_without_a_denominator() -> None:
    # C has no families: the rates of A and B are those of a two-square map.
    e, b = pd.Series([5.0, 10.0, 40.0]), pd.Series([100.0, 100.0, 0.0])
    geometry = _row_of_squares(3)
    got = smooth_rate(e, b, method="spatial", geometry=geometry)
    two = smooth_rate(e[:2], b[:2], method="spatial", geometry=geometry[:2])
    assert math.isnan(got[2])
    assert got[:2].tolist() == pytest.approx(two.tolist())
    w = queen_weights(geometry)
    again = smooth_rate(e, b, method="spatial", weights=w)
    assert again.tolist()[:2] == pytest.approx(got.tolist()[:2])
    assert w.transform == "O"  # the caller's weights are not changed by esda


def test_smoothing_errors() -> None:
    with pytest.raises(InputError, match="not a smoothing method.*'global', 'spatial'"):
        smooth_rate(pd.Series(E), pd.Series(B), method="bayes")
    with pytest.raises(InputError, match="needs geometry="):
        smooth_rate(pd.Series(E), pd.Series(B), method="spatial")
    with pytest.raises(InputError, match="weights has 3 areas but the numerator has 4 rows"):
        smooth_rate(pd.Series(E), pd.Series(B), method="spatial", weights=queen_weights(
            _row_of_squares(3)))  # fmt: skip


def test_small_denominator_flag() -> None:
    got = small_denominator(pd.Series([10, 49, 50, 500, 0, None]))
    assert got.tolist() == [True, True, False, False, True, True]
    assert small_denominator(pd.Series([10, 49]), threshold=20).tolist() == [True, False]
    with pytest.raises(InputError, match="threshold=-1 is negative"):
        small_denominator(pd.Series([1]), threshold=-1)


def test_impossible_counts_name_the_area_and_column() -> None:
    df = pd.DataFrame(
        {
            "code": ["d1", "d2", "d3", "d4"],
            "name": ["Satu", "Dua", "Tiga", "Empat"],
            "krs": [10, 120, -1, 5],
            "keluarga": [100, 100, 50, 0],
        }
    )
    problems = impossible_counts(df, "krs", "keluarga", source="x.csv")
    assert [p.message for p in problems] == [
        "Dua (d2): krs 120 > keluarga 100 (1200.0 per 1000)",
        "Tiga (d3): krs -1 < 0",
    ]
    assert {p.severity for p in problems} == {"warning"}
    assert problems[0].column == "krs" and problems[0].file == "x.csv"
    loose = impossible_counts(df, "krs", "keluarga", bounded=False)
    assert [p.message for p in loose] == ["Tiga (d3): krs -1 < 0"]
    with pytest.raises(InputError, match=r"needs column\(s\) \['kk'\]; found"):
        impossible_counts(df, "krs", "kk")


# --- measures -------------------------------------------------------------------------------


def test_csr_is_a_programme_never_capacity() -> None:
    capacity = [m for m in DEFAULT_MEASURES.values() if m.role == "capacity"]
    assert capacity and all("du" not in m.categories for m in capacity)
    with pytest.raises(InputError, match=r"capacity cannot contain \['du'\].*programme"):
        Measure("bantuan", "Bantuan", "Help", ("lks", "du"), role="capacity", unit="lembaga")
    # Every PSKS kind is in exactly one default capacity measure, or excluded with a reason.
    psks = {c.code for c in PSKS}
    in_capacity = [c for m in capacity for c in m.categories]
    assert len(in_capacity) == len(set(in_capacity))
    assert {c for c in in_capacity if c in psks} == psks - set(NOT_CAPACITY)
    assert set(NOT_CAPACITY) == {"du", "kp"} and "programme" in NOT_CAPACITY["du"][1]


def test_capacity_is_grouped_by_one_unit() -> None:
    units = {m.code: m.unit for m in DEFAULT_MEASURES.values() if m.role == "capacity"}
    assert units == {
        "psks_orang": "orang",
        "psks_lembaga": "lembaga",
        "pendamping_desa": "orang",
        "layanan_posyandu": "layanan",
    }
    with pytest.raises(InputError, match="unit='anak' is not a capacity unit"):
        Measure("x", "X", "X", ("psm",), role="capacity", unit="anak")


def test_default_need_measures() -> None:
    m = get_measure("pmks_prioritas")
    assert m.categories == ("fm", "lut", "pd", "at") and m.denominator == "keluarga"
    assert m.per == 1000 and m.synthetic and "contoh sintetis" in m.description_id.lower()
    assert get_measure("risiko_stunting").bounded
    assert SAMPLE_MEASURES == ("pmks_prioritas", "psks_orang", "psks_lembaga")
    assert set(REAL_MEASURES) == set(DEFAULT_MEASURES) - set(SAMPLE_MEASURES)
    table = measures_table(language="en")
    assert len(table) == len(DEFAULT_MEASURES)
    row = table.set_index("code").loc["pmks_prioritas"]
    assert row["categories"].startswith("Poor people (fm), Neglected elderly (lut)")
    assert row["rate"] == "per 1,000 families"


def test_user_measure_errors_are_listed_at_once() -> None:
    with pytest.raises(InputError) as info:
        Measure("fm", "X", "X", ("fakir", "lut", "lut"), role="bantuan", per=0)
    text = str(info.value)
    for part in [
        "code='fm' is a catalogue category",
        "role='bantuan' is not a role",
        "unknown category code(s) ['fakir']; known codes: [",
        "['lut'] listed twice",
        "per=0 must be a positive number",
    ]:
        assert part in text
    with pytest.raises(InputError, match="categories is empty"):
        Measure("kosong", "Kosong", "Empty", ())
    with pytest.raises(InputError, match="No default measure 'miskin'; defaults: \\["):
        get_measure("miskin")


def _small_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["d1", "d2", "d3", "d4"],
            "name": ["Satu", "Dua", "Tiga", "Empat"],
            "fm": [10.0, 3, None, 4],
            "lut": [5.0, 1, None, 2],
            "keluarga": [100.0, 20, 60, 0],
        }
    )


def test_add_measures_by_hand() -> None:
    frame = _small_frame()
    before = frame.copy()
    lansia_miskin = Measure("lansia_miskin", "Miskin dan lansia", "Poor and elderly", ("fm", "lut"))
    out, report = add_measures(frame, [lansia_miskin], source="kecil.csv")
    pd.testing.assert_frame_equal(frame, before)  # input unchanged
    assert out["lansia_miskin"].tolist()[:2] == [15.0, 4.0]
    assert math.isnan(out["lansia_miskin"][2])  # both categories missing: missing, not 0
    rates = out["lansia_miskin_per_1000"]
    assert rates.tolist()[:2] == [150.0, 200.0] and rates[2:].isna().all()
    assert out["lansia_miskin_small_base"].tolist() == [False, True, False, True]
    # global EB of 15/100 and 4/20 (per 1,000), computed as in the hand-worked test above
    expected = smooth_rate(pd.Series([15.0, 4.0]), pd.Series([100.0, 20.0]))
    assert out["lansia_miskin_per_1000_eb"][:2].tolist() == pytest.approx(expected.tolist())
    assert [p.kind for p in report] == ["missing-denominator"]
    assert report.problems[0].message.startswith(
        "Empat (d4): keluarga is 0; no rate for lansia_miskin"
    )
    assert out.attrs["measures"] == ["lansia_miskin"]
    # one warning per area, however many measures share its denominator
    lansia = Measure("lansia", "Lansia telantar", "Neglected elderly", ("lut",))
    again, report = add_measures(out, [lansia_miskin, lansia])
    assert [p.message for p in report] == [
        "Empat (d4): keluarga is 0; no rate for lansia_miskin, lansia"
    ]
    assert again.attrs["measures"] == ["lansia_miskin", "lansia"]


def test_add_measures_refuses_missing_columns_listing_what_exists() -> None:
    frame = _small_frame().drop(columns=["keluarga"])
    with pytest.raises(InputError) as info:
        add_measures(frame, ["pmks_prioritas", "risiko_stunting"])
    text = str(info.value)
    assert "measure 'pmks_prioritas' needs column(s) ['pd', 'at', 'keluarga']" in text
    assert "measure 'risiko_stunting' needs column(s) ['keluarga_berisiko_stunting', " in text
    assert "The frame has columns ['code', 'name', 'fm', 'lut']" in text
    with pytest.raises(InputError, match="No measure to add: no default measure finds its"):
        add_measures(frame)
    with pytest.raises(InputError, match="smoothing='spatial' needs a GeoDataFrame"):
        add_measures(_small_frame(), [Measure("m", "M", "M", ("fm",))], smoothing="spatial")
    with pytest.raises(InputError, match="smoothing='kernel' is not a smoothing method"):
        add_measures(_small_frame(), smoothing="kernel")
    with pytest.raises(InputError, match=r"measure code\(s\) \['m'\] given twice"):
        m = Measure("m", "M", "M", ("fm",))
        add_measures(_small_frame(), [m, m])


# --- the real joined data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_desa() -> gpd.GeoDataFrame:
    return synthetic_layers()[0]


def test_real_synthetic_desa(sample_desa: gpd.GeoDataFrame) -> None:
    out, report = add_measures(sample_desa)
    assert len(out) == 252
    assert out.attrs["measures"] == list(DEFAULT_MEASURES)
    for m in DEFAULT_MEASURES.values():
        _, raw, eb, small = m.columns
        assert not np.isinf(out[[raw, eb]].to_numpy()).any()
        assert out[eb].notna().sum() == out[raw].notna().sum() > 240
        lo, hi = out[raw].min(), out[raw].max()
        assert out[eb].dropna().between(lo, hi).all()
        # EB shrinks: the smoothed rates spread less than the raw ones.
        assert out[eb].std() < out[raw].std()
        assert out[small].sum() == (sample_desa["keluarga"] < MIN_DENOMINATOR).sum() == 16
    assert "du" not in {c for m in default_measures(sample_desa) if m.role == "capacity"
                        for c in m.categories}  # fmt: skip
    # The one desa with more families at risk of stunting than families is reported.
    kinds = [(p.kind, p.column) for p in report]
    assert kinds == [("impossible-value", "risiko_stunting")]
    assert "Siabal-abal V (12.02.12.2024): risiko_stunting 101 > keluarga 90" in (
        report.problems[0].message
    )


def test_real_spatial_smoothing(sample_desa: gpd.GeoDataFrame) -> None:
    out, _ = add_measures(sample_desa, ["risiko_stunting", "pmks_prioritas"], smoothing="spatial")
    for code in ("risiko_stunting", "pmks_prioritas"):
        raw, eb = out[f"{code}_per_1000"], out[f"{code}_per_1000_eb"]
        assert eb.notna().sum() == raw.notna().sum()
        assert eb.dropna().between(raw.min(), raw.max()).all()


def test_real_indicators_get_only_real_measures() -> None:
    desa, kec, _ = real_indicator_layers()
    assert [m.code for m in default_measures(desa)] == list(REAL_MEASURES)
    out, _ = add_measures(kec)
    assert len(out) == 15 and out["risiko_stunting_per_1000_eb"].notna().all()
