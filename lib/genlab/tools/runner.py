"""Execute the notebooks headlessly (``make figures``) and export them to HTML (``make html``).

Each notebook runs with papermill into ``build/notebooks/`` (never over the committed
sources), receiving ``profile``, ``data_root`` and ``seed`` as parameters. A stamp records
what a finished notebook was run with; a second ``make figures`` skips notebooks whose
stamp, source and figures are all up to date, so an interrupted run picks up where it
stopped (and the interrupted notebook's training resumes from its checkpoint).

    python -m genlab.tools.runner figures --profile cpu [--data PATH] [--only NAME ...] [--force] [--jobs N]
                                    [--precision auto|float32|mixed_bfloat16]
    python -m genlab.tools.runner html
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

from genlab import paths
from genlab.tools import gallery, manifest


def _source_hash(notebook: Path) -> str:
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


def _stamp_path(name: str) -> Path:
    return paths.executed_dir() / f"{name}.stamp.json"


def _read_stamp(name: str) -> dict | None:
    """What the last finished run of ``name`` recorded, or None if it has not finished."""
    stamp = _stamp_path(name)
    return json.loads(stamp.read_text()) if stamp.exists() else None


def _precision() -> str:
    """The precision the kernels are told to use (``GENLAB_PRECISION``, set by ``run_figures``)."""
    from genlab.profiles import PRECISION_VARIABLE

    return os.environ.get(PRECISION_VARIABLE) or "auto"


def _is_up_to_date(name: str, parameters: dict) -> bool:
    recorded = _read_stamp(name)
    if recorded is None:
        return False
    if recorded.get("source") != _source_hash(paths.notebooks_dir() / f"{name}.ipynb"):
        return False
    if recorded.get("parameters") != parameters or recorded.get("precision", "auto") != _precision():
        return False
    figures = paths.figures_dir()
    return all((figures / fig).exists() and (figures / fig).stat().st_mtime >= recorded["started"] - 1
               for fig in manifest.promised_figures(name))


def run_notebook(name: str, parameters: dict) -> float:
    """Execute one notebook with papermill; returns seconds taken."""
    import papermill

    source = paths.notebooks_dir() / f"{name}.ipynb"
    if not source.exists():
        raise FileNotFoundError(f"{source}: notebook not found")
    # Until it finishes, its figures may be half rewritten: the old stamp must not vouch for them.
    _stamp_path(name).unlink(missing_ok=True)
    started = time.time()
    papermill.execute_notebook(
        str(source),
        str(paths.executed_dir() / f"{name}.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(paths.notebooks_dir()),
        progress_bar=False,
        log_output=False,
    )
    seconds = time.time() - started
    _stamp_path(name).write_text(json.dumps({
        "source": _source_hash(source), "parameters": parameters, "precision": _precision(),
        "started": started, "seconds": round(seconds, 1),
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
        stamp = _read_stamp(name)
        since = stamp["started"] if stamp else started
        for fig in manifest.promised_figures(name):
            path = figures / fig
            if not path.exists():
                problems.append(f"{name}: {fig} was not written")
            elif path.stat().st_mtime < since - 1:
                problems.append(f"{name}: {fig} is older than the notebook's last run")
    return problems


def default_jobs() -> int:
    """How many notebooks run side by side: 2 on a CPU-only machine with 2 or more cores, else 1.

    Two kernels with one thread each train the profile's small networks faster than one kernel
    with two threads; on a GPU the notebooks would compete for its memory.
    """
    from genlab.profiles import gpu_available

    return 1 if (os.cpu_count() or 1) < 2 or gpu_available() else 2


def _dependencies() -> dict[str, tuple[str, ...]]:
    """Notebooks that must finish before a notebook starts: those training the runs it reuses (the registry)."""
    from genlab.recipes.registry import notebook_dependencies

    return notebook_dependencies()


def _priorities(names) -> dict[str, float]:
    """Expected seconds of a notebook plus the longest chain of notebooks waiting for it."""
    after = _dependencies()

    def chain(name):
        waiting = [n for n in names if name in after.get(n, ())]
        return manifest.CPU_SECONDS.get(name, 0.0) + max((chain(n) for n in waiting), default=0.0)

    return {name: chain(name) for name in names}


def _next_ready(pending: list[str], finished: set[str], names) -> str | None:
    """The pending notebook with the longest chain whose prerequisites (if selected) have finished."""
    after = _dependencies()
    for name in pending:
        if all(dep in finished or dep not in names for dep in after.get(name, ())):
            return name
    return None


def _threads_per_kernel(jobs: int) -> int:
    """Split the cores between ``jobs`` kernels (read by ``genlab.session.setup``); returns threads per kernel.

    Set from the jobs asked for, not from how many notebooks are left to run: the thread count
    changes the order of TensorFlow's sums (visibly so in bfloat16), so a notebook run alone
    (``ONLY=``, or the last one resumed after an interrupt) must use the same threads as in the
    full run to reproduce its figures.
    """
    threads = max(1, (os.cpu_count() or 1) // jobs)
    for variable in ("GENLAB_THREADS", "OMP_NUM_THREADS"):
        os.environ[variable] = str(threads)
    return threads


def run_figures(profile: str, data: str | None, seed: int = 0, only=None, force: bool = False, jobs: int | None = None,
                precision: str | None = None) -> int:
    """Execute the selected notebooks (all by default) and check their figures; returns an exit code.

    ``precision`` (auto, float32, mixed_bfloat16; default ``GENLAB_PRECISION`` or auto) is
    settled here once, so every kernel trains under the same policy and the stamps record it.
    """
    os.environ["GENLAB_HEADLESS"] = "1"
    from genlab.profiles import PRECISION_VARIABLE, get_profile, resolve_precision

    chosen = get_profile(profile)
    try:
        mixed = resolve_precision(chosen, precision).mixed_precision
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    os.environ[PRECISION_VARIABLE] = policy = "mixed_bfloat16" if mixed else "float32"
    profile = chosen.name
    names = list(only) if only else [n for n in manifest.NOTEBOOKS if (paths.notebooks_dir() / f"{n}.ipynb").exists()]
    unknown = [n for n in names if n not in manifest.NOTEBOOKS]
    if unknown:
        print(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(manifest.NOTEBOOKS)}", file=sys.stderr)
        return 2
    parameters = {"profile": profile, "data_root": data or "", "seed": seed}
    started = time.time()
    timings, pending = {}, []
    for name in names:
        if not force and _is_up_to_date(name, parameters):
            timings[name] = 0.0
        else:
            pending.append(name)
    requested = jobs or default_jobs()
    threads = _threads_per_kernel(requested)
    jobs = max(1, min(requested, len(pending) or 1))
    count = f"{len(names)} notebook" + ("s" if len(names) != 1 else "")
    schedule = f"{jobs} side by side" if jobs > 1 else "one at a time"
    print(f"make figures: profile {profile} ({policy}), data {data or 'embedded synthetic'}, seed {seed}, "
          f"{count}, {schedule} with {threads} thread(s) each")
    for name in names:
        if name not in pending:
            print(f"  {name}: up to date, skipped")
    priority = _priorities(names)
    pending.sort(key=lambda n: -priority[n])
    failed = _execute(pending, names, parameters, jobs, timings)
    if failed:
        return 1
    total = time.time() - started
    (paths.executed_dir() / "timings.json").write_text(json.dumps(
        {"profile": profile, "precision": policy, "jobs": jobs, "threads_per_kernel": threads, "seconds": timings, "total": total, "peak_kernel_mib": _largest_kernel(names)},
        indent=2))
    problems = check_figures(names, started)
    if problems:
        print("Missing or stale figures:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    stamps = {n: stamp.get("seconds") for n in manifest.NOTEBOOKS if (stamp := _read_stamp(n))}
    page = gallery.write_gallery(profile, seed, data, stamps, policy)
    figures = paths.figures_dir()
    print(f"Gallery: {page}")
    print(f"All {sum(len(manifest.promised_figures(n)) for n in names)} figures are up to date in {figures} ({total:.0f} s):")
    for name in names:
        for fig in manifest.promised_figures(name):
            print(f"  {figures / fig}")
    return 0


def _largest_kernel(names) -> float:
    """Largest resident memory (MiB) of any kernel, from the stamps of this and earlier runs."""
    stamps = [stamp for n in names if (stamp := _read_stamp(n))]
    return max([s.get("peak_kernel_mib") or 0.0 for s in stamps] + [peak_kernel_mib()])


def _report_failure(name: str, error: Exception) -> None:
    # papermill raises PapermillExecutionError with the failing cell's traceback
    print(f"  {name}: FAILED\n{error}", file=sys.stderr)
    print(f"  the partly executed notebook is {paths.executed_dir() / (name + '.ipynb')}", file=sys.stderr)


def _execute(pending: list[str], names, parameters: dict, jobs: int, timings: dict) -> bool:
    """Run the pending notebooks, ``jobs`` at a time; returns True if one failed.

    After a failure no new notebook starts; those already running finish (their training is
    checkpointed either way).
    """
    finished = {n for n in names if n not in pending}
    if jobs == 1:
        for name in pending:
            print(f"  {name}: running ...", flush=True)
            try:
                timings[name] = run_notebook(name, parameters)
            except Exception as error:
                _report_failure(name, error)
                return True
            print(f"  {name}: {timings[name]:.0f} s (largest kernel so far: {peak_kernel_mib():.0f} MiB resident)")
        return False

    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    failed = False
    pending = list(pending)
    # spawn, not fork: this process has TensorFlow loaded (it looked for a GPU).
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        running = {}
        while running or (pending and not failed):
            while not failed and len(running) < jobs and (name := _next_ready(pending, finished, names)):
                pending.remove(name)
                print(f"  {name}: running ...", flush=True)
                running[pool.submit(run_notebook, name, parameters)] = name
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                try:
                    timings[name] = future.result()
                except Exception as error:
                    _report_failure(name, error)
                    failed = True
                    continue
                finished.add(name)
                print(f"  {name}: {timings[name]:.0f} s", flush=True)
    return failed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genlab.tools.runner", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="execute the notebooks and regenerate every figure")
    fig.add_argument("--profile", default="auto", help="smoke, cpu, full or auto (full with a GPU, else cpu)")
    fig.add_argument("--data", default="", help="root of a real dataset folder (default: embedded synthetic data)")
    fig.add_argument("--seed", type=int, default=0)
    fig.add_argument("--only", nargs="*", help="run only these notebooks (names without .ipynb)")
    fig.add_argument("--force", action="store_true", help="re-run notebooks even when up to date")
    fig.add_argument("--jobs", default="auto",
                     help="notebooks run side by side (auto: 2 on a CPU-only machine with >= 2 cores, else 1)")
    fig.add_argument("--precision", default=None, choices=("auto", "float32", "mixed_bfloat16"),
                     help="training precision (default: GENLAB_PRECISION or auto: the profile's choice; the cpu "
                          "profile uses mixed_bfloat16 where the CPU has native bfloat16)")
    sub.add_parser("html", help="export executed notebooks to build/html")
    args = parser.parse_args(argv)
    if args.command == "figures":
        jobs = None if args.jobs == "auto" else int(args.jobs)
        return run_figures(args.profile, args.data or None, args.seed, args.only, args.force, jobs, args.precision)
    return gallery.export_html()


if __name__ == "__main__":
    sys.exit(main())
