"""The library's shape: every import points down the layers, and the registry declares what notebooks use."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from genlab.profiles import PROFILES
from genlab.recipes import registry
from genlab.tools import manifest

LIB = Path(__file__).resolve().parents[1] / "lib" / "genlab"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
# Lowest first; a module may import its own layer and those below it.
LAYERS = (
    {"errors", "vocab", "paths", "precision", "profiles", "runtime"},
    {"data"}, {"nets"}, {"train"}, {"eval"}, {"report"}, {"recipes"}, {"session"}, {"tools"},
)


def layer_of(module: str) -> int:
    top = module.split(".")[1] if module.startswith("genlab.") else module
    return next(i for i, names in enumerate(LAYERS) if top in names)


def imported_genlab_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("genlab"):
            if node.module == "genlab":
                found.update(f"genlab.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("genlab."))
    return found


MODULES = sorted(p for p in LIB.rglob("*.py") if p.name != "__init__.py" or p.parent != LIB)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIB)))
def test_imports_point_down_the_layers(path):
    relative = path.relative_to(LIB).with_suffix("")
    own = layer_of(relative.parts[0])
    upward = sorted(m for m in imported_genlab_modules(path) if m.count(".") and layer_of(m) > own)
    assert not upward, f"{relative} (layer {own}) imports from higher layers: {upward}"


def test_runs_named_by_the_notebooks_are_declared_and_notebooks_build_nothing_inline():
    for notebook in manifest.NOTEBOOKS:
        nb = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())
        code = "\n".join("".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "code")
        for name in re.findall(r'session\.run\("([^"]+)"\)', code):
            spec = registry.get(name)
            assert notebook in (spec.notebook, *spec.reused_by), f"{notebook} uses {name} without declaring it"
        assert not re.search(r"\bbuild_[a-z_]+\(|\.compile\(|\bGAN\(|\bVAE\(", code), f"{notebook} builds a model inline"


def test_every_notebook_in_the_registry_exists_and_every_step_key_is_in_every_profile():
    for spec in registry.SPECS:
        assert spec.notebook in manifest.NOTEBOOKS and set(spec.reused_by) <= set(manifest.NOTEBOOKS), spec.name
    for name, profile in PROFILES.items():
        assert set(profile.steps) == registry.step_keys(), name


def test_run_names_are_unique():
    names = [spec.name for spec in registry.SPECS]
    assert len(names) == len(set(names)) == len(registry.RUNS)
