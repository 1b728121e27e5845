"""Matching the place names of a whole CSV/XLSX file, with column guessing and clear errors.

The file is read by :mod:`mapping.readers`, so title rows, merged headers and the usual
government layouts are handled the same way as for welfare tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mapping.errors import InputError
from mapping.gazetteer import Gazetteer, MatchLevel
from mapping.names import fold
from mapping.readers import read_raw_table
from mapping.settings import Settings

NAME_COLUMN_GUESSES: dict[str, tuple[str, ...]] = {
    "desa": ("desa kelurahan", "desa", "kelurahan", "nama desa", "nama kelurahan", "nama", "name"),
    "kecamatan": ("kecamatan", "kec", "nama kecamatan", "nama", "name"),
}
KECAMATAN_COLUMN_GUESSES = ("kecamatan", "kec", "nama kecamatan")
CODE_COLUMN_GUESSES = ("kode", "kode wilayah", "kode desa", "kode kemendagri", "kode bps", "code")


def guess_column(
    columns: list[str], guesses: tuple[str, ...], *, what: str, path: Path, required: bool
) -> str | None:
    """The first column whose folded header equals one of `guesses` (in order)."""
    folded = {fold(c): c for c in columns}
    for guess in guesses:
        if guess in folded:
            return folded[guess]
    if required:
        msg = (
            f"No {what} column found in {path}; found: {columns}. "
            f"Name it with the option for it (e.g. --name-col)."
        )
        raise InputError(msg)
    return None


def match_file(
    path: Path,
    *,
    level: MatchLevel = "desa",
    name_col: str | None = None,
    kecamatan_col: str | None = None,
    code_col: str | None = None,
    sheet: str | int | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Match every data row of a CSV/XLSX file; one output row per input row (see gazetteer)."""
    table = read_raw_table(path, sheet=sheet).cells
    columns = [str(c) for c in table.columns]
    for opt, col in (
        ("--name-col", name_col),
        ("--kecamatan-col", kecamatan_col),
        ("--code-col", code_col),
    ):
        if col is not None and col not in columns:
            msg = f"Column {col!r} ({opt}) not found in {path}; found: {columns}."
            raise InputError(msg)
    code_col = code_col or guess_column(
        columns, CODE_COLUMN_GUESSES, what="code", path=path, required=False
    )
    name_col = name_col or guess_column(
        columns, NAME_COLUMN_GUESSES[level], what="name", path=path, required=code_col is None
    )
    if level == "desa":
        kecamatan_col = kecamatan_col or guess_column(
            columns, KECAMATAN_COLUMN_GUESSES, what="kecamatan", path=path, required=False
        )
    else:
        kecamatan_col = None
    gz = Gazetteer.load(level, settings=settings)
    n = len(table)
    return gz.match(
        table[name_col] if name_col else [None] * n,
        kecamatan=table[kecamatan_col] if kecamatan_col else None,
        codes=table[code_col] if code_col else None,
    )
