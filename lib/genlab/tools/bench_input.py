"""``make bench-input``: StarGAN's real-data input path at scale, its peak memory and images/s.

Renders N synthetic faces in the CelebA layout (once, into ``--root``; keep it out of the repo),
then goes the way a notebook goes with ``DATA=<root>``: the session reads ``list_attr_celeba.txt``,
fingerprints the folder, decodes the images once into the uint8 cache (memory-mapped), and
``train_run``'s pipeline streams StarGAN's batches (16 x its critic steps at the profile's StarGAN
size). It reads one whole epoch, then times a few StarGAN training steps on the same batches.
Goal: peak resident memory at most 3 GB whatever N; input at least 10x the training speed.

    python -m genlab.tools.bench_input --n 200000 --root /tmp/celeba200k [--profile full] [--train-steps 2]
                                       [--render-size 128]

Results are printed and written to ``build/bench_input-<n>.json``.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from genlab.tools.bench import write_report


def memory_mib() -> dict:
    """Current and peak resident memory of this process (VmRSS, VmHWM), in MiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mib": fields.get("VmRSS"), "peak_rss_mib": fields.get("VmHWM")}


def _stage(report: dict, name: str, started: float, **values) -> None:
    report[name] = {"seconds": round(time.perf_counter() - started, 2), **values, **memory_mib()}
    print(f"{name}: {report[name]}", flush=True)


def run(n: int, root: Path, profile: str = "full", train_steps: int = 2, render_size: int = 128) -> dict:
    from genlab.data.synthetic.celeb import write_celeba_dataset

    report = {"n": n, "root": str(root), "profile": profile, "render_size": render_size, "cores": os.cpu_count(),
              "load_at_start": os.getloadavg()}
    started = time.perf_counter()
    write_celeba_dataset(root, n=n, seed=0, image_size=render_size, workers=2)  # cached: a second run skips it
    _stage(report, "render", started)

    from genlab.data import image_dataset
    from genlab.recipes import registry, sources
    from genlab.session import setup

    started = time.perf_counter()
    session = setup("hw3_3_style_transfer", profile, 0, str(root))
    _stage(report, "setup", started)
    started = time.perf_counter()
    images, _records = session.celeba_data()  # reads the table, fingerprints, decodes once into the cache
    _stage(report, "read_and_cache", started, images=len(images), image_size=images.shape[1],
           decode_images_per_s=round(len(images) / (time.perf_counter() - started), 1))
    spec = registry.get("stargan")
    train_x, train_c = sources.stargan_faces(session)
    batch = spec.batch_size * spec.hparams["n_critic"]
    dataset = image_dataset(train_x, train_c, batch_size=batch, value_range=spec.value_range, seed=0)
    started, seen = time.perf_counter(), 0
    for x, _ in dataset:  # one whole epoch: every page of the cache file is read once
        seen += int(x.shape[0])
    epoch = time.perf_counter() - started
    _stage(report, "stream_one_epoch", started, images=seen, batch=batch, input_images_per_s=round(seen / epoch, 1))
    if train_steps:
        report["train"] = train_speed(session, spec, dataset, train_steps, batch)
        report["input_over_training"] = round(report["stream_one_epoch"]["input_images_per_s"]
                                              / report["train"]["images_per_s"], 1)
    report["peak_rss_mib"] = memory_mib()["peak_rss_mib"]
    report["load_at_end"] = os.getloadavg()
    return report


def train_speed(session, spec, dataset, steps: int, batch: int) -> dict:
    """StarGAN training images/s at the session's profile, on the streamed batches (after one warm-up step)."""
    from genlab.train.devices import strategy_scope
    from genlab.train.driver import set_seed

    set_seed(0)
    with strategy_scope():
        model = spec.build(session.profile, 0, **spec.hparams)
    batches = dataset.repeat()
    model.fit(batches, epochs=1, steps_per_epoch=1, verbose=0, shuffle=False)  # traces the step
    started = time.perf_counter()
    model.fit(batches, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    seconds = time.perf_counter() - started
    result = {"steps": steps, "seconds_per_step": round(seconds / steps, 2), "images_per_s": round(steps * batch / seconds, 2),
              **memory_mib()}
    print(f"train: {result}", flush=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genlab.tools.bench_input", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="images in the CelebA-layout folder (up to 200,000+)")
    parser.add_argument("--root", default="", help="where the faces are rendered (default /tmp/celeba<N>)")
    parser.add_argument("--cache", default="", help="where the decoded uint8 cache goes (default <root>-cache)")
    parser.add_argument("--profile", default="full", help="whose StarGAN size and networks (full: 128 px)")
    parser.add_argument("--train-steps", type=int, default=2, help="StarGAN steps timed (0: input only)")
    parser.add_argument("--render-size", type=int, default=128,
                        help="side of the rendered faces (64 renders about 4x faster; the cache is at the profile's size)")
    args = parser.parse_args(argv)
    root = Path(args.root or f"/tmp/celeba{args.n}")
    os.environ["GENLAB_DATA"] = args.cache or f"{root}-cache"  # the cache stays beside the data, out of the repo
    report = run(args.n, root, args.profile, args.train_steps, args.render_size)
    out = write_report(report, f"bench_input-{args.n}.json")
    print(f"peak resident memory {report['peak_rss_mib']:.0f} MiB; written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
