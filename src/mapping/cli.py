"""The ``peta-kesos`` command line: fetch, match, validate, join and build maps."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from mapping.errors import PetaKesosError

log = logging.getLogger("mapping")


def _cmd_fetch(args: argparse.Namespace) -> int:
    from mapping.layers import build_layers

    path = build_layers(force=args.force)
    print(f"Boundary layers ready: {path}")
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
