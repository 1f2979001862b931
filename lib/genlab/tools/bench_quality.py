"""``make bench``'s quality sections: time to the report's detector count, and sample quality per precision.

    python -m genlab.tools.bench_quality [--quick] [--out build/bench_quality.json]

Time to quality: the registry's 3-1 DCGAN trained on one thread at the cpu profile, and again at
32x32 for contrast; every ``every`` steps, animeface hits on 64 samples of the generator average
and of the raw generator. Seconds count training only (the probes' own time is left out).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace

from genlab.tools.bench_process import one_thread_json, write_json

REPORT_HITS = 48  # the report's DCGAN: 48 of 64 samples detected as faces


def _hits_probe(every: int, latent_dim: int, seed: int):
    import keras

    from genlab.eval.detectors import animeface_hit_rate
    from genlab.train.driver import fixed_latent
    from genlab.train.inference import generate

    z = fixed_latent(64, latent_dim, seed + 1)

    class HitsProbe(keras.callbacks.Callback):
        """Every ``every`` generator steps: training seconds so far and the detector's hits for both generators."""

        def __init__(self):
            super().__init__()
            self.rows, self.training_seconds, self._since = [], 0.0, None

        def on_train_batch_begin(self, batch, logs=None):
            if self._since is None:
                self._since = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            step = int(self.model.g_optimizer.iterations)
            if step % every:
                return
            self.training_seconds += time.perf_counter() - self._since
            row = {"step": step, "seconds": round(self.training_seconds, 1)}
            for which, network in (("average", self.model.sampler), ("raw", self.model.generator)):
                row[which] = animeface_hit_rate(generate(network, z))["hits"]
            self.rows.append(row)
            self._since = time.perf_counter()

    return HitsProbe()


def first_reaching(rows: list[dict], which: str, target: int) -> dict | None:
    """The first probe at which ``which`` reached ``target`` hits, or None."""
    hit = next((r for r in rows if r[which] >= target), None)
    return {"step": hit["step"], "seconds": hit["seconds"], "hits": hit[which]} if hit else None


def time_to_quality(image_sizes=(64, 32), every: int = 100, seed: int = 0, profile: str = "cpu",
                    steps: int | None = None, target: int = REPORT_HITS) -> dict:
    """Seconds (one thread) until the 3-1 DCGAN's 64 samples reach ``target`` animeface hits, per image size."""
    from genlab.nets import LATENT_DIM
    from genlab.recipes import registry
    from genlab.recipes.runs import train_run
    from genlab.session import Session, setup

    base = setup(registry.HW3_1, profile, seed, "")
    spec = registry.get("dcgan")
    report = {"target_hits": target, "threads": os.environ.get("GENLAB_THREADS", "default"), "runs": {}}
    for size in image_sizes:
        total = steps or base.profile.steps_for("dcgan")
        chosen = replace(base.profile, image_size=size, steps={**base.profile.steps, "dcgan": total})
        session = Session(notebook=registry.HW3_1, profile=chosen, seed=seed, data_root=None)
        images, _ = session.anime_data()
        probe = _hits_probe(min(every, total), LATENT_DIM, seed)
        with tempfile.TemporaryDirectory() as run_dir:
            train_run(spec, chosen, seed, run_dir, images, callbacks=[probe])
        report["runs"][f"{size}x{size}"] = {
            "steps": total, "curve": probe.rows,
            "average": first_reaching(probe.rows, "average", target), "raw": first_reaching(probe.rows, "raw", target)}
    return report


def format_time_to_quality(report: dict) -> str:
    lines = [f"time to {report['target_hits']}/64 animeface hits (3-1 DCGAN, {report['threads']} thread(s)):"]
    for size, run in report["runs"].items():
        def when(which):
            hit = run[which]
            return f"step {hit['step']}, {hit['seconds']:.0f} s" if hit else f"not within {run['steps']} steps"
        best = max(run["curve"], key=lambda r: r["average"]) if run["curve"] else None
        lines.append(f"  {size}: generator average {when('average')}; raw generator {when('raw')}"
                     + (f" (best average {best['average']}/64 at step {best['step']})" if best else ""))
    return "\n".join(lines)


def mixed_precision_quality(steps: int = 500, seeds=(0, 1), profile: str = "cpu") -> dict:
    """Does sample quality hold under ``mixed_bfloat16``? The profile's 3-1 DCGAN (the registry's ``dcgan``
    run) trained on the embedded anime faces for ``steps`` steps under each policy and seed, then
    FID of the profile's ``eval_samples`` samples in the evaluation classifier's feature space,
    beside the real-vs-real floor. Two seeds per policy show how much of a difference is seed noise."""
    import keras

    from genlab.data import image_dataset, to_float
    from genlab.eval import distance_report
    from genlab.recipes import registry
    from genlab.session import setup
    from genlab.train import fixed_latent, generate, set_seed, train

    session = setup(registry.HW3_1, profile, 0, "")
    images, _ = session.anime_data()
    classifier = session.classifier("anime")
    real = classifier.features(to_float(images))
    spec = registry.get("dcgan")
    fids, floor = {}, None
    for policy in ("float32", "mixed_bfloat16"):
        keras.mixed_precision.set_global_policy(policy)
        try:
            for seed in seeds:
                set_seed(seed)
                gan = spec.build(session.profile, seed, **spec.hparams)
                data = image_dataset(images, batch_size=session.profile.batch_size, seed=seed)
                with tempfile.TemporaryDirectory() as run_dir:
                    train(gan, data, steps, run_dir, log_every=session.profile.log_interval(steps),
                          tensorboard=False, verbose=0)
                fake = generate(gan.generator, fixed_latent(session.profile.eval_samples, gan.latent_dim, seed + 1))
                report = distance_report(real, classifier.features(fake), seed=0)
                fids[f"{policy} seed {seed}"], floor = report["fid"], report["fid_floor"]
        finally:
            keras.mixed_precision.set_global_policy("float32")
    return {"model": f"{profile}-profile DCGAN", "steps": steps, "fid": fids, "fid_floor": floor}


def one_thread(quick: bool = False) -> dict:
    """:func:`time_to_quality` in a fresh process on one thread (how ``make bench`` runs it)."""
    return one_thread_json("genlab.tools.bench_quality", ["--quick"] if quick else [])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genlab.tools.bench_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smoke profile, a few steps (for tests)")
    parser.add_argument("--out", default=None, help="write the report as JSON here")
    args = parser.parse_args(argv)
    from genlab.runtime import limit_threads

    limit_threads()
    report = (time_to_quality(image_sizes=(32,), every=2, profile="smoke", steps=4) if args.quick
              else time_to_quality())
    print(format_time_to_quality(report))
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
