"""Every published file scanned for planted small counts and for ways to recompute them."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mapping import export, interactive
from mapping.classify import Indicator
from mapping.indicators import Rate
from mapping.join import aggregate_to_kecamatan
from mapping.maps import build_default_maps
from mapping.privacy import protect

K = 5
COUNTS = ("odha", "anak_stunting")
RATES = {f"{c}_per_1000": Rate(c, "keluarga") for c in COUNTS}
INDICATORS = [
    Indicator("keluarga", "Jumlah keluarga", palette="Blues"),
    Indicator("odha", "ODHA"),
    Indicator("odha_per_1000", "ODHA", "per 1.000 keluarga"),
    Indicator("anak_stunting", "Anak stunting"),
    Indicator("anak_stunting_per_1000", "Anak stunting", "per 1.000 keluarga"),
]
TITLES = {i.title: i.column for i in INDICATORS}


@pytest.fixture(scope="module")
def planted(desa, kecamatan) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Desa with small counts planted (1-4 in about a fifth of the cells) and their kecamatan."""
    rng = np.random.default_rng(9)
    gdf = desa.copy()
    n = len(gdf)
    gdf["keluarga"] = rng.integers(25, 400, n).astype(float)
    for col in COUNTS:
        values = rng.choice([0, 0, 0, 5, 6, 9, 14, 25], n).astype(float)
        small = rng.random(n) < 0.2
        values[small] = rng.integers(1, 5, small.sum())
        gdf[col] = values
    gdf = gpd.GeoDataFrame(gdf.assign(**{
        name: gdf[r.numerator] / gdf[r.denominator] * 1000 for name, r in RATES.items()
    }), crs=desa.crs)  # fmt: skip
    kec = aggregate_to_kecamatan(
        gdf, columns=["keluarga", *COUNTS], kecamatan=kecamatan, rates=RATES
    )
    return gdf, kec


def _build(
    desa: gpd.GeoDataFrame, kec: gpd.GeoDataFrame, out: Path, *, png: bool = True
) -> list[Path]:
    """The default map set plus the desa and kecamatan tables in every table format.

    Without `png`, only the two HTML maps (as the map set makes them) and the tables.
    """
    if png:
        paths = build_default_maps(desa, kec, INDICATORS, out, date="2025-01-31", dpi=10)
    else:
        paths = [
            export.save_html(interactive.choropleth_map(
                gdf, INDICATORS, level=level, outlines=kec, date="2025-01-31",
                kecamatan_column="kecamatan" if level == "desa" else None, title="Uji",
            ), out / f"peta-{level}.html")
            for level, gdf in (("desa", desa), ("kecamatan", kec))
        ]  # fmt: skip
    for level, frame in (("desa", desa), ("kecamatan", kec)):
        cols = ["code", "name", *(["kecamatan"] if level == "desa" else []),
                *(i.column for i in INDICATORS), "geometry"]  # fmt: skip
        for suffix in (".csv", ".xlsx", ".geojson"):
            paths.append(export.save_table(frame[cols], out / f"tabel-{level}{suffix}"))
    return paths


def _number(text: str) -> float | None:
    """A number as the maps write it ("1.234", "12,5"); None for "< 5" or no data."""
    text = str(text).strip()
    if not re.fullmatch(r"-?[\d.]+(,\d+)?", text):
        return None
    return float(text.replace(".", "").replace(",", "."))


def _html_values(page: str) -> tuple[dict[str, list[str]], dict[str, str], list[str]]:
    data, config, _ = interactive.embedded_data(page)
    feats = data["features"]
    values = {}
    legends = {}
    for i, layer in enumerate(config["layers"]):
        column = TITLES.get(layer["title"])
        if column:
            values[column] = [f["properties"]["v"][i] for f in feats]
            legends[column] = layer["legend"]
            ranks = [f["properties"]["r"][i] for f in feats]
            for v, r in zip(values[column], ranks, strict=True):
                if v.startswith("<") and r is not None:
                    values.setdefault("_rank_leak", []).append(v)
    return values, legends, [f["properties"]["n"] for f in feats]


