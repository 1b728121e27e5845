"""The ``peta-kesos`` command line: fetch, match, validate, join and build maps."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from mapping.errors import MissingColumns, PetaKesosError, ProblemReport
from mapping.gazetteer import METHODS

if TYPE_CHECKING:
    from mapping.tables import WelfareTable

log = logging.getLogger("mapping")


def _cmd_fetch(args: argparse.Namespace) -> int:
    from mapping.datasets import build_welfare_datasets
    from mapping.layers import build_layers

    path = build_layers(force=args.force)
    print(f"Boundary layers ready: {path}")
    datasets = build_welfare_datasets(force=args.force)
    print(f"Welfare datasets ready: {datasets['indicators'].parent}")
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    from mapping.files import atomic_path, check_output_path, neutralize_formulas
    from mapping.matchfile import TOTAL_ROW, match_file

    if args.output:
        check_output_path(args.output, args.input)
    result = match_file(
        args.input,
        level=args.level,
        name_col=args.name_col,
        kecamatan_col=args.kecamatan_col,
        code_col=args.code_col,
        sheet=args.sheet,
    )
    counts = result["method"].value_counts()
    if args.output:
        with atomic_path(args.output) as tmp:
            neutralize_formulas(result).to_csv(tmp, index=False, encoding="utf-8")
        print(f"Wrote {len(result)} rows to {args.output}")
    else:
        neutralize_formulas(result).to_csv(sys.stdout, index=False)
    for warning in result.attrs.get("conflicts", []):
        print(f"warning: {warning}", file=sys.stderr)
    for _, r in result[result["method"] == "fuzzy"].iterrows():
        print(
            f"warning: row {r['row']}: {r['input_name']!r} taken as {r['name']} ({r['code']}) "
            f"because the names are similar (score {r['score']}); check it",
            file=sys.stderr,
        )
    summary = ", ".join(f"{m}: {int(counts.get(m, 0))}" for m in (*METHODS, TOTAL_ROW))
    print(
        f"Matched {args.input} at {args.level} level ({len(result)} rows) - {summary}",
        file=sys.stderr,
    )
    return 0


_GEO_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}


def _read_welfare_input(args: argparse.Namespace, *, strict: bool):  # -> WelfareTable
    """A welfare table (CSV/XLSX) or point counts (GeoJSON/GPKG, or CSV with --points).

    ``--year`` only dates the rows the file does not date; it never overrides a Tahun column
    or a year in the title (``join`` then picks the year to join). ``--column`` and
    ``--category HEADER=CODE`` name a table's columns; a bare ``--category CODE`` is the
    category of every point.
    """
    points = Path(args.input).suffix.lower() in _GEO_SUFFIXES or getattr(args, "points", False)
    columns, categories, code = _named_columns(args, points=points)
    if points:
        from mapping.points import read_point_counts

        return read_point_counts(args.input, category=code, year=args.year, strict=strict)
    from mapping.tables import read_welfare

    with _named_in_options(categories):
        return read_welfare(
            args.input, level=getattr(args, "table_level", None), sheet=args.sheet,
            year=args.year, strict=strict, columns=columns, categories=categories,
        )  # fmt: skip


def _column_option(value: str) -> tuple[str, str]:
    """``ROLE=HEADER`` of ``--column`` as (role, header)."""
    from mapping.readers import KEY_ROLES

    role, sep, header = value.partition("=")
    role, header = role.strip(), header.strip()
    if not sep or not header:
        msg = f'{value!r} is not ROLE=HEADER; e.g. --column desa="Nama Desa/Kel"'
        raise argparse.ArgumentTypeError(msg)
    if role not in KEY_ROLES:
        msg = f"unknown role {role!r} in {value!r}; allowed: {', '.join(KEY_ROLES)}"
        raise argparse.ArgumentTypeError(msg)
    return role, header


def _category_option(value: str) -> tuple[str, str]:
    """``HEADER=CODE`` (a table's column) or ``CODE`` (every point) as (header or "", code)."""
    from mapping.categories import CATEGORY_BY_CODE

    header, sep, code = value.rpartition("=")
    header, code = header.strip(), code.strip()
    if sep and not header:
        msg = f"{value!r} has no header before '='; expected HEADER=CODE, e.g. \"Fakir Miskin=fm\""
        raise argparse.ArgumentTypeError(msg)
    if code not in CATEGORY_BY_CODE:
        msg = (
            f"unknown category code {code!r} in {value!r}; allowed: catalogue codes such as "
            "fm, lut, pd, keluarga, lks (mapping.categories.categories() lists them all)"
        )
        raise argparse.ArgumentTypeError(msg)
    return header, code


def _named_columns(
    args: argparse.Namespace, *, points: bool
) -> tuple[dict[str, str], dict[str, str], str | None]:
    """``--column`` as {role: header}, ``--category HEADER=CODE`` as {header: code} and the
    bare ``--category CODE`` of points; every misuse listed in one error."""
    problems = []
    columns: dict[str, str] = {}
    for role, header in getattr(args, "column", None) or []:
        if columns.get(role, header) != header:
            problems.append(f"--column {role} is given twice ({columns[role]!r}, {header!r}).")
        columns.setdefault(role, header)
    categories: dict[str, str] = {}
    codes = []
    for header, code in getattr(args, "category", None) or []:
        if not header:
            codes.append(code)
        elif categories.get(header, code) != code:
            problems.append(
                f"--category {header!r} is given two codes ({categories[header]}, {code})."
            )
        else:
            categories[header] = code
    both = sorted(set(categories) & set(columns.values()))
    if both:
        problems.append(
            f"{both} named by both --column and --category; a column is either "
            "a key (--column) or a category (--category)."
        )
    if points and (columns or categories):
        problems.append(
            "--column and --category HEADER=CODE name the columns of a CSV/XLSX "
            "table, not of points; give the points' category as --category CODE."
        )
    if not points and codes:
        problems.append(
            f"--category {codes[0]} (no header) is the category of every point; "
            'for a table write --category HEADER=CODE, e.g. "Fakir Miskin=fm".'
        )
    if len(codes) > 1:
        problems.append(
            f"--category given {len(codes)} codes for the points ({', '.join(codes)}); give one."
        )
    if problems:
        raise PetaKesosError("\n".join(problems))
    return columns, categories, codes[0] if codes else None


@contextmanager
def _named_in_options(categories: dict[str, str]) -> Iterator[None]:
    """A column named by ``--column``/``--category`` that the file lacks, said as the option
    (``--column desa 'Lokasi'``, ``--category fm 'Jumlah KK Miskin'``)."""
    try:
        yield
    except MissingColumns as exc:
        options = {
            f"--column {key.removeprefix('columns.')}" if key.startswith("columns.")
            else f"--category {categories.get(header, '')}".strip(): header
            for key, header in exc.missing.items()
        }  # fmt: skip
        fix = (
            "Write each header as in the file's header row (in quotes if it has spaces), or "
            "drop the option to let the column be detected."
        )
        raise MissingColumns(
            exc.where, options, exc.found, fix=fix, header_rows=exc.header_rows
        ) from None


def _problems_to_review(table: WelfareTable) -> ProblemReport:
    """The table's problems plus a warning for every name matched by similarity."""
    from mapping.join import review_problems

    return ProblemReport([*table.report, *review_problems(table.rows)])


def _cmd_validate(args: argparse.Namespace) -> int:
    from mapping.validation import describe_problems

    table = _read_welfare_input(args, strict=False)
    problems = _problems_to_review(table)
    print(table.summary())
    print(describe_problems(problems))
    if args.output:
        from mapping.reports import write_validation_report

        paths = write_validation_report(problems, args.output, language=args.language)
        print(f"Wrote the validation report to {' and '.join(map(str, paths))}")
    return 1 if table.report.errors else 0


def _cmd_join(args: argparse.Namespace) -> int:
    from mapping.export import publishable_table, save_table
    from mapping.files import check_output_path
    from mapping.join import join_table
    from mapping.reports import validation_report, write_match_report, write_validation_report
    from mapping.validation import describe_problems

    output = check_output_path(args.output, args.input)
    check_output_path(output.with_name(f"{output.stem}_match_report.csv"), args.input)
    table = _read_welfare_input(args, strict=not args.lenient)
    problems = _problems_to_review(table)
    if problems.warnings or problems.errors:
        print(describe_problems(problems), file=sys.stderr)
    # --year dated the rows the file does not date; here it picks the year to join.
    joined, report = join_table(table, level=args.level, year=args.year)
    if joined.attrs.get("synthetic"):  # the written layer says so too, not only the file name
        joined = joined.assign(keterangan=joined.attrs["caption"])
    if args.output.suffix.lower() == ".xlsx":  # for people: readable headers, formatted
        from mapping.quickmap import write_joined_workbook

        layer_path = write_joined_workbook(
            publishable_table(joined, language=args.language), args.output, level=args.level,
            language=args.language,
        )  # fmt: skip
    else:
        layer_path = save_table(joined, args.output, language=args.language)
    stem = layer_path.with_name(layer_path.stem)
    lang = args.language
    reports = write_match_report(report, f"{stem}_match_report", language=lang)
    reports += write_validation_report(
        validation_report(report), f"{stem}_validation_report", language=lang
    )
    print(report.describe())
    print(
        f"Wrote {len(joined)} {args.level} to {layer_path} and the match and validation "
        f"reports (CSV, XLSX) to {', '.join(p.name for p in reports)}"
    )
    return 0


def _region_of(args: argparse.Namespace):  # -> (Region, (desa, kecamatan)) or (None, None)
    """The region of ``--region`` and its desa and kecamatan layers from ``--boundaries``."""
    from mapping.areas import read_region
    from mapping.errors import InputError
    from mapping.layers import load_region_layers

    if args.region is None and args.boundaries is None:
        return None, None
    if args.region is None or args.boundaries is None:
        msg = (
            "--region and --boundaries go together: the region file (JSON naming a CSV of its "
            "desa) and a GeoPackage/GeoJSON of its desa (code column: --boundaries-code)."
        )
        raise InputError(msg)
    region = read_region(args.region)
    desa, kec, _ = load_region_layers(args.boundaries, region=region, code=args.boundaries_code)
    return region, (desa, kec)


def _cmd_map(args: argparse.Namespace) -> int:
    from mapping.quickmap import QUICK_DPI, quick_map

    columns, categories, _ = _named_columns(args, points=False)
    region, layers = _region_of(args)
    with _named_in_options(categories):
        result = quick_map(
            args.input, args.output, level=args.level, sheet=args.sheet, year=args.year,
            language=args.language, dpi=args.dpi or QUICK_DPI, columns=columns,
            categories=categories, region=region, layers=layers,
        )  # fmt: skip
    print(result.summary())
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from mapping.datasets import build_welfare_datasets

    paths = build_welfare_datasets(force=args.force)
    for what, path in paths.items():
        print(f"{what:<22} {path}")
    return 0


def _add_welfare_input(p: argparse.ArgumentParser, *, year_help: str) -> None:
    p.add_argument(
        "input", type=Path, metavar="FILE", help="CSV/XLSX table, or GeoJSON/GPKG points"
    )
    p.add_argument("--sheet", default=None, help="XLSX sheet name or 0-based index")
    p.add_argument("--year", type=int, default=None, metavar="YYYY", help=year_help)
    p.add_argument(
        "--points", action="store_true", help="FILE is a CSV of points with lat/lon columns"
    )
    _add_named_columns(p, points=True)


def _add_named_columns(p: argparse.ArgumentParser, *, points: bool) -> None:
    """``--column ROLE=HEADER`` and ``--category HEADER=CODE`` (repeatable)."""
    p.add_argument(
        "--column", action="append", type=_column_option, metavar="ROLE=HEADER",
        help="the column holding a key, when it is not recognised (repeatable); ROLE is one of "
        "desa, kecamatan, code, kecamatan_code, year, category, value; e.g. "
        "--column desa=\"Nama Desa/Kel\"",
    )  # fmt: skip
    points_help = "; a bare CODE is the category of every point (e.g. lks)" if points else ""
    p.add_argument(
        "--category", action="append", type=_category_option, metavar="HEADER=CODE",
        help="the catalogue category of a column whose header is not recognised (repeatable), "
        f"e.g. --category \"Jumlah KK Miskin=fm\"{points_help}",
    )  # fmt: skip


def _add_report_language(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--language",
        choices=["id", "en"],
        default="id",
        help="language of the reports' headers and texts (default id)",
    )


def _cmd_build(args: argparse.Namespace) -> int:
    from mapping.config import load_config
    from mapping.pipeline import build_outputs

    config = load_config(args.config) if args.config is not None else None
    if config is not None and (args.language is not None or args.dpi is not None):
        print("note: --language and --dpi are ignored with --config (set maps.language/dpi)")
    result = build_outputs(
        args.output, language=args.language or "id", dpi=args.dpi or 300, force=args.force,
        progress=print, config=config, jobs=args.jobs,
    )  # fmt: skip
    print(f"Open {result.index} to see every map.")
    return 0


def _coverage_inputs(level: str):  # -> (desa, kecamatan, the layer of `level`)
    """The desa and kecamatan layers of the real indicators, and the one of `level`."""
    from mapping.pipeline import real_indicator_layers

    desa, kec, _ = real_indicator_layers()
    areas = desa if level == "desa" else kec
    return desa, kec, areas


def _cmd_coverage(args: argparse.Namespace) -> int:
    from mapping.analysis import coverage_analysis
    from mapping.coveragemaps import build_coverage_maps, write_coverage_tables

    clusters = args.level == "desa" if args.clusters is None else args.clusters
    desa, kec, areas = _coverage_inputs(args.level)
    analysis = coverage_analysis(areas, language=args.language, clusters=clusters)
    out = args.output
    out.mkdir(parents=True, exist_ok=True)
    written = write_coverage_tables(analysis, out, stem=f"cakupan-{args.level}")
    if args.level == "desa":
        items = build_coverage_maps(analysis, kec, out, dpi=args.dpi)
        written += [f for item in items for f in item.files]
    counts = analysis.severity_counts()
    print(", ".join(f"{label}: {int(n)}" for label, n in counts.items()))
    for problem in analysis.report.warnings[:5]:
        print(f"warning: {problem.describe()}", file=sys.stderr)
    print(f"Wrote {len(written)} files to {out}")
    return 0


def _cmd_shortlist(args: argparse.Namespace) -> int:
    from mapping.analysis import coverage_analysis, new_sites, priority_components
    from mapping.export import save_table, write_shortlist
    from mapping.maps import slug
    from mapping.targeting import shortlist

    if args.output.suffix.lower() not in {".csv", ".xlsx"}:
        msg = f"-o {args.output}: give a .xlsx (for people) or .csv (one row per desa) file."
        raise PetaKesosError(msg)
    if args.new_sites is not None and args.new_sites < 1:
        msg = f"--new-sites {args.new_sites}: give 1 or more new sites."
        raise PetaKesosError(msg)
    desa, kec, _ = _coverage_inputs("desa")
    analysis = coverage_analysis(desa, language=args.language, clusters=False)
    frame, components = priority_components(analysis)
    sl = shortlist(
        frame, args.site or None, radius_km=args.radius_km, kecamatan=args.kecamatan or None,
        components=components, weights=args.weights, top_n=args.top, language=args.language,
    )  # fmt: skip
    extra = []
    if args.new_sites:
        siting = new_sites(analysis, sl, n_sites=args.new_sites, radius_km=args.site_radius_km)
        word = "Lokasi baru" if args.language == "id" else "New sites"
        extra = [(word, siting.sites), (f"{word} ringkasan"[:31], siting.summary)]
        print(siting.summary.to_string(index=False))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.output.suffix.lower() == ".csv":
        path = write_shortlist(sl, args.output)
        for name, table in extra:
            save_table(table, args.output.with_name(f"{args.output.stem}-{slug(name)}.csv"))
    else:
        path = write_shortlist(sl, args.output, extra_sheets=extra)
    top = sl.table[sl.table["shortlisted"]]
    for _, row in top.iterrows():
        print(f"{int(row['rank']):>3}. {row['name']} ({row['kecamatan']}): {row['reason']}")
    print(sl.sensitivity.message)
    print(f"Wrote {len(sl.table)} desa of the area of influence to {path}")
    return 0


def _folder(value: str) -> Path:
    path = Path(value)
    if path.exists() and not path.is_dir():
        msg = f"{value!r} is a file; give a folder for the outputs"
        raise argparse.ArgumentTypeError(msg)
    return path


def _dpi(value: str) -> int:
    try:
        dpi = int(value)
    except ValueError:
        dpi = 0
    if not 50 <= dpi <= 1200:
        msg = f"{value!r} is not a resolution from 50 to 1200 dpi"
        raise argparse.ArgumentTypeError(msg)
    return dpi


def _jobs(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        msg = f"{value!r} is not a number of processes (a whole number >= 1)"
        raise argparse.ArgumentTypeError(msg)
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="peta-kesos",
        description="Map social welfare (PMKS/PSKS) in Kabupaten Tapanuli Utara, or in another "
        "region given as data (region: and boundaries: in a config, --region/--boundaries).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="show warnings only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("fetch", help="verify/download boundaries; build layers and datasets")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("build", help="build the default maps and reports into ./outputs")
    p.add_argument(
        "--config", type=Path, metavar="YAML",
        help="project config (inputs, measures, maps, coverage, csr, privacy, outputs); "
        "see peta-kesos.yaml",
    )  # fmt: skip
    p.add_argument(
        "-o", "--output", type=_folder,
        help="output folder (default: outputs.folder of --config, else ./outputs)",
    )  # fmt: skip
    p.add_argument("--language", choices=["id", "en"], help="labels (default id)")
    p.add_argument("--dpi", type=_dpi, help="PNG resolution, 50-1200 (default 300, for print)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument(
        "--jobs", type=_jobs, metavar="N",
        help="groups of outputs built at once in separate processes (default: the CPUs, at "
        "most 4, or PETA_KESOS_WORKERS; 1: one after another)",
    )  # fmt: skip
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "map", help="map every category of one CSV/XLSX file: HTML and PNG maps, match report"
    )
    p.add_argument("input", type=Path, metavar="FILE", help="CSV or XLSX table (desa rows)")
    p.add_argument(
        "--level",
        choices=["desa", "kecamatan"],
        default=None,
        help="level of the file's rows (guessed when omitted); desa rows are mapped at desa "
        "and kecamatan level",
    )
    p.add_argument("--sheet", default=None, help="XLSX sheet name or 0-based index")
    p.add_argument(
        "--year", type=int, default=None, metavar="YYYY", help="year to map if the file has several"
    )
    _add_named_columns(p, points=False)
    p.add_argument(
        "-o", "--output", type=_folder, help="output folder (default: outputs/peta-<file>)"
    )
    p.add_argument("--language", choices=["id", "en"], default="id", help="labels (default id)")
    p.add_argument(
        "--dpi", type=_dpi, default=None, help="PNG resolution, 50-1200 (default 150; 300 to print)"
    )
    p.add_argument(
        "--region", type=Path, default=None, metavar="JSON",
        help="another region than Tapanuli Utara: its region file (JSON naming a CSV of its desa)",
    )  # fmt: skip
    p.add_argument(
        "--boundaries", type=Path, default=None, metavar="FILE",
        help="GeoPackage/GeoJSON of the --region's desa polygons (needed with --region)",
    )  # fmt: skip
    p.add_argument(
        "--boundaries-code", default="code", metavar="COLUMN",
        help="column of --boundaries holding each desa's Kemendagri code (default: code)",
    )  # fmt: skip
    p.set_defaults(func=_cmd_map)

    p = sub.add_parser("match", help="match place names/codes in a CSV/XLSX to desa or kecamatan")
    p.add_argument("input", type=Path, help="CSV or XLSX file")
    p.add_argument("--level", choices=["desa", "kecamatan"], default="desa")
    p.add_argument("--name-col", help="column with the place names (guessed if omitted)")
    p.add_argument("--kecamatan-col", help="column with the kecamatan (desa level; guessed)")
    p.add_argument("--code-col", help="column with Kemendagri/BPS codes (guessed)")
    p.add_argument("--sheet", help="XLSX sheet name or 0-based index (default: first)")
    p.add_argument("-o", "--output", type=Path, help="write the matches to this CSV")
    p.set_defaults(func=_cmd_match)

    p = sub.add_parser("validate", help="check a welfare table and report every problem")
    _add_welfare_input(
        p,
        year_help="year of the rows the file does not date (no Tahun cell, no year in the "
        "title); a year the file gives is kept",
    )
    p.add_argument(
        "--level",
        dest="table_level",
        choices=["desa", "kecamatan"],
        default=None,
        help="level of the table's rows (guessed when omitted)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="also write the problems to this report, as .csv and .xlsx",
    )
    _add_report_language(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("join", help="join a welfare table to the desa or kecamatan layer")
    _add_welfare_input(
        p,
        year_help="year to join (needed when the file has several): rows dated another year "
        "(Tahun column or title) are reported as other-year, not joined; rows the file does "
        "not date are taken as this year",
    )
    p.add_argument(
        "--level",
        choices=["desa", "kecamatan"],
        required=True,
        help="layer to join to (desa data can be summed to kecamatan)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="output .gpkg, .geojson, .csv or .xlsx (formatted, readable headers); small "
        "counts show '< 5'; *_match_report and *_validation_report (.csv and .xlsx) are "
        "written beside",
    )
    _add_report_language(p)
    p.add_argument(
        "--lenient",
        action="store_true",
        help="join despite errors (they are listed and kept in the match report)",
    )
    p.set_defaults(func=_cmd_join)

    p = sub.add_parser("coverage", help="coverage gaps, access and clusters: tables and maps")
    p.add_argument("-o", "--output", type=_folder, default=Path("outputs"),
                   help="output folder (default: outputs/)")  # fmt: skip
    p.add_argument("--level", choices=["desa", "kecamatan"], default="desa")
    p.add_argument("--clusters", dest="clusters", action="store_true", default=None,
                   help="local Moran clusters (default at desa level only)")  # fmt: skip
    p.add_argument("--no-clusters", dest="clusters", action="store_false")
    p.add_argument("--language", choices=["id", "en"], default="id", help="labels (default id)")
    p.add_argument("--dpi", type=_dpi, default=150, help="PNG resolution (default 150)")
    p.set_defaults(func=_cmd_coverage)

    p = sub.add_parser("shortlist", help="ranked, explained CSR shortlist of desa near sites")
    p.add_argument("--site", action="append", metavar="NAME=LAT,LON",
                   help="a site (repeatable); default: the Sarulla stand-in sites")  # fmt: skip
    p.add_argument("--radius-km", type=float, default=None,
                   help="area of influence: desa within R km of a site (default 15)")  # fmt: skip
    p.add_argument("--kecamatan", action="append", metavar="K",
                   help="area of influence: the desa of kecamatan K (repeatable)")  # fmt: skip
    p.add_argument("--weights", default=None, metavar="need=0.35,gap=0.25,access=0.2,capacity=0.2",
                   help="weights of the components (re-normalised to sum 1)")  # fmt: skip
    p.add_argument("--top", type=int, default=10, metavar="N", help="shortlist size (10)")
    p.add_argument("--new-sites", type=int, default=None, metavar="N",
                   help="also choose N new programme sites for the most unmet need")  # fmt: skip
    p.add_argument("--site-radius-km", type=float, default=5.0,
                   help="reach of a new site, km (default 5)")  # fmt: skip
    p.add_argument("--language", choices=["id", "en"], default="id", help="labels (default id)")
    p.add_argument("-o", "--output", type=Path, required=True, help="FILE.xlsx or FILE.csv")
    p.set_defaults(func=_cmd_shortlist)

    p = sub.add_parser("sample", help="(re)build the welfare datasets in data/welfare")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=_cmd_sample)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``peta-kesos`` and ``python -m mapping``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except PetaKesosError as exc:
        print(f"peta-kesos {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or folder that cannot be read or written
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(
            f"peta-kesos {args.command}: error: {exc.strerror or exc}{where}. Check the path "
            "and its permissions.",
            file=sys.stderr,
        )
        return 1
