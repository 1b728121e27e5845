"""A scanner of a whole output folder for small counts, shown or recomputable (test helper).

It reads every file a build wrote (HTML maps with their embedded data, CSV, XLSX, GeoJSON,
PDF text, JSON) into *facts*: ``(level, area, label, value)``, the numbers a reader can see
for each desa or kecamatan. It knows the true table and which of its columns are sensitive
(with their k), and finds any published fact, or simple combination of facts, that gives a
suppressed value (1..k-1) back:

- a view of a count: the fact itself, ``fact x keluarga / 1000`` (a rate times the published
  number of families), ``fact x fact / 100`` (a percentage of a published count) or
  ``fact +/- fact`` (a need from its reach and gap), also times ``keluarga / 1000``. A
  formula counts as a view of a sensitive column only if it reproduces that column on the
  areas where the column is published (most of them), so a coincidence is not a leak and an
  unknown new column still is one;
- differencing: a published total minus the parts known from the views (the desa of a
  kecamatan, the kecamatan of the regency, the categories of a row's total) when the parts
  left add up to a small count (one small part left is the same case);
- ranks shown for a suppressed value in an interactive map.

PNG files cannot be read as text: their labels and legends are covered by the static map
tests (tests/test_disclosure.py, tests/test_static.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mapping import interactive
from mapping.names import normalize_name

#: How close a recomputed value must be to the true count (counts are whole numbers).
TOLERANCE = 0.5
#: Share of the published areas on which a formula must reproduce a column to be its view.
AGREEMENT = 0.6
#: How close (relative) a formula must come to a published value to count as agreeing.
RELATIVE = 0.02
#: Fewest published non-zero areas a formula must be checked on.
MIN_SUPPORT = 8


@dataclass
class Truth:
    """The true values behind the outputs.

    ``desa``: one row per desa code with ``name``, ``kecamatan``, ``keluarga`` and the
    sensitive count columns; ``kecamatan``: their sums per kecamatan name; ``k``: the
    threshold of each sensitive column; ``named``: for some columns, a pattern of the labels
    (``file:title``) that show the column itself, taken as views even where too few areas are
    published to check them on (kecamatan totals of rare categories).
    """

    desa: pd.DataFrame
    k: Mapping[str, int]
    named: Mapping[str, str] = field(default_factory=dict)
    #: ``{total column: [part columns]}``: totals published with their parts.
    parts: Mapping[str, list[str]] = field(default_factory=dict)
    kecamatan: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        cols = list(self.k)
        self.kecamatan = self.desa.groupby("kecamatan")[cols].sum(min_count=1)
        self.by_name = {
            (normalize_name(n), normalize_name(kc)): code
            for code, n, kc in zip(
                self.desa.index, self.desa["name"], self.desa["kecamatan"], strict=True
            )
        }
        self.kec_names = {normalize_name(n): n for n in self.kecamatan.index}

    def desa_code(self, name: str, kecamatan: str | None) -> str | None:
        if kecamatan:
            return self.by_name.get((normalize_name(name), normalize_name(kecamatan)))
        hits = [c for (n, _), c in self.by_name.items() if n == normalize_name(name)]
        return hits[0] if len(hits) == 1 else None


@dataclass
class Facts:
    """What the files show: ``{(level, label): {area: value}}`` and plain problems."""

    values: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)

    def add(self, level: str, label: str, area: str, value: float | None) -> None:
        if value is not None and np.isfinite(value):
            self.values.setdefault((level, label), {})[area] = float(value)


_LOCAL = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$")


def local_number(text: object) -> float | None:
    """A number as the maps and PDFs write it ("1.234", "12,5", "79 %"); None otherwise."""
    s = str(text).strip().removesuffix("%").removesuffix("km").strip()
    if not _LOCAL.match(s):
        return None
    return float(s.replace(".", "").replace(",", "."))


def machine_number(text: object) -> float | None:
    """A number as CSV files and workbooks store it ("1234.5"); None otherwise."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float | np.integer | np.floating):
        return float(text)
    try:
        return float(str(text).strip())
    except ValueError:
        return None


# --- reading the files ------------------------------------------------------------------------


