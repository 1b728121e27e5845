"""Rates and shares, worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mapping.errors import InputError
from mapping.indicators import Rate, add_rates, rate, share


def test_rate_by_hand() -> None:
    got = rate(pd.Series([3, 0, 7, None]), pd.Series([1500, 200, 0, 100]))
    assert got[0] == pytest.approx(2.0)
    assert got[1] == 0.0
    assert math.isnan(got[2]) and math.isnan(got[3])


def test_share_and_per() -> None:
    assert share(pd.Series([1]), pd.Series([8]))[0] == 12.5
    assert rate(pd.Series([1]), pd.Series([8]), per=10_000)[0] == 1250.0


def test_add_rates_recomputes_after_aggregation() -> None:
    desa = pd.DataFrame(
        {"kec": ["A", "A", "B"], "stunting": [1, 9, 4], "families": [100, 900, 400]}
    )
    kec = desa.groupby("kec", as_index=False)[["stunting", "families"]].sum()
    got = add_rates(kec, {"stunting_per_1000": Rate("stunting", "families")})
    # A: 10 / 1000 families = 10 per 1,000 (the mean of the desa rates would also be 10 here,
    # so check B and a skewed case too).
    assert got.set_index("kec")["stunting_per_1000"].to_dict() == {"A": 10.0, "B": 10.0}
    skew = pd.DataFrame({"stunting": [1 + 1], "families": [10 + 990]})
    got = add_rates(skew, {"stunting_per_1000": Rate("stunting", "families")})
    assert got["stunting_per_1000"][0] == 2.0
    assert "stunting_per_1000" not in kec.columns  # input not changed


def test_add_rates_missing_column() -> None:
    with pytest.raises(InputError, match=r"Rate 'r' needs column\(s\) \['keluarga'\]"):
        add_rates(pd.DataFrame({"a": [1]}), {"r": Rate("a", "keluarga")})
