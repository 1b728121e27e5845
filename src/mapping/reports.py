"""Match and validation reports as files people can act on: CSV and formatted XLSX, id or en.

A match report lists every input row (joined or reported) and every area without data; a
validation report lists every problem, errors first, with the names matched by similarity as
warnings to review. Headers and texts are Indonesian by default, English with
``language="en"``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from mapping.errors import PROBLEM_HEADERS, SEVERITY_TEXTS, ProblemReport, report_language
from mapping.files import atomic_path
from mapping.join import REVIEW_METHODS, MatchReport

#: Widest XLSX column, in characters (longer texts wrap in the cell when opened).
MAX_WIDTH = 60
#: Background of the rows a person should review (light amber).
REVIEW_FILL = "FFF2CC"
#: Sheet names of the XLSX reports.
SHEETS: dict[str, dict[str, str]] = {
    "match": {"id": "pencocokan", "en": "matching"},
    "validation": {"id": "validasi", "en": "validation"},
}


def validation_report(report: MatchReport) -> ProblemReport:
    """The problems of a join's inputs plus a warning for every name matched by similarity."""
    return ProblemReport([*report.problems, *report.review()])


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    sheet: str = "laporan",
    highlight: pd.Series | None = None,
) -> list[Path]:
    """Write `frame` as ``<path>.csv`` and ``<path>.xlsx`` (suffix of `path` ignored).

    The XLSX has a bold header row that stays in view (frozen), a filter on every column and
    widths fitted to the contents (at most :data:`MAX_WIDTH` characters); the rows where
    `highlight` (aligned with `frame`) is true are shaded, e.g. those to review. Both files
    are written atomically.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    stem = Path(path).with_suffix("")
    csv_path, xlsx_path = stem.with_suffix(".csv"), stem.with_suffix(".xlsx")
    with atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    marked = [] if highlight is None else [i for i, v in enumerate(highlight.to_numpy()) if v]
    for i in marked:
        for cell in ws[i + 2]:
            cell.fill = PatternFill("solid", fgColor=REVIEW_FILL)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, col in enumerate(frame.columns, start=1):
        longest = max([len(str(col)), *(len(str(_cell(v))) for v in frame[col])])
        ws.column_dimensions[get_column_letter(i)].width = min(longest + 2, MAX_WIDTH)
    with atomic_path(xlsx_path) as tmp:
        wb.save(tmp)
    return [csv_path, xlsx_path]


def _cell(value: object) -> object:
    """A value openpyxl can write: missing values blank, numpy numbers as Python numbers."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def write_match_report(
    report: MatchReport, path: str | os.PathLike[str], *, language: str = "id"
) -> list[Path]:
    """Write the match report (:meth:`MatchReport.to_table`) as CSV and XLSX; see
    :func:`write_table`."""
    lang = report_language(language)
    table = report.to_table(language=lang)
    review = report.to_frame()["method"].isin(REVIEW_METHODS)
    return write_table(table, path, sheet=SHEETS["match"][lang], highlight=review)


def write_validation_report(
    problems: ProblemReport, path: str | os.PathLike[str], *, language: str = "id"
) -> list[Path]:
    """Write the problems (:meth:`ProblemReport.to_table`) as CSV and XLSX; see
    :func:`write_table`."""
    lang = report_language(language)
    table = problems.to_table(language=lang)
    return write_table(
        table, path, sheet=SHEETS["validation"][lang], highlight=_is_warning(table, lang)
    )


def _is_warning(table: pd.DataFrame, language: str) -> pd.Series:
    """Which rows of a :meth:`ProblemReport.to_table` are warnings."""
    column = PROBLEM_HEADERS["severity"][language]
    return table[column] == SEVERITY_TEXTS["warning"][language]
