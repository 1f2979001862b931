"""Where genlab reads data and writes figures, runs and caches.

Every location can be moved with an environment variable, so notebooks executed
headlessly (``make figures``) and interactively share one layout:

- ``GENLAB_ROOT``     project root (default: the checkout this package lives in)
- ``GENLAB_DATA``     data folder (default: ``<root>/data``)
- ``GENLAB_FIGURES``  figure folder (default: ``<root>/figures``)
- ``GENLAB_RUNS``     training runs: checkpoints, logs, samples (default: ``<root>/build/runs``)
- ``GENLAB_EXECUTED`` executed notebooks, stamps, timings (default: ``<root>/build/notebooks``)
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("GENLAB_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "lib" / "genlab").exists():
            return parent
    return Path.cwd()


def data_dir() -> Path:
    return Path(os.environ.get("GENLAB_DATA", project_root() / "data"))


def embedded_dir() -> Path:
    """Folder holding the rendered synthetic datasets (a cache; safe to delete)."""
    return data_dir() / "embedded"


def cache_dir() -> Path:
    """Folder for derived caches such as trained evaluation classifiers."""
    return data_dir() / "cache"


def notebooks_dir() -> Path:
    """The committed notebooks (``make figures`` never writes here)."""
    return project_root() / "notebooks"


def executed_dir() -> Path:
    """Where ``make figures`` writes the executed notebooks, their stamps and timings."""
    path = Path(os.environ.get("GENLAB_EXECUTED", project_root() / "build" / "notebooks"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def figures_dir(part: str | None = None) -> Path:
    base = Path(os.environ.get("GENLAB_FIGURES", project_root() / "figures"))
    path = base / part if part else base
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_dir(name: str | None = None) -> Path:
    base = Path(os.environ.get("GENLAB_RUNS", project_root() / "build" / "runs"))
    path = base / name if name else base
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def exclusive(path: Path):
    """Hold an exclusive lock on ``<path>.lock`` for the duration of the block.

    ``make figures`` runs notebooks side by side (``JOBS``); they share the rendered data, the
    evaluation classifiers and some training runs. Whoever comes second waits here and then
    finds the finished result instead of computing it again or writing over it.
    """
    import fcntl

    lock_path = Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def atomic_path(path):
    """A temporary path beside ``path`` (same suffix) to write to; it replaces ``path`` when the
    block succeeds and is removed when it fails, so readers never see a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}-{uuid.uuid4().hex[:8]}{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomically(path, write) -> None:
    """Call ``write(binary_file)`` and put the result at ``path`` atomically (flushed to disk first)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as file:
        write(file)
        file.flush()
        os.fsync(file.fileno())