def _table_facts(table: pd.DataFrame, label: str, truth: Truth, facts: Facts) -> bool:
    """Facts of one table whose rows are desa or kecamatan; False if its rows are neither."""
    table = table.astype(object).where(table.notna(), None)
    codes = set(truth.desa.index)
    cells = {c: table[c].astype(str).str.strip() for c in table.columns}
    code_col = next((c for c, s in cells.items() if s.isin(codes).mean() > 0.5), None)
    kec_col = next(
        (c for c, s in cells.items() if s.map(normalize_name).isin(truth.kec_names).mean() > 0.9),
        None,
    )
    names = {normalize_name(n) for n in truth.desa["name"]}
    name_col = next(
        (c for c, s in cells.items() if c != kec_col and s.map(normalize_name).isin(names).mean()
         > 0.5),
        None,
    )  # fmt: skip
    if code_col is not None:
        areas, level = list(cells[code_col]), "desa"
    elif name_col is not None:
        kecs = list(cells[kec_col]) if kec_col is not None else [None] * len(table)
        areas = [truth.desa_code(n, k) for n, k in zip(cells[name_col], kecs, strict=True)]
        level = "desa"
    elif kec_col is not None:
        areas = [truth.kec_names.get(normalize_name(n)) for n in cells[kec_col]]
        level = "kecamatan"
    else:
        return False
    for col in table.columns:
        if col in (code_col, name_col, kec_col):
            continue
        for area, value in zip(areas, table[col], strict=True):
            if area is None:
                continue
            number = machine_number(value)
            if number is None and isinstance(value, str):
                _text_facts(value, level, f"{label}:{col}", area, facts)
            facts.add(level, f"{label}:{col}", area, number)
    return True


_WORDS_NUMBER = re.compile(r"([^\W\d][^\d;:,()]*?)\s*(-?\d[\d.,]*)")


def _text_facts(text: str, level: str, label: str, area: str, facts: Facts) -> None:
    """Numbers in a text cell ("cakupan PKH 44%; 14 km ke puskesmas"), each labelled with
    the words before it."""
    seen: dict[str, int] = {}
    for words, number in _WORDS_NUMBER.findall(text):
        key = words.strip()
        seen[key] = seen.get(key, 0) + 1
        name = f"{label}:{key}" + (f"#{seen[key]}" if seen[key] > 1 else "")
        facts.add(level, name, area, local_number(number.rstrip(".,")))


def _sheets(path: Path) -> Iterable[tuple[str, pd.DataFrame]]:
    for sheet, raw in pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl").items():
        for header in range(min(4, len(raw))):
            frame = raw.iloc[header + 1 :].copy()
            frame.columns = [str(c) for c in raw.iloc[header]]
            yield f"{sheet}@{header}", frame


def _read_html(path: Path, label: str, truth: Truth, facts: Facts) -> None:
    page = path.read_text(encoding="utf-8")
    if "pkChoropleth(map_" not in page:
        return
    data, config, _ = interactive.embedded_data(page)
    level = config["level"]
    titles = [layer["title"] for layer in config["layers"]]
    for feat in data["features"]:
        p = feat["properties"]
        if level == "desa":
            area = truth.desa_code(p["n"], p.get("k"))
        else:
            area = truth.kec_names.get(normalize_name(p["n"]))
        if area is None:
            facts.problems.append(f"{label}: area {p['n']!r} ({p.get('k')}) not recognised")
            continue
        for i, title in enumerate(titles):
            value = p["v"][i]
            if value is not None and str(value).startswith("<") and p["r"][i] is not None:
                facts.problems.append(f"{label}: {title} of {p['n']} hidden but ranked")
            facts.add(level, f"{label}:{title}", area, local_number(value))


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _read_pdf(path: Path, label: str, truth: Truth, facts: Facts) -> None:
    """Profiles: ``label  value`` pairs of a kecamatan, desa mentioned by name with their
    values, and the summary's table with a row per kecamatan (and the regency)."""
    text = _pdf_text(path)
    kec = None
    match = re.search(r"Profil Kecamatan (.+)", text)
    if match:
        kec = truth.kec_names.get(normalize_name(match.group(1).strip()))
    for line in text.splitlines():
        for name, rest in re.findall(r"([A-Z][\w .'-]+?): (kelas [^;]+?)(?=\s{2,}|$)", line):
            code = truth.desa_code(name.strip(), kec)
            for i, number in enumerate(re.findall(r"\d[\d.,]*", rest)):
                if code is not None:
                    facts.add("desa", f"{label}:desa-{i}", code, local_number(number))
        tokens = [t for t in re.split(r"\s{2,}", line.strip()) if t]
        first = truth.kec_names.get(normalize_name(tokens[0])) if tokens else None
        level = "kecamatan"
        if tokens and tokens[0] in ("Kabupaten", "Regency"):
            first, level = "kabupaten", "kabupaten"
        numbers = [local_number(t) for t in tokens[1:]]
        if first is not None and len(tokens) > 3 and all(n is not None for n in numbers):
            for i, n in enumerate(numbers):
                facts.add(level, f"{label}:col{i}", first, n)
            continue
        if kec is None:
            continue
        for key, value in zip(tokens, tokens[1:], strict=False):
            if local_number(key) is None and local_number(value) is not None:
                facts.add("kecamatan", f"profil:{key}", kec, local_number(value))


