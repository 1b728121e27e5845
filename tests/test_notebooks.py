"""Every notebook runs top to bottom through the public API, and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: strip outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    # a figure a cell returns is shown as an image, not as "<Figure size 1169x827 ...>"
    blind = [
        o["data"]["text/plain"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "text/plain" in o.get("data", {})
        and o["data"]["text/plain"].startswith("<Figure")
        and "image/png" not in o["data"]
    ]
    assert not blind, f"{path.name}: figures not displayed: {blind}"


def _with_parameters(nb: nbformat.NotebookNode, **values: object) -> nbformat.NotebookNode:
    """`nb` with a cell setting `values` right after its ``parameters`` cell (as papermill)."""
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "one code cell tagged `parameters`"
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in values.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(tagged[0] + 1, cell)
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_parameters_cell_first(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), f"{path.name}: parameters first"
    assert "OUTPUT_DIR = None" in code[0].source


def test_notebook_runs_with_other_parameters(tmp_path: Path) -> None:
    path = next(p for p in NOTEBOOKS if p.name.startswith("01-"))
    out = tmp_path / "hasil"
    nb = _with_parameters(
        nbformat.read(path, as_version=4),
        NAMES=["Sitampurung", "Hutatoruan VII", "Balige"],
        KECAMATAN=["Siborongborong", None, None],
        OUTPUT_DIR=str(out),
    )
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    matches = pd.read_csv(out / "pencocokan-nama.csv", dtype=str)
    assert len(matches) == 3  # the injected names, not the notebook's seven
    assert matches["input_name"].tolist() == ["Sitampurung", "Hutatoruan VII", "Balige"]
    # the two desa of Tapanuli Utara get their codes; Balige (Toba) stays unmatched
    assert matches["code"].tolist()[:2] == ["12.02.09.2004", "12.02.01.1004"]
    assert matches["code"].isna().iloc[2]
