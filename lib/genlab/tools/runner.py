"""Execute the notebooks headlessly (``make figures``) and export them to HTML (``make html``).

Each notebook runs with papermill into ``build/notebooks/`` (never over the committed sources),
receiving ``profile``, ``data_root`` and ``seed`` as parameters, plus ``tags_file`` (3-2 only) and
``photos_dir`` (3-3 only) when given. User paths are made absolute from the folder ``make`` was run
in. A stamp records what a finished notebook ran with, on what data (content fingerprints): a
second ``make figures`` skips notebooks whose stamp, source, data and figures are all up to date,
so an interrupted run picks up where it stopped. A failing notebook does not stop the others.

    python -m genlab.tools.runner figures --profile cpu [--data PATH] [--tags FILE] [--photos FOLDER]
        [--fallback embedded] [--strategy auto|mirrored|multiworker|default] [--steps N] [--only NAME ...]
        [--force] [--jobs N] [--precision auto|float32|mixed_bfloat16]
    python -m genlab.tools.runner html
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from genlab import paths
from genlab.tools import console, gallery, kernels, manifest, schedule, stamps

ONLY_FOR = {"tags_file": "hw3_2_text_to_image", "photos_dir": "hw3_3_style_transfer"}  # who takes which input
CALLER_VARIABLE = "GENLAB_CALLER_DIR"  # the folder make was run in (relative user paths start there)


class NotebookFailed(RuntimeError):
    """A notebook stopped with an error; the message says what and where to look."""


def user_path(value: str | None, what: str, kind: str) -> Path | None:
    """``value`` as an absolute path (relative to where make was run); it must exist as a ``kind`` (file/folder)."""
    if not value:
        return None
    base = os.environ.get(CALLER_VARIABLE) or os.getcwd()
    path = Path(os.path.abspath(Path(base) / Path(value).expanduser()))
    found = path.is_dir() if kind == "folder" else path.is_file()
    if not found:
        state = f"is not a {kind}" if path.exists() else "does not exist"
        relative = "" if Path(value).expanduser().is_absolute() else f" ({what}={value!r} taken from {base})"
        raise ValueError(f"{what}={path} {state}{relative}")
    return path


def run_notebook(name: str, parameters: dict, settings: dict | None = None, inputs: dict | None = None) -> float:
    """Execute one notebook with papermill; returns seconds taken, or raises :class:`NotebookFailed`."""
    import papermill

    kernels.quiet_asyncio()
    source = paths.notebooks_dir() / f"{name}.ipynb"
    if not source.exists():
        raise FileNotFoundError(f"{source}: notebook not found")
    # Until it finishes, its figures may be half rewritten: the old stamp must not vouch for them.
    for stale in (stamps.stamp_path(name), stamps.uses_path(name), stamps.runs_path(name), stamps.kernel_log_path(name)):
        stale.unlink(missing_ok=True)
    started = time.time()
    source_hash = stamps.source_hash(source)  # what the kernel will import; edits made while it runs leave it stale
    try:
        papermill.execute_notebook(
            str(source), str(paths.executed_dir() / f"{name}.ipynb"), parameters=parameters, kernel_name="python3",
            cwd=str(paths.notebooks_dir()), progress_bar=False, log_output=False,
            kernel_manager_class=kernels.kernel_manager_class(stamps.kernel_log_path(name), name))
    except Exception as error:
        raise NotebookFailed(console.describe_error(error)) from None
    seconds = time.time() - started
    stamps.write_stamp(name, source_hash, settings or {"parameters": parameters}, inputs or {},
                       started, seconds, peak_kernel_mib())
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
        stamp = stamps.read_stamp(name)
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

    with kernels.quiet_stderr():  # TensorFlow's import banners
        return 1 if (os.cpu_count() or 1) < 2 or gpu_available() else 2


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


def _dry_run_folders(profile: str, steps: int) -> Path:
    """A run with overridden steps writes its figures, runs and notebooks apart, never over the real ones."""
    base = paths.project_root() / "build" / f"dryrun-{profile}-steps{steps}"
    for variable, leaf in (("GENLAB_FIGURES", "figures"), ("GENLAB_RUNS", "runs"), ("GENLAB_EXECUTED", "notebooks")):
        os.environ[variable] = str(base / leaf)
    return base


def _inputs(name: str, tags: Path | None, photos: Path | None) -> dict:
    given = {"tags_file": tags, "photos_dir": photos}
    return {key: str(value) for key, value in given.items() if value and ONLY_FOR[key] == name}


def run_figures(profile: str, data: str | None, seed: int = 0, only=None, force: bool = False, jobs: int | None = None,
                precision: str | None = None, tags: str | None = None, photos: str | None = None,
                fallback: str | None = None, strategy: str | None = None, steps: int | None = None) -> int:
    """Execute the selected notebooks (all by default) and check their figures; returns an exit code.

    ``precision`` (auto, float32, mixed_bfloat16; default ``GENLAB_PRECISION`` or auto) is
    settled here once, so every kernel trains under the same policy and the stamps record it.
    ``steps`` overrides every model's steps (the dry run) and sends every output to
    ``build/dryrun-<profile>-steps<N>/``.
    """
    os.environ["GENLAB_HEADLESS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    kernels.quiet_asyncio()
    from genlab.profiles import PRECISION_VARIABLE, get_profile, resolve_precision
    from genlab.session import FALLBACK_VARIABLE, REPORT_VARIABLE, STEPS_VARIABLE

    try:
        with kernels.quiet_stderr():  # TensorFlow's import banners are not news ("auto" asks it for a GPU)
            from genlab.train.devices import STRATEGIES, STRATEGY_VARIABLE

            chosen = get_profile(profile)
            mixed = resolve_precision(chosen, precision).mixed_precision
        data_root = user_path(data, "DATA", "folder")
        tags_file, photos_dir = user_path(tags, "TAGS", "file"), user_path(photos, "PHOTOS", "folder")
        if tags_file:
            from genlab.data.tags import read_tag_file

            requests = read_tag_file(tags_file)  # a bad line stops here, before anything runs
        if (fallback or "") not in ("", "none", "embedded"):
            raise ValueError(f"FALLBACK={fallback!r}: use FALLBACK=embedded, or leave it empty")
        if (strategy or "auto") not in STRATEGIES:
            raise ValueError(f"STRATEGY={strategy!r}: choose one of {', '.join(STRATEGIES)}")
    except ValueError as error:  # DatasetError is one
        print(f"make figures: {error}", file=sys.stderr)
        return 2
    os.environ[PRECISION_VARIABLE] = policy = "mixed_bfloat16" if mixed else "float32"
    os.environ[FALLBACK_VARIABLE] = fallback = "embedded" if fallback == "embedded" else ""
    os.environ[STRATEGY_VARIABLE] = strategy = strategy or "auto"
    os.environ[STEPS_VARIABLE] = str(steps or "")
    dry = _dry_run_folders(chosen.name, steps) if steps else None
    os.environ[REPORT_VARIABLE] = str(paths.executed_dir())
    profile = chosen.name
    names = list(only) if only else [n for n in manifest.NOTEBOOKS if (paths.notebooks_dir() / f"{n}.ipynb").exists()]
    unknown = [n for n in names if n not in manifest.NOTEBOOKS]
    if unknown:
        print(f"unknown notebook(s): {', '.join(unknown)}; known: {', '.join(manifest.NOTEBOOKS)}", file=sys.stderr)
        return 2
    base = {"profile": profile, "data_root": str(data_root or ""), "seed": seed}
    inputs = {name: _inputs(name, tags_file, photos_dir) for name in names}
    settings = {name: {"parameters": {**base, **inputs[name]}, "precision": policy, "fallback": fallback,
                       "strategy": strategy, "steps": steps or 0} for name in names}
    started = time.time()
    stale = {n: "FORCE=1" if force else stamps.staleness(n, settings[n], inputs[n]) for n in names}
    pending = [n for n in names if stale[n]]
    requested = jobs or default_jobs()
    threads = _threads_per_kernel(requested)
    jobs = max(1, min(requested, len(pending) or 1))
    count = f"{len(names)} notebook" + ("s" if len(names) != 1 else "")
    schedule_text = f"{jobs} side by side" if jobs > 1 else "one at a time"
    print(f"make figures: profile {profile} ({policy}), seed {seed}, {count}, {schedule_text} with {threads} thread(s) each")
    print(console.data_line(data_root, fallback))
    if tags_file:
        print(f"  tags file (hw3_2_text_to_image only): {tags_file} ({len(requests)} lines)")
    if photos_dir:
        print(f"  photos (hw3_3_style_transfer only): {photos_dir}")
    if strategy != "auto":
        print(f"  strategy: {strategy}")
    if dry:
        print(f"  dry run: every model trains {steps} steps; figures, runs and notebooks go to {dry}")
    for name in names:
        print(f"  {name}: " + (f"to run ({stale[name]})" if stale[name] else "up to date, skipped"))
    pending = schedule.planned_order(pending, names, jobs)
    outcome = _execute(pending, names, settings, inputs, jobs)
    total = time.time() - started
    done = [n for n in names if n not in outcome.failed and n not in outcome.blocked]
    (paths.executed_dir() / "timings.json").write_text(json.dumps(
        {"profile": profile, "precision": policy, "jobs": jobs, "threads_per_kernel": threads,
         "seconds": {n: outcome.seconds.get(n, 0.0) for n in done}, "total": total,
         "peak_kernel_mib": _largest_kernel(names)}, indent=2))
    problems = check_figures(done, started)
    page = gallery.write_gallery(profile, seed, {n: s for n in manifest.NOTEBOOKS if (s := stamps.read_stamp(n))}, policy)
    print(f"Gallery: {page}")
    if problems:
        print("Missing or stale figures:\n  " + "\n  ".join(problems), file=sys.stderr)
    if outcome.failed or outcome.blocked:
        console.summary(outcome, names)
        return 1
    if problems:
        return 1
    figures = paths.figures_dir()
    print(f"All {sum(len(manifest.promised_figures(n)) for n in names)} figures are up to date in {figures} ({total:.0f} s):")
    for name in names:
        for fig in manifest.promised_figures(name):
            print(f"  {figures / fig}")
    return 0


def _largest_kernel(names) -> float:
    """Largest resident memory (MiB) of any kernel, from the stamps of this and earlier runs."""
    recorded = [stamp for n in names if (stamp := stamps.read_stamp(n))]
    return max([s.get("peak_kernel_mib") or 0.0 for s in recorded] + [peak_kernel_mib()])


def _execute(pending: list[str], names, settings: dict, inputs: dict, jobs: int) -> schedule.Outcome:
    """Run the pending notebooks, ``jobs`` at a time (spawned processes), or here when ``jobs`` is 1."""
    def start(name):
        print(f"  {name}: running ...", flush=True)

    def end(name, seconds, error):
        console.report(name, seconds, error, peak_kernel_mib() if jobs == 1 else None)

    args = {name: (settings[name]["parameters"], settings[name], inputs[name]) for name in names}
    if jobs == 1:
        return schedule.run_all(pending, names, 1, lambda name: run_notebook(name, *args[name]), start, end)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: this process may have TensorFlow loaded (it looked for a GPU).
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        return schedule.run_all(pending, names, jobs, _Runner(args), start, end, pool=pool)


class _Runner:
    """``run_notebook`` with each notebook's arguments, picklable for the worker processes."""

    def __init__(self, args: dict):
        self.args = args

    def __call__(self, name: str) -> float:
        return run_notebook(name, *self.args[name])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genlab.tools.runner", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fig = sub.add_parser("figures", help="execute the notebooks and regenerate every figure")
    fig.add_argument("--profile", default="auto", help="smoke, cpu, full or auto (full with a GPU, else cpu)")
    fig.add_argument("--data", default="", help="folder of real datasets (default: embedded synthetic data)")
    fig.add_argument("--tags", default="", help="3-2's tags file: lines 'id,<colour> hair <colour> eyes'")
    fig.add_argument("--photos", default="", help="3-3's folder of photos to restyle")
    fig.add_argument("--fallback", default="", help="'embedded': parts without a real layout use embedded data")
    fig.add_argument("--strategy", default="auto", help="auto, mirrored, multiworker or default")
    fig.add_argument("--steps", type=int, default=0, help="train every model this many steps (a dry run)")
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
        return run_figures(args.profile, args.data or None, args.seed, args.only, args.force, jobs, args.precision,
                           args.tags, args.photos, args.fallback, args.strategy, args.steps or None)
    return gallery.export_html()


if __name__ == "__main__":
    sys.exit(main())
