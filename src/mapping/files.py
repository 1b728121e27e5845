"""Writing files atomically with normal permissions: text, tables and GIS layers."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mapping.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

__all__ = [
    "FORMULA_STARTS",
    "LAYER_FORMATS",
    "atomic_path",
    "check_output_path",
    "neutralize_cell",
    "neutralize_formulas",
    "new_file_mode",
    "write_layer",
    "write_text",
]

#: First characters that make a spreadsheet read a cell as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: object) -> object:
    """`value`, with a text that a spreadsheet would run as a formula made plain text.

    A leading apostrophe makes Excel and LibreOffice show the text as typed instead of
    running it (OWASP's advice against CSV injection). Numbers are left alone.

    >>> neutralize_cell("=1+2"), neutralize_cell("@SUM(A1)"), neutralize_cell(-3)
    ("'=1+2", "'@SUM(A1)", -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) cannot run as formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in {"string", "str"}:
            out[col] = out[col].map(neutralize_cell)
    out.columns = [neutralize_cell(c) for c in out.columns]
    return out


def check_output_path(output: str | os.PathLike[str], *inputs: str | os.PathLike[str]) -> Path:
    """`output` as a Path, or an error if it is one of `inputs` (the same file, however named).

    >>> check_output_path("out.csv", "in.csv")
    PosixPath('out.csv')
    """
    target = Path(output)
    for given in inputs:
        source = Path(given)
        same = (
            os.path.samefile(source, target)
            if source.exists() and target.exists()
            else source.resolve() == target.resolve()
        )
        if same:
            msg = (
                f"The output {str(target)!r} is the input file {str(source)!r}; writing it "
                "would destroy the input. Give another output file name."
            )
            raise InputError(msg)
    return target


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success it replaces `path` in one step.

    A crash or an error leaves the old file (or no file) rather than a half-written one. The
    file gets the permissions of any new file (``0o666`` minus the umask, e.g. ``-rw-r--r--``),
    not the owner-only ``0o600`` of a temporary file, so a web server or a colleague on a
    shared drive can open it.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def new_file_mode() -> int:
    """Permission bits a newly created file gets: ``0o666`` minus the process umask."""
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def write_text(content: str, path: str | os.PathLike[str]) -> Path:
    """Write `content` as UTF-8 to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(content, encoding="utf-8")
    return Path(path)


#: The files :func:`write_layer` writes, by suffix, with their OGR driver (None: plain CSV).
LAYER_FORMATS: dict[str, str | None] = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".csv": None}


def write_layer(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a joined layer (or any table) atomically as GPKG, GeoJSON or CSV, by `path`'s suffix.

    A GeoPackage's layer is named after the file; a CSV is UTF-8 without the geometry column,
    its text cells neutralised (:func:`neutralize_formulas`). GPKG and GeoJSON need a
    GeoDataFrame.
    """
    import geopandas as gpd

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in LAYER_FORMATS:
        msg = f"Cannot write {target.name!r}: expected a .gpkg, .geojson or .csv file name."
        raise InputError(msg)
    driver = LAYER_FORMATS[suffix]
    if driver is not None and not isinstance(frame, gpd.GeoDataFrame):
        msg = f"Cannot write {target.name!r}: a {suffix} file needs a GeoDataFrame; use .csv."
        raise InputError(msg)
    with atomic_path(target) as tmp:
        if driver is None:
            if isinstance(frame, gpd.GeoDataFrame):
                frame = frame.drop(columns=frame.geometry.name)
            neutralize_formulas(frame).to_csv(tmp, index=False, encoding="utf-8")
        else:  # GDAL writes a new file, named with its real suffix (GPKG checks it)
            part = tmp.with_name(tmp.name + suffix)
            try:
                kwargs = {"layer": target.stem} if driver == "GPKG" else {}
                frame.to_file(part, driver=driver, **kwargs)
                part.replace(tmp)
            finally:
                part.unlink(missing_ok=True)
    log.debug("wrote %s", target)
    return target
