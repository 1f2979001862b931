"""Trainers, losses and the run driver: behaviour on tiny models."""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from genlab import train as T
from genlab.train import callbacks as C
from genlab.train import losses as L
from tiny_models import LATENT_DIM, tiny_discriminator, tiny_generator, toy_images

HERE = Path(__file__).parent


def adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def checkpoint_steps(directory) -> list[int]:
    """Steps of the checkpoints the run's CheckpointManager keeps, oldest first."""
    state = tf.train.get_checkpoint_state(str(directory))
    return [int(path.rsplit("-", 1)[1]) for path in state.all_model_checkpoint_paths] if state else []


def checkpoint_values(path) -> dict:
    reader = tf.train.load_checkpoint(str(path))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def toy_dataset(batch=16, n=128, labels=None, seed=0):
    images = toy_images(n, seed)
    data = images if labels is None else (images, labels[:n])
    return tf.data.Dataset.from_tensor_slices(data).shuffle(n, seed=seed).batch(batch, drop_remainder=True)


# -- losses: known values ---------------------------------------------------------------------


def test_nonsaturating_and_minimax_losses_at_uncertain_discriminator():
    zeros = tf.zeros((4, 1))
    nonsat = L.get_adversarial_loss("nonsaturating")
    assert float(nonsat.discriminator(zeros, zeros)) == pytest.approx(2 * math.log(2), rel=1e-6)
    assert float(nonsat.generator(zeros)) == pytest.approx(math.log(2), rel=1e-6)
    assert float(L.get_adversarial_loss("minimax").generator(zeros)) == pytest.approx(-math.log(2), rel=1e-6)


def test_wasserstein_lsgan_and_hinge_losses():
    real = tf.constant([[2.0], [4.0]])
    fake = tf.constant([[-1.0], [1.0]])
    w = L.get_adversarial_loss("wgan")
    assert float(w.discriminator(real, fake)) == pytest.approx(0.0 - 3.0)
    assert float(w.generator(fake)) == pytest.approx(0.0)
    ls = L.get_adversarial_loss("lsgan")
    assert float(ls.discriminator(real, fake)) == pytest.approx(0.5 * (1 + 9) / 2 + 0.5 * (1 + 1) / 2)
    assert float(ls.generator(fake)) == pytest.approx(0.5 * (4 + 0) / 2)
    hinge = L.get_adversarial_loss("hinge")
    assert float(hinge.discriminator(real, fake)) == pytest.approx(0.0 + (0.0 + 2.0) / 2)


def test_unknown_loss_lists_choices():
    with pytest.raises(ValueError, match="wgan-gp"):
        L.get_adversarial_loss("wassersteinish")


def test_gradient_penalty_of_linear_critic_is_closed_form():
    w = tf.constant([[3.0], [4.0]])  # ||w|| = 5
    critic = lambda x: tf.matmul(tf.reshape(x, (-1, 2)), w)
    real = tf.random.normal((8, 2))
    fake = tf.random.normal((8, 2))
    alpha = tf.random.uniform((8, 1))
    assert float(L.gradient_penalty(critic, real, fake, alpha)) == pytest.approx(16.0, rel=1e-4)


def test_kl_divergence_zero_for_standard_normal():
    assert np.allclose(L.kl_divergence(tf.zeros((3, 5)), tf.zeros((3, 5))).numpy(), 0.0)
    assert float(L.kl_divergence(tf.ones((1, 2)), tf.zeros((1, 2)))[0]) == pytest.approx(1.0)


# -- trainers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "wgan", "wgan-gp", "lsgan", "hinge"])
def test_every_loss_trains_and_logs_its_metrics(loss, tmp_path):
    T.set_seed(0)
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    n_critic = 2 if loss.startswith("wgan") else 1
    gan.compile(adam(), adam(), loss=loss, n_critic=n_critic, clip_value=0.02 if loss == "wgan" else None)
    result = T.train(gan, toy_dataset(16 * n_critic), steps=6, run_dir=tmp_path, log_every=3, tensorboard=False, verbose=0)
    history = result.history
    assert list(history["step"]) == [3, 6]
    expected = {"d_loss", "g_loss"} | ({"w_distance"} if loss.startswith("wgan") else {"d_real_acc", "d_fake_acc"})
    assert expected <= set(history.columns)
    assert np.isfinite(history[sorted(expected)].to_numpy()).all()
    assert int(gan.g_optimizer.iterations) == 6
    assert int(gan.d_optimizer.iterations) == 6 * n_critic


