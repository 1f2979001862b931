"""The benchmark runs end to end at tiny sizes and reports well-formed, positive numbers."""
from __future__ import annotations

import math

import keras
import pytest

from genlab import nets as models
from genlab.tools import bench


def test_forward_flops_of_a_dense_and_a_conv_layer():
    x = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(4, 3, padding="same")(x)
    out = keras.layers.Dense(5)(keras.layers.Flatten()(h))
    model = keras.Model(x, out)
    assert bench.forward_flops(model) == 2 * 8 * 8 * 3 * 3 * 3 * 4 + 2 * 256 * 5


def test_dcgan_flops_grow_with_resolution():
    small = bench.forward_flops(models.build_dcgan_generator(100, 32, 32))
    large = bench.forward_flops(models.build_dcgan_generator(100, 64, 64))
    assert large > 4 * small


def test_quick_bench_reports_every_section():
    report = bench.run(quick=True, only=tuple(s for s in bench.SECTIONS if s != "step_times"))
    numbers = [report["matmul_gflops"]["float32"], report["matmul_gflops"]["bfloat16"],
               report["training"][0]["trainer_images_per_s"], report["training"][0]["plain_images_per_s"],
               *(row["speedup"] for row in report["mixed_precision"]), report["input"]["pipeline_images_per_s"],
               *report["mixed_precision_quality"]["fid"].values(), report["mixed_precision_quality"]["fid_floor"],
               *report["rendering"].values()]
    assert all(math.isfinite(v) and v > 0 for v in numbers)
    text = bench.format_report(report)
    assert "trainer img/s" in text and "matmul peak" in text and "rendering" in text
    assert [row["model"] for row in report["mixed_precision"]] == list(bench.MIXED_PRECISION_MODELS)
    assert "mixed precision (report_gan_cpu)" in text
    assert set(report["mixed_precision_quality"]["fid"]) == {"float32 seed 0", "mixed_bfloat16 seed 0"}
    assert "sample quality under mixed precision" in text
    # time to quality: a curve of detector hits for both generators, and the first time each reaches the target
    quality = report["time_to_quality"]
    assert quality["threads"] == "1" and quality["target_hits"] == 48
    curve = quality["runs"]["32x32"]["curve"]
    assert [row["step"] for row in curve] == [2, 4] and all(0 <= row["average"] <= 64 and 0 <= row["raw"] <= 64 for row in curve)
    assert curve[1]["seconds"] >= curve[0]["seconds"] > 0
    assert "time to 48/64 animeface hits" in text
    assert keras.mixed_precision.global_policy().name == "float32", "the bench must restore the policy"
    # the Explore sliders: a redraw time for the explored run, through the widget itself
    redraw = report["redraw"]["dcgan"]
    assert redraw["max_ms"] >= redraw["median_ms"] > 0 and "Explore sliders, ms per redraw" in text


def test_quick_bench_times_steps_on_one_thread_with_onednn_on_and_off():
    # its own test, so that pytest-xdist runs it beside the long one above
    report = bench.run(quick=True, only=("step_times",))
    for setting in ("oneDNN on", "oneDNN off"):
        (row,) = report["step_times"][setting]
        assert row["run"] == "dcgan" and row["seconds_per_step"] > 0 and row["runs"] == 1
        assert row["training_seconds"] == pytest.approx(row["seconds_per_step"] * row["profile_steps"])
    text = bench.format_report(report)
    assert "seconds per training step (float32, one thread)" in text and "oneDNN off: dcgan" in text


def test_step_times_count_the_runs_sharing_a_step_key_and_refuse_a_warmup_that_leaves_nothing_to_time():
    from genlab.recipes import registry
    from genlab.tools import bench_steps

    counts = bench_steps.runs_per_key()
    assert counts["tips"] == sum(spec.notebook == registry.TIPS_NB for spec in registry.SPECS) == 10
    assert counts["vae"] == 3 and counts["cgan"] == 3 and counts["dcgan"] == 1
    assert bench_steps.runs_per_key(("acgan_joint",))["cgan"] == 2  # a profile's left-out run costs nothing
    assert {registry.get(name).step_key for name in bench_steps.STEP_RUNS} == registry.step_keys()
    with pytest.raises(ValueError, match="multiple of warmup"):
        bench_steps.step_times("smoke", ("dcgan",), steps=10, warmup=10)
