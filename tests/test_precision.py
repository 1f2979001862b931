"""Training precision: where mixed_bfloat16 is chosen, and that every trainer runs under it."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from genlab import precision
from genlab import train as T
from genlab.data.tags import tag_conditions
from genlab.precision import native_bfloat16
from genlab.profiles import get_profile, resolve_precision
from genlab.recipes import registry
from genlab.session import setup
from genlab.tools import runner

SMOKE = get_profile("smoke")
CPUINFO = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f {extra}\nbogomips\t: 4000\n"


@pytest.mark.parametrize("extra, native", [("avx512_bf16", True), ("amx_bf16 amx_tile", True), ("avx512_vnni", False)])
def test_native_bfloat16_reads_the_cpu_flags(extra, native):
    assert native_bfloat16(CPUINFO.format(extra=extra)) is native
    assert native_bfloat16("") is False


def test_cpu_profile_uses_bfloat16_only_where_it_measures_faster(monkeypatch):
    cpu = get_profile("cpu")
    monkeypatch.setattr("genlab.profiles.bfloat16_pays", lambda cpuinfo=None: True)
    assert resolve_precision(cpu).mixed_precision is True
    assert resolve_precision(cpu).tag == "cpu-bf16"
    monkeypatch.setattr("genlab.profiles.bfloat16_pays", lambda cpuinfo=None: False)
    assert resolve_precision(cpu).mixed_precision is False
    assert resolve_precision(cpu).tag == "cpu"
    # The smoke and full profiles stay in float32 unless asked.
    assert resolve_precision(SMOKE).mixed_precision is False
    assert resolve_precision(get_profile("full")).mixed_precision is False
    assert resolve_precision(SMOKE, "mixed_bfloat16").mixed_precision is True
    assert resolve_precision(cpu, "float32").mixed_precision is False


def test_bfloat16_is_measured_once_per_cpu_and_never_where_it_is_emulated(monkeypatch):
    calls = []
    monkeypatch.setattr(precision, "measure_bfloat16_speedup", lambda: calls.append(1) or 0.55)
    with_bf16, without = CPUINFO.format(extra="avx512_bf16"), CPUINFO.format(extra="avx512_vnni")
    assert precision.bfloat16_pays(without) is False and calls == []  # emulated: not even measured
    assert precision.bfloat16_pays(with_bf16) is False and calls == [1]  # the flag, but slower (Intel Xeon here)
    assert precision.bfloat16_pays(with_bf16) is False and calls == [1]  # the cached answer
    monkeypatch.setattr(precision, "measure_bfloat16_speedup", lambda: 2.0)
    other_cpu = with_bf16.replace("avx2", "avx2 amx_bf16")
    assert precision.bfloat16_pays(other_cpu) is True  # another CPU kind, measured faster (AMD EPYC Zen 4)


def test_the_speed_probe_returns_a_ratio():
    assert 0.05 < precision.measure_bfloat16_speedup(n=64, repeats=2) < 20


def test_precision_variable_is_read_and_bad_values_are_named(monkeypatch):
    monkeypatch.setenv("GENLAB_PRECISION", "mixed_bfloat16")
    assert resolve_precision(SMOKE).mixed_precision is True
    monkeypatch.setenv("GENLAB_PRECISION", "fp16")
    with pytest.raises(ValueError, match="GENLAB_PRECISION='fp16'.*auto, float32, mixed_bfloat16"):
        resolve_precision(SMOKE)


def test_setup_sets_the_policy_and_keeps_bfloat16_runs_apart(monkeypatch):
    monkeypatch.setenv("GENLAB_PRECISION", "mixed_bfloat16")
    try:
        bf16 = setup("hw4_2_gan", "smoke", 0)
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    finally:
        monkeypatch.setenv("GENLAB_PRECISION", "float32")
        f32 = setup("hw4_2_gan", "smoke", 0)
    assert keras.mixed_precision.global_policy().name == "float32"
    assert bf16.run_dir("hw4_gan") != f32.run_dir("hw4_gan")
    assert "smoke-bf16-seed0" in bf16.run_dir("hw4_gan").name and "smoke-seed0" in f32.run_dir("hw4_gan").name


def test_runner_refuses_an_unknown_precision(capsys):
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"], precision="half") == 2
    assert "choose one of auto, float32, mixed_bfloat16" in capsys.readouterr().err


# -- every trainer of the suite, built by the project's own builders, under mixed_bfloat16 ------


@pytest.fixture
def bfloat16_policy():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def _conditions(spec, n):
    """Conditions shaped as the run's data source gives them."""
    if "encoding" in spec.hparams:
        return tag_conditions(np.arange(n) % 12, np.arange(n) % 11, spec.hparams["encoding"])
    if spec.name == "hw4_acgan":
        return (np.arange(n) % 2).astype("float32")[:, None]
    if spec.name == "stargan":
        return (np.random.default_rng(1).uniform(size=(n, spec.hparams["n_domains"])) > 0.5).astype("float32")
    return None


def _trainer(name):
    """(compiled trainer, dataset) for one registry run at smoke size, on random images."""
    spec, batch = registry.get(name), 8
    model = spec.build(SMOKE, 0, **spec.hparams)
    size = SMOKE.stargan_image_size if name == "stargan" else SMOKE.image_size
    n = 80
    low, high = spec.value_range
    images = np.random.default_rng(0).uniform(low, high, (n, size, size, 3)).astype("float32")
    conditions = _conditions(spec, n)
    elements = images if conditions is None else (images, conditions)
    per_step = batch * getattr(model, "n_critic", 1)
    return model, tf.data.Dataset.from_tensor_slices(elements).batch(per_step, drop_remainder=True).repeat()


# one run of each builder and objective
TRAINERS = ("dcgan", "wgan", "wgan_gp", "lsgan", "tips_baseline", "cgan_joint", "acgan_separate", "hw4_gan",
            "hw4_acgan", "hw4_infogan", "vae_kl1e-4", "stargan")


def test_the_bfloat16_check_covers_every_builder():
    assert {registry.get(name).build for name in TRAINERS} == {spec.build for spec in registry.SPECS}


@pytest.mark.parametrize("kind", TRAINERS)
def test_every_trainer_runs_under_mixed_bfloat16(kind, bfloat16_policy, tmp_path):
    model, data = _trainer(kind)
    result = T.train(model, data, steps=2, run_dir=tmp_path, log_every=1, tensorboard=False, verbose=0)
    assert list(result.history["step"]) == [1, 2]
    optimizer = getattr(model, "g_optimizer", None) or model.optimizer
    assert int(optimizer.iterations) == 2, "both steps must have trained"
    losses = result.history.drop(columns=["step", "seconds"], errors="ignore").to_numpy(dtype="float64")
    assert np.isfinite(losses).all(), result.history
    # Weights stay float32 (bfloat16 only computes); so do the images handed to evaluation.
    assert {v.dtype for v in model.sampler.trainable_variables} == {"float32"}
    assert model.sampler.outputs[0].dtype == "float32"
