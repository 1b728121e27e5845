"""Tests of the interactive maps: embedded data, legends, tooltips, size and self-containment."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from synthetic_areas import voronoi_areas

from mapping import export, interactive
from mapping.classify import NO_DATA_COLOR, Indicator, classify
from mapping.errors import InputError

TOLERANCE = interactive.TOLERANCE_M

INDICATORS = [
    Indicator("risk", "Keluarga berisiko", k=5),
    Indicator("families", "Jumlah keluarga", palette="Blues"),
    Indicator("pkh", "Penerima PKH", palette="Greens"),
    Indicator("bpnt", "Penerima BPNT", palette="Purples"),
    Indicator("area_km2", "Luas", unit="km²", palette="YlGnBu"),
]


@pytest.fixture(scope="module")
def desa_data(desa):
    gdf = desa.copy()
    rng = np.random.default_rng(7)
    gdf["families"] = rng.integers(50, 1500, len(gdf))
    gdf["risk"] = (gdf["families"] * rng.uniform(0.05, 0.4, len(gdf))).round()
    gdf.loc[gdf.index[:3], "risk"] = np.nan
    gdf["pkh"] = rng.integers(0, 300, len(gdf))
    gdf["bpnt"] = rng.integers(0, 200, len(gdf))
    return gdf


@pytest.fixture(scope="module")
def page(desa_data, kecamatan) -> str:
    m = interactive.choropleth_map(
        desa_data, INDICATORS, outlines=kecamatan, title="Uji", source="Uji", date="2025-01-31",
        synthetic=True,
    )  # fmt: skip
    return interactive.render_html(m)


def test_self_contained_and_small(page) -> None:
    assert not re.search(r'<script[^>]+src="', page)
    assert not re.search(r'<link[^>]+rel="stylesheet"', page)
    assert "L.Control.FullScreen" in page or "Control.FullScreen" in page
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert len(page.encode()) < 1_500_000


def test_one_feature_per_desa_with_only_shown_properties(page, desa_data) -> None:
    data, config, _ = interactive.embedded_data(page)
    assert len(data["features"]) == 252
    assert {k for f in data["features"] for k in f["properties"]} == {"n", "k", "c", "v", "r"}
    assert [layer["title"] for layer in config["layers"]] == [i.title for i in INDICATORS]
    names = {f["properties"]["n"] for f in data["features"]}
    assert names == set(desa_data["name"])


def test_classes_colours_and_tooltips_of_known_desa(page, desa_data) -> None:
    data, config, _ = interactive.embedded_data(page)
    cls = INDICATORS[0].classify(desa_data["risk"])
    assert config["layers"][0]["colors"] == list(cls.colors)
    top = desa_data["risk"].idxmax()
    pos = desa_data.index.get_loc(top)
    props = data["features"][pos]["properties"]
    assert props["n"] == desa_data.at[top, "name"]
    assert props["k"] == desa_data.at[top, "kecamatan"]
    assert props["c"][0] == cls.k - 1
    assert props["r"][0] == 1  # highest value ranks first
    assert props["v"][0] == cls.format(desa_data.at[top, "risk"])
    assert config["layers"][0]["n"] == 249  # 3 desa without data are not ranked
    assert config["texts"]["rank"] == "peringkat {rank} dari {n}"
    assert config["thousands"] == "."  # the page writes "peringkat 1.234 dari 83.000"


def test_missing_data_class_and_legend(page, desa_data) -> None:
    data, config, _ = interactive.embedded_data(page)
    first = data["features"][0]["properties"]
    assert first["c"][0] is None and first["r"][0] is None
    assert first["v"][0] == "Tidak ada data"
    assert config["noDataColor"] == NO_DATA_COLOR
    legend = config["layers"][0]["legend"]
    cls = INDICATORS[0].classify(desa_data["risk"])
    for label, count in zip(cls.labels, cls.counts, strict=True):
        assert f'>{label}</td><td class="pk-count">{count}<' in legend
    assert 'Tidak ada data</td><td class="pk-count">3<' in legend
    assert "Tidak ada data" not in config["layers"][1]["legend"]  # no missing families


def test_geometry_is_a_simplified_coverage(page, desa_data) -> None:
    data, _, _ = interactive.embedded_data(page)
    geoms = gpd.GeoSeries(
        [shapely.from_geojson(json.dumps(f["geometry"])) for f in data["features"]], crs=4326
    )
    assert shapely.coverage_is_valid(geoms.values)  # shared borders stay shared
    assert shapely.is_valid(geoms.values).all()
    ratio = geoms.to_crs(32647).area.sum() / desa_data.to_crs(32647).area.sum()
    assert abs(ratio - 1) < 0.002
    assert (
        shapely.get_num_coordinates(geoms.values).sum()
        < 0.4 * shapely.get_num_coordinates(desa_data.geometry.values).sum()
    )
    decimals = {len(str(c).split(".")[1]) for c in shapely.get_coordinates(geoms.values).ravel()}
    assert max(decimals) <= 5


def test_simplified_coverage_has_no_gaps_or_slivers(page, desa_data) -> None:
    data, _, _ = interactive.embedded_data(page)
    simple = gpd.GeoSeries(
        [shapely.from_geojson(json.dumps(f["geometry"])) for f in data["features"]], crs=4326
    ).to_crs(32647)
    union = shapely.union_all(simple.values)
    # no gaps: the desa still tile the regency without holes, like the original layer
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    # no slivers: the areas add up to the area of their union (nothing overlaps)
    assert simple.area.sum() == pytest.approx(union.area, rel=1e-9)
    # and the outline moved by at most about the tolerance
    original = shapely.union_all(desa_data.to_crs(32647).geometry.values)
    assert shapely.hausdorff_distance(union.exterior, original.exterior) < 3 * TOLERANCE


def test_html_is_at_least_4x_smaller_than_explore(page, desa_data) -> None:
    # explore() with ONE of the five layers is a lower bound of the five-layer baseline that
    # benchmarks/bench_html_size.py measures in full.
    folium_map = desa_data.explore(column="risk", scheme="quantiles", k=5)
    baseline = len(folium_map.get_root().render().encode())
    ours = len(page.encode())
    assert ours < 1_500_000
    assert baseline / ours >= 4, f"explore(): {baseline / 1e6:.2f} MB, ours {ours / 1e6:.2f} MB"


def test_outlines_labels_and_texts(page) -> None:
    _, config, extra = interactive.embedded_data(page)
    assert len(extra["labels"]) == 15
    assert {lab[0] for lab in extra["labels"]} >= {"Tarutung", "Siborongborong"}
    assert extra["outlines"]["type"] in {"MultiLineString", "LineString"}
    assert config["caption"].endswith("Data: contoh sintetis, bukan data sebenarnya.")
    assert config["texts"]["basemapNone"] == "Tanpa peta dasar"
    assert [b["name"] for b in config["basemaps"]] == ["OpenStreetMap Mapnik", "OpenTopoMap"]


def test_kecamatan_level_texts(kecamatan) -> None:
    kec = kecamatan.assign(x=range(len(kecamatan)))
    m = interactive.choropleth_map(kec, ["x"], level="kecamatan", outlines=kecamatan)
    data, config, _ = interactive.embedded_data(interactive.render_html(m))
    assert config["level"] == "kecamatan" and len(data["features"]) == 15
    assert config["texts"]["search"] == "Cari kecamatan…"
    assert config["texts"]["notFound"] == "Kecamatan tidak ditemukan"
    assert config["texts"]["kecamatanOf"] == "Kecamatan {name}"
    assert {f["properties"]["k"] for f in data["features"]} == {""}  # no kecamatan column used
    with pytest.raises(InputError, match="level='provinsi' is not supported"):
        interactive.choropleth_map(kec, ["x"], level="provinsi")


def test_english_and_reused_classification(desa_data) -> None:
    cls = classify(desa_data["pkh"], scheme="equal_interval", k=3, language="en")
    m = interactive.choropleth_map(
        desa_data, [Indicator("pkh")], classifications={"pkh": cls}, language="en", basemaps=()
    )
    data, config, _ = interactive.embedded_data(interactive.render_html(m))
    assert config["layers"][0]["colors"] == list(cls.colors)
    assert config["texts"]["rank"] == "rank {rank} of {n}"
    assert config["texts"]["search"] == "Find a village…"
    assert config["texts"]["rankNote"] == "Rank 1 = highest value"
    assert config["basemaps"] == []
    assert {f["properties"]["v"][0] for f in data["features"]} >= {
        cls.format(desa_data["pkh"].max())
    }
    assert "," in cls.format(1234.0)  # English thousands separator
    assert [f["properties"]["c"][0] for f in data["features"]] == cls.classes.tolist()


def test_english_map_relabels_an_indonesian_classification(desa_data) -> None:
    cls_id = classify(desa_data["families"], scheme="equal_interval", k=3)  # "1.234" style
    m = interactive.choropleth_map(desa_data, [Indicator("families", "Families")],
                                   classifications={"families": cls_id}, language="en",
                                   date="2025-01-31")  # fmt: skip
    page = interactive.render_html(m)
    _, config, _ = interactive.embedded_data(page)
    legend = config["layers"][0]["legend"]
    en_labels = cls_id.in_language("en").labels
    assert en_labels[1:] == ("537 – 1,017", "1,018 – 1,498")  # same bins, English numbers
    assert all(f'class="pk-range">{label}<' in legend for label in en_labels)
    assert "1.017" not in legend
    assert config["caption"] == "Made 31 January 2025."
    assert '"title": "Full screen"' in page and '"titleCancel": "Exit full screen"' in page
    id_page = interactive.render_html(interactive.choropleth_map(desa_data, ["pkh"]))
    assert '"title": "Layar penuh"' in id_page


def test_synthetic_data_get_the_badge_without_being_asked(desa_data) -> None:
    gdf = desa_data.copy()
    gdf.attrs.update(synthetic=True, source_file="pmks-contoh-sintetis.xlsx")
    _, config, _ = interactive.embedded_data(
        interactive.render_html(interactive.choropleth_map(gdf, ["pkh"], date="2025-01-31"))
    )
    assert config["synthetic"] is True and config["texts"]["syntheticBadge"] == "CONTOH SINTETIS"
    assert config["caption"].endswith("Data: contoh sintetis, bukan data sebenarnya.")
    with pytest.raises(
        InputError,
        match=r"gdf \(from pmks-contoh-sintetis\.xlsx\) holds "
        r"synthetic data.*must be labelled",
    ):
        interactive.choropleth_map(gdf, ["pkh"], synthetic=False)
    # synthetic sites make the map synthetic too; real data alone do not
    sites = desa_data.iloc[:2].copy()
    sites["geometry"] = sites.representative_point()
    sites.attrs["synthetic"] = True
    for kwargs, want in (({"points": sites}, True), ({}, False)):
        m = interactive.choropleth_map(desa_data, ["pkh"], **kwargs)
        _, config, _ = interactive.embedded_data(interactive.render_html(m))
        assert config["synthetic"] is want
        assert ("contoh sintetis" in config["caption"]) is want


def test_static_and_interactive_depend_downward_only() -> None:
    src = Path(interactive.__file__).parent
    for peer, other in (("interactive", "static"), ("static", "interactive")):
        tree = ast.parse((src / f"{peer}.py").read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
        }
        names = {
            a.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "mapping" for a in node.names
        }  # fmt: skip
        assert f"mapping.{other}" not in imported and other not in names, f"{peer} imports {other}"


def test_points_layer(desa_data, kecamatan) -> None:
    sites = desa_data.iloc[:6].copy()
    sites["geometry"] = sites.representative_point()
    sites["jenis"] = ["TKSK", "PSKS", "TKSK", "CSR", "PSKS", "TKSK"]
    m = interactive.choropleth_map(
        desa_data, ["pkh"], points=sites, point_category="jenis", point_name="name",
        point_fields=["kecamatan", "pkh"],
    )  # fmt: skip
    _, _, extra = interactive.embedded_data(interactive.render_html(m))
    pts = extra["points"]
    assert len(pts["data"]["features"]) == 6
    assert set(pts["styles"]) == {"TKSK", "PSKS", "CSR"}
    assert 'TKSK</td><td class="pk-count">3<' in pts["legend"]
    first = pts["data"]["features"][0]["properties"]
    assert first["rows"][:2] == [["Kategori", "TKSK"], ["kecamatan", sites.iloc[0]["kecamatan"]]]
    m = interactive.choropleth_map(
        desa_data, ["pkh"], points=sites, point_name="name",
        point_fields={"kecamatan": "Kecamatan", "pkh": "Penerima PKH"},
    )  # fmt: skip
    _, _, extra = interactive.embedded_data(interactive.render_html(m))
    rows = extra["points"]["data"]["features"][0]["properties"]["rows"]
    assert [r[0] for r in rows] == ["Kecamatan", "Penerima PKH"]  # readable labels, no category


def test_errors(desa_data) -> None:
    with pytest.raises(InputError, match=r"Column\(s\) \['nope'\] not found"):
        interactive.choropleth_map(desa_data, ["nope"])
    with pytest.raises(InputError, match="not an xyzservices provider"):
        interactive.choropleth_map(desa_data, ["pkh"], basemaps=["Nope.Tiles"])
    with pytest.raises(InputError, match="has no vendored copy"):
        interactive.inline_assets('<script src="https://cdn.example.org/x.js"></script>')
    with pytest.raises(InputError, match="use a .html suffix"):
        export.save_html(interactive.choropleth_map(desa_data, ["pkh"]), "peta.png")


def test_jupyter_shows_the_self_contained_page(desa_data) -> None:
    m = interactive.choropleth_map(desa_data, ["pkh"], date="2025-01-31")
    shown = m._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "pkChoropleth(" in shown
    assert "cdn.jsdelivr" not in shown and "peta-kesos/choropleth.js" not in shown


def test_save_html_writes_the_page(desa_data, tmp_path) -> None:
    m = interactive.choropleth_map(desa_data, ["pkh"], date="2025-01-31")
    path = export.save_html(m, tmp_path / "peta.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "pkChoropleth(" in text


def test_categorical_layer_has_labels_colours_and_no_ranks(desa_data) -> None:
    colors = ("#d7191c", "#2c7bb6", "#e6e6e6")
    ind = Indicator("quadrant", "Kuadran", categories=("HL", "LH", "other"), colors=colors,
                    category_labels={"id": ("Kebutuhan tinggi, kapasitas rendah",
                                            "Kebutuhan rendah, kapasitas tinggi", "Lainnya"),
                                     "en": ("High need, low capacity",
                                            "Low need, high capacity", "Other")})  # fmt: skip
    quadrant = np.where(desa_data["families"] > 1000, "HL", "other").astype(object)
    quadrant[5] = "LH"
    quadrant[6] = None
    gdf = desa_data.assign(quadrant=quadrant)
    m = interactive.choropleth_map(gdf, [ind], date="2025-01-31", note="Metode: uji")
    data, config, _ = interactive.embedded_data(interactive.render_html(m))
    layer = config["layers"][0]
    assert layer["colors"] == list(colors) and layer["kind"] == "categorical"
    props = [f["properties"] for f in data["features"]]
    assert props[5]["c"] == [1] and props[5]["v"] == ["Kebutuhan rendah, kapasitas tinggi"]
    assert props[6]["c"] == [None] and props[6]["v"] == ["Tidak ada data"]
    assert all(p["r"] == [None] for p in props)
    n_hl = int((quadrant == "HL").sum())
    assert (
        f'>Kebutuhan tinggi, kapasitas rendah</td><td class="pk-count">{n_hl}<' in layer["legend"]
    )
    assert 'Tidak ada data</td><td class="pk-count">1<' in layer["legend"]
    assert config["caption"].startswith("Metode: uji. Dibuat 31 Januari 2025.")
    en = interactive.choropleth_map(gdf, [ind], language="en")
    _, config_en, _ = interactive.embedded_data(interactive.render_html(en))
    assert "High need, low capacity" in config_en["layers"][0]["legend"]


def test_page_title_is_escaped_and_names_the_map(desa_data) -> None:
    m = interactive.choropleth_map(desa_data, ["pkh"], title="PKH <b>&</b> BPNT", synthetic=True)
    page = interactive.render_html(m)
    assert page.count("<title>") == 1
    assert "<title>CONTOH SINTETIS · PKH &lt;b&gt;&amp;&lt;/b&gt; BPNT</title>" in page
    en = interactive.render_html(interactive.choropleth_map(desa_data, ["pkh"], language="en"))
    assert "<title>Interactive map</title>" in en


def test_kecamatan_names_come_largest_first(page, kecamatan) -> None:
    """The browser hides the later of two colliding names, so the larger kecamatan wins."""
    _, _, extra = interactive.embedded_data(page)
    by_area = kecamatan.assign(a=kecamatan.to_crs(32647).area).sort_values("a", ascending=False)
    assert [lab[0] for lab in extra["labels"]] == by_area["name"].tolist()


def test_phone_texts_and_csv_name(page, desa_data) -> None:
    _, config, _ = interactive.embedded_data(page)
    texts = config["texts"]
    assert (texts["legend"], texts["table"], texts["csv"]) == ("Legenda", "Tabel", "Unduh CSV")
    assert texts["name"] == "Desa/kelurahan" and texts["layers"] == "Pilih lapisan"
    assert config["csvName"] == "uji"
    en = interactive.choropleth_map(desa_data, ["pkh"], title="PKH: 2025 / Q1", language="en")
    _, config_en, _ = interactive.embedded_data(interactive.render_html(en))
    assert config_en["csvName"] == "pkh-2025-q1"
    assert config_en["texts"]["csv"] == "Download CSV"
    assert config_en["texts"]["close"] == "Close"


# --- TopoJSON geometry and large maps (issue 10, item 5) -----------------------------------


def _arcs(geometries: list[dict]) -> set[int]:
    """Every arc the geometries use (~i refers to arc i reversed)."""
    found: set[int] = set()

    def walk(item) -> None:
        if isinstance(item, int):
            found.add(item if item >= 0 else ~item)
        else:
            for sub in item:
                walk(sub)

    for geom in geometries:
        walk(geom.get("arcs", []))
    return found


def test_page_geometry_is_topojson_that_decodes_to_the_simplified_desa(page, desa_data) -> None:
    topo, _, extra = interactive.embedded_json(page)
    assert topo["type"] == "Topology" and set(topo["objects"]) == {"areas", "outlines"}
    assert topo["transform"]["scale"] == [1e-5, 1e-5]  # the 5-decimal grid (about 1.1 m)
    assert "outlines" not in extra  # drawn from the topology's arcs, not embedded again
    data, config, _ = interactive.embedded_data(page)
    assert not config["canvas"]  # 252 desa: one SVG path each
    decoded = [shapely.from_geojson(json.dumps(f["geometry"])) for f in data["features"]]
    simple = interactive.simplify_coverage(desa_data.geometry)
    assert shapely.equals(decoded, simple.values).all()  # quantized without moving a point


def test_kecamatan_outlines_are_the_desa_arcs(page, kecamatan) -> None:
    topo, _, _ = interactive.embedded_json(page)
    outline_arcs = _arcs(topo["objects"]["outlines"]["geometries"])
    assert outline_arcs <= _arcs(topo["objects"]["areas"]["geometries"])  # no arc of their own
    assert len(topo["objects"]["outlines"]["geometries"]) == len(kecamatan) == 15
    _, _, extra = interactive.embedded_data(page)
    lines = shapely.from_geojson(json.dumps(extra["outlines"]))
    length = gpd.GeoSeries([lines], crs=4326).to_crs(32647).length.iloc[0]
    borders = shapely.union_all(shapely.boundary(kecamatan.to_crs(32647).geometry.values))
    assert length == pytest.approx(borders.length, rel=0.05)  # each border drawn once


def test_topojson_is_over_3x_smaller_than_the_geojson_it_replaces(page) -> None:
    """Before: each desa's GeoJSON polygon plus the outlines as GeoJSON lines (0.84 MB page
    in benchmarks/results.md); now one topology with shared, delta-encoded integer arcs."""
    topo, _, _ = interactive.embedded_json(page)
    data, _, extra = interactive.embedded_data(page)

    def size(obj) -> int:
        return len(json.dumps(obj, separators=(",", ":")).encode())

    geojson = size([f["geometry"] for f in data["features"]]) + size(extra["outlines"])
    shapes = {**topo, "objects": {name: {"geometries": [{**g, "properties": {}}
              for g in obj["geometries"]]} for name, obj in topo["objects"].items()}}  # fmt: skip
    assert geojson / size(shapes) > 3.0, (geojson, size(shapes))
    assert len(page.encode()) < 500_000  # was 0.84 MB with the geometry as GeoJSON


def test_two_thousand_polygons_build_with_outlines(monkeypatch) -> None:
    areas = voronoi_areas(2_000)
    monkeypatch.setattr(interactive, "CANVAS_FROM", 1_000)
    m = interactive.choropleth_map(areas, ["x"], synthetic=True)
    data, config, extra = interactive.embedded_data(interactive.render_html(m))
    assert len(data["features"]) == 2_000
    assert config["canvas"]  # drawn on one canvas from CANVAS_FROM areas on
    assert len(extra["labels"]) == areas["kecamatan"].nunique() == 20
    decoded = [shapely.from_geojson(json.dumps(f["geometry"])) for f in data["features"]]
    assert shapely.coverage_is_valid(decoded)
    assert [f["properties"]["n"] for f in data["features"]] == areas["name"].tolist()


def test_outlines_dissolve_even_when_rounding_broke_the_noding() -> None:
    # the right square has a vertex half-way up the left one's edge, which has none there:
    # GEOS's fast coverage union refuses that, the overlay union does it
    left = shapely.box(0, 0, 1, 1)
    right = shapely.Polygon([(1, 0), (2, 0), (2, 1), (1, 1), (1, 0.5)])
    with pytest.raises(shapely.errors.GEOSException, match="incorrectly noded"):
        shapely.coverage_union_all([left, right])
    merged = interactive._dissolve(np.array([left, right]))
    assert shapely.equals(merged, shapely.box(0, 0, 2, 1))
