"""The generator average: decay from a half-life, the update rule, BatchNorm statistics, sampling and checkpoints."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from genlab import train as T
from genlab.train.average import GeneratorAverage, decay_for, recalibrate_batchnorm
from tiny_models import LATENT_DIM, tiny_discriminator, tiny_generator, toy_images


def adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def toy_dataset(n=128, batch=16):
    return tf.data.Dataset.from_tensor_slices(toy_images(n)).shuffle(n, seed=0).batch(batch, drop_remainder=True)


def test_decay_halves_an_old_weight_after_the_half_life():
    decay = decay_for(1000, 0.05)
    assert decay ** 50 == pytest.approx(0.5)
    assert decay_for(20_000, 0.05) > decay  # longer runs average over more steps
    with pytest.raises(ValueError, match="share of the run"):
        decay_for(1000, 0.0)


def test_update_moves_the_average_by_the_warmed_up_rate_and_treats_statistics_as_asked():
    T.set_seed(0)
    generator = tiny_generator()
    averaged, copied = GeneratorAverage(generator, 0.99), GeneratorAverage(generator, 0.99, statistics="copy")
    before = [np.asarray(w).copy() for w in averaged.network.weights]
    for w in generator.weights:
        w.assign(np.asarray(w) + 1.0)
    averaged.update(tf.constant(5))
    copied.update(tf.constant(5))
    rate = min(0.99, 6 / 15)  # (1 + t) / (10 + t) at t = 5: early steps follow the generator closely
    trainable = {id(w) for w in generator.trainable_weights}
    for old, avg, cop, w in zip(before, averaged.network.weights, copied.network.weights, generator.weights):
        np.testing.assert_allclose(np.asarray(avg), rate * old + (1 - rate) * np.asarray(w), rtol=1e-6, atol=1e-6)
        expected = rate * old + (1 - rate) * np.asarray(w) if id(w) in trainable else np.asarray(w)
        np.testing.assert_allclose(np.asarray(cop), expected, rtol=1e-6, atol=1e-6)
    assert any(id(w) not in trainable for w in generator.weights), "the tiny generator has BatchNorm statistics"


def test_recalibration_sets_batchnorm_statistics_to_the_mean_over_batches():
    x = keras.Input((2,))
    network = keras.Model(x, keras.layers.BatchNormalization()(x))
    network.trainable = False  # as the generator average is
    batches = [np.full((4, 2), float(i), "float32") + np.array([[0.0, 10.0]], "float32") for i in range(5)]
    recalibrate_batchnorm(network, lambda i: batches[i], n_batches=5)
    bn = network.layers[-1]
    np.testing.assert_allclose(np.asarray(bn.moving_mean), [2.0, 12.0], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(bn.moving_variance), [0.0, 0.0], atol=1e-6)
    assert bn.momentum == pytest.approx(0.99) and not bn.trainable, "the layer's own settings are restored"


def test_a_gan_with_an_average_samples_from_it_and_checkpoints_it(tmp_path):
    T.set_seed(0)
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(adam(), adam(), ema_decay=0.9)
    assert gan.sampler is gan.average.network and gan.sampler is not gan.generator
    assert "generator_average" in gan.checkpoint_objects()
    T.train(gan, toy_dataset(), steps=6, run_dir=tmp_path, log_every=3, tensorboard=False, verbose=0)
    z = T.fixed_latent(4, LATENT_DIM, seed=0)
    averaged, raw = T.generate(gan.sampler, z), T.generate(gan.generator, z)
    assert not np.allclose(averaged, raw), "six steps move the raw generator away from its average"
    # A fresh trainer restores the average from the checkpoint, not the raw weights.
    T.set_seed(1)
    again = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    again.compile(adam(), adam(), ema_decay=0.9)
    result = T.train(again, toy_dataset(), steps=6, run_dir=tmp_path, log_every=3, tensorboard=False, verbose=0)
    assert result.resumed_from == 6
    np.testing.assert_array_equal(T.generate(again.sampler, z), averaged)
    np.testing.assert_array_equal(T.generate(again.generator, z), raw)


def test_a_checkpoint_without_an_average_is_not_loaded_into_a_trainer_with_one(tmp_path):
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(adam(), adam())
    T.train(gan, toy_dataset(), steps=2, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    averaged = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    averaged.compile(adam(), adam(), ema_decay=0.9)
    with pytest.raises(ValueError, match="different architecture"):
        T.train(averaged, toy_dataset(), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)


def test_a_calibrated_average_samples_with_statistics_of_its_own_activations(tmp_path):
    T.set_seed(0)
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(adam(), adam(), ema_decay=0.9)
    gan.average.calibrate_with(lambda i: T.fixed_latent(32, LATENT_DIM, seed=100 + i), n_batches=4)
    T.train(gan, toy_dataset(), steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    sampler = gan.sampler
    assert sampler is not gan.average.network and gan.sampler is sampler, "calibrated once per generator step"
    for calibrated, averaged in zip(sampler.trainable_weights, gan.average.network.trainable_weights):
        np.testing.assert_array_equal(np.asarray(calibrated), np.asarray(averaged))  # same weights ...
    bn = next(layer for layer in sampler.layers if isinstance(layer, keras.layers.BatchNormalization))
    hidden = keras.Model(sampler.inputs[0], bn.input)
    expected = np.mean([np.asarray(hidden(T.fixed_latent(32, LATENT_DIM, seed=100 + i))).mean(axis=0) for i in range(4)], axis=0)
    np.testing.assert_allclose(np.asarray(bn.moving_mean), expected, rtol=1e-4, atol=1e-5)  # ... own statistics
