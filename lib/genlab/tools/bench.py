"""``make bench``: the project's speed figures in one run.

1. matmul peak (float32, bfloat16) measured on this machine;
2. GAN training images/s through the project's trainer vs a plain ``tf.function`` loop of
   the same models (Radford DCGAN 64x64, the report's GAN, the cpu profile's small DCGAN),
   with achieved FLOP/s against the measured peak;
3. the cpu profile's DCGAN and report GAN under ``mixed_bfloat16``: speed; and the DCGAN's FID
   after training under each policy (:mod:`genlab.tools.bench_quality`);
4. time to quality: one-thread seconds until the 3-1 DCGAN reaches the report's 48/64 animeface
   hits, generator average vs raw generator, at the cpu profile's size and at 32x32;
5. input pipeline and image decoding images/s;
6. synthetic rendering images/s (1 and 2 processes);
7. seconds per training step of every model the cpu profile trains, one thread, oneDNN on and off
   (:mod:`genlab.tools.bench_steps`), and the training seconds they add up to at the profile's steps;
8. the Explore sliders (``make lab``): milliseconds per redraw of four samples, for each explored
   run at the cpu profile's size (untrained weights: the same arithmetic as the trained ones).

    python -m genlab.tools.bench [--quick] [--only matmul,training,mixed,mixed_quality,time_to_quality,step_times,pipeline,rendering,redraw]

Results are printed and written to ``build/bench.json``.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from genlab.tools import bench_quality as Q
from genlab.tools import bench_steps as S

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SECTIONS = ("matmul", "training", "mixed", "mixed_quality", "time_to_quality", "step_times", "pipeline", "rendering",
            "redraw")
REDRAW_RUNS = ("dcgan", "acgan_separate", "vae_kl1e-4", "hw4_gan", "hw4_acgan", "hw4_infogan")  # the notebooks' explorers
# A GAN step per image: G forward for D's fake batch, G forward+backward for the G step
# (1 + 3 passes), D forward+backward on real and fake (2 x 3) plus D forward+backward in the G step (3).
GAN_STEP_FORMULA = "G_fwd * (1 + 3) + D_fwd * (3 * 2 + 3) per image"


def _timed(fn, seconds: float, min_calls: int = 3) -> tuple[int, float]:
    """Call ``fn`` repeatedly for about ``seconds``; returns (calls, elapsed)."""
    calls, start = 0, time.perf_counter()
    while calls < min_calls or time.perf_counter() - start < seconds:
        fn()
        calls += 1
    return calls, time.perf_counter() - start


def matmul_peak(dtype: str, n: int = 2048, seconds: float = 5.0) -> float:
    """Achieved GFLOP/s of an n x n matmul chain in a tf.function."""
    import tensorflow as tf

    a = tf.random.normal((n, n), dtype=tf.float32)
    a = tf.cast(a, dtype)

    @tf.function
    def chain():
        x = a
        for _ in range(4):
            x = tf.matmul(x, a) * tf.cast(1e-3, dtype)
        return tf.reduce_sum(tf.cast(x, tf.float32))

    chain().numpy()
    calls, elapsed = _timed(lambda: chain().numpy(), seconds)
    return calls * 4 * 2 * n**3 / elapsed / 1e9


def forward_flops(model) -> float:
    """Forward FLOPs per example from the layer shapes (conv, transposed conv, dense)."""
    import keras

    total = 0.0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, cin = layer.input.shape
            k = layer.kernel_size
            total += 2 * h * w * k[0] * k[1] * cin * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, cout = layer.output.shape
            k = layer.kernel_size
            total += 2 * h * w * k[0] * k[1] * layer.input.shape[-1] * cout
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return float(total)


def _models(kind: str):
    from genlab import nets as M

    if kind == "dcgan64":
        return M.build_dcgan_generator(M.LATENT_DIM, 64, 64), M.build_dcgan_discriminator(64, 64), 64
    if kind == "report_gan":
        return M.build_report_gan_generator(), M.build_report_gan_discriminator(), 64
    if kind == "dcgan32_cpu":
        return M.build_dcgan_generator(M.LATENT_DIM, 32, 32), M.build_dcgan_discriminator(32, 32), 32
    if kind == "report_gan_cpu":  # the cpu profile's report GAN: x0.25 width at 32x32
        return (M.build_report_gan_generator(width=0.25, image_size=32),
                M.build_report_gan_discriminator(width=0.25, image_size=32), 32)
    raise ValueError(kind)


def _plain_loop(generator, discriminator, batch):
    """The same GAN step written as a bare tf.function: the baseline the trainer must match."""
    import keras
    import tensorflow as tf

    from genlab.nets import LATENT_DIM

    d_opt, g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    bce = lambda t, l: tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=l))

    @tf.function
    def step(real):
        z = tf.random.normal((batch, LATENT_DIM))
        fake = generator(z, training=True)
        with tf.GradientTape() as tape:
            r, f = discriminator(real, training=True), discriminator(fake, training=True)
            d_loss = bce(tf.ones_like(r), r) + bce(tf.zeros_like(f), f)
        d_opt.apply_gradients(zip(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            f = discriminator(generator(tf.random.normal((batch, LATENT_DIM)), training=True), training=True)
            g_loss = bce(tf.ones_like(f), f)
        g_opt.apply_gradients(zip(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables))
        return d_loss + g_loss

    return step


def _batch_clock():
    """A Keras callback whose ``times`` records when each training batch ends."""
    import keras

    class BatchClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())

    return BatchClock()


def training_speed(kind: str, batch: int = 64, steps: int = 20, warmup: int = 3, rounds: int = 2) -> dict:
    """Steady-state images/s of the project's trainer (fit) and of the plain loop, and FLOP/s achieved.

    Both run the same models on the same batches; the trainer is timed between its first and
    last batch inside one ``fit`` (so ``fit``'s start-up is not counted, as the plain loop has
    none). The two alternate for ``rounds`` rounds and the best of each is kept, which damps
    the noise of a shared 2-core machine.
    """
    import keras
    import tensorflow as tf

    from genlab.nets import LATENT_DIM
    from genlab.train import GAN

    images = np.random.default_rng(0).uniform(-1, 1, (batch * 4, 64, 64, 3)).astype("float32")
    runs = {}
    for runner in ("trainer", "plain"):
        keras.utils.set_random_seed(0)
        generator, discriminator, size = _models(kind)
        data = tf.data.Dataset.from_tensor_slices(images[:, :size, :size]).batch(batch, drop_remainder=True).repeat().prefetch(2)
        if runner == "trainer":
            gan = GAN(generator, discriminator, LATENT_DIM)
            gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
            gan.fit(data, epochs=1, steps_per_epoch=warmup, verbose=0, shuffle=False)

            def measure(gan=gan, data=data):
                clock = _batch_clock()
                gan.fit(data, epochs=1, steps_per_epoch=steps + 1, verbose=0, shuffle=False, callbacks=[clock])
                return steps * batch / (clock.times[-1] - clock.times[0])
        else:
            step = _plain_loop(generator, discriminator, batch)
            iterator = iter(data)
            for _ in range(warmup):
                step(next(iterator)).numpy()

            def measure(step=step, iterator=iterator):
                start = time.perf_counter()
                for _ in range(steps):
                    loss = step(next(iterator))
                loss.numpy()
                return steps * batch / (time.perf_counter() - start)
        runs[runner] = measure
    results = {"trainer": 0.0, "plain": 0.0}
    for _ in range(rounds):
        for runner, measure in runs.items():
            results[runner] = max(results[runner], measure())
    flops = forward_flops(generator) * 4 + forward_flops(discriminator) * 9
    return {"model": kind, "trainer_images_per_s": results["trainer"], "plain_images_per_s": results["plain"],
            "ratio": results["trainer"] / results["plain"], "gflop_per_image": flops / 1e9,
            "trainer_gflops": flops * results["trainer"] / 1e9}


MIXED_PRECISION_MODELS = ("dcgan32_cpu", "report_gan_cpu")


def mixed_precision_speed(steps: int = 20, kinds=MIXED_PRECISION_MODELS) -> list[dict]:
    """Trainer images/s under float32 and mixed_bfloat16 for the cpu profile's small and larger GANs."""
    import keras

    rows = []
    for kind in kinds:
        float32 = training_speed(kind, steps=steps)["trainer_images_per_s"]
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        try:
            bf16 = training_speed(kind, steps=steps)["trainer_images_per_s"]
        finally:
            keras.mixed_precision.set_global_policy("float32")
        rows.append({"model": kind, "float32_images_per_s": float32, "mixed_bfloat16_images_per_s": bf16,
                     "speedup": bf16 / float32})
    return rows


