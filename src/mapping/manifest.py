"""The build manifest ``outputs/manifest.json``: every file and input with its SHA-256.

It says what a folder of outputs is and where it came from: each output file with its size and
SHA-256, the input files (raw boundaries, welfare datasets, the shipped crosswalk) with theirs,
the options of the build, the package version and the build time (UTC). :func:`check_manifest`
tells whether the files are still those the build wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mapping
from mapping.errors import InputError
from mapping.files import write_text

MANIFEST_NAME = "manifest.json"
#: Version of the manifest's layout; raise it when a key changes meaning.
MANIFEST_FORMAT = 1


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def file_record(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"path", "bytes", "sha256"}`` of `path`, the path relative to `root` with ``/``."""
    p = Path(path)
    return {
        "path": p.relative_to(root).as_posix(),
        "bytes": p.stat().st_size,
        "sha256": sha256_file(p),
    }


def output_files(out_dir: str | os.PathLike[str]) -> list[Path]:
    """Every file under `out_dir` a manifest lists: all but hidden files (``.name``, e.g. the
    build stamp and temporary files) and the manifest itself, sorted."""
    root = Path(out_dir)
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p != root / MANIFEST_NAME
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def write_manifest(
    out_dir: str | os.PathLike[str],
    *,
    built_at: dt.datetime,
    config: Mapping[str, Any],
    inputs: Sequence[tuple[str, Path, Path]] = (),
    sources: Sequence[str] = (),
) -> Path:
    """Write ``<out_dir>/manifest.json`` describing every file now in `out_dir`.

    Parameters
    ----------
    out_dir
        The build's output folder; write the manifest last, when every file is there.
    built_at
        When the build ran (timezone-aware; written in UTC, ISO 8601, to the second).
    config
        The options and settings the build used (JSON-serialisable; paths as strings).
    inputs
        ``(role, path, root)`` of every input file; the manifest keeps `path` relative to
        `root` (e.g. the data folder) so it reads the same on every machine.
    sources
        The data sources in words, with their caveats (as the gallery shows them).
    """
    if built_at.tzinfo is None:
        msg = "built_at must be timezone-aware (e.g. datetime.now(timezone.utc))."
        raise InputError(msg)
    root = Path(out_dir)
    doc = {
        "format": MANIFEST_FORMAT,
        "package": "peta-kesos",
        "version": mapping.__version__,
        "built_at": built_at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "config": dict(config),
        "sources": list(sources),
        "inputs": [
            {"role": role, **file_record(path, base)}
            for role, path, base in sorted(inputs, key=lambda t: (t[0], str(t[1])))
        ],
        "files": [file_record(p, root) for p in output_files(root)],
    }
    text = json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False, default=str)
    return write_text(text + "\n", root / MANIFEST_NAME)


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of `out_dir` as a dict."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        msg = f"{path} not found; run 'peta-kesos build' to write the outputs and their manifest."
        raise InputError(msg) from exc
    return doc


def check_manifest(out_dir: str | os.PathLike[str]) -> list[str]:
    """Every way the files of `out_dir` differ from its manifest (empty when they all hold):
    a listed file missing or changed, or a file the manifest does not list."""
    root = Path(out_dir)
    doc = read_manifest(root)
    problems = []
    listed = {f["path"]: f for f in doc["files"]}
    for rel, rec in listed.items():
        path = root / rel
        if not path.is_file():
            problems.append(f"{rel}: listed in the manifest but missing")
        elif path.stat().st_size != rec["bytes"] or sha256_file(path) != rec["sha256"]:
            problems.append(f"{rel}: changed since the build (SHA-256 differs)")
    for path in output_files(root):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            problems.append(f"{rel}: not listed in the manifest")
    return problems