def _leaks(out: Path, truth: gpd.GeoDataFrame, kec_truth: gpd.GeoDataFrame) -> list[str]:
    """Every way the files in `out` give away a count from 1 to K-1 (empty: none)."""
    leaks: list[str] = []
    small = {c: truth[c].between(1, K - 1).to_numpy() for c in COUNTS}
    # 1. the interactive maps: shown values, ranks, legends
    desa_vals, legends, _ = _html_values((out / "peta-desa.html").read_text(encoding="utf-8"))
    kec_vals, kec_legends, kec_names = _html_values(
        (out / "peta-kecamatan.html").read_text(encoding="utf-8")
    )
    leaks += [f"rank of a suppressed value {v}" for v in desa_vals.pop("_rank_leak", [])]
    families = np.array([_number(v) for v in desa_vals["keluarga"]], dtype=float)
    for col in COUNTS:
        shown = np.array([_number(v) for v in desa_vals[col]], dtype=float)
        rate = np.array([_number(v) for v in desa_vals[f"{col}_per_1000"]], dtype=float)
        leaks += [f"desa {col} = {v:g} shown" for v in shown if 1 <= v < K]
        leaks += [f"planted desa {col} {truth[col].iloc[i]:g} shown as {desa_vals[col][i]!r}"
                  for i in np.flatnonzero(small[col]) if desa_vals[col][i] != f"< {K}"]  # fmt: skip
        # rate x published number of families
        recomputed = np.round(rate * families / 1000)
        leaks += [f"desa {col} recomputed {v:g} from rate x keluarga"
                  for v in recomputed if 1 <= v < K]  # fmt: skip
        # what a reader knows of each desa: shown, or rate x families
        known = np.where(np.isnan(shown), recomputed, shown)
        # kecamatan total minus its other desa
        totals = dict(zip(kec_names, (_number(v) for v in kec_vals[col]), strict=True))
        for name, total in totals.items():
            in_kec = (truth["kecamatan"] == name).to_numpy()
            unknown = in_kec & np.isnan(known)
            if total is None or not unknown.any():
                continue
            rest = total - np.nansum(known[in_kec])
            if unknown.sum() == 1 or 1 <= rest < K:
                leaks.append(f"{col} of kecamatan {name} minus its desa gives {rest:g}")
        kec_shown = [_number(v) for v in kec_vals[col]]
        leaks += [f"kecamatan {col} = {v:g} shown" for v in kec_shown if v and 1 <= v < K]
        # legends: no class bound from 1 to K-1, the suppressed areas counted on their own
        for legend in (legends[col], kec_legends[col]):
            ranges = re.findall(r'class="pk-range">([^<]*)<', legend)
            bounds = [_number(b) for r in ranges for b in r.split(" – ")]
            leaks += [f"{col} legend bound {b:g}" for b in bounds if b and 1 <= b < K]
        n_hidden = sum(v == f"< {K}" for v in desa_vals[col])
        if (
            n_hidden
            and f'Disembunyikan (&lt; {K})</td><td class="pk-count">{n_hidden}<'
            not in (legends[col])
        ):
            leaks.append(f"{col}: suppressed areas not counted in the legend")
    # 2. the tables, in every format
    for level, frame in (("desa", truth), ("kecamatan", kec_truth)):
        for suffix in (".csv", ".xlsx", ".geojson"):
            path = out / f"tabel-{level}{suffix}"
            table = (pd.read_excel(path) if suffix == ".xlsx" else gpd.read_file(path)
                     if suffix == ".geojson" else pd.read_csv(path, dtype=str))  # fmt: skip
            for col in COUNTS:
                cells = table[col].astype(str).str.strip()
                numbers = pd.to_numeric(cells, errors="coerce")
                leaks += [f"{path.name}: {col} = {v:g}" for v in numbers if 1 <= v < K]
                rates = pd.to_numeric(table[f"{col}_per_1000"].astype(str), errors="coerce")
                fam = pd.to_numeric(table["keluarga"].astype(str), errors="coerce")
                recomputed = (rates * fam / 1000).round()
                leaks += [f"{path.name}: {col} = {v:g} from rate x keluarga"
                          for v in recomputed if 1 <= v < K]  # fmt: skip
                planted = frame[col].between(1, K - 1).to_numpy()
                leaks += [f"{path.name}: planted {col} shown as {c!r}"
                          for c in cells[planted] if c != f"< {K}"]  # fmt: skip
    return leaks