def pipeline_speed(n: int = 4096, seconds: float = 3.0) -> dict:
    from PIL import Image

    from genlab.data import image_dataset, load_images

    images = np.random.default_rng(0).integers(0, 255, (n, 64, 64, 3), dtype=np.uint8)
    dataset = image_dataset(images, batch_size=64, repeat=True)
    iterator = iter(dataset)
    next(iterator)
    calls, elapsed = _timed(lambda: next(iterator), seconds)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(256):
            path = Path(tmp) / f"{i}.jpg"
            Image.fromarray(images[i]).save(path, quality=95)
            paths.append(path)
        start = time.perf_counter()
        load_images(paths, 64)
        decode = len(paths) / (time.perf_counter() - start)
    return {"pipeline_images_per_s": calls * 64 / elapsed, "jpeg_decode_images_per_s": decode}


def rendering_speed(n: int = 1000) -> dict:
    from genlab.data.synthetic.anime import render_anime_batch
    from genlab.data.synthetic.celeb import render_celeb_batch

    out = {}
    for name, fn in (("anime", render_anime_batch), ("celeb", render_celeb_batch)):
        for workers, count in ((1, n), (2, 4 * n)):
            start = time.perf_counter()
            fn(count, 0, 64, workers=workers)
            out[f"{name}_{workers}proc_images_per_s"] = count / (time.perf_counter() - start)
    return out