def test_wgan_clipping_keeps_every_critic_weight_in_range(tmp_path):
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(keras.optimizers.RMSprop(5e-2), keras.optimizers.RMSprop(5e-2), loss="wgan", clip_value=0.02)
    T.train(gan, toy_dataset(), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    biggest = max(float(np.abs(v.numpy()).max()) for v in gan.discriminator.trainable_variables)
    assert biggest <= 0.02 + 1e-7


def test_label_smoothing_and_noise_change_the_discriminator_targets():
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM, seed=1)
    gan.compile(adam(), adam(), loss="nonsaturating", label_smoothing=0.1)
    target = gan._targets(tf.zeros((1000, 1)), real=True).numpy()
    assert np.allclose(target, 0.9)
    gan.compile(adam(), adam(), loss="nonsaturating", label_noise=0.2)
    flipped = 1.0 - gan._targets(tf.zeros((1000, 1)), real=True).numpy()
    assert 0.15 < flipped.mean() < 0.25


def test_conditional_gan_feeds_labels_to_both_networks(tmp_path):
    labels = np.eye(3, dtype="float32")[np.arange(128) % 3]
    gan = T.GAN(tiny_generator(cond_dim=3), tiny_discriminator(cond_dim=3), LATENT_DIM, cond_dim=3)
    gan.compile(adam(), adam(), instance_noise=0.1)
    result = T.train(gan, toy_dataset(labels=labels), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    assert np.isfinite(result.history["g_loss"]).all()
    images = gan.generate(tf.zeros((2, LATENT_DIM)), tf.constant(labels[:2]))
    assert images.shape == (2, 4, 4, 3)


def test_acgan_reports_auxiliary_accuracy(tmp_path):
    labels = (np.arange(128) % 2).astype("float32")[:, None]
    gan = T.ACGAN(tiny_generator(cond_dim=1), tiny_discriminator(n_classes=1), LATENT_DIM, cond_dim=1)
    gan.compile(adam(), adam())
    result = T.train(gan, toy_dataset(labels=labels), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    for key in ("aux_loss", "aux_real_acc", "aux_fake_acc"):
        assert key in result.history and 0 <= result.history[key].iloc[-1] <= (1 if "acc" in key else 10)


def test_acgan_grouped_categorical_labels_score_each_group():
    # Two one-hot groups side by side (3 + 2 classes), as hair and eye colours are.
    gan = T.ACGAN(tiny_generator(cond_dim=5), tiny_discriminator(n_classes=5), LATENT_DIM, cond_dim=5,
                  label_kind="categorical", groups=(3, 2))
    labels = tf.constant([[1, 0, 0, 0, 1], [0, 0, 1, 1, 0]], tf.float32)
    logits = tf.constant([[5, 0, 0, 0, 5], [0, 5, 0, 5, 0]], tf.float32)  # second sample: first group wrong
    expected = sum(tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=l))
                   for l, y in ((logits[:, :3], labels[:, :3]), (logits[:, 3:], labels[:, 3:])))
    np.testing.assert_allclose(gan._aux_loss(logits, labels), expected, rtol=1e-6)
    assert float(gan._aux_accuracy(logits, labels)) == 0.5
    with pytest.raises(ValueError, match="sum to cond_dim"):
        T.ACGAN(tiny_generator(cond_dim=5), tiny_discriminator(n_classes=5), LATENT_DIM, cond_dim=5,
                label_kind="categorical", groups=(3, 3))


def test_infogan_q_head_learns_the_categorical_code(tmp_path):
    T.set_seed(0)
    gan = T.InfoGAN(tiny_generator(cond_dim=4 + 1), tiny_discriminator(q_dim=4 + 1), LATENT_DIM, n_categories=4, n_continuous=1)
    gan.compile(keras.optimizers.Adam(3e-3, beta_1=0.5), keras.optimizers.Adam(3e-3, beta_1=0.5))
    result = T.train(gan, toy_dataset(), steps=120, run_dir=tmp_path, log_every=40, tensorboard=False, verbose=0)
    # Q starts at chance (1/4) and must recover the code the generator was given.
    assert result.history["q_cat_acc"].iloc[-1] > 0.6
    assert result.history["info_loss"].iloc[-1] < result.history["info_loss"].iloc[0]


