"""What a finished notebook was run with, and whether it is still up to date.

A stamp (``<executed dir>/<notebook>.stamp.json``) records the notebook's and the library's
source hash, the settings it ran with (parameters, precision, fallback, strategy, steps), the
data it used (each dataset part with its content fingerprint, from the session's records) and the
fingerprints of the user's inputs (tags file, photo folder). A notebook is up to date when all of
them still match and its figures exist and are newer than the run; editing a dataset, a tags file
or a photo makes it stale.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from genlab import paths
from genlab.data.fingerprint import dataset_fingerprint, path_fingerprint
from genlab.data.layouts import find_layout
from genlab.data.usage import EMBEDDED, REAL, from_records, read_uses
from genlab.tools import manifest


def source_hash(notebook: Path) -> str:
    """Hash of the notebook and the library it imports: a change in either re-runs it.

    ``genlab/tools`` (this runner, the manifest, the gallery, the bench) drives or describes the
    runs but no notebook imports it: editing it (say, a caption) does not make notebooks stale.
    """
    library = paths.project_root() / "lib" / "genlab"
    digest = hashlib.sha256(notebook.read_bytes())
    for module in sorted(library.rglob("*.py")):
        if module.relative_to(library).parts[0] != "tools":
            digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def stamp_path(name: str) -> Path:
    return paths.executed_dir() / f"{name}.stamp.json"


def uses_path(name: str) -> Path:
    """Where the notebook's session writes what data it used (``GENLAB_REPORT_DIR`` is the executed dir)."""
    return paths.executed_dir() / f"{name}.data.json"


def runs_path(name: str) -> Path:
    """Where the notebook's session writes the runs it used and what their training cost."""
    return paths.executed_dir() / f"{name}.runs.json"


def read_runs(name: str) -> list[dict]:
    """The records of :func:`runs_path`; none if the notebook used no run or the file is unreadable."""
    try:
        return json.loads(runs_path(name).read_text())
    except (OSError, ValueError):
        return []


def kernel_log_path(name: str) -> Path:
    return paths.executed_dir() / f"{name}.kernel.log"


def read_stamp(name: str) -> dict | None:
    """What the last finished run of ``name`` recorded, or None if it has not finished."""
    try:
        return json.loads(stamp_path(name).read_text())
    except (OSError, ValueError):
        return None


def inputs_fingerprints(inputs: dict) -> dict:
    """``{path: fingerprint}`` of the user's input files and folders (tags file, photo folder)."""
    return {str(path): path_fingerprint(path) for path in inputs.values() if path}


def write_stamp(name: str, source: str, settings: dict, inputs: dict, started: float, seconds: float,
                peak_mib: float) -> None:
    uses = [use.__dict__ for use in read_uses(uses_path(name))]
    stamp_path(name).write_text(json.dumps({
        "source": source, "settings": settings, "data": uses, "runs": read_runs(name), "inputs": inputs_fingerprints(inputs),
        "started": started, "seconds": round(seconds, 1), "peak_kernel_mib": peak_mib,
    }, indent=2))


def data_changed(stamp: dict, data_root: str) -> list[str]:
    """What changed since the stamp in the data it used: edited real datasets, inputs, or real data
    that now exists where the embedded fallback was used."""
    changed = []
    for use in {(use.kind, use.root): use for use in from_records(stamp.get("data", []))}.values():
        if use.source == REAL and dataset_fingerprint(use.root, use.kind) != use.fingerprint:
            changed.append(f"{use.kind} at {use.root} changed")
        elif use.source == EMBEDDED and data_root and find_layout(Path(data_root), use.kind):
            changed.append(f"a {use.kind} layout now exists under {data_root}")
    for path, fingerprint in stamp.get("inputs", {}).items():
        if path_fingerprint(path) != fingerprint:
            changed.append(f"{path} changed")
    return changed


def staleness(name: str, settings: dict, inputs: dict) -> str:
    """Why ``name`` must run again ("" when it is up to date)."""
    recorded = read_stamp(name)
    if recorded is None:
        return "no finished run"
    if recorded.get("source") != source_hash(paths.notebooks_dir() / f"{name}.ipynb"):
        return "the notebook or the library changed"
    if recorded.get("settings") != settings:
        return "other settings"
    if set(recorded.get("inputs", {})) != {str(p) for p in inputs.values() if p}:
        return "other inputs"
    changed = data_changed(recorded, settings["parameters"].get("data_root", ""))
    if changed:
        return "; ".join(changed)
    figures = paths.figures_dir()
    if not all((figures / fig).exists() and (figures / fig).stat().st_mtime >= recorded["started"] - 1
               for fig in manifest.promised_figures(name)):
        return "a figure is missing or older than the run"
    return ""


def is_up_to_date(name: str, settings: dict, inputs: dict) -> bool:
    return not staleness(name, settings, inputs)