def redraw_speed(quick: bool = False, redraws: int = 20) -> dict:
    """Median milliseconds per :class:`~genlab.report.widgets.Explorer` redraw (4 samples), per explored run."""
    from genlab.profiles import get_profile
    from genlab.recipes import registry
    from genlab.report.widgets import Explorer

    profile = get_profile("smoke" if quick else "cpu")
    out = {}
    for name in REDRAW_RUNS[:1] if quick else REDRAW_RUNS:
        spec = registry.get(name)
        sampler = spec.build(profile, 0, **spec.hparams).sampler

        def draw(seed, sampler=sampler):
            rng = np.random.default_rng(seed)
            inputs = [rng.standard_normal((4, *x.shape[1:])).astype("float32") for x in sampler.inputs]
            return np.asarray(sampler(inputs if len(inputs) > 1 else inputs[0], training=False))

        explorer = Explorer(draw, seed=(0, 999))
        times = []
        for seed in range(1, (3 if quick else redraws) + 1):
            explorer.controls["seed"].value = seed
            times.append(explorer.seconds)
        out[name] = {"image_size": profile.image_size,
                     "median_ms": 1000 * float(np.median(times)), "max_ms": 1000 * float(np.max(times))}
    return out


def machine() -> dict:
    import keras
    import tensorflow as tf

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cpu": model, "cores": os.cpu_count(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "gpus": len(tf.config.list_physical_devices("GPU")), "date": datetime.date.today().isoformat()}


def run(quick: bool = False, only=SECTIONS) -> dict:
    report = {"machine": machine(), "formula": GAN_STEP_FORMULA}
    if "matmul" in only:
        seconds = 0.5 if quick else 5.0
        n = 256 if quick else 2048
        report["matmul_gflops"] = {"float32": matmul_peak("float32", n, seconds), "bfloat16": matmul_peak("bfloat16", n, seconds)}
    if "training" in only:
        kinds = ("dcgan32_cpu",) if quick else ("dcgan64", "report_gan", "dcgan32_cpu")
        report["training"] = [training_speed(k, steps=2 if quick else {"report_gan": 6, "dcgan64": 20}.get(k, 100),
                                             warmup=1 if quick else 3, rounds=1 if quick else 2)
                              for k in kinds]
        peak = report.get("matmul_gflops", {}).get("float32")
        for row in report["training"]:
            row["percent_of_float32_peak"] = 100 * row["trainer_gflops"] / peak if peak else None
    if "mixed" in only:
        report["mixed_precision"] = mixed_precision_speed(steps=2 if quick else 40)
    if "mixed_quality" in only:
        report["mixed_precision_quality"] = (Q.mixed_precision_quality(steps=2, seeds=(0,), profile="smoke") if quick
                                             else Q.mixed_precision_quality())
    if "time_to_quality" in only:
        report["time_to_quality"] = Q.one_thread(quick)
    if "step_times" in only:
        report["step_times"] = S.one_thread(quick)
    if "pipeline" in only:
        report["input"] = pipeline_speed(n=256 if quick else 4096, seconds=0.3 if quick else 3.0)
    if "rendering" in only:
        report["rendering"] = rendering_speed(n=20 if quick else 1000)
    if "redraw" in only:
        report["redraw"] = redraw_speed(quick)
    return report