def test_vae_reduces_reconstruction_error(tmp_path):
    T.set_seed(0)
    x = keras.Input((4, 4, 3))
    h = keras.layers.Dense(8, activation="relu")(keras.layers.Flatten()(x))
    encoder = keras.Model(x, [keras.layers.Dense(2)(h), keras.layers.Dense(2)(h)])
    z = keras.Input((2,))
    decoder = keras.Model(z, keras.layers.Reshape((4, 4, 3))(keras.layers.Dense(48, activation="sigmoid")(z)))
    vae = T.VAE(encoder, decoder, kl_weight=1e-3)
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    images = (toy_images(128) + 1) / 2
    data = tf.data.Dataset.from_tensor_slices(images).shuffle(128, seed=0).batch(16, drop_remainder=True)
    result = T.train(vae, data, steps=80, run_dir=tmp_path, log_every=20, tensorboard=False, verbose=0)
    assert result.history["recon_mse"].iloc[-1] < 0.5 * result.history["recon_mse"].iloc[0]
    assert T.generate(vae.sampler, T.fixed_latent(3, vae.latent_dim, seed=0)).shape == (3, 4, 4, 3)


# -- run driver: snapshots, history, resume, divergence ---------------------------------------------


def test_snapshots_are_saved_at_the_requested_steps(tmp_path):
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(adam(), adam())
    z = T.fixed_latent(5, LATENT_DIM, seed=0)
    snap = C.SampleSnapshots(tmp_path, z, at_steps=[1, 4, 6])
    result = T.train(gan, toy_dataset(), steps=6, run_dir=tmp_path, log_every=2, callbacks=[snap], tensorboard=False, verbose=0)
    assert sorted(result.snapshots) == [1, 4, 6]
    assert result.snapshots[6].shape == (5, 4, 4, 3)
    assert not np.allclose(result.snapshots[1], result.snapshots[6])


