"""The project config (``peta-kesos.yaml``): read, validate and explain errors by key and line.

``peta-kesos build --config peta-kesos.yaml`` runs the whole chain from one YAML file: the
user's input files, their measures, the maps, the coverage and CSR settings, disclosure control
and the output folder; with ``region`` (a region file) and ``boundaries`` (its desa polygons and
their code column), the maps of another region than Tapanuli Utara. The file is validated
with pydantic; every error names the file, the line, the dotted key and what is allowed,
e.g.::

    peta-kesos.yaml, line 12, key csr.weights.biaya: unknown key; allowed: need, gap, access,
    capacity

Relative paths (inputs, outputs) are relative to the config file's folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import typing
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from mapping import privacy
from mapping.access import CATCHMENT_KM, DETOUR_FACTOR
from mapping.analysis import AnalysisOptions
from mapping.areas import read_region
from mapping.categories import CATEGORY_BY_CODE
from mapping.classify import PALETTES, SCHEMES
from mapping.datasets import RAW_INDICATOR_COLUMNS
from mapping.errors import InputError, PetaKesosError, ValidationFailed
from mapping.influence import parse_site
from mapping.measures import DEFAULT_MEASURES, Measure
from mapping.priority import DEFAULT_COMPONENTS
from mapping.regions import Region, RegionError

#: The example config in the repository root (what ``make maps`` uses).
EXAMPLE_NAME = "peta-kesos.yaml"


class ConfigError(PetaKesosError):
    """A project config that cannot be used; the message names file, line, key, and fix."""


class _Section(BaseModel):
    """A config section: unknown keys are errors, values are checked strictly."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _catalogue_code(code: str) -> str:
    if code not in CATEGORY_BY_CODE:
        raise ValueError(
            f"unknown category code {code!r}; allowed: catalogue codes such as fm, lut, pd, "
            "keluarga, penerima_pkh (see `peta-kesos categories`)"
        )
    return code


def _catalogue_codes(codes: Iterable[str], *, examples: str) -> None:
    """Refuse the codes of `codes` the catalogue does not know, naming all of them."""
    unknown = [c for c in codes if c not in CATEGORY_BY_CODE]
    if unknown:
        raise ValueError(
            f"unknown category code(s) {', '.join(unknown)}; allowed: catalogue codes "
            f"such as {examples} (see `peta-kesos categories`)"
        )


