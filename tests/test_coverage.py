"""Coverage gap, severity classes and quadrants, worked out by hand and on the real desa."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mapping.coverage import (
    CAVEAT,
    MIN_GAP,
    QUADRANTS,
    REAL_COVERAGE,
    SEVERITY,
    caveat,
    coverage_gap,
    quadrants,
    severity_class,
    severity_table,
)
from mapping.errors import InputError
from mapping.measures import add_measures
from mapping.pipeline import real_indicator_layers

# Seven desa: need (families at risk), reached (PKH families), families.
FRAME = pd.DataFrame(
    {
        "code": [f"d{i}" for i in range(1, 8)],
        "name": ["A", "B", "C", "D", "E", "F", "G"],
        "krs": [100.0, 100, 100, 40, 3, 0, None],
        "pkh": [95.0, 60, 10, 50, 0, 4, 5],
        "keluarga": [200.0, 400, 250, 80, 10, 30, 50],
    }
)


def test_gap_and_coverage_by_hand() -> None:
    before = FRAME.copy()
    out = coverage_gap(FRAME, need="krs", reached="pkh", denominator="keluarga")
    pd.testing.assert_frame_equal(FRAME, before)
    # A: 100 - 95 = 5; B: 40; C: 90; D: 40 - 50 < 0 -> gap 0, surplus 10; E: 3; F: need 0.
    assert out["gap"].tolist()[:6] == [5.0, 40.0, 90.0, 0.0, 3.0, 0.0]
    assert out["surplus"].tolist()[:6] == [0.0, 0.0, 0.0, 10.0, 0.0, 4.0]
    cov = out["coverage_pct"]
    assert cov.tolist()[:5] == [95.0, 60.0, 10.0, 125.0, 0.0]  # D's 125% is kept, not capped
    assert math.isnan(cov[5]) and math.isnan(cov[6])  # need 0 or missing: no coverage
    # gap per 1,000 families: A 5/200 = 25, B 40/400 = 100, C 90/250 = 360
    assert out["gap_per_1000"].tolist()[:3] == [25.0, 100.0, 360.0]
    # Severity: A 95% -> 1; B 60% -> 3; C 10% -> 5; D 125% -> 1; E 0% but gap 3 < 5 -> 2;
    # F no need -> 1; G need missing -> <NA>.
    assert out["severity"].tolist() == [1, 3, 5, 1, 2, 1, pd.NA]
    assert out["severity"].dtype == "Int64"
    assert out["severity_label"].tolist() == [
        "Minimal", "Parah", "Kritis", "Minimal", "Tertekan", "Minimal", "Tidak ada data",
    ]  # fmt: skip
    en = coverage_gap(FRAME, need="krs", reached="pkh", language="en", prefix="pkh_")
    assert en["pkh_severity_label"].tolist()[:3] == ["Minimal", "Severe", "Catastrophic"]
    assert "gap" not in en.columns and "pkh_gap_per_1000" not in en.columns


def test_severity_thresholds_at_their_edges() -> None:
    cov = pd.Series([100.0, 90, 89.9, 70, 69.9, 50, 49.9, 25, 24.9, 0])
    gap = pd.Series([MIN_GAP] * 10)  # large enough not to cap
    need = pd.Series([100] * 10)
    assert severity_class(cov, gap, need).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # a gap below min_gap caps the class at 2; min_gap=0 turns the cap off
    small = pd.Series([MIN_GAP - 1] * 10)
    assert severity_class(cov, small, need).max() == 2
    assert severity_class(cov, small, need, min_gap=0).tolist()[-1] == 5
    with pytest.raises(InputError, match="min_gap=-1 is negative"):
        severity_class(cov, gap, need, min_gap=-1)


def test_severity_table_and_caveat() -> None:
    table = severity_table(language="en")
    assert table["severity"].tolist() == [1, 2, 3, 4, 5]
    assert table["label"].tolist() == ["Minimal", "Stressed", "Severe", "Extreme", "Catastrophic"]
    assert [c.label() for c in SEVERITY][-2:] == ["Sangat parah", "Kritis"]
    assert "bukan semua rumah tangga" in caveat() and caveat("en") == CAVEAT["en"]
    assert "not all households" in caveat("en")


def test_coverage_errors() -> None:
    with pytest.raises(InputError, match=r"Column\(s\) \['bpnt'\] not found; the frame has \["):
        coverage_gap(FRAME, need="krs", reached="bpnt")
    bad = FRAME.assign(pkh=[95.0, -2, 10, 50, 0, 4, 5])
    with pytest.raises(InputError, match=r"cannot be negative: B \(d2\) has pkh = -2"):
        coverage_gap(bad, need="krs", reached="pkh")
    with pytest.raises(InputError, match="language='fr' is not supported"):
        coverage_gap(FRAME, need="krs", reached="pkh", language="fr")


def test_quadrants_by_hand() -> None:
    # Medians over the desa with both values (A-F): need 70, families (capacity here) 140.
    out = quadrants(FRAME, need="krs", capacity="keluarga")
    assert out.attrs["quadrant_thresholds"] == {"krs": 70.0, "keluarga": 140.0}
    assert out["quadrant"].tolist()[:6] == [
        "high_need_high_capacity",  # A 100 > 70, 200 > 140
        "high_need_high_capacity",  # B
        "high_need_high_capacity",  # C
        "low_need_low_capacity",  # D 40, 80
        "low_need_low_capacity",  # E
        "low_need_low_capacity",  # F
    ]
    assert pd.isna(out["quadrant"][6]) and out["quadrant_label"][6] == "Tidak ada data"
    given = quadrants(FRAME, need="krs", capacity="keluarga", need_threshold=50,
                      capacity_threshold=300, language="en")  # fmt: skip
    assert given["quadrant_label"].tolist()[:4] == [
        "High need, low capacity", "High need, high capacity", "High need, low capacity",
        "Low need, low capacity",
    ]  # fmt: skip
    assert QUADRANTS["high_need_low_capacity"]["id"] == "Kebutuhan tinggi, kapasitas rendah"
    with pytest.raises(InputError, match="Pass need_threshold= and capacity_threshold="):
        quadrants(FRAME.assign(krs=np.nan), need="krs", capacity="keluarga")


def test_real_desa_coverage_and_quadrants() -> None:
    desa, _, _ = real_indicator_layers()
    out = coverage_gap(desa, **REAL_COVERAGE)
    assert len(out) == 252 and out["severity"].notna().all()
    assert not np.isinf(out[["coverage_pct", "gap_per_1000"]].to_numpy()).any()
    assert (out["gap"] >= 0).all() and (out["surplus"] >= 0).all()
    # gap - surplus is need - reached in every desa
    assert ((out["gap"] - out["surplus"]) == (out["need"] - out["reached"])).all()
    assert set(out["severity"]) <= {1, 2, 3, 4, 5}
    assert (out.loc[out["coverage_pct"] >= 90, "severity"] == 1).all()
    measured, _ = add_measures(desa)
    q = quadrants(measured, need="risiko_stunting_per_1000_eb",
                  capacity="layanan_posyandu_per_1000_eb")  # fmt: skip
    counts = q["quadrant"].value_counts()
    assert counts.sum() == 252 and set(counts.index) == set(QUADRANTS)
    high_low = q[q["quadrant"] == "high_need_low_capacity"]
    t = q.attrs["quadrant_thresholds"]
    assert (high_low["risiko_stunting_per_1000_eb"] > t["risiko_stunting_per_1000_eb"]).all()
    assert (high_low["layanan_posyandu_per_1000_eb"] <= t["layanan_posyandu_per_1000_eb"]).all()
