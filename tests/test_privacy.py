"""Disclosure control: the threshold rule, complementary suppression and rates, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.errors import InputError
from mapping.labels import caption_text
from mapping.privacy import (
    is_internal,
    person_count_columns,
    protect,
    suppressed_mask,
    suppressed_text,
)


def _desa(values: dict[str, list[float]], groups: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"kecamatan_code": groups, **values})


def _hidden(frame: pd.DataFrame, column: str) -> list[int]:
    return frame.index[suppressed_mask(frame, column)].tolist()


def test_person_counts_come_from_the_catalogue() -> None:
    cols = ["keluarga", "anak_stunting", "keluarga_berisiko_stunting", "penerima_pkh",
            "penerima_bpnt", "posyandu", "kader", "tim_pendamping_keluarga", "dana_stunting",
            "odha", "lut", "pmks_total", "psks_total", "tksk", "karang_taruna", "name"]  # fmt: skip
    assert person_count_columns(cols) == [
        "anak_stunting", "keluarga_berisiko_stunting", "penerima_pkh", "penerima_bpnt", "odha",
        "lut", "pmks_total",
    ]  # fmt: skip


def test_primary_suppression_keeps_zero_and_counts_of_k_or_more() -> None:
    desa = _desa({"odha": [0, 1, 4, 5, 30, np.nan]}, ["A"] * 6)
    safe, _ = protect(desa)
    # 1 and 4 (primary); then the group holds 2 cells summing 5 = k: nothing more
    assert _hidden(safe, "odha") == [1, 2]
    assert safe["odha"].tolist()[3:5] == [5.0, 30.0] and safe["odha"][0] == 0
    assert np.isnan(safe["odha"][5]) and not suppressed_mask(safe, "odha")[5]  # no data stays
    assert desa["odha"].tolist()[1] == 1  # input not changed


def test_one_suppressed_desa_takes_the_smallest_other_nonzero_one() -> None:
    # kecamatan A = 2 + 7 + 9 + 0 = 18 published: 2 alone would be 18 - 7 - 9 - 0
    desa = _desa({"odha": [2, 9, 0, 7, 6]}, ["A", "A", "A", "A", "B"])
    kec = pd.DataFrame({"code": ["A", "B"], "odha": [18, 6]})
    safe, safe_kec = protect(desa, kec)
    assert _hidden(safe, "odha") == [0, 3]  # 2 and the smallest non-zero other, 7 (not 0)
    assert safe_kec is not None and _hidden(safe_kec, "odha") == []


def test_suppressed_cells_never_sum_to_a_small_count() -> None:
    # 1 and 2 suppressed sum to 3 < 5: 3 would say both are tiny, so 40 goes too
    desa = _desa({"odha": [1, 2, 40, 60]}, ["A"] * 4)
    safe, _ = protect(desa)
    assert _hidden(safe, "odha") == [0, 1, 2]


def test_kecamatan_suppression_over_the_regency_and_down_to_its_desa() -> None:
    desa = _desa({"odha": [3, 0, 12, 8, 30, 25]}, ["A", "A", "B", "B", "C", "C"])
    kec = pd.DataFrame({"code": ["A", "B", "C"], "odha": [3, 20, 55]})
    safe, safe_kec = protect(desa, kec)
    assert safe_kec is not None
    # A = 3 (primary); B = 20, the smallest other kecamatan, so A is not regency - B - C
    assert _hidden(safe_kec, "odha") == [0, 1]
    # desa: 3 (primary, alone in A: A is hidden too); B is hidden, so it must not be the sum
    # of its published desa 12 + 8: both hidden (two cells, sum 20 >= 5)
    assert _hidden(safe, "odha") == [0, 2, 3]


def test_rates_of_suppressed_counts_are_suppressed_and_others_stay() -> None:
    desa = _desa(
        {"anak_stunting": [2, 3, 40, 0], "keluarga": [28, 40, 500, 60],
         "anak_stunting_per_1000": [71.4, 75.0, 80.0, 0.0], "rasio": [1.0, 2.0, 3.0, 4.0]},
        ["A"] * 4,
    )  # fmt: skip
    safe, _ = protect(desa, rates={"rasio": "anak_stunting"})
    assert _hidden(safe, "anak_stunting") == [0, 1]
    assert _hidden(safe, "anak_stunting_per_1000") == [0, 1]  # named after its count
    assert _hidden(safe, "rasio") == [0, 1]  # declared in rates
    assert safe["keluarga"].tolist() == [28, 40, 500, 60]  # the denominator is published
    assert safe["anak_stunting_per_1000"].tolist()[2:] == [80.0, 0.0]


def test_row_totals_are_groups_too() -> None:
    desa = _desa({"lut": [3, 20], "pd": [9, 30], "pmks_total": [12, 50]}, ["A", "A"])
    safe, _ = protect(desa, counts=["lut", "pd", "pmks_total"],
                      totals={"pmks_total": ["lut", "pd"]})  # fmt: skip
    # desa 0: lut 3 hidden, so pd 9 too (else 12 - 9); the kecamatan group hides lut 20 and pd 30
    assert _hidden(safe, "lut") == [0, 1]
    assert _hidden(safe, "pd") == [0, 1]
    assert _hidden(safe, "pmks_total") == []


def test_stricter_k_per_category() -> None:
    desa = _desa({"odha": [7, 0, 0, 12], "lut": [7, 0, 0, 12]}, ["A", "B", "C", "D"])
    safe, _ = protect(desa, k_by_column={"odha": 10})
    assert _hidden(safe, "odha") == [0] and _hidden(safe, "lut") == []
    assert safe.attrs["disclosure"]["k_by_column"] == {"odha": 10}


def test_off_for_internal_analysis_and_labelled() -> None:
    desa = _desa({"odha": [1, 2, 40]}, ["A"] * 3)
    raw, _ = protect(desa, enabled=False)
    assert raw["odha"].tolist() == [1, 2, 40] and is_internal(raw)
    safe, _ = protect(desa)
    assert not is_internal(safe)
    assert caption_text(source="X", date="2025-01-31", internal=True).startswith(
        "INTERNAL — tidak untuk dipublikasikan."
    )
    assert suppressed_text() == "< 5"


def test_errors_name_the_argument() -> None:
    desa = _desa({"odha": [1]}, ["A"])
    with pytest.raises(InputError, match=r"k=1 must be a whole number of at least 2"):
        protect(desa, k=1)
    with pytest.raises(InputError, match=r"only be stricter than k=5; \['odha'\]"):
        protect(desa, k_by_column={"odha": 3})
    with pytest.raises(InputError, match=r"desa lacks column\(s\) \['lut'\]"):
        protect(desa, counts=["lut"])
    with pytest.raises(InputError, match=r"kecamatan lacks 'code'"):
        protect(desa, pd.DataFrame({"kode": ["A"], "odha": [1]}))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=12),
    st.lists(st.integers(0, 2), min_size=12, max_size=12),
    st.integers(2, 6),
)
def test_no_suppressed_desa_can_be_recovered_from_its_kecamatan(
    values: list[int], groups: list[int], k: int
) -> None:
    codes = [str(g) for g in groups[: len(values)]]
    desa = _desa({"odha": [float(v) for v in values]}, codes)
    totals = desa.groupby("kecamatan_code")["odha"].sum()
    kec = pd.DataFrame({"code": totals.index, "odha": totals.to_numpy()})
    safe, safe_kec = protect(desa, kec, k=k)
    assert safe_kec is not None
    hidden = suppressed_mask(safe, "odha")
    for frame, mask in ((safe, hidden), (safe_kec, suppressed_mask(safe_kec, "odha"))):
        shown = frame["odha"][~mask]
        assert not shown.between(1, k - 1).any()  # no small count published
    for code, total in totals.items():
        in_kec = (desa["kecamatan_code"] == code).to_numpy()
        sup = desa["odha"][in_kec & hidden.to_numpy()]
        kec_hidden = bool(suppressed_mask(safe_kec, "odha")[safe_kec["code"] == code].any())
        if len(sup) == 0:
            assert not kec_hidden or total == 0 or total < k
            continue
        # never one hidden desa next to a published total, never a small hidden sum,
        # unless every non-zero desa of the kecamatan is hidden
        others = desa["odha"][in_kec & ~hidden.to_numpy()]
        if not (others > 0).any():
            continue
        assert len(sup) >= 2 and sup.sum() >= k
