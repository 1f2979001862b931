"""A throwaway project root with tiny notebooks standing in for the real ones (runner tests)."""
from __future__ import annotations

import nbformat

PARAMETERS = 'profile = "auto"\ndata_root = ""\nseed = 0'


def make_project(root, monkeypatch):
    """``root`` laid out as a checkout (pyproject, lib/genlab, notebooks/) and made the project root."""
    (root / "lib" / "genlab").mkdir(parents=True)
    (root / "lib" / "genlab" / "x.py").write_text("x = 1\n")
    (root / "notebooks").mkdir()
    (root / "pyproject.toml").write_text("")
    monkeypatch.setenv("GENLAB_ROOT", str(root))
    monkeypatch.setenv("GENLAB_FIGURES", str(root / "figures"))
    monkeypatch.setenv("GENLAB_EXECUTED", str(root / "build" / "notebooks"))  # where a checkout keeps them
    return root


def write_notebook(root, name: str, code: str, parameters: str = PARAMETERS) -> None:
    """Notebook ``name``: a markdown cell, a parameters cell, then ``code``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# test"), params, nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")


def figure_writer(figures) -> str:
    """Code that writes ``figures`` (names under GENLAB_FIGURES) as tiny images."""
    return (
        "import os, pathlib\n"
        "from PIL import Image\n"
        "figs = pathlib.Path(os.environ['GENLAB_FIGURES'])\n"
        f"for name in {list(figures)!r}:\n"
        "    (figs / name).parent.mkdir(parents=True, exist_ok=True)\n"
        "    Image.new('RGB', (8, 8)).save(figs / name)\n"
    )