class InputColumns(_Section):
    """Which header holds each key of an input, when detection misses it or gets it wrong.

    The keys are the roles of :data:`mapping.readers.KEY_ROLES`; a column named here wins
    over the one detected.
    """

    desa: str | None = None
    kecamatan: str | None = None
    code: str | None = None
    kecamatan_code: str | None = None
    year: str | None = None
    category: str | None = None
    value: str | None = None

    def roles(self) -> dict[str, str]:
        """``{role: header}`` of the roles given."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class InputFile(_Section):
    """One input table (CSV or XLSX) of PMKS/PSKS counts or indicators per area."""

    file: Path
    sheet: str | int | None = None
    level: Literal["desa", "kecamatan"] = "desa"
    year: int | None = Field(default=None, ge=1990, le=2100)
    name: str | None = None
    source: str = ""
    columns: InputColumns = Field(default_factory=InputColumns)
    categories: dict[str, Annotated[str, AfterValidator(_catalogue_code)]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _key_or_category(self) -> InputFile:
        keys = {h: role for role, h in self.columns.roles().items()}
        both = [f"{h!r} (columns.{keys[h]})" for h in self.categories if h in keys]
        if both:
            raise ValueError(
                f"categories: header(s) {', '.join(both)} also named under columns; allowed: "
                "a column is either a key (columns) or a category (categories)"
            )
        roles = list(self.columns.roles().values())
        twice = sorted({h for h in roles if roles.count(h) > 1})
        if twice:
            raise ValueError(
                f"columns: header(s) {twice} given to several keys; allowed: one key per column"
            )
        return self

    @property
    def label(self) -> str:
        """Short name for report files (default: the file's stem)."""
        return self.name or self.file.stem


class MeasureConfig(_Section):
    """A user-defined need or capacity measure (see :class:`mapping.measures.Measure`)."""

    code: str
    name_id: str
    name_en: str = ""
    categories: list[str] = Field(min_length=1)
    role: Literal["need", "capacity"] = "need"
    unit: str = "orang"
    denominator: str = "keluarga"
    per: float = Field(default=1000, gt=0)
    description_id: str = ""
    description_en: str = ""

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        _catalogue_codes(value, examples="fm, lut, pd, at")
        return value

    def measure(self) -> Measure:
        """The :class:`~mapping.measures.Measure` this section defines."""
        return Measure(
            self.code, self.name_id, self.name_en or self.name_id, tuple(self.categories),
            role=self.role, unit=self.unit, denominator=self.denominator, per=self.per,
            description_id=self.description_id, description_en=self.description_en,
        )  # fmt: skip

    @model_validator(mode="after")
    def _valid_measure(self) -> MeasureConfig:
        try:
            self.measure()
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return self


class MapLayer(_Section):
    """One mapped measure and how it is classified and coloured."""

    measure: str
    scheme: str = "quantiles"
    k: int = Field(default=5, ge=2, le=9)
    palette: str | None = None
    smoothed: bool = False

    @field_validator("scheme")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value not in SCHEMES:
            raise ValueError(f"unknown scheme; allowed: {', '.join(SCHEMES)}")
        return value

    @field_validator("palette")
    @classmethod
    def _known_palette(cls, value: str | None) -> str | None:
        if value is not None and value not in PALETTES:
            raise ValueError(f"unknown palette; allowed: {', '.join(PALETTES)}")
        return value


class Maps(_Section):
    """Map options: language, PNG resolution, the bundled map sets, and the user's maps."""

    language: Literal["id", "en"] = "id"
    dpi: int = Field(default=300, ge=50, le=1200)
    bundled: bool = True
    title: str = ""
    layers: list[MapLayer] = Field(default_factory=list)


class Coverage(_Section):
    """Coverage analysis options (:class:`mapping.analysis.AnalysisOptions`).

    ``need``, ``reached`` and ``denominator`` name count columns: a catalogue code (a column
    of the user's inputs, else of the real desa indicators) or a measure code (its count);
    ``need_measure`` and ``capacity_measure`` name built-in measures or those of ``measures``;
    without ``need_measure`` (null) the need measure follows ``need``
    (:meth:`ProjectConfig.need_measure`).
    """

    need: str = AnalysisOptions.need
    reached: str = AnalysisOptions.reached
    need_measure: str | None = None
    capacity_measure: str = str(AnalysisOptions.capacity_measure)
    denominator: str = AnalysisOptions.denominator
    smoothing: Literal["global", "spatial"] = "global"
    min_denominator: float = Field(default=AnalysisOptions.min_denominator, ge=0)
    catchment_km: float = Field(default=CATCHMENT_KM, gt=0)
    decay: Literal["step", "gaussian"] = "step"
    detour_factor: float = Field(default=DETOUR_FACTOR, ge=1)
    permutations: int = Field(default=AnalysisOptions.permutations, ge=99, le=99_999)
    seed: int = AnalysisOptions.seed
    alpha: float = Field(default=AnalysisOptions.alpha, gt=0, lt=1)
    clusters: bool = True

    def options(self) -> AnalysisOptions:
        """The analysis options these settings stand for (without ``need_measure``, the
        default one: :meth:`ProjectConfig.coverage_options` infers it from ``need``)."""
        given = self.model_dump(exclude_none=True)
        return AnalysisOptions(**given)


class Weights(_Section):
    """Weights of the CSR priority components (re-normalised to sum to 1)."""

    need: float | None = Field(default=None, ge=0)
    gap: float | None = Field(default=None, ge=0)
    access: float | None = Field(default=None, ge=0)
    capacity: float | None = Field(default=None, ge=0)


class Csr(_Section):
    """CSR shortlist settings (:func:`mapping.targeting.shortlist`)."""

    sites: list[str] | None = None
    radius_km: float | None = Field(default=None, gt=0)
    kecamatan: list[str] | None = None
    how: Literal["union", "intersection"] = "union"
    weights: Weights | None = None
    top_n: int | None = Field(default=None, ge=1)
    new_sites: int = Field(default=0, ge=0, le=20)
    site_radius_km: float = Field(default=5.0, gt=0)

    @field_validator("sites")
    @classmethod
    def _parse_sites(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            parse_site(text)  # raises ValueError naming the expected NAME=LAT,LON
        return value

    def shortlist_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`mapping.targeting.shortlist` (only those set)."""
        kw: dict[str, Any] = {"how": self.how}
        for key in ("sites", "radius_km", "kecamatan", "top_n"):
            if getattr(self, key) is not None:
                kw[key] = getattr(self, key)
        if self.weights is not None:
            kw["weights"] = self.weights.model_dump(exclude_none=True)
        return kw


class Privacy(_Section):
    """Disclosure control: threshold k, per-category k; off only for internal use."""

    k: int = Field(default=privacy.DEFAULT_K, ge=2, le=100)
    k_by_category: dict[str, int] = Field(default_factory=dict)

    @field_validator("k_by_category")
    @classmethod
    def _known_codes(cls, value: dict[str, int]) -> dict[str, int]:
        _catalogue_codes(value, examples="fm, lut, pd, odha")
        return value

    enabled: bool = True
    internal: bool = False

    @model_validator(mode="after")
    def _off_only_internal(self) -> Privacy:
        for code, k in self.k_by_category.items():
            if k < self.k:
                raise ValueError(
                    f"k_by_category.{code}: {k} is below k={self.k}; allowed: a stricter k "
                    f"(>= {self.k}) for a category, never a weaker one"
                )
        if not self.enabled and not self.internal:
            raise ValueError(
                "enabled: enabled: false publishes small counts; allowed only with internal: true "
                "(outputs for internal use, never shared)"
            )
        return self


class Boundaries(_Section):
    """The desa boundaries of the config's ``region``: a GeoPackage or GeoJSON file (``layer``
    of a GeoPackage with several), and the column holding each desa's Kemendagri code."""

    file: Path
    code: str = "code"
    layer: str | None = None


class Outputs(_Section):
    """Where the outputs go."""

    folder: Path = Path("outputs")


class ProjectConfig(_Section):
    """A whole ``peta-kesos.yaml``."""

    inputs: list[InputFile] = Field(default_factory=list)
    measures: list[MeasureConfig] = Field(default_factory=list)
    maps: Maps = Field(default_factory=Maps)
    coverage: Coverage = Field(default_factory=Coverage)
    csr: Csr = Field(default_factory=Csr)
    privacy: Privacy = Field(default_factory=Privacy)
    outputs: Outputs = Field(default_factory=Outputs)
    #: Another region than Tapanuli Utara: its region file and its desa boundaries.
    region: Path | None = None
    boundaries: Boundaries | None = None
    #: The config file's folder (relative paths start there) and its content's SHA-256.
    _base: Path = PrivateAttr(default=Path("."))
    _digest: str = PrivateAttr(default="")
    #: The config's name in messages and the line of each key (see :meth:`where`).
    _name: str = PrivateAttr(default=EXAMPLE_NAME)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _region_with_boundaries(self) -> ProjectConfig:
        if self.region is not None and self.boundaries is None:
            raise ValueError(
                "region: a region needs its desa boundaries; allowed: add boundaries: with "
                "file: (a GeoPackage or GeoJSON of its desa) and code: (their code column)"
            )
        if self.boundaries is not None and self.region is None:
            raise ValueError(
                "boundaries: boundaries are of a region; allowed: add region: (the region "
                "file, JSON naming a CSV of its desa), or remove boundaries for Tapanuli Utara"
            )
        if self.region is not None and not self.inputs:
            raise ValueError(
                "region: a build of another region maps your files; allowed: region with "
                "inputs (the tables of that region to map)"
            )
        for key in ("coverage", "csr"):
            if self.region is not None and key in self.model_fields_set:
                raise ValueError(
                    f"{key}: the coverage analysis and CSR shortlist use the puskesmas, desa "
                    f"indicators and sites of Tapanuli Utara; allowed: no {key} key with region "
                    "(the build maps your inputs)"
                )
        if self.region is not None and "bundled" in self.maps.model_fields_set:
            if self.maps.bundled:
                raise ValueError(
                    "maps.bundled: the bundled map sets, coverage analysis and CSR shortlist "
                    "are of Tapanuli Utara; allowed: false (or no bundled key) with region"
                )
        return self

    @model_validator(mode="after")
    def _inputs_of_one_level(self) -> ProjectConfig:
        for i, item in enumerate(self.inputs):
            if item.level != self.inputs[0].level:
                raise ValueError(
                    f"inputs[{i}].level: {item.level}, but inputs[0] is {self.inputs[0].level}; "
                    "allowed: one level for every input of a build (make one config per level)"
                )
        return self

    @model_validator(mode="after")
    def _coverage_names_exist(self) -> ProjectConfig:
        measures = [m.code for m in self.measures] + list(DEFAULT_MEASURES)
        own = ", ".join(m.code for m in self.measures) or "none"
        for key in ("need", "reached", "denominator"):
            name = getattr(self.coverage, key)
            if name not in CATEGORY_BY_CODE and name not in measures:
                raise ValueError(
                    f"coverage.{key}: {name!r} is neither a column nor a measure; allowed: a "
                    "catalogue code naming a column of your inputs (e.g. fm, lut) or of the real "
                    f"desa indicators ({', '.join(RAW_INDICATOR_COLUMNS)}), or a measure code "
                    f"(under measures: {own}; built-in: {', '.join(DEFAULT_MEASURES)})"
                )
        if self.coverage.need == self.coverage.denominator:
            raise ValueError(
                f"coverage.need: {self.coverage.need!r} is also the denominator; allowed: a "
                "count of those in need, divided by the denominator (e.g. need: fm, "
                "denominator: keluarga)"
            )
        for key in ("need_measure", "capacity_measure"):
            name = getattr(self.coverage, key)
            if name is not None and name not in measures:
                raise ValueError(
                    f"coverage.{key}: unknown measure {name!r}; allowed: the codes under "
                    f"measures ({own}) or built-in measures ({', '.join(DEFAULT_MEASURES)})"
                )
        return self

    @model_validator(mode="after")
    def _mapped_measures_exist(self) -> ProjectConfig:
        known = {m.code for m in self.measures} | set(DEFAULT_MEASURES)
        own = ", ".join(m.code for m in self.measures) or "none"
        for i, layer in enumerate(self.maps.layers):
            if layer.measure not in known:
                raise ValueError(
                    f"maps.layers[{i}].measure: unknown measure {layer.measure!r}; allowed: "
                    f"the codes under measures ({own}) or "
                    f"built-in measures ({', '.join(DEFAULT_MEASURES)})"
                )
        if self.maps.layers and not self.inputs:
            raise ValueError(
                "maps.layers: maps of your own data need inputs: add the files to map under inputs"
            )
        return self

    def path(self, path: Path) -> Path:
        """`path` resolved against the config file's folder."""
        return path if path.is_absolute() else self._base / path

    @property
    def out_dir(self) -> Path:
        """The output folder."""
        return self.path(self.outputs.folder)

    def user_measures(self) -> list[Measure]:
        """The measures of ``measures``, as :class:`~mapping.measures.Measure` objects."""
        return [m.measure() for m in self.measures]

    def coverage_options(self) -> AnalysisOptions:
        """The analysis options of ``coverage``; a measure of ``measures`` named as need or
        capacity measure is passed as its :class:`~mapping.measures.Measure`.

        Without ``need_measure``, the need measure follows ``need`` (:meth:`need_measure`),
        so a need of the user's is never ranked by the default stunting-risk measure.
        """
        own = {m.code: m for m in self.user_measures()}
        opts = self.coverage.options()
        given = self.coverage.need_measure
        need_measure: str | Measure = own.get(given, given) if given else self.need_measure()
        if (
            isinstance(need_measure, Measure)
            and DEFAULT_MEASURES.get(need_measure.code) is need_measure
        ):
            need_measure = need_measure.code  # a built-in measure by its code, as written
        return replace(
            opts,
            need_measure=need_measure,
            capacity_measure=own.get(str(opts.capacity_measure), opts.capacity_measure),
        )

    def need_measure(self) -> Measure:
        """The need measure ``coverage.need`` implies when ``need_measure`` is not given.

        A measure code (under ``measures``, or built-in) is that measure; a catalogue code is
        the measure of that count alone per 1,000 of ``coverage.denominator`` (one under
        ``measures`` or built-in when one is exactly that, e.g. ``risiko_stunting`` for the
        default ``keluarga_berisiko_stunting``), else ``kebutuhan_<code>``, named from the
        catalogue (``fm``: "Fakir Miskin per 1.000 keluarga").
        """
        need, den = self.coverage.need, self.coverage.denominator
        known = {**DEFAULT_MEASURES, **{m.code: m for m in self.user_measures()}}
        if need in known:
            return known[need]
        same = [
            m
            for m in known.values()
            if m.role == "need" and m.categories == (need,) and m.denominator == den
        ]
        if same:
            return same[-1]  # the user's before the built-in ones
        cat = CATEGORY_BY_CODE[need]
        return Measure(
            f"kebutuhan_{need}", cat.name_id, cat.name_en, (need,), role="need",
            unit="keluarga" if need.startswith("keluarga") else "orang", denominator=den,
            description_id=f"{cat.name_id} (coverage.need) per 1.000 {den}.",
            description_en=f"{cat.name_en} (coverage.need) per 1,000 {den}.",
        )  # fmt: skip

    def where(self, *loc: str | int) -> str:
        """``NAME, line N, key K`` of the key at `loc` (e.g. ``"inputs", 0, "columns",
        "desa"``), to name it in errors found after validation (the line of the nearest key
        written in the file)."""
        return f"{self._name}, line {_line_of(self._lines, loc)}, key {_dotted(loc)}"

    def region_files(self) -> list[Path]:
        """The region file, the table of areas it names and the boundaries (when given)."""
        if self.region is None or self.boundaries is None:
            return []
        region = self.path(self.region)
        files = [region, self.path(self.boundaries.file)]
        try:
            areas = json.loads(region.read_text(encoding="utf-8")).get("areas")
        except (OSError, ValueError, AttributeError):
            areas = None
        return files if not isinstance(areas, str) else [*files, region.parent / areas]

    def region_definition(self) -> Region | None:
        """The region of ``region`` (:func:`mapping.areas.read_region`), None without one.

        A region file that cannot be read or defines no usable region is a
        :class:`ConfigError` naming the config file, the key and its line.
        """
        if self.region is None:
            return None
        try:
            return read_region(self.path(self.region))
        except (RegionError, ValidationFailed, InputError) as exc:
            raise ConfigError(f"{self.where('region')}: {exc}") from None

    def signature(self) -> dict[str, object]:
        """What the build's up-to-date check hashes: the content and the input files."""
        files = [self.path(i.file) for i in self.inputs] + self.region_files()
        stats = [f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files if p.is_file()]
        return {"config": self._digest, "inputs": stats}


# --- reading, with line numbers -------------------------------------------------------------

Loc = tuple[str | int, ...]


def _lines(node: yaml.Node, loc: Loc = ()) -> dict[Loc, int]:
    """Line (1-based) of every key and list item in a composed YAML node tree."""
    out: dict[Loc, int] = {loc: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*loc, str(key.value))
            out.update(_lines(value, here))
            out[here] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.update(_lines(item, (*loc, i)))
    return out


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The config section (model class) at `loc`, to list its allowed keys."""
    model: Any = ProjectConfig
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The model class inside ``list[X]``, ``X | None`` and the like (else `annotation`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _unwrap(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: Any) -> tuple[Loc, str]:
    """The location and plain message of one pydantic error."""
    loc: Loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
    kind, msg = error["type"], str(error["msg"])
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = ", ".join(model.model_fields) if model else "see the example config"
        return loc, f"unknown key; allowed: {allowed}"
    msg = msg.removeprefix("Value error, ")
    if kind == "missing":
        return loc, "missing; this key is required"
    key = re.match(r"([a-z_]+(?:\.[a-z_]+|\[\d+\])*): ", msg)
    parts = re.findall(r"[a-z_]+|\d+", key.group(1)) if key else []
    model = _model_at(loc)
    if key and model is not None and parts[0] in model.model_fields:
        # a check across keys names the key it is about, relative to `loc`
        loc = (*loc, *(int(p) if p.isdigit() else p for p in parts))
        return loc, msg[key.end() :]
    found = error.get("input")
    if isinstance(found, str | int | float | bool) or found is None:
        msg += f" (found {found!r})"
    return loc, msg


def _line_of(lines: dict[Loc, int], loc: Loc) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def parse_config(text: str, *, name: str = EXAMPLE_NAME, base: Path | None = None) -> ProjectConfig:
    """A validated :class:`ProjectConfig` from YAML `text` (`name` is used in messages).

    Raises :class:`ConfigError` listing every problem as "NAME, line N, key K: what; allowed".
    """
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{name}{line}: not valid YAML ({exc}); fix the syntax") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{name}, line 1: expected keys (inputs, maps, ...), found a {type(data).__name__}"
        )
    lines = _lines(node) if node is not None else {}
    digest = hashlib.sha256(text.encode()).hexdigest()
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc, msg = _describe(error)
            problems.append(f"{name}, line {_line_of(lines, loc)}, key {_dotted(loc)}: {msg}")
        raise ConfigError("\n".join(problems)) from None
    config._base = base or Path(".")
    config._digest = digest
    config._name = name
    config._lines = lines
    return config


def load_config(path: str | Path) -> ProjectConfig:
    """Read and validate the project config at `path` (see :func:`parse_config`)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} not found; copy {EXAMPLE_NAME} from the repository")
    return parse_config(p.read_text(encoding="utf-8"), name=str(p), base=p.parent)


#: Names of the CSR priority components (the keys allowed under ``csr.weights``).
COMPONENT_NAMES: tuple[str, ...] = tuple(c.name for c in DEFAULT_COMPONENTS)
