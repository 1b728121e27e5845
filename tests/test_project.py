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


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mapping"):
            found.add(node.module.split(".")[1] if "." in node.module else "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("mapping."):
                    found.add(alias.name.split(".")[1])
    return found


def test_no_import_cycles_and_cli_on_top() -> None:
    graph = {p.stem: _imports(p) - {p.stem} for p in SRC.glob("*.py")}
    # Nothing imports the command line or the pipeline (the top layer).
    for mod, deps in graph.items():
        if mod not in {"__main__", "cli"}:
            assert "cli" not in deps, f"{mod} imports cli"
    for mod, deps in graph.items():
        if mod not in {"__main__", "cli"}:
            assert "pipeline" not in deps, f"{mod} imports pipeline"
    # Depth-first search for a cycle.
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                raise AssertionError(f"import cycle: {' -> '.join([*stack, node, dep])}")
            if dep not in state:
                visit(dep, [*stack, node])
        state[node] = 2

    for mod in graph:
        if mod not in state:
            visit(mod, [])


def test_every_module_says_its_job() -> None:
    for path in SRC.glob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc, f"{path.name} has no module docstring"