def test_no_published_file_gives_a_small_count_away(planted, tmp_path) -> None:
    desa, kec = planted
    paths = _build(desa, kec, tmp_path)
    assert {p.suffix for p in paths} == {".html", ".png", ".csv", ".xlsx", ".geojson"}
    assert _leaks(tmp_path, desa, kec) == []
    page = (tmp_path / "peta-desa.html").read_text(encoding="utf-8")
    _, config, _ = interactive.embedded_data(page)
    assert "INTERNAL" not in config["caption"]
    # the real example of the issue: 28 families, 2 stunted children, 71 per 1,000
    table = pd.read_csv(tmp_path / "tabel-desa.csv", dtype=str)
    hidden = table["anak_stunting"] == "< 5"
    assert hidden.sum() >= desa["anak_stunting"].between(1, 4).sum()
    assert (table.loc[hidden, "anak_stunting_per_1000"] == "< 5").all()
    assert table.loc[hidden, "keluarga"].notna().all()  # the denominator is still published


def test_the_scan_finds_the_counts_when_protection_is_off(planted, tmp_path) -> None:
    desa, kec = planted
    raw_desa, raw_kec = protect(desa, kec, enabled=False)
    assert raw_kec is not None
    _build(raw_desa, raw_kec, tmp_path, png=False)  # the PNGs are checked in the test above
    leaks = _leaks(tmp_path, desa, kec)
    assert any(leak.startswith("desa odha = ") for leak in leaks)
    assert any("from rate x keluarga" in leak for leak in leaks)
    assert any("tabel-desa.xlsx: planted" in leak for leak in leaks)
    _, config, _ = interactive.embedded_data((tmp_path / "peta-desa.html").read_text("utf-8"))
    assert config["caption"].startswith("INTERNAL — tidak untuk dipublikasikan.")
    assert config["title"].startswith("INTERNAL — tidak untuk dipublikasikan")
    table = pd.read_csv(tmp_path / "tabel-desa.csv")
    assert (table["keterangan"] == "INTERNAL — tidak untuk dipublikasikan").all()


def test_png_legend_counts_suppressed_areas_apart(planted) -> None:
    from mapping import static

    desa, _ = planted
    fig = static.plot_choropleth(desa, Indicator("odha", "ODHA"), date="2025-01-31")
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    n_small = int(desa["odha"].between(1, K - 1).sum())
    hidden = [t for t in texts if t.startswith(f"Disembunyikan (< {K})")]
    assert len(hidden) == 1
    n_hidden = int(hidden[0].split("(")[-1].rstrip(")").replace(".", ""))
    assert n_hidden >= n_small  # every planted count, plus complementary ones
    assert not any(t.startswith(("1 ", "2 ", "3 ", "4 ")) for t in texts)  # no class from 1-4
    caption = " ".join(t.get_text() for t in fig.texts)
    assert "INTERNAL" not in caption
    raw, _ = protect(desa, enabled=False)
    fig = static.plot_choropleth(raw, Indicator("odha", "ODHA"), date="2025-01-31")
    assert "INTERNAL — tidak untuk dipublikasikan" in " ".join(t.get_text() for t in fig.texts)
