"""The ``peta-kesos`` command line: fetch, match, validate, join and build maps."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from mapping.errors import PetaKesosError
from mapping.gazetteer import METHODS

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
    from mapping.matchfile import TOTAL_ROW, match_file

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
        args.output.parent.mkdir(parents=True, exist_ok=True)
        result.to_csv(args.output, index=False, encoding="utf-8")
        print(f"Wrote {len(result)} rows to {args.output}")
    else:
        result.to_csv(sys.stdout, index=False)
    for warning in result.attrs.get("conflicts", []):
        print(f"warning: {warning}", file=sys.stderr)
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
    or a year in the title (``join`` then picks the year to join).
    """
    if Path(args.input).suffix.lower() in _GEO_SUFFIXES or getattr(args, "points", False):
        from mapping.points import read_point_counts

        return read_point_counts(args.input, category=args.category, year=args.year, strict=strict)
    from mapping.tables import read_welfare

    return read_welfare(
        args.input,
        level=getattr(args, "table_level", None),
        sheet=args.sheet,
        year=args.year,
        strict=strict,
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    from mapping.validation import describe_problems

    table = _read_welfare_input(args, strict=False)
    print(table.summary())
    print(describe_problems(table.report))
    return 1 if table.report.errors else 0


def _cmd_join(args: argparse.Namespace) -> int:
    from mapping.files import write_layer
    from mapping.join import join_table
    from mapping.validation import describe_problems

    table = _read_welfare_input(args, strict=not args.lenient)
    if table.report.warnings or table.report.errors:
        print(describe_problems(table.report), file=sys.stderr)
    # --year dated the rows the file does not date; here it picks the year to join.
    joined, report = join_table(table, level=args.level, year=args.year)
    if joined.attrs.get("synthetic"):  # the written layer says so too, not only the file name
        joined = joined.assign(keterangan=joined.attrs["caption"])
    if args.output.suffix.lower() == ".xlsx":  # for people: readable headers, formatted
        from mapping.quickmap import write_joined_workbook

        layer_path = write_joined_workbook(joined, args.output, level=args.level)
    else:
        layer_path = write_layer(joined, args.output)
    report_path = write_layer(
        report.to_frame(), layer_path.with_name(f"{layer_path.stem}_match_report.csv")
    )
    print(report.describe())
    print(f"Wrote {len(joined)} {args.level} to {layer_path} and the match report to {report_path}")
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    from mapping.quickmap import QUICK_DPI, quick_map

    result = quick_map(
        args.input, args.output, level=args.level, sheet=args.sheet, year=args.year,
        language=args.language, dpi=args.dpi or QUICK_DPI,
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
    p.add_argument(
        "--category",
        default=None,
        help="category code of every point (e.g. lks), if no 'kategori' column",
    )


def _cmd_build(args: argparse.Namespace) -> int:
    from mapping.pipeline import build_outputs

    result = build_outputs(
        args.output, language=args.language, dpi=args.dpi, force=args.force, progress=print
    )
    print(f"Open {result.index} to see every map.")
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="peta-kesos",
        description="Map social welfare (PMKS/PSKS) in Kabupaten Tapanuli Utara.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="show warnings only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("fetch", help="verify/download boundaries; build layers and datasets")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("build", help="build the default maps and reports into outputs/")
    p.add_argument("-o", "--output", type=_folder, help="output folder (default: outputs/)")
    p.add_argument("--language", choices=["id", "en"], default="id", help="labels (default id)")
    p.add_argument(
        "--dpi", type=_dpi, default=300, help="PNG resolution, 50-1200 (default 300, for print)"
    )
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
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
    p.add_argument(
        "-o", "--output", type=_folder, help="output folder (default: outputs/peta-<file>)"
    )
    p.add_argument("--language", choices=["id", "en"], default="id", help="labels (default id)")
    p.add_argument(
        "--dpi", type=_dpi, default=None, help="PNG resolution, 50-1200 (default 150; 300 to print)"
    )
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
        help="output .gpkg, .geojson, .csv or .xlsx (formatted, Indonesian headers); "
        "*_match_report.csv is written beside",
    )
    p.add_argument(
        "--lenient",
        action="store_true",
        help="join despite errors (they are listed and kept in the match report)",
    )
    p.set_defaults(func=_cmd_join)

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