def test_finished_run_is_not_retrained_and_a_resume_says_so(tmp_path, capsys):
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(adam(), adam())
    T.train(gan, toy_dataset(), steps=2, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    assert "resuming" not in capsys.readouterr().out
    T.train(gan, toy_dataset(), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    assert f"{tmp_path.name}: resuming from its checkpoint at step 2 of 4" in capsys.readouterr().out
    again = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    again.compile(adam(), adam())
    result = T.train(again, toy_dataset(), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    assert result.resumed_from == 4 and list(result.history["step"]) == [2, 4]
    assert "already trained, loaded its checkpoint at step 4" in capsys.readouterr().out
    for a, b in zip(gan.generator.weights, again.generator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("critic", ["plain", "spectral_norm"])
def test_killed_run_resumes_to_the_same_weights_as_an_uninterrupted_one(tmp_path, critic):
    worker = [sys.executable, str(HERE / "resume_worker.py")]
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    straight, interrupted = tmp_path / "straight", tmp_path / "interrupted"
    subprocess.run(worker + [str(straight), "0", critic], check=True, env=env, timeout=300)
    killed = subprocess.run(worker + [str(interrupted), "25", critic], env=env, timeout=300)
    assert killed.returncode == -9, "the worker should have been killed mid-run"
    assert checkpoint_steps(interrupted / "checkpoints") == [10, 20]
    subprocess.run(worker + [str(interrupted), "0", critic], check=True, env=env, timeout=300)

    final_a = checkpoint_values(straight / "checkpoints" / "ckpt-40")
    final_b = checkpoint_values(interrupted / "checkpoints" / "ckpt-40")
    assert sorted(final_a) == sorted(final_b)
    assert any("seed" in name for name in final_a), "the seed generator's state is checkpointed"
    assert any(name.startswith("generator_average") for name in final_a), "and so is the generator average"
    if critic == "spectral_norm":
        assert any("vector_u" in name for name in final_a), "and the power iteration's vectors"
    for key in final_a:
        if "save_counter" in key or "OBJECT_GRAPH" in key:
            continue
        np.testing.assert_allclose(final_a[key], final_b[key], rtol=1e-5, atol=1e-6, err_msg=key)
    history = pd.read_csv(interrupted / "history.csv")
    assert list(history["step"]) == list(range(5, 45, 5)), "resumed history must not repeat or skip intervals"


def test_divergence_stops_training_keeps_last_good_checkpoint_and_records_event(tmp_path):
    T.set_seed(0)
    gan = T.GAN(tiny_generator(batch_norm=False), tiny_discriminator(), LATENT_DIM)
    # An unclipped WGAN critic with a huge learning rate blows up within a few steps.
    gan.compile(keras.optimizers.SGD(1.0), keras.optimizers.SGD(1.0), loss="wgan")
    result = T.train(gan, toy_dataset(), steps=200, run_dir=tmp_path, log_every=2, checkpoint_every=2,
                     divergence_bound=1e3, tensorboard=False, verbose=0)
    assert result.diverged is not None, "the run should have diverged"
    step = result.diverged["step"]
    assert step < 200 and result.steps == step
    assert "diverged" in str(result.history["event"].dropna().iloc[-1])
    saved = checkpoint_steps(tmp_path / "checkpoints")
    assert all(s < step for s in saved)
    if saved:
        assert all(np.isfinite(v.numpy()).all() for v in gan.discriminator.weights)


def test_checkpoint_from_other_architecture_is_refused_with_a_clear_message(tmp_path):
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(adam(), adam())
    T.train(gan, toy_dataset(), steps=2, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    other = T.GAN(tiny_generator(batch_norm=False), tiny_discriminator(), LATENT_DIM)
    other.compile(adam(), adam())
    with pytest.raises(ValueError, match="different architecture"):
        T.train(other, toy_dataset(), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp"])
def test_one_step_under_mirrored_strategy_matches_the_single_device_step(loss):
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    out = subprocess.run([sys.executable, str(HERE / "mirrored_worker.py"), loss], env=env, timeout=300,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(line for line in out.stdout.splitlines() if line.startswith("MAXDIFF"))
    diff = float(line.split()[1])
    assert diff < 1e-5, line


def test_stargan_targets_make_hair_exclusive_and_flip_the_rest():
    domains = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")
    labels = np.array([[1, 0, 0, 1, 0], [0, 0, 0, 0, 1]], dtype="float32")
    targets = T.stargan_targets(labels, domains)
    assert len(targets) == 5
    np.testing.assert_array_equal(targets[1], [[0, 1, 0, 1, 0], [0, 1, 0, 0, 1]])
    np.testing.assert_array_equal(targets[0], [[1, 0, 0, 1, 0], [1, 0, 0, 0, 1]])
    np.testing.assert_array_equal(targets[3], [[1, 0, 0, 0, 0], [0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(targets[4], [[1, 0, 0, 1, 1], [0, 0, 0, 0, 0]])


def test_stargan_trainer_runs_critic_steps_and_learns_to_reconstruct(tmp_path):
    T.set_seed(0)
    n_domains = 2
    x = keras.Input((4, 4, 3))
    c = keras.Input((n_domains,))
    tiled = keras.layers.Lambda(lambda t: tf.tile(t[:, None, None, :], (1, 4, 4, 1)))(c)
    h = keras.layers.Concatenate()([x, tiled])
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(h)
    generator = keras.Model([x, c], keras.layers.Conv2D(3, 3, padding="same", activation="tanh")(h))
    xi = keras.Input((4, 4, 3))
    h = keras.layers.Conv2D(8, 3, strides=2, padding="same")(xi)
    h = keras.layers.LeakyReLU(negative_slope=0.01)(h)
    src = keras.layers.Conv2D(1, 3, padding="same")(h)
    cls = keras.layers.Flatten()(keras.layers.Conv2D(n_domains, 2)(h))
    discriminator = keras.Model(xi, [src, cls])
    model = T.StarGAN(generator, discriminator, n_domains)
    model.compile(keras.optimizers.Adam(1e-3, 0.5, 0.999), keras.optimizers.Adam(1e-3, 0.5, 0.999), n_critic=2)
    labels = (np.random.default_rng(0).uniform(size=(128, n_domains)) > 0.5).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((toy_images(128), labels)).shuffle(128, seed=0).batch(16 * 2, drop_remainder=True)
    result = T.train(model, data, steps=40, run_dir=tmp_path, log_every=10, tensorboard=False, verbose=0)
    history = result.history
    assert {"d_adv", "d_cls", "gp", "g_rec", "g_cls"} <= set(history.columns)
    assert int(model.d_optimizer.iterations) == 2 * int(model.g_optimizer.iterations) == 80
    assert history["g_rec"].iloc[-1] < history["g_rec"].iloc[0]
