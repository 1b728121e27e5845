"""The project's exception classes and the collect-then-raise problem report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

Severity = Literal["error", "warning"]


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

    def describe(self) -> str:
        """Every problem, one line each, errors first."""
        ordered = self.errors + self.warnings
        return "\n".join(p.describe() for p in ordered) if ordered else "No problems found."