def format_report(report: dict) -> str:
    m = report["machine"]
    lines = [f"genlab bench on {m['cpu']} ({m['cores']} cores, {m['gpus']} GPUs), TF {m['tensorflow']}, Keras {m['keras']}, {m['date']}"]
    if "matmul_gflops" in report:
        mm = report["matmul_gflops"]
        lines.append(f"matmul peak: float32 {mm['float32']:.0f} GFLOP/s, bfloat16 {mm['bfloat16']:.0f} GFLOP/s")
    if "training" in report:
        lines.append(f"GAN training, batch 64 (FLOPs per step: {report['formula']}):")
        lines.append(f"  {'model':<13}{'trainer img/s':>15}{'plain img/s':>13}{'ratio':>8}{'GFLOP/img':>11}{'% f32 peak':>12}")
        for r in report["training"]:
            pct = f"{r['percent_of_float32_peak']:.0f}%" if r.get("percent_of_float32_peak") else "-"
            lines.append(f"  {r['model']:<13}{r['trainer_images_per_s']:>15.1f}{r['plain_images_per_s']:>13.1f}"
                         f"{r['ratio']:>8.2f}{r['gflop_per_image']:>11.2f}{pct:>12}")
    if "mixed_precision" in report:
        for mp in report["mixed_precision"]:
            lines.append(f"mixed precision ({mp['model']}): float32 {mp['float32_images_per_s']:.0f} img/s, "
                         f"mixed_bfloat16 {mp['mixed_bfloat16_images_per_s']:.0f} img/s ({mp['speedup']:.2f}x)")
    if "mixed_precision_quality" in report:
        q = report["mixed_precision_quality"]
        lines.append(f"sample quality under mixed precision ({q['model']}, {q['steps']} steps; FID, real-vs-real floor "
                     f"{q['fid_floor']:.2f}): " + ", ".join(f"{k} {v:.1f}" for k, v in q["fid"].items()))
    if "time_to_quality" in report:
        lines.append(Q.format_time_to_quality(report["time_to_quality"]))
    if "step_times" in report:
        lines.append(S.format_step_times(report["step_times"]))
    if "input" in report:
        i = report["input"]
        lines.append(f"input pipeline: {i['pipeline_images_per_s']:.0f} img/s (in-memory uint8 -> batches); "
                     f"JPEG decode + resize: {i['jpeg_decode_images_per_s']:.0f} img/s")
    if "rendering" in report:
        lines.append("synthetic rendering (64x64): " + ", ".join(f"{k.replace('_images_per_s', '')} {v:.0f} img/s"
                                                             for k, v in report["rendering"].items()))
    if "redraw" in report:
        lines.append("Explore sliders, ms per redraw of 4 samples (median / max): " + ", ".join(
            f"{name} at {r['image_size']}px {r['median_ms']:.0f} / {r['max_ms']:.0f}" for name, r in report["redraw"].items()))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genlab.tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and durations (for tests)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    args = parser.parse_args(argv)
    report = run(args.quick, tuple(s.strip() for s in args.only.split(",")))
    print(format_report(report))
    print(f"written to {write_report(report, 'bench.json')}")
    return 0


def write_report(report: dict, name: str) -> Path:
    """``build/<name>``: a benchmark's results as JSON."""
    from genlab import paths

    out = paths.project_root() / "build" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
