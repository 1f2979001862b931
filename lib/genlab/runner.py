"""Execute the notebooks headlessly (``make figures``) and export them to HTML (``make html``).

Each notebook runs with papermill into ``build/notebooks/`` (never over the committed
sources), receiving ``profile``, ``data_root`` and ``seed`` as parameters. A stamp records
what a finished notebook was run with; a second ``make figures`` skips notebooks whose
stamp, source and figures are all up to date, so an interrupted run picks up where it
stopped (and the interrupted notebook's training resumes from its checkpoint).

    python -m genlab.runner figures --profile cpu [--data PATH] [--only NAME ...] [--force]
    python -m genlab.runner html
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from genlab import manifest, paths


def notebooks_dir() -> Path:
    return paths.project_root() / "notebooks"


def build_dir() -> Path:
    path = paths.project_root() / "build" / "notebooks"
    path.mkdir(parents=True, exist_ok=True)
    return path


# Modules that drive or describe the runs but that no notebook imports: editing them (say,
# the gallery layout or a caption) does not make finished notebooks stale.
NOT_IMPORTED_BY_NOTEBOOKS = ("runner.py", "manifest.py", "bench.py")


def _source_hash(notebook: Path) -> str:
    """Hash of the notebook and the library it imports: a change in either re-runs it."""
    digest = hashlib.sha256(notebook.read_bytes())
    for module in sorted((paths.project_root() / "lib" / "genlab").rglob("*.py")):
        if module.parent.name == "genlab" and module.name in NOT_IMPORTED_BY_NOTEBOOKS:
            continue
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def _stamp_path(name: str) -> Path:
    return build_dir() / f"{name}.stamp.json"


def _is_up_to_date(name: str, parameters: dict) -> bool:
    stamp = _stamp_path(name)
    if not stamp.exists():
        return False
    recorded = json.loads(stamp.read_text())
    if recorded.get("source") != _source_hash(notebooks_dir() / f"{name}.ipynb"):
        return False
    if recorded.get("parameters") != parameters:
        return False
    figures = paths.figures_dir()
    return all((figures / fig).exists() and (figures / fig).stat().st_mtime >= recorded["started"] - 1
               for fig in manifest.promised_figures(name))


def run_notebook(name: str, parameters: dict) -> float:
    """Execute one notebook with papermill; returns seconds taken."""
    import papermill

    source = notebooks_dir() / f"{name}.ipynb"
    if not source.exists():
        raise FileNotFoundError(f"{source}: notebook not found")
    started = time.time()
    papermill.execute_notebook(
        str(source),
        str(build_dir() / f"{name}.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(notebooks_dir()),
        progress_bar=False,
        log_output=False,
    )
    seconds = time.time() - started
    _stamp_path(name).write_text(json.dumps({
        "source": _source_hash(source), "parameters": parameters, "started": started, "seconds": round(seconds, 1),
        "peak_kernel_mib": peak_kernel_mib(),
    }, indent=2))
    return seconds


def peak_kernel_mib() -> float:
    """Largest resident memory (MiB) any finished kernel of this process reached so far."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def check_figures(names, started: float) -> list[str]:
    """Promised figures that are missing or older than this run's up-to-date stamps."""
    problems = []
    figures = paths.figures_dir()
    for name in names:
        stamp = _stamp_path(name)
        since = json.loads(stamp.read_text())["started"] if stamp.exists() else started
        for fig in manifest.promised_figures(name):
            path = figures / fig
            if not path.exists():
                problems.append(f"{name}: {fig} was not written")
            elif path.stat().st_mtime < since - 1:
                problems.append(f"{name}: {fig} is older than the notebook's last run")
    return problems


