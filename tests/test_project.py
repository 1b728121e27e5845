"""Project-level checks: one environment description, no import cycles, layered modules."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mapping"


def _req_name(req: str) -> str:
    return re.split(r"[<>=!~ ]", req, maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_reqs = [d for d in env if isinstance(d, str) and _req_name(d) not in {"python", "pip"}]
    assert sorted(r.replace(" ", "") for r in pip_reqs) == sorted(
        r.replace(" ", "") for r in conda_reqs
    )


#: Each module's layer (STYLE.md: low, middle, high, top). A module may import only modules of
#: a lower layer or of its own layer (and never the command line or the pipeline).
LAYERS: dict[str, int] = {
    # low: settings, errors, names and codes, facts, texts, file writing
    "__init__": 0, "settings": 0, "errors": 0, "names": 0, "regions": 0, "labels": 0,
    "files": 0, "sheetxml": 0,
    # middle: data, boundaries, welfare tables, joining, indicators, classification
    "data": 1, "layers": 1, "boundaries": 1, "areas": 1, "gazetteer": 1, "matchfile": 1,
    "categories": 1, "readers": 1, "columns": 1, "validation": 1, "tables": 1, "points": 1,
    "pointcount": 1,
    "join": 1, "datasets": 1, "indicators": 1, "classify": 1, "bivariate": 1,
    "cartography": 1, "topology": 1,
    # middle: the analysis (measures, access, coverage, clusters, CSR targeting, siting)
    "measures": 1, "coverage": 1, "services": 1, "access": 1, "siting": 1, "clusters": 1,
    "influence": 1, "priority": 1, "targeting": 1, "analysis": 1, "privacy": 1,
    # high: maps and their export
    "static": 2, "interactive": 2, "export": 2, "maps": 2, "clustermaps": 2,
    "coveragemaps": 2, "reports": 2, "manifest": 2, "quickmap": 2, "config": 2, "profiles": 2,
    "incremental": 2,
    # top: the build and the command line, imported by nothing
    "pipeline": 3, "cli": 4, "__main__": 5,
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    """The project modules `path` imports (``from mapping import x`` counts as ``x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "mapping":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("mapping."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("mapping.")}
    return found


def _graph() -> dict[str, set[str]]:
    return {p.stem: _imports(p) - {p.stem} for p in SRC.glob("*.py")}


def test_every_module_has_a_layer() -> None:
    assert set(_graph()) == set(LAYERS), "add new modules to LAYERS"


def test_imports_point_down_the_layers() -> None:
    wrong = [
        f"{mod} (layer {LAYERS[mod]}) imports {dep} (layer {LAYERS[dep]})"
        for mod, deps in _graph().items()
        for dep in deps
        if LAYERS[dep] > LAYERS[mod]
    ]
    assert not wrong, wrong


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every import cycle found by a depth-first search of `graph`, as "a -> b -> a"."""
    state: dict[str, int] = {}
    found: list[str] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                found.append(" -> ".join([*stack, node, dep]))
            elif dep not in state:
                visit(dep, [*stack, node])
        state[node] = 2

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [])
    return found


def test_no_import_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    assert _cycles(_graph()) == []


def test_every_module_says_its_job() -> None:
    for path in SRC.glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc, f"{path.name} has no module docstring"