def _walk_json(node: object, label: str, truth: Truth, facts: Facts) -> None:
    """Records (dicts with a desa name or code) anywhere in a JSON document."""
    if isinstance(node, list):
        if node and all(isinstance(x, dict) for x in node):
            frame = pd.DataFrame(node)
            if len(frame.columns) and _table_facts(frame, label, truth, facts):
                return
        for x in node:
            _walk_json(x, label, truth, facts)
    elif isinstance(node, dict):
        for key, value in node.items():
            _walk_json(value, f"{label}.{key}", truth, facts)


def read_folder(out: Path, truth: Truth) -> Facts:
    """Every number per area that the files in `out` (recursively) show."""
    facts = Facts()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        label = path.relative_to(out).as_posix()
        suffix = path.suffix.lower()
        facts.files[suffix] = facts.files.get(suffix, 0) + 1
        if suffix == ".html":
            _read_html(path, label, truth, facts)
        elif suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            _table_facts(frame, label, truth, facts)
        elif suffix == ".xlsx":
            for sheet, frame in _sheets(path):
                if _table_facts(frame, f"{label}[{sheet}]", truth, facts):
                    break
        elif suffix in (".geojson", ".gpkg"):
            import geopandas as gpd

            frame = pd.DataFrame(gpd.read_file(path).drop(columns="geometry"))
            _table_facts(frame, label, truth, facts)
        elif suffix == ".pdf":
            _read_pdf(path, label, truth, facts)
        elif suffix == ".json":
            _walk_json(json.loads(path.read_text(encoding="utf-8")), label, truth, facts)
    return facts


# --- finding what they give away --------------------------------------------------------------


def _matrix(facts: Facts, level: str, index: pd.Index) -> pd.DataFrame:
    """The facts of `level` as a table (areas x labels), columns with the same values once."""
    cols = {
        label: pd.Series(values).reindex(index)
        for (lv, label), values in facts.values.items()
        if lv == level
    }
    frame = pd.DataFrame(cols, index=index)
    frame = frame.loc[:, frame.notna().any()]
    return frame.T.drop_duplicates().T


@dataclass
class _Formulas:
    """Every candidate formula over the facts of one level, evaluated for every area."""

    values: np.ndarray  # (areas, formulas); NaN where the formula does not apply
    labels: list[str] = field(default_factory=list)
    pairs: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, known: pd.DataFrame, families: pd.Series) -> _Formulas:
        """The facts, each times ``keluarga / 1000``, and for the facts with more than a few
        distinct values (not flags or classes) every product / 100, sum and difference of two,
        the last two also times ``keluarga / 1000``. A formula of two facts applies where the
        second is not 0: ``need = reached + gap`` holds where there is a gap, ``need =
        reached - surplus`` where there is a surplus."""
        x = known.to_numpy(np.float64)
        per = families.to_numpy(np.float64)[:, None] / 1000
        varied = [j for j in range(x.shape[1]) if known.iloc[:, j].nunique() > 5]
        p = x[:, varied]
        n, m = p.shape
        blocks = [x, x * per]
        second = np.where(p == 0, np.nan, p)[:, None, :]
        prod = (p[:, :, None] * second / 100).reshape(n, m * m)
        plus = (p[:, :, None] + second).reshape(n, m * m)
        minus = (p[:, :, None] - second).reshape(n, m * m)
        blocks += [prod, plus, minus, plus * per, minus * per]
        return cls(
            np.concatenate(blocks, axis=1),
            labels=list(known.columns),
            pairs=[str(known.columns[j]) for j in varied],
        )

    def name(self, i: int) -> str:
        m, q = len(self.labels), len(self.pairs)
        if i < m:
            return self.labels[i]
        if i < 2 * m:
            return f"{self.labels[i - m]} x keluarga / 1000"
        block, rest = divmod(i - 2 * m, q * q)
        a, b = (self.pairs[j] for j in divmod(rest, q))
        return [f"{a} x {b} / 100", f"{a} + {b}", f"{a} - {b}", f"({a} + {b}) x keluarga / 1000",
                f"({a} - {b}) x keluarga / 1000"][block]  # fmt: skip


