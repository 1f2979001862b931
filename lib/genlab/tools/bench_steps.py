"""``make bench``'s step-time section: what one training step of each model costs on this CPU.

    python -m genlab.tools.bench_steps [--quick] [--out build/bench_steps.json]

One run per step key of the registry, trained at the profile's settings for a few steps in this
process; the first ``warmup`` steps (tracing, first allocations) are left out. The training
seconds a whole ``make figures`` spends on a step key follow: seconds per step x the profile's
steps x the runs that share the key (an upper bound where a run stops early, as the exploding
tips arms do). ``make bench`` runs it on one thread, with TensorFlow's oneDNN kernels on and off.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace

from genlab.tools.bench_process import one_thread_json, write_json

# One run for each of the registry's step keys (the runs sharing a key have the same networks).
STEP_RUNS = ("dcgan", "acgan_separate", "wgan", "wgan_gp", "lsgan", "tips_normalized_adam_for_both", "stargan",
             "vae_kl1e-4", "hw4_gan", "hw4_acgan", "hw4_infogan")
ONEDNN_CONTRAST = ("dcgan", "stargan", "hw4_gan", "hw4_acgan")  # also timed with oneDNN off


def runs_per_key(left_out=()) -> dict[str, int]:
    """How many registry runs train on each step key, but for those ``left_out`` (a profile's ``left_out_runs``)."""
    from genlab.recipes import registry

    counts: dict[str, int] = {}
    for spec in registry.SPECS:
        if spec.name not in left_out:
            counts[spec.step_key] = counts.get(spec.step_key, 0) + 1
    return counts


def step_times(profile: str = "cpu", names=STEP_RUNS, steps: int = 30, warmup: int = 10) -> list[dict]:
    """Seconds per training step of each named run at ``profile``, timed over steps ``warmup + 1`` to ``steps``."""
    if steps % warmup or steps <= warmup:
        raise ValueError(f"steps ({steps}) must be a multiple of warmup ({warmup}) and larger")
    from genlab.recipes import registry
    from genlab.recipes.runs import train_run
    from genlab.session import setup

    rows = []
    for name in names:
        session = setup(registry.get(name).notebook, profile, 0, "")
        counts = runs_per_key(session.profile.left_out_runs)
        spec = registry.get(name, session.profile)
        images, conditions = spec.data(session)
        timed = replace(session.profile, steps={**session.profile.steps, spec.step_key: steps}, log_every=warmup)
        with tempfile.TemporaryDirectory() as run_dir:
            history = train_run(replace(spec, snapshot=False), timed, 0, run_dir, images, conditions).history
        per_step = float(history["seconds"].iloc[1:].sum()) / (steps - warmup)
        planned = session.profile.steps_for(spec.step_key)
        rows.append({"run": name, "step_key": spec.step_key, "image_size": int(images.shape[1]),
                     "precision": "mixed_bfloat16" if session.profile.mixed_precision else "float32",
                     "seconds_per_step": per_step, "profile_steps": planned, "runs": counts[spec.step_key],
                     "training_seconds": per_step * planned * counts[spec.step_key]})
    return rows


def format_step_times(report: dict) -> str:
    """``report``: {"oneDNN on": rows, "oneDNN off": rows} from :func:`step_times`."""
    first = next(iter(report.values()))
    lines = [f"seconds per training step ({first[0]['precision'] if first else '?'}, one thread):"]
    for setting, rows in report.items():
        total = sum(row["training_seconds"] for row in rows)
        lines.append(f"  {setting}: " + ", ".join(f"{r['run']} {r['seconds_per_step']:.2f}" for r in rows)
                     + f"; {total:,.0f} s of training at the profile's steps ({len(rows)} of {len(STEP_RUNS)} step keys)")
    return "\n".join(lines)


def one_thread(quick: bool = False) -> dict:
    """:func:`step_times` in fresh processes on one thread, TensorFlow's oneDNN kernels on (every run) and off (a few)."""
    settings = {"oneDNN on": ("1", STEP_RUNS), "oneDNN off": ("0", ONEDNN_CONTRAST)}
    return {setting: one_thread_json("genlab.tools.bench_steps", ["--quick"] if quick else ["--names", ",".join(names)],
                                     {"TF_ENABLE_ONEDNN_OPTS": value})
            for setting, (value, names) in settings.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genlab.tools.bench_steps", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smoke profile, one run, a few steps (for tests)")
    parser.add_argument("--names", default=None, help="comma-separated runs (default: one per step key)")
    parser.add_argument("--out", default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    from genlab.runtime import limit_threads

    limit_threads()
    names = tuple(args.names.split(",")) if args.names else (("dcgan",) if args.quick else STEP_RUNS)
    rows = step_times("smoke", names, steps=4, warmup=2) if args.quick else step_times("cpu", names)
    print(json.dumps(rows, indent=2))
    write_json(args.out, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
