"""Every notebook executes end to end under the smoke profile and writes the figures it promises.

One of them (``MIRRORED``, a GAN trainer end to end) runs under MirroredStrategy over two logical CPU
devices, as ``make figures STRATEGY=mirrored`` would train it on two GPUs.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from genlab.report import widgets
from genlab.tools import manifest
from genlab.train import devices

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PRESENT = [name for name in manifest.NOTEBOOKS if (NOTEBOOKS / f"{name}.ipynb").exists()]
MIRRORED = "hw4_2_gan"  # the report GAN: curves, samples, classifier and table, trained on two replicas


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
    monkeypatch.setenv(widgets.BUILD_VARIABLE, "1")  # headless, yet the Explore sliders are built and draw once
    if name == MIRRORED:
        monkeypatch.setenv(devices.STRATEGY_VARIABLE, "mirrored")
        monkeypatch.setenv(devices.CPU_DEVICES_VARIABLE, "2")
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
    executed = nbformat.read(out, as_version=4)
    explorers = [cell for cell in executed.cells if "widgets.explorer(" in cell.source]
    assert all(any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in cell.outputs)
               for cell in explorers), "every explorer cell shows its sliders"
    if name == MIRRORED:
        text = "\n".join(str(output.get("text", "")) for cell in executed.cells
                         for output in cell.get("outputs", []))
        assert "strategy: MirroredStrategy, 2 replica(s) on /job:localhost/replica:0/task:0/device:CPU:0" in text
        runs = [p.name for p in Path(os.environ["GENLAB_RUNS"]).iterdir()]
        assert any(run.startswith("hw4_gan-smoke-seed0-") and run.endswith("-r2") for run in runs), runs


@pytest.mark.parametrize("name", PRESENT)
def test_notebook_is_committed_clean_and_parameterised(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3", "papermill needs a kernelspec"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(cell.get("outputs") for cell in code), "notebooks are committed without outputs"
    assert any("parameters" in cell.metadata.get("tags", []) for cell in code), "a cell tagged 'parameters' is required"
    assert notebook.cells[0].cell_type == "markdown", "a notebook opens with its narrative"


@pytest.mark.parametrize("name", PRESENT)
def test_papermill_reads_every_parameter(name):
    from papermill.translators import PythonTranslator

    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assigned = [line.split("=")[0].strip() for line in cell.source.splitlines() if "=" in line.split("#")[0]]
    parsed = [parameter.name for parameter in PythonTranslator.inspect(cell)]
    assert parsed == assigned, "papermill cannot parse a parameter line (an '=' in a comment breaks it)"
    assert {"profile", "data_root", "seed"} <= set(parsed)
