"""Every notebook executes end to end under the smoke profile and writes the figures it promises."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from genlab.tools import manifest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PRESENT = [name for name in manifest.NOTEBOOKS if (NOTEBOOKS / f"{name}.ipynb").exists()]


@pytest.fixture(scope="module")
def shared_data(tmp_path_factory):
    """One embedded-data cache for all notebook runs (rendering it once per notebook is waste)."""
    return tmp_path_factory.mktemp("notebook-data")


@pytest.mark.notebook
@pytest.mark.parametrize("name", PRESENT)
def test_notebook_runs_under_smoke_profile(name, tmp_path, shared_data, monkeypatch):
    import papermill

    monkeypatch.setenv("GENLAB_DATA", str(shared_data))
    monkeypatch.setenv("GENLAB_HEADLESS", "1")
    figures = Path(os.environ["GENLAB_FIGURES"])
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"), str(out),
        parameters={"profile": "smoke", "seed": 0, "data_root": ""},
        kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False,
    )
    missing = [fig for fig in manifest.promised_figures(name) if not (figures / fig).exists()]
    assert not missing, f"{name} did not write {missing}"
    written = sorted(str(p.relative_to(figures)) for p in figures.rglob("*.jpg"))
    assert written == sorted(manifest.promised_figures(name)), "the manifest must list exactly what the notebook writes"


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_is_committed_clean_and_parameterised(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3", "papermill needs a kernelspec"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(cell.get("outputs") for cell in code), "notebooks are committed without outputs"
    assert any("parameters" in cell.metadata.get("tags", []) for cell in code), "a cell tagged 'parameters' is required"
    assert notebook.cells[0].cell_type == "markdown", "a notebook opens with its narrative"