def run_figures(profile: str, data: str | None, seed: int = 0, only=None, force: bool = False) -> int:
    os.environ["GENLAB_HEADLESS"] = "1"
    from genlab.profiles import get_profile

    profile = get_profile(profile).name
    names = list(only) if only else [n for n in manifest.NOTEBOOKS if (notebooks_dir() / f"{n}.ipynb").exists()]
    unknown = [n for n in names if n not in manifest.NOTEBOOKS]
    if unknown:
        print(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(manifest.NOTEBOOKS)}", file=sys.stderr)
        return 2
    parameters = {"profile": profile, "data_root": data or "", "seed": seed}
    print(f"make figures: profile {profile}, data {data or 'embedded synthetic'}, seed {seed}, {len(names)} notebooks")
    started = time.time()
    timings = {}
    for name in names:
        if not force and _is_up_to_date(name, parameters):
            print(f"  {name}: up to date, skipped")
            timings[name] = 0.0
            continue
        print(f"  {name}: running ...", flush=True)
        try:
            timings[name] = run_notebook(name, parameters)
        except Exception as error:  # papermill raises PapermillExecutionError with the cell's traceback
            print(f"  {name}: FAILED\n{error}", file=sys.stderr)
            print(f"  the partly executed notebook is {build_dir() / (name + '.ipynb')}", file=sys.stderr)
            return 1
        print(f"  {name}: {timings[name]:.0f} s (largest kernel so far: {peak_kernel_mib():.0f} MiB resident)")
    total = time.time() - started
    (build_dir() / "timings.json").write_text(json.dumps(
        {"profile": profile, "seconds": timings, "total": total, "peak_kernel_mib": peak_kernel_mib()}, indent=2))
    problems = check_figures(names, started)
    if problems:
        print("Missing or stale figures:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    stamps = {n: json.loads(_stamp_path(n).read_text()).get("seconds") for n in names if _stamp_path(n).exists()}
    gallery = write_gallery(profile, seed, data, stamps)
    figures = paths.figures_dir()
    print(f"Gallery: {gallery}")
    print(f"All {sum(len(manifest.promised_figures(n)) for n in names)} figures are up to date in {figures} ({total:.0f} s):")
    for name in names:
        for fig in manifest.promised_figures(name):
            print(f"  {figures / fig}")
    return 0


def write_gallery(profile: str, seed: int, data: str | None, timings: dict) -> Path:
    """``figures/README.md``: every figure grouped by notebook, one line each, with its closing table."""
    import pandas as pd

    figures = paths.figures_dir()
    lines = ["# genlab figure gallery", "",
             f"Regenerated by `make figures` (profile `{profile}`, seed {seed}, "
             f"data: {data or 'embedded synthetic faces'}). Every number below was computed by the notebook named "
             "in its heading; see `build/notebooks/` for the executed notebooks.", ""]
    for name, figs in manifest.NOTEBOOKS.items():
        if not (notebooks_dir() / f"{name}.ipynb").exists():
            continue
        seconds = timings.get(name)
        lines += [f"## {name}" + (f" ({seconds:.0f} s)" if seconds else ""), ""]
        for fig in figs:
            lines += [f"**{fig}**: {manifest.CAPTIONS.get(fig, '')}", "", f"![{fig}]({fig})", ""]
        table = figures / "tables" / f"{name}.csv"
        if table.exists():
            frame = pd.read_csv(table, keep_default_na=False)  # empty cells stay empty, not "nan"
            frame.columns = ["" if str(c).startswith("Unnamed:") else c for c in frame.columns]
            lines += ["Measured:", "", frame.to_markdown(index=False, floatfmt=".4g"), ""]
    path = figures / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def export_html() -> int:
    """Write one HTML page per executed notebook plus an index into build/html."""
    import nbformat
    from nbconvert import HTMLExporter

    out = paths.project_root() / "build" / "html"
    out.mkdir(parents=True, exist_ok=True)
    executed = [build_dir() / f"{n}.ipynb" for n in manifest.NOTEBOOKS if (build_dir() / f"{n}.ipynb").exists()]
    if not executed:
        print("No executed notebooks in build/notebooks: run `make figures` first.", file=sys.stderr)
        return 1
    exporter = HTMLExporter()
    links = []
    for path in executed:
        body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
        (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
        links.append(f'<li><a href="{path.stem}.html">{path.stem}</a></li>')
    (out / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>genlab notebooks</title></head><body>"
        "<h1>genlab: executed notebooks</h1><ul>" + "".join(links) + "</ul></body></html>", encoding="utf-8")
    print(f"Wrote {len(executed)} pages and index.html to {out}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genlab.runner", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="execute the notebooks and regenerate every figure")
    fig.add_argument("--profile", default="auto", help="smoke, cpu, full or auto (full with a GPU, else cpu)")
    fig.add_argument("--data", default="", help="root of a real dataset folder (default: embedded synthetic data)")
    fig.add_argument("--seed", type=int, default=0)
    fig.add_argument("--only", nargs="*", help="run only these notebooks (names without .ipynb)")
    fig.add_argument("--force", action="store_true", help="re-run notebooks even when up to date")
    sub.add_parser("html", help="export executed notebooks to build/html")
    args = parser.parse_args(argv)
    if args.command == "figures":
        return run_figures(args.profile, args.data or None, args.seed, args.only, args.force)
    return export_html()


if __name__ == "__main__":
    sys.exit(main())
