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
    from mapping.layers import build_layers

    path = build_layers(force=args.force)
    print(f"Boundary layers ready: {path}")
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    from mapping.matchfile import match_file

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
    summary = ", ".join(f"{m}: {int(counts.get(m, 0))}" for m in METHODS)
    print(
        f"Matched {args.input} at {args.level} level ({len(result)} rows) - {summary}",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="peta-kesos",
        description="Map social welfare (PMKS/PSKS) in Kabupaten Tapanuli Utara.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="show warnings only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("fetch", help="download/verify boundary files and build the layers")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("match", help="match place names/codes in a CSV/XLSX to desa or kecamatan")
    p.add_argument("input", type=Path, help="CSV or XLSX file")
    p.add_argument("--level", choices=["desa", "kecamatan"], default="desa")
    p.add_argument("--name-col", help="column with the place names (guessed if omitted)")
    p.add_argument("--kecamatan-col", help="column with the kecamatan (desa level; guessed)")
    p.add_argument("--code-col", help="column with Kemendagri/BPS codes (guessed)")
    p.add_argument("--sheet", help="XLSX sheet name or 0-based index (default: first)")
    p.add_argument("-o", "--output", type=Path, help="write the matches to this CSV")
    p.set_defaults(func=_cmd_match)

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
