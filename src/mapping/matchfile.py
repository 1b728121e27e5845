"""Matching the place names of a whole CSV/XLSX file, with column guessing and clear errors.

The file is read by :mod:`mapping.readers`, and its columns and totals rows are recognised by
the same rules (:func:`mapping.readers.column_role`, :func:`mapping.readers.is_total_label`)
as welfare tables, so title rows, merged headers and the usual government layouts are handled
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mapping.errors import InputError
from mapping.gazetteer import MATCH_COLUMNS, TAKEN_METHODS, Gazetteer, MatchLevel
from mapping.names import fold
from mapping.readers import column_role, is_total_label, read_raw_table
from mapping.settings import Settings

#: Method of a totals row (``Jumlah``, ``Total``): not a place, so never matched.
TOTAL_ROW = "total-row"


@dataclass(frozen=True)
class KeyColumns:
    """The columns that name the area of each row (None where the file has none)."""

    name: str | None
    kecamatan: str | None
    code: str | None
    no: str | None


def find_key_columns(columns: list[str], *, level: MatchLevel) -> KeyColumns:
    """The name, kecamatan, code and ``No`` columns of a table, by the readers' column roles.

    At desa level the name is a ``Desa``/``Kelurahan`` column and the kecamatan a ``Kecamatan``
    column; at kecamatan level the ``Kecamatan`` column is the name. A code column whose header
    says ``kec`` holds kecamatan codes.

    >>> find_key_columns(["No", "Nama Desa/Kel.", "Kec.", "Kode Kemendagri Desa"], level="desa")
    KeyColumns(name='Nama Desa/Kel.', kecamatan='Kec.', code='Kode Kemendagri Desa', no='No')
    """
    roles: dict[str, list[str]] = {}
    for col in columns:
        roles.setdefault(column_role(col), []).append(col)

    def first(*names: str) -> str | None:
        for role in names:
            if roles.get(role):
                return roles[role][0]
        return None

    codes = roles.get("code", [])
    kec_codes = [c for c in codes if "kec" in fold(c)]
    desa_codes = [c for c in codes if c not in kec_codes]
    if level == "desa":
        return KeyColumns(
            name=first("desa", "area"),
            kecamatan=first("kecamatan"),
            code=desa_codes[0] if desa_codes else None,
            no=first("no"),
        )
    return KeyColumns(
        name=first("kecamatan", "area"),
        kecamatan=None,
        code=next(iter(kec_codes or desa_codes), None),
        no=first("no"),
    )


def match_file(
    path: Path,
    *,
    level: MatchLevel = "desa",
    name_col: str | None = None,
    kecamatan_col: str | None = None,
    code_col: str | None = None,
    sheet: str | int | None = None,
    settings: Settings | None = None,
    gazetteer: Gazetteer | None = None,
) -> pd.DataFrame:
    """Match every data row of a CSV/XLSX file; one output row per input row.

    Columns are those of :data:`mapping.gazetteer.MATCH_COLUMNS`; ``row`` is the 1-based data
    row. A totals row (``Jumlah``, ``Total``) gets method ``total-row`` and is not matched.
    Options name the columns; otherwise they are recognised from their headers. `gazetteer`
    (of `level`) matches another region's names (default: Tapanuli Utara's,
    :meth:`~mapping.gazetteer.Gazetteer.load`).
    """
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
    found = find_key_columns(columns, level=level)
    name_col = name_col or found.name
    code_col = code_col or found.code
    if level == "desa":
        kecamatan_col = kecamatan_col or found.kecamatan
    if name_col is None and code_col is None:
        what = "desa/kelurahan" if level == "desa" else "kecamatan"
        msg = (
            f"No {what} name or code column found in {path}; found: {columns}. Name the column "
            f"'{'Desa' if level == 'desa' else 'Kecamatan'}' or 'Kode', or give it with "
            "--name-col / --code-col."
        )
        raise InputError(msg)
    n = len(table)

    def cells(col: str | None) -> list[object]:
        return list(table[col]) if col else [None] * n

    names, kecs, codes = cells(name_col), cells(kecamatan_col), cells(code_col)
    no = cells(found.no)
    total_cell: dict[object, bool] = {}  # fold each distinct cell once, not once per row

    def total(value: object) -> bool:
        if value not in total_cell:
            total_cell[value] = is_total_label(value)
        return total_cell[value]

    totals = [total(names[i]) or total(no[i]) for i in range(n)]
    keep = [i for i in range(n) if not totals[i]]
    gz = Gazetteer.load(level, settings=settings) if gazetteer is None else gazetteer
    if gz.level != level:
        msg = f"gazetteer is of level {gz.level!r}; the file is matched at level {level!r}."
        raise InputError(msg)
    matched = gz.match(
        [names[i] for i in keep],
        kecamatan=[kecs[i] for i in keep],
        codes=[codes[i] for i in keep],
    )
    matched["row"] = [i + 1 for i in keep]
    total_rows = pd.DataFrame(
        {
            "row": [i + 1 for i in range(n) if totals[i]],
            "input_name": [_text(names[i]) for i in range(n) if totals[i]],
            "input_kecamatan": [_text(kecs[i]) for i in range(n) if totals[i]],
            "input_code": [_text(codes[i]) for i in range(n) if totals[i]],
            "method": TOTAL_ROW,
            "score": 0.0,
        }
    )
    out = pd.concat([matched, total_rows], ignore_index=True) if len(total_rows) else matched
    out = out.reindex(columns=MATCH_COLUMNS)
    for col in ("code", "name", "kecamatan", "candidates"):
        out[col] = out[col].fillna("")
    out = out.sort_values("row", kind="stable").reset_index(drop=True)
    out.attrs["conflicts"] = code_name_conflicts(out, gz)
    return out


def code_name_conflicts(matches: pd.DataFrame, gz: Gazetteer) -> list[str]:
    """Rows whose code was taken while their name clearly names another area, in plain words.

    The code wins (as in welfare tables), but a person should look at these rows.
    """
    by_code = matches[(matches["method"] == "code") & (matches["input_name"] != "")]
    if by_code.empty:
        return []
    by_name = gz.match(by_code["input_name"], kecamatan=by_code["input_kecamatan"])
    return [
        f"row {r.row}: code {r.input_code} is {r.name} ({r.code}) but the name "
        f"{r.input_name!r} is {n.name} ({n.code}); the code was used"
        for r, n in zip(by_code.itertuples(), by_name.itertuples(), strict=True)
        if n.method in TAKEN_METHODS and n.code != r.code
    ]


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
