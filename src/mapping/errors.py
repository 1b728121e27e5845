"""The project's exception classes and the collect-then-raise problem report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

Severity = Literal["error", "warning"]

#: Headers of a problem report (:meth:`ProblemReport.to_table`) in Indonesian and English.
PROBLEM_HEADERS: dict[str, dict[str, str]] = {
    "severity": {"id": "tingkat", "en": "severity"},
    "kind": {"id": "jenis masalah", "en": "problem"},
    "file": {"id": "berkas", "en": "file"},
    "sheet": {"id": "lembar", "en": "sheet"},
    "row": {"id": "baris", "en": "row"},
    "column": {"id": "kolom", "en": "column"},
    "value": {"id": "nilai", "en": "value"},
    "expected": {"id": "seharusnya", "en": "expected"},
    "suggestion": {"id": "saran", "en": "suggestion"},
    "message": {"id": "keterangan", "en": "message"},
}
#: Severity in words; a warning is something a person should look at, not a refusal.
SEVERITY_TEXTS: dict[str, dict[str, str]] = {
    "error": {"id": "kesalahan", "en": "error"},
    "warning": {"id": "peringatan (perlu diperiksa)", "en": "warning (review)"},
}
#: Problem kinds in words (a kind not listed is shown as it is).
KIND_TEXTS: dict[str, dict[str, str]] = {
    "fuzzy-match": {
        "id": "nama dicocokkan karena mirip (perlu diperiksa)",
        "en": "name matched by similarity (review)",
    },
    "unknown-area": {"id": "wilayah tidak dikenal", "en": "unknown area"},
    "ambiguous-area": {"id": "nama wilayah ganda", "en": "ambiguous area name"},
    "missing-area": {"id": "wilayah tanpa data", "en": "area without a row"},
    "code-name-mismatch": {"id": "kode dan nama tidak cocok", "en": "code and name disagree"},
    "unknown-category": {"id": "kategori tidak dikenal", "en": "unknown category"},
    "duplicate": {"id": "baris ganda", "en": "duplicate row"},
    "duplicate-conflict": {"id": "baris ganda dengan nilai beda", "en": "conflicting duplicate"},
    "duplicate-category-column": {
        "id": "kolom kategori ganda",
        "en": "duplicate category column",
    },
    "total-mismatch": {"id": "jumlah tidak sesuai", "en": "totals row disagrees"},
    "row-total-mismatch": {"id": "jumlah baris tidak sesuai", "en": "row total disagrees"},
    "non-numeric": {"id": "bukan angka", "en": "not a number"},
    "fractional-count": {"id": "jumlah pecahan", "en": "fractional count"},
    "invalid-year": {"id": "tahun tidak sah", "en": "invalid year"},
    "formula-not-calculated": {"id": "rumus belum dihitung", "en": "formula not calculated"},
    "extra-key-column": {"id": "kolom kunci tambahan", "en": "extra key column"},
    "bad-point": {"id": "titik tidak sah", "en": "invalid point"},
    "outside": {"id": "di luar kabupaten", "en": "outside the regency"},
}


class PetaKesosError(ValueError):
    """Base class of every error the project raises on purpose."""


class DataSourceError(PetaKesosError):
    """A raw file is missing, unreachable or not what its manifest says."""


class ChecksumError(DataSourceError):
    """A downloaded or mirrored file does not have the SHA-256 its manifest gives."""


class BoundaryValidationError(PetaKesosError):
    """The boundary layers break one of the checks run when they are built."""


class InputError(PetaKesosError):
    """A user's file or argument cannot be used as given."""


class MissingColumns(InputError):
    """Columns the user named (a config's ``columns`` or ``categories``) that a file lacks.

    ``missing`` maps each naming key (``columns.desa``, ``categories.Lansia``) to the header
    it names; ``found`` lists the file's headers, read from file rows ``header_rows`` when
    known. The message names the file and both, then `fix` (how to name a column so it is
    found).
    """

    def __init__(
        self,
        where: str,
        missing: dict[str, str],
        found: Sequence[str],
        *,
        fix: str = "Write each header as in the file's header row, or remove the key to let "
        "the column be detected.",
        header_rows: Sequence[int] = (),
    ) -> None:
        self.where = where
        self.missing = dict(missing)
        self.found = tuple(found)
        self.header_rows = tuple(header_rows)
        named = ", ".join(f"{key} {header!r}" for key, header in self.missing.items())
        hr = self.header_rows
        row = f" (header row {hr[0]})" if len(hr) == 1 else ""
        row = f" (header rows {hr[0]}-{hr[-1]})" if len(hr) > 1 else row
        super().__init__(
            f"Column(s) not found in {where}: {named}; headers found{row}: {list(self.found)}. "
            f"{fix}"
        )


def report_language(language: str) -> str:
    """`language` checked for a report: ``"id"`` or ``"en"``."""
    if language not in ("id", "en"):
        msg = f"language={language!r} is not a report language; expected 'id' or 'en'."
        raise InputError(msg)
    return language


@dataclass(frozen=True)
class Problem:
    """One problem found in an input, located precisely enough to fix it by hand."""

    kind: str
    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: Any = None
    expected: str = ""
    suggestion: str = ""
    severity: Severity = "error"

    def describe(self) -> str:
        """One line in plain words: where, what, what was expected, how to fix it."""
        where = [p for p in (self.file, f"sheet '{self.sheet}'" if self.sheet else "") if p]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        text = (
            f"[{self.severity}] {', '.join(where)}: {self.message}"
            if where
            else (f"[{self.severity}] {self.message}")
        )
        if self.value is not None and self.value != "":
            text += f" (value: {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text


class ValidationFailed(PetaKesosError):
    """Raised once with every error-level problem of an input listed."""

    def __init__(self, problems: Iterable[Problem], *, context: str = "") -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s)" + (f" in {context}" if context else "")
        lines = [head + ":"] + ["  " + p.describe() for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        super().__init__("\n".join(lines))


@dataclass
class ProblemReport:
    """Collects problems while an input is read, then reports or raises them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        self.problems.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self, *, context: str = "") -> None:
        """Raise :class:`ValidationFailed` listing every error, if there is any."""
        if self.errors:
            raise ValidationFailed(self.errors, context=context)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table, one row each."""
        cols = list(Problem.__dataclass_fields__)
        frame = pd.DataFrame([asdict(p) for p in self.problems], columns=cols)
        return frame.astype({"row": "Int64"})  # row 9, not 9.0, beside problems without a row

    def to_table(self, *, language: str = "id") -> pd.DataFrame:
        """The problems for people: errors first, headers and kinds in `language` (id/en).

        The ``message`` text stays as the reader wrote it (English).
        """
        lang = report_language(language)
        frame = self.to_frame()
        frame = pd.concat(
            [frame[frame["severity"] == "error"], frame[frame["severity"] != "error"]]
        )
        frame["severity"] = frame["severity"].map(lambda v: SEVERITY_TEXTS[v][lang])
        frame["kind"] = frame["kind"].map(lambda k: KIND_TEXTS.get(k, {}).get(lang, k))
        frame["value"] = frame["value"].map(lambda v: "" if v is None else str(v))
        frame = frame[list(PROBLEM_HEADERS)]
        return frame.rename(columns={k: v[lang] for k, v in PROBLEM_HEADERS.items()}).reset_index(
            drop=True
        )

    def describe(self) -> str:
        """Every problem, one line each, errors first."""
        ordered = self.errors + self.warnings
        return "\n".join(p.describe() for p in ordered) if ordered else "No problems found."
