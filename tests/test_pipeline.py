"""The default build (``make maps``): every map, report and the gallery, on the real data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from mapping.pipeline import build_outputs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("outputs")
    messages: list[str] = []
    result = build_outputs(out, dpi=40, progress=messages.append)
    return out, result, messages


def test_maps_of_both_levels_with_at_least_five_indicators(built) -> None:
    out, result, _ = built
    names = {p.name for p in result.maps}
    for prefix in ("indikator-", "contoh-sintetis-"):
        for level in ("desa", "kecamatan"):
            assert f"{prefix}peta-{level}.html" in names
            pngs = [n for n in names if n.startswith(f"{prefix}{level}-") and n.endswith(".png")]
            assert len(pngs) >= 5, (prefix, level, pngs)
    assert "contoh-sintetis-desa-bivariat.png" in names
    assert all(p.is_file() and p.stat().st_size > 0 for p in result.files)


def test_synthetic_maps_say_so(built) -> None:
    out, result, _ = built
    page = (out / "contoh-sintetis-peta-desa.html").read_text(encoding="utf-8")
    assert "contoh sintetis" in page
    real = (out / "indikator-peta-desa.html").read_text(encoding="utf-8")
    assert "contoh sintetis" not in real


def test_gallery_lists_every_map_with_a_thumbnail(built) -> None:
    out, result, _ = built
    index = result.index.read_text(encoding="utf-8")
    for path in result.maps:
        assert f'href="{path.name}"' in index, path.name
    thumbs = re.findall(r'<img src="(thumbs/[^"]+)"', index)
    assert len(thumbs) == len(result.maps)
    assert all((out / t).is_file() for t in thumbs)


def test_reports_account_for_every_input_row(built) -> None:
    out, result, _ = built
    assert [p.parent.name for p in result.reports] == ["laporan"] * 2
    for path in result.reports:
        report = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert len(report) > 0
        assert set(report["status"]) <= {"joined", "reported", "no-data"}


def test_progress_is_reported(built) -> None:
    _, _, messages = built
    assert messages[0].startswith("[1/5]") and messages[-1].startswith("done in")


def test_second_build_is_skipped_unless_something_changed(built) -> None:
    out, result, _ = built
    messages: list[str] = []
    again = build_outputs(out, dpi=40, progress=messages.append)
    assert any("up to date" in m for m in messages)
    assert again.files == result.files
    # A missing output file means a rebuild.
    (out / result.maps[0].name).unlink()
    messages.clear()
    rebuilt = build_outputs(out, dpi=40, progress=messages.append)
    assert not any("up to date" in m for m in messages)
    assert [p.name for p in rebuilt.files] == [p.name for p in result.files]
    assert result.maps[0].is_file()
