"""Tests of PNG export: one render per map, thumbnails from the pixels, maps drawn in parallel."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageChops

from mapping import export, static
from mapping.classify import Indicator
from mapping.errors import InputError


@pytest.fixture(scope="module")
def data(desa):
    values = np.random.default_rng(3).integers(0, 400, len(desa)).astype(float)
    return desa.assign(a=values, b=values[::-1].copy())


def _pixels(source) -> Image.Image:
    with Image.open(source) as im:
        return im.convert("RGB")


def _same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def test_png_has_the_pixels_of_matplotlib_png_and_its_dpi(data, tmp_path) -> None:
    fig = static.plot_choropleth(data, Indicator("a", "A"), date="2025-01-31")
    png = export.save_figure(fig, tmp_path / "peta.png", dpi=40)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40, facecolor="white")
    with Image.open(png) as im:
        assert im.mode == "RGB"  # opaque map: no alpha channel to encode
        assert round(im.info["dpi"][0]) == 40
    assert _same(_pixels(png), _pixels(buf))


def test_compress_level_changes_size_not_pixels(data, tmp_path) -> None:
    fig = static.plot_choropleth(data, Indicator("a", "A"), date="2025-01-31")
    fast = export.save_figure(fig, tmp_path / "cepat.png", dpi=40, compress_level=1)
    small = export.save_figure(fig, tmp_path / "kecil.png", dpi=40, compress_level=9)
    assert small.stat().st_size < fast.stat().st_size
    assert _same(_pixels(fast), _pixels(small))
    with pytest.raises(InputError, match=r"compress_level must be 0-9 .*got 10"):
        export.save_figure(fig, tmp_path / "x.png", compress_level=10)


def test_thumbnail_from_the_render_equals_decoding_the_png(data, tmp_path) -> None:
    fig = static.plot_choropleth(data, Indicator("a", "A"), date="2025-01-31")
    png = export.save_figure(fig, tmp_path / "peta.png", dpi=60)
    kept = export.make_thumbnail(png, tmp_path / "t1.png", width=120)  # not the cached width
    remembered = export.make_thumbnail(png, tmp_path / "t2.png")
    export._THUMBNAILS.clear()  # as in another process: decode the PNG
    decoded = export.make_thumbnail(png, tmp_path / "t3.png")
    assert remembered.read_bytes() == decoded.read_bytes()
    assert _pixels(remembered).size[0] == export.THUMBNAIL_WIDTH
    assert _pixels(kept).size[0] == 120
    # a PNG rewritten by someone else is decoded again, not served from the old render
    export.save_figure(fig, png, dpi=60)
    Image.new("RGB", (960, 100), "red").save(png)
    assert _pixels(export.make_thumbnail(png, tmp_path / "t4.png")).getpixel((0, 0)) == (
        255,
        0,
        0,
    )


def test_parallel_figures_are_the_same_files(data, tmp_path, monkeypatch) -> None:
    jobs = {
        folder: [
            export.FigureJob(
                static.plot_choropleth,
                tmp_path / folder / f"{name}.png",
                (data, Indicator(col, name.upper())),
                {"date": "2025-01-31"},
                30,
            )
            for name, col in (("a", "a"), ("b", "b"), ("c", "a"))
        ]
        for folder in ("satu", "dua")
    }
    (tmp_path / "satu").mkdir()
    (tmp_path / "dua").mkdir()
    serial = export.save_figures(jobs["satu"], workers=1)
    export._THUMBNAILS.clear()
    parallel = export.save_figures(jobs["dua"], workers=2)
    assert [p.name for p in parallel] == ["a.png", "b.png", "c.png"]  # in the jobs' order
    assert [p.read_bytes() for p in serial] == [p.read_bytes() for p in parallel]
    # the thumbnails the workers made came back to this process
    assert export._file_key(parallel[1]) in export._THUMBNAILS
    with pytest.raises(InputError, match="workers must be >= 1"):
        export.save_figures(jobs["dua"], workers=0)
    monkeypatch.setenv("PETA_KESOS_WORKERS", "dua")
    with pytest.raises(InputError, match="PETA_KESOS_WORKERS must be a whole number >= 1"):
        export.default_workers()
    monkeypatch.setenv("PETA_KESOS_WORKERS", "3")
    assert export.default_workers() == 3
