"""Tests of the static maps by what a reader sees: legend rows, colours of known desa, texts."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from mapping import export, static
from mapping.classify import Indicator, classify, classify_pooled
from mapping.errors import InputError
from mapping.labels import caption_text
from mapping.settings import CRS_METRIC


@pytest.fixture(scope="module")
def desa_data(desa):
    gdf = desa.copy()
    gdf["families"] = np.arange(len(gdf)) * 10 + 100
    gdf["risk"] = (gdf["families"] * 0.2).astype(float)
    gdf.loc[gdf.index[:4], "risk"] = np.nan
    return gdf


def _all_text(fig) -> str:
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
    for leg in fig.legends:
        texts += [leg.get_title().get_text()] + [t.get_text() for t in leg.get_texts()]
    return "\n".join(texts)


def _pixel(fig, ax, x: float, y: float) -> tuple[int, int, int]:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    img = np.asarray(canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    return tuple(int(v) for v in img[img.shape[0] - int(round(py)), int(round(px)), :3])


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def test_legend_rows_are_classes_with_counts(desa_data, kecamatan) -> None:
    ind = Indicator("risk", "Keluarga berisiko", unit="keluarga", scheme="equal_interval", k=4)
    fig = static.plot_choropleth(
        desa_data, ind, outlines=kecamatan, source="Uji", date="2025-01-31"
    )
    cls = ind.classify(desa_data["risk"])
    legend = fig.legends[0]
    assert legend.get_title().get_text() == "Keluarga berisiko (keluarga)"
    rows = [t.get_text() for t in legend.get_texts()]
    expected = [f"{lab}  ({n})" for lab, n in zip(cls.labels, cls.counts, strict=True)]
    assert rows == [*expected, "Tidak ada data  (4)"]
    # risk = 20 + 2i for desa i = 4..251 (28..522); width (522 - 28) / 4 = 123.5, so the first
    # class is 28..151.5: i = 4..65, 62 desa.
    assert rows[0] == "28 – 151  (62)"


def test_known_desa_drawn_in_class_colour(desa_data) -> None:
    ind = Indicator("families", k=3, palette="Blues")
    fig = static.plot_choropleth(desa_data, ind, date="2025-01-31", figsize=(6, 6))
    ax = fig.axes[0]
    cls = ind.classify(desa_data["families"])
    points = desa_data.to_crs(CRS_METRIC).representative_point()
    big = desa_data["area_km2"].sort_values().index[-3:]  # large desa: no edge under the point
    for idx in big:
        got = _pixel(fig, ax, points[idx].x, points[idx].y)
        assert _hex(got) == cls.color_of()[idx], desa_data.at[idx, "name"]


def test_missing_desa_drawn_grey(desa_data) -> None:
    gdf = desa_data.copy()
    biggest = gdf["area_km2"].idxmax()
    gdf.loc[biggest, "risk"] = np.nan
    fig = static.plot_choropleth(gdf, "risk", date="2025-01-31", figsize=(6, 6))
    p = gdf.to_crs(CRS_METRIC).representative_point()[biggest]
    r, g, b = _pixel(fig, fig.axes[0], p.x, p.y)
    assert r == g == b and 100 <= r <= 200  # grey (background #bdbdbd or a hatch line)


def test_synthetic_maps_carry_a_stamp(desa_data) -> None:
    fig = static.plot_choropleth(desa_data, "risk", date="2025-01-31", synthetic=True)
    stamps = [t for t in fig.texts if t.get_text() == "CONTOH SINTETIS"]
    assert len(stamps) == 1 and stamps[0].get_bbox_patch() is not None  # boxed, top right
    assert stamps[0].get_position()[0] > 0.9
    real = static.plot_choropleth(desa_data, "risk", date="2025-01-31")
    assert "CONTOH SINTETIS" not in _all_text(real) and "contoh sintetis" not in _all_text(real)
    en = static.plot_choropleth(desa_data, "risk", date="2025-01-31", synthetic=True, language="en")
    assert "SYNTHETIC EXAMPLE" in _all_text(en)


@pytest.fixture(scope="module")
def joined_sample(desa):
    """Three desa of a synthetic table joined as the pipeline joins it: attrs say synthetic."""
    from mapping.join import join_table

    table = pd.DataFrame({
        "area_code": desa["code"].iloc[:3], "level": "desa", "year": 2024, "group": "pmks",
        "category": "fm", "value": [1.0, 4.0, 9.0],
        "source_file": "pmks-contoh-sintetis.csv", "source_row": [1, 2, 3],
    })  # fmt: skip
    joined, _ = join_table(table, layer=desa)
    assert joined.attrs["synthetic"]
    return joined


def test_synthetic_data_labelled_without_being_asked(joined_sample) -> None:
    for fig in (
        static.plot_choropleth(joined_sample, "fm", date="2025-01-31"),
        static.plot_small_multiples(joined_sample, ["fm"], date="2025-01-31"),
    ):
        shown = _all_text(fig)
        assert "Data: contoh sintetis, bukan data sebenarnya." in shown
        assert "CONTOH SINTETIS" in shown
    with pytest.raises(
        InputError,
        match=r"synthetic=False, but gdf \(from pmks-contoh-sintetis"
        r"\.csv\) holds synthetic data.*must be labelled",
    ):
        static.plot_choropleth(joined_sample, "fm", synthetic=False)
    with pytest.raises(InputError, match="must be labelled"):
        static.plot_small_multiples(joined_sample, ["fm"], synthetic=False)


def test_caption_writes_dates_out() -> None:
    assert "Dibuat 31 Januari 2025." in caption_text(source="", date=dt.date(2025, 1, 31))
    en = caption_text(source="X", date=dt.date(2025, 1, 31), language="en")
    assert en == "Source: X. Made 31 January 2025."
    assert "Made 31 January 2025." in caption_text(source="", date="2025-01-31", language="en")
    assert "Dibuat Januari 2025." in caption_text(source="", date="Januari 2025")


def test_place_labels_moves_overlapping_names_apart() -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 288)  # 4 in = 288 pt: one data unit is one point
    ax.set_ylim(0, 288)
    x, y = np.array([100.0, 100.0, 200.0]), np.array([100.0, 100.0, 200.0])
    placed = static.place_labels(ax, ["Tarutung", "Siatas Barita", "Muara"], x, y, fontsize=6)
    assert placed[0] == (100.0, 100.0) and placed[2] == (200.0, 200.0)  # free: kept
    # the second name would lie on the first; it moves one line up: 1.1 * (6 * 1.3 + 2) pt
    assert placed[1] == pytest.approx((100.0, 110.78))


def test_kecamatan_names_do_not_overlap(desa_data, kecamatan) -> None:
    fig = static.plot_choropleth(desa_data, "risk", outlines=kecamatan, date="2025-01-31")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    names = set(kecamatan["name"])
    boxes = [t.get_window_extent() for t in fig.axes[0].texts if t.get_text() in names]
    assert len(boxes) == 15
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    assert all(t.get_zorder() > 6 for t in fig.axes[0].texts if t.get_text() in names)


def test_points_have_their_own_legend_with_counts(desa_data, kecamatan) -> None:
    sites = desa_data.iloc[:5].copy()
    sites["geometry"] = sites.to_crs(CRS_METRIC).representative_point().to_crs(sites.crs)
    sites["jenis"] = ["TKSK", "LKS", "TKSK", "TKSK", "LKS"]
    fig = static.plot_choropleth(
        desa_data, "risk", points=sites, point_category="jenis", date="2025-01-31"
    )
    legend = fig.legends[1]
    assert legend.get_title().get_text() == "Lokasi"
    assert [t.get_text() for t in legend.get_texts()] == ["LKS  (2)", "TKSK  (3)"]
    with pytest.raises(InputError, match=r"\['nope'\] not found in points"):
        static.plot_choropleth(desa_data, "risk", points=sites, point_category="nope")


def test_portrait_puts_legend_under_the_map(desa_data) -> None:
    fig = static.plot_choropleth(desa_data, "risk", date="2025-01-31", figsize=static.A4_PORTRAIT)
    map_box = fig.axes[0].get_position()
    assert map_box.width > 0.8  # wide; the aspect keeps it a little under the 0.94 given
    FigureCanvasAgg(fig).draw()
    legend_box = fig.legends[0].get_window_extent().transformed(fig.transFigure.inverted())
    assert legend_box.y1 <= map_box.y0 + 0.01


def test_texts_scale_north_caption(desa_data, kecamatan) -> None:
    fig = static.plot_choropleth(
        desa_data, "risk", outlines=kecamatan, title="Judul", subtitle="Sub", source="Dinsos",
        date="2025-01-31", synthetic=True,
    )  # fmt: skip
    shown = _all_text(fig)
    assert "Judul" in shown and "Sub" in shown
    assert "Sumber: Dinsos. Dibuat 31 Januari 2025. Data: contoh sintetis" in shown
    assert "20 km" in shown and "\nU\n" in f"\n{shown}\n"
    assert "Tarutung" in shown and "Siborongborong" in shown  # kecamatan names
    en = _all_text(static.plot_choropleth(desa_data, "risk", language="en", date="2025-01-31"))
    assert "No data  (4)" in en and "Source" not in en and "Made 31 January 2025" in en
    assert "\nN\n" in f"\n{en}\n"


def test_english_map_has_no_indonesian_text(desa_data) -> None:
    big = desa_data.assign(risk=desa_data["risk"] * 100)  # thousands: 1.234 vs 1,234
    cls_id = classify(big["risk"], scheme="equal_interval", k=3)  # made for an Indonesian map
    ind = Indicator("risk", "Families at risk", "per 1,000")
    fig = static.plot_choropleth(big, ind, classification=cls_id, language="en", date="2025-01-31")
    en = _all_text(fig)
    rows = [t.get_text() for t in fig.legends[0].get_texts()]
    want = cls_id.in_language("en")
    expected = [f"{lab}  ({n})" for lab, n in zip(want.labels, want.counts, strict=True)]
    assert rows == [*expected, "No data  (4)"]
    assert "," in rows[-2] and not any("." in r for r in rows)  # English separators only
    assert "Families at risk (per 1,000)" in en and "Made 31 January 2025." in en
    for word in ("Tidak ada data", "Sumber", "Dibuat", "Januari", "Lokasi", "\nU\n"):
        assert word not in f"\n{en}\n"


def test_small_multiples_share_bins(desa_data) -> None:
    gdf = desa_data.assign(y2023=desa_data["families"], y2024=desa_data["families"] * 2)
    fig = static.plot_small_multiples(
        gdf, [Indicator("y2023", k=3), Indicator("y2024", k=3)], titles=["2023", "2024"],
        title="Keluarga", date="2025-01-31",
    )  # fmt: skip
    assert [ax.get_title() for ax in fig.axes] == ["2023", "2024"]
    pooled = classify_pooled(gdf, ["y2023", "y2024"], k=3)
    rows = [t.get_text() for t in fig.legends[0].get_texts()]
    assert rows == list(pooled["y2023"].labels)  # ranges only: a count would mix panels
    # one colour means one range in every panel: a desa with the same value has the same fill
    idx = gdf.index[gdf["y2024"].isin(gdf["y2023"])][0]
    twin = gdf.index[gdf["y2023"] == gdf.at[idx, "y2024"]][0]
    assert pooled["y2024"].color_of()[idx] == pooled["y2023"].color_of()[twin]
    with pytest.raises(InputError, match="titles has 1 entries for 2 indicators"):
        static.plot_small_multiples(gdf, ["y2023", "y2024"], titles=["x"])


def test_small_multiples_grid_makes_panels_largest(desa_data) -> None:
    gdf = desa_data.assign(**{f"y{i}": desa_data["families"] + i for i in range(3)})
    fig = static.plot_small_multiples(gdf, ["y0", "y1", "y2"], date="2025-01-31")
    lefts = sorted({round(ax.get_position().x0, 3) for ax in fig.axes})
    assert len(lefts) == 2  # three near-square panels fill an A4 page best as 2 + 1
    rows = {round(ax.get_position().y0, 3) for ax in fig.axes}
    assert len(rows) == 2
    assert all(ax.get_position().y1 <= 0.9 for ax in fig.axes)  # under the title


def test_jupyter_shows_the_figure_without_pyplot(desa_data) -> None:
    fig = static.plot_choropleth(desa_data, "risk", date="2025-01-31", figsize=(4, 3))
    png = fig._repr_png_()  # what IPython displays for the last expression of a cell
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (4 * static.NOTEBOOK_DPI, 3 * static.NOTEBOOK_DPI)


def test_missing_column_raises(desa) -> None:
    with pytest.raises(InputError, match=r"Column\(s\) \['nope'\] not found in gdf"):
        static.plot_choropleth(desa, "nope")
    other = classify(pd.Series([1.0, 2.0, 3.0]))
    with pytest.raises(InputError, match="classification was made for other rows"):
        static.plot_choropleth(desa.assign(x=1.0), "x", classification=other)


def test_exports_png_300dpi_svg_pdf(desa_data, tmp_path) -> None:
    fig = static.plot_choropleth(desa_data, "risk", date="2025-01-31")
    png = export.save_figure(fig, tmp_path / "peta.png")
    with Image.open(png) as im:
        assert im.size == (round(11.69 * 300), round(8.27 * 300))  # A4 landscape at 300 dpi
    small = export.save_figure(fig, tmp_path / "kecil.png", dpi=50)
    assert small.stat().st_size < png.stat().st_size
    assert export.save_figure(fig, tmp_path / "peta.svg").read_text()[:200].count("<svg") == 1
    assert export.save_figure(fig, tmp_path / "peta.pdf").read_bytes()[:5] == b"%PDF-"
    assert not list(tmp_path.glob(".*part"))  # atomic writes leave no temp files
    with pytest.raises(InputError, match="use a suffix of"):
        export.save_figure(fig, tmp_path / "peta.jpg")


def test_categorical_map_legend_and_colours(desa_data) -> None:
    colors = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
    labels = ("1 Minimal", "2 Ringan", "3 Sedang", "4 Berat", "5 Parah")
    ind = Indicator("severity", "Tingkat keparahan", categories=(1, 2, 3, 4, 5), colors=colors,
                    category_labels=labels)  # fmt: skip
    gdf = desa_data.assign(severity=desa_data["families"] % 5 + 1)
    big = gdf["area_km2"].sort_values().index[-3:]
    gdf.loc[gdf.index[:2], "severity"] = np.nan
    fig = static.plot_choropleth(gdf, ind, date="2025-01-31", note="Metode: uji.",
                                 figsize=(6, 6))  # fmt: skip
    rows = [t.get_text() for t in fig.legends[0].get_texts()]
    counts = gdf["severity"].value_counts()
    assert rows[:5] == [f"{lab}  ({counts.get(k, 0)})" for k, lab in enumerate(labels, 1)]
    assert rows[5] == "Tidak ada data  (2)"
    assert "Metode: uji. Dibuat 31 Januari 2025." in _all_text(fig)
    points = gdf.to_crs(CRS_METRIC).representative_point()
    for idx in big:
        got = _pixel(fig, fig.axes[0], points[idx].x, points[idx].y)
        assert _hex(got) == colors[int(gdf.at[idx, "severity"]) - 1], gdf.at[idx, "name"]


def test_polygon_paths_keep_holes_and_parts() -> None:
    from matplotlib.path import Path as MplPath
    from shapely.geometry import MultiPolygon, Polygon, box

    ring = box(0, 0, 4, 4)
    holed = Polygon(ring.exterior.coords, [box(1, 1, 2, 2).exterior.coords])
    two = MultiPolygon([box(10, 0, 11, 1), box(12, 0, 13, 1)])
    paths = static.polygon_paths(gpd.GeoSeries([holed, None, two]))
    assert [len(p.vertices) for p in paths] == [10, 0, 10]  # 5 per closed ring
    codes = paths[0].codes.tolist()
    assert codes[0] == codes[5] == MplPath.MOVETO and codes[4] == codes[9] == MplPath.CLOSEPOLY
    # drawn: red in the square, white in its hole and between the two parts
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 4), dpi=20)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    frame = gpd.GeoDataFrame(geometry=[holed, two])
    static.draw_areas(ax, frame, pd.Series(["#ff0000", "#0000ff"]), linewidth=0)
    ax.set_xlim(0, 14)
    ax.set_ylim(0, 4)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())

    def at(x: float, y: float) -> str:
        r, g, b, _ = image[int(80 * (1 - y / 4)), int(280 * x / 14)]
        return f"#{r:02x}{g:02x}{b:02x}"

    assert (at(3, 3), at(1.5, 1.5)) == ("#ff0000", "#ffffff")
    assert (at(10.5, 0.5), at(11.5, 0.5), at(12.5, 0.5)) == ("#0000ff", "#ffffff", "#0000ff")
