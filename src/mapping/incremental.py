"""Incremental builds: groups of outputs fingerprinted by their inputs, run side by side.

A build's outputs fall into groups (a map set, the coverage analysis, the shortlist, ...)
that depend on different inputs and settings. Each :class:`Group` carries a
:func:`fingerprint` of what it reads; the build reruns only the groups whose fingerprint
changed (or whose files are missing), and :func:`run_groups` runs those in up to `jobs`
processes at once. Every group writes its own files, so the files do not depend on how many
processes drew them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from mapping import export
from mapping.errors import InputError, PetaKesosError

log = logging.getLogger(__name__)


class GroupFailed(PetaKesosError):
    """A group of outputs failed in a worker process in a way that cannot be passed back."""


@dataclass(frozen=True)
class Group:
    """One group of outputs: `run` writes its files and returns what the build needs to know
    about them (picklable; e.g. the paths written).

    `fingerprint` (:func:`fingerprint`) changes whenever an input or setting of the group
    does. `prepare`, when given, computes in the calling process the data `run` needs (cached
    by the caller), so that several groups sharing it compute it once: :func:`run_groups`
    calls it before `run`, in the parent process. `title` is shown in the progress messages.
    """

    name: str
    fingerprint: str
    run: Callable[[], Any]
    prepare: Callable[[], object] | None = None
    title: str = ""


@dataclass
class Part:
    """What one group of outputs wrote: its gallery `items`, its `downloads` and its
    `reports` (``(title, files)`` each) and the `thumbnails` of its PNGs made on the way
    (:func:`mapping.export.kept_thumbnails`; not kept in the build stamp)."""

    items: list[export.GalleryItem] = field(default_factory=list)
    downloads: list[tuple[str, list[Path]]] = field(default_factory=list)
    reports: list[tuple[str, list[Path]]] = field(default_factory=list)
    thumbnails: dict[str, bytes] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """Every file of the group."""
        maps = [f for item in self.items for f in item.files]
        return maps + [f for _, fs in (*self.downloads, *self.reports) for f in fs]

    def with_thumbnails(self) -> Part:
        """This part with the thumbnails this process made of its PNGs."""
        pngs = [i.thumbnail for i in self.items if i.thumbnail is not None]
        return Part(self.items, self.downloads, self.reports, export.kept_thumbnails(pngs))

    def to_json(self, root: Path) -> dict[str, Any]:
        """The part as JSON-ready data, paths relative to `root` (for the build stamp)."""

        def rel(path: Path) -> str:
            return Path(path).relative_to(root).as_posix()

        items = [
            {"title": i.title, "files": [rel(f) for f in i.files], "description": i.description,
             "thumbnail": rel(i.thumbnail) if i.thumbnail is not None else None, "group": i.group}
            for i in self.items
        ]  # fmt: skip
        return {
            "items": items,
            "downloads": [[title, [rel(f) for f in fs]] for title, fs in self.downloads],
            "reports": [[title, [rel(f) for f in fs]] for title, fs in self.reports],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any], root: Path) -> Part:
        """The part :meth:`to_json` wrote (``KeyError``/``TypeError`` when it is not one)."""
        items = [
            export.GalleryItem(i["title"], tuple(root / f for f in i["files"]),
                               root / i["thumbnail"] if i["thumbnail"] else None,
                               i["description"], group=i["group"])
            for i in doc["items"]
        ]  # fmt: skip
        downloads = [(str(t), [root / f for f in fs]) for t, fs in doc["downloads"]]
        reports = [(str(t), [root / f for f in fs]) for t, fs in doc["reports"]]
        return cls(items, downloads, reports)


def gallery_thumbnail(png: Path, thumb: Path) -> Path:
    """`thumb`, the gallery's thumbnail of `png`, made again only when `png` is newer than it
    (see :func:`mapping.export.make_thumbnail`): a group left as it was keeps its thumbnails
    untouched."""
    try:
        if thumb.stat().st_mtime_ns >= Path(png).stat().st_mtime_ns:
            return thumb
    except FileNotFoundError:
        pass
    return export.make_thumbnail(png, thumb)


def fingerprint(*parts: object) -> str:
    """The SHA-256 of `parts` written as canonical JSON (keys sorted; paths and other objects
    as their text), as 64 hex digits.

    >>> fingerprint({"a": 1, "b": [2, 3]}) == fingerprint({"b": [2, 3], "a": 1})
    True
    >>> fingerprint({"a": 1}) == fingerprint({"a": 2})
    False
    """
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_states(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """``path:size:mtime_ns`` of each of `paths` that is a file, in the order given: a cheap
    stand-in for the files' contents (a file rewritten, even with the same bytes, differs).
    A missing file is listed as ``path:missing``."""
    states = []
    for path in paths:
        p = Path(path)
        try:
            st = p.stat()
        except FileNotFoundError:
            states.append(f"{p}:missing")
            continue
        if p.is_file():
            states.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
    return states


def run_groups(
    groups: Sequence[Group],
    *,
    jobs: int = 1,
    started: Callable[[Group], None] | None = None,
    finished: Callable[[Group, Any], None] | None = None,
) -> dict[str, Any]:
    """Run every group, in up to `jobs` processes at once; return their results by name.

    With ``jobs=1`` (or a single group, or no ``fork`` on this system) the groups run one
    after another in this process. Otherwise each group runs in a process forked from this
    one when a slot is free, in the order given (put the longest first): it starts with the
    data this process holds, so each group's `prepare` runs here first (and, while the slots
    are busy, the next group's `prepare` runs ahead). `run`'s result comes back pickled.

    `started(group)` and `finished(group, result)` are called in this process, e.g. to report
    progress and to record a finished group. When a group fails, the others still running
    are stopped and its exception is raised here.
    """
    if jobs < 1:
        msg = f"jobs must be >= 1 (1 builds one group after another); got {jobs!r}."
        raise InputError(msg)
    results: dict[str, Any] = {}
    began: dict[str, float] = {}

    def start(group: Group) -> None:
        began[group.name] = time.perf_counter()
        if started is not None:
            started(group)

    def done(group: Group, result: Any) -> None:
        results[group.name] = result
        log.info("built %s in %.1f s", group.name, time.perf_counter() - began[group.name])
        if finished is not None:
            finished(group, result)

    import multiprocessing

    if jobs == 1 or len(groups) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for group in groups:
            if group.prepare is not None:
                group.prepare()
            start(group)
            done(group, group.run())
        return results
    _run_forked(groups, jobs, start, done)
    return results


def _run_forked(
    groups: Sequence[Group],
    jobs: int,
    started: Callable[[Group], None],
    done: Callable[[Group, Any], None],
) -> None:
    """:func:`run_groups` with forked processes (at most `jobs` at a time)."""
    import multiprocessing
    from multiprocessing.connection import Connection, wait

    context = multiprocessing.get_context("fork")
    pending = list(groups)
    running: dict[Connection, tuple[Group, Any]] = {}
    try:
        while pending or running:
            while pending and len(running) < jobs:
                group = pending.pop(0)
                if group.prepare is not None:
                    group.prepare()
                started(group)
                for stream in (sys.stdout, sys.stderr):  # else the child prints it again
                    stream.flush()
                receive, send = context.Pipe(duplex=False)
                proc = context.Process(target=_child, args=(group, send, os.getpid()),
                                       name=f"build-{group.name}", daemon=True)  # fmt: skip
                proc.start()
                send.close()
                running[receive] = (group, proc)
            if pending and pending[0].prepare is not None:
                pending[0].prepare()  # ahead of time, while the slots are busy
            for ready in wait(list(running)):
                conn = cast(Connection, ready)
                group, proc = running.pop(conn)
                try:
                    message = conn.recv()
                except EOFError:
                    message = ("lost", None, "")
                finally:
                    conn.close()
                proc.join()
                if message[0] == "ok":
                    done(group, message[1])
                    continue
                if message[0] == "error" and message[1] is not None:
                    raise message[1]
                detail = message[2] or f"its process ended with exit code {proc.exitcode}"
                msg = f"Building the group of outputs {group.name!r} failed: {detail}"
                raise GroupFailed(msg)
    finally:
        for _group, proc in running.values():
            proc.terminate()
            proc.join()


def _child(group: Group, send: Any, parent: int) -> None:
    """Run `group` in a forked process and send ``("ok", result)`` or the error back."""
    _die_with_parent(parent)
    try:
        message: tuple[Any, ...] = ("ok", group.run())
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        message = ("error", exc, traceback.format_exc())
    try:
        send.send(message)
    except Exception:  # noqa: BLE001 - e.g. an exception that cannot be pickled
        send.send(("error", None, message[2] if len(message) > 2 else traceback.format_exc()))
    send.close()


def _die_with_parent(parent: int) -> None:
    """On Linux, have this process killed when the build that forked it is killed, so that a
    killed build leaves no process behind still writing its outputs."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
