"""Training precision: where mixed_bfloat16 is chosen, and that every trainer runs under it."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from genlab import experiments as X
from genlab import hw3, runner
from genlab import models as M
from genlab import text_to_image as TTI
from genlab import training as T
from genlab.notebook import setup
from genlab.profiles import get_profile, native_bfloat16, resolve_precision

SMOKE = get_profile("smoke")
CPUINFO = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f {extra}\nbogomips\t: 4000\n"


@pytest.mark.parametrize("extra, native", [("avx512_bf16", True), ("amx_bf16 amx_tile", True), ("avx512_vnni", False)])
def test_native_bfloat16_reads_the_cpu_flags(extra, native):
    assert native_bfloat16(CPUINFO.format(extra=extra)) is native
    assert native_bfloat16("") is False


def test_cpu_profile_uses_bfloat16_only_where_the_cpu_has_it(monkeypatch):
    cpu = get_profile("cpu")
    monkeypatch.setattr("genlab.profiles.native_bfloat16", lambda cpuinfo=None: True)
    assert resolve_precision(cpu).mixed_precision is True
    assert resolve_precision(cpu).tag == "cpu-bf16"
    monkeypatch.setattr("genlab.profiles.native_bfloat16", lambda cpuinfo=None: False)
    assert resolve_precision(cpu).mixed_precision is False
    assert resolve_precision(cpu).tag == "cpu"
    # The smoke and full profiles stay in float32 unless asked.
    assert resolve_precision(SMOKE).mixed_precision is False
    assert resolve_precision(get_profile("full")).mixed_precision is False
    assert resolve_precision(SMOKE, "mixed_bfloat16").mixed_precision is True
    assert resolve_precision(cpu, "float32").mixed_precision is False


def test_precision_variable_is_read_and_bad_values_are_named(monkeypatch):
    monkeypatch.setenv("GENLAB_PRECISION", "mixed_bfloat16")
    assert resolve_precision(SMOKE).mixed_precision is True
    monkeypatch.setenv("GENLAB_PRECISION", "fp16")
    with pytest.raises(ValueError, match="GENLAB_PRECISION='fp16'.*auto, float32, mixed_bfloat16"):
        resolve_precision(SMOKE)


def test_setup_sets_the_policy_and_keeps_bfloat16_runs_apart(monkeypatch):
    monkeypatch.setenv("GENLAB_PRECISION", "mixed_bfloat16")
    try:
        bf16 = setup("hw4", "smoke", 0)
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    finally:
        monkeypatch.setenv("GENLAB_PRECISION", "float32")
        f32 = setup("hw4", "smoke", 0)
    assert keras.mixed_precision.global_policy().name == "float32"
    assert bf16.run_dir("gan") != f32.run_dir("gan")
    assert "smoke-bf16-seed0" in bf16.run_dir("gan").name and "smoke-seed0" in f32.run_dir("gan").name


def test_runner_refuses_an_unknown_precision(capsys):
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"], precision="half") == 2
    assert "choose one of auto, float32, mixed_bfloat16" in capsys.readouterr().err


# -- every trainer of the suite, built by the project's own builders, under mixed_bfloat16 ------


@pytest.fixture
def bfloat16_policy():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def _images(n=80, size=32):
    return np.random.default_rng(0).uniform(-1, 1, (n, size, size, 3)).astype("float32")


def _trainer(kind):
    """(compiled trainer, dataset) for one of the suite's trainers at smoke size."""
    p, batch = SMOKE, 8
    if kind in hw3.OBJECTIVES:
        n_critic = hw3.OBJECTIVES[kind].n_critic
        data = tf.data.Dataset.from_tensor_slices(_images()).batch(batch * n_critic, drop_remainder=True).repeat()
        return hw3.build_objective_gan(p, kind, seed=0), data
    if kind.startswith("tag_"):
        tags = np.eye(X.condition_dim("separate"), dtype="float32")[np.arange(80) % 12]
        tags[np.arange(80), 12 + np.arange(80) % 11] = 1.0
        gan = TTI.build_tag_gan(p, kind.removeprefix("tag_"), "separate", seed=0)
        return gan, tf.data.Dataset.from_tensor_slices((_images(), tags)).batch(batch, drop_remainder=True).repeat()
    if kind == "report_acgan":
        gen = M.build_acgan_generator(n_labels=1, width=p.width, image_size=32)
        gan = T.ACGAN(gen, M.build_acgan_discriminator(1, p.width, 32), 100, cond_dim=1, fake_aux_weight=0.0)
        gan.compile(X.adam(), X.adam())
        labels = (np.arange(80) % 2).astype("float32")[:, None]
        return gan, tf.data.Dataset.from_tensor_slices((_images(), labels)).batch(batch, drop_remainder=True).repeat()
    if kind == "infogan":
        gen = M.build_infogan_generator(16, 4, 1, 32, p.dcgan_filters)
        gan = T.InfoGAN(gen, M.build_infogan_discriminator(32, p.dcgan_filters, 4, 1), 16, 4, 1)
        gan.compile(X.adam(), X.adam())
        return gan, tf.data.Dataset.from_tensor_slices(_images()).batch(batch, drop_remainder=True).repeat()
    if kind == "vae":
        networks = M.build_vae(latent_dim=16, image_size=32, width=p.width)
        vae = T.VAE(networks.encoder, networks.decoder, kl_weight=1e-4)
        vae.compile(optimizer=keras.optimizers.Adam(1e-3))
        return vae, tf.data.Dataset.from_tensor_slices((_images() + 1) / 2).batch(batch, drop_remainder=True).repeat()
    if kind == "stargan":
        model = T.StarGAN(M.build_stargan_generator(32, 5, 8, 1), M.build_stargan_discriminator(32, 5, 8), 5)
        model.compile(keras.optimizers.Adam(1e-4, 0.5, 0.999), keras.optimizers.Adam(1e-4, 0.5, 0.999), n_critic=2)
        labels = (np.random.default_rng(1).uniform(size=(80, 5)) > 0.5).astype("float32")
        return model, tf.data.Dataset.from_tensor_slices((_images(), labels)).batch(batch * 2, drop_remainder=True).repeat()
    raise ValueError(kind)


@pytest.mark.parametrize("kind", [*hw3.OBJECTIVES, "tag_cgan", "tag_acgan", "report_acgan", "infogan", "vae", "stargan"])
def test_every_trainer_runs_under_mixed_bfloat16(kind, bfloat16_policy, tmp_path):
    model, data = _trainer(kind)
    result = T.train(model, data, steps=2, run_dir=tmp_path, log_every=1, tensorboard=False, verbose=0)
    assert list(result.history["step"]) == [1, 2]
    optimizer = getattr(model, "g_optimizer", None) or model.optimizer
    assert int(optimizer.iterations) == 2, "both steps must have trained"
    losses = result.history.drop(columns=["step", "seconds"], errors="ignore").to_numpy(dtype="float64")
    assert np.isfinite(losses).all(), result.history
    # Weights stay float32 (bfloat16 only computes); so do the images handed to evaluation.
    generator = getattr(model, "generator", None) or model.decoder
    assert {v.dtype for v in generator.trainable_variables} == {"float32"}
    assert generator.outputs[0].dtype == "float32"