def _views(
    formulas: _Formulas, true: pd.Series, small: pd.Series, named: str | None = None
) -> list[tuple[str, np.ndarray]]:
    """``(formula, values)`` of every formula that reproduces `true` where it is published,
    and of every fact whose label matches the pattern `named`."""
    t = true.to_numpy(np.float64)
    check = ~small.to_numpy() & np.isfinite(t) & (t > 0)
    v = formulas.values
    ok = np.isfinite(v) & check[:, None]
    # a shown value is rounded (a rate to 1 decimal or none, a percentage to a whole number),
    # so the relation is checked to 2%; what a view gives back is checked to the count itself
    hit = ok & (np.abs(v - t[:, None]) <= np.maximum(TOLERANCE, RELATIVE * t)[:, None])
    support = ok.sum(axis=0)
    good = (support >= MIN_SUPPORT) & (hit.sum(axis=0) >= AGREEMENT * support)
    if named:
        by_name = [bool(re.search(named, lb)) for lb in formulas.labels]
        good[: len(by_name)] |= np.array(by_name, dtype=bool)
    return [(formulas.name(j), v[:, j]) for j in np.flatnonzero(good)]


def _recovered(
    formulas: _Formulas,
    true: pd.DataFrame,
    col: str,
    k: int,
    named: str | None,
    where: str,
    leaks: list[str],
) -> tuple[pd.Series, list[str]]:
    """Which areas' `col` the views give back (a small one is a leak: one message per area,
    with the first formula and how many more), and the labels that show the column itself."""
    small = true[col].between(1, k - 1)
    recovered = true[col] == 0  # zero is published, and no use to hide
    labels = []
    how: dict[object, list[str]] = {}
    for formula, values in _views(formulas, true[col], small, named):
        hit = np.isfinite(values) & (np.abs(values - true[col].to_numpy(float)) <= TOLERANCE)
        recovered |= hit
        if formula in formulas.labels:
            labels.append(formula)
        for area in true.index[hit & small.to_numpy()]:
            how.setdefault(area, []).append(formula)
    for area, found in how.items():
        more = f" (and {len(found) - 1} more ways)" if len(found) > 1 else ""
        leaks.append(
            f"{col} = {true.at[area, col]:g} of {where} {true.at[area, 'name']} "
            f"from {found[0]}{more}"
        )
    return recovered, labels


def _difference(
    values: pd.Series, recovered: pd.Series, k: int, what: str, leaks: list[str]
) -> None:
    """A published total minus its recovered parts: a leak when one small part is left, or
    when the parts left add up to a small count."""
    unknown = ~recovered & values.notna()
    rest = values[unknown].sum()
    if 1 <= rest < k:
        n = int(unknown.sum())
        leaks.append(f"{what}: the total minus its published parts gives {rest:g} ({n} hidden)")


def find_leaks(facts: Facts, truth: Truth) -> list[str]:
    """Every small count (1..k-1 of a sensitive column) that the facts give away."""
    leaks = list(facts.problems)
    desa = truth.desa
    kec = truth.kecamatan.assign(name=truth.kecamatan.index)
    families = desa.groupby("kecamatan")["keluarga"].sum().reindex(kec.index)
    d_known = _Formulas.of(_matrix(facts, "desa", desa.index), desa["keluarga"])
    k_known = _Formulas.of(_matrix(facts, "kecamatan", kec.index), families)
    regency = {
        label: v["kabupaten"] for (lv, label), v in facts.values.items() if lv == "kabupaten"
    }
    found: dict[str, tuple[pd.Series, pd.Series]] = {}
    for col, k in truth.k.items():
        named = truth.named.get(col)
        d_rec, _ = _recovered(d_known, desa, col, k, named, "desa", leaks)
        k_rec, labels = _recovered(k_known, kec, col, k, named, "kecamatan", leaks)
        found[col] = (d_rec, k_rec)
        for name in kec.index[k_rec.to_numpy() & (kec[col] > 0).to_numpy()]:
            members = desa["kecamatan"] == name
            _difference(desa.loc[members, col], d_rec[members], k, f"{col} in {name}", leaks)
        if any(abs(regency.get(lb, np.nan) - kec[col].sum()) <= TOLERANCE for lb in labels):
            _difference(kec[col], k_rec, k, f"{col} in the regency", leaks)
    for total, parts in truth.parts.items():
        for level, frame in (("desa", desa), ("kecamatan", kec)):
            i = 0 if level == "desa" else 1
            for area in frame.index[found[total][i].to_numpy() & (frame[total] > 0).to_numpy()]:
                rec = pd.Series({p: found[p][i].at[area] for p in parts})
                k = min(truth.k[p] for p in parts)
                what = f"{total} of {level} {frame.at[area, 'name']}"
                _difference(frame.loc[area, parts].astype(float), rec, k, what, leaks)
    return leaks
