"""Differentiable augmentation of D's inputs and the R1 penalty."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from genlab import train as T
from genlab.train import losses
from genlab.train.augment import augment, check
from tiny_models import LATENT_DIM, tiny_discriminator, tiny_generator, toy_images


@pytest.fixture
def gan():
    T.set_seed(0)
    model = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM, seed=3)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    return model


def test_translation_shifts_each_image_and_pads_with_zeros(gan):
    ramp = np.zeros((16, 8, 8, 3), "float32")
    ramp[..., 0] = np.arange(1, 9)[None, :, None]
    shifted = np.asarray(augment(tf.constant(ramp), gan, ("translation",)))[..., 0]
    assert shifted.shape == (16, 8, 8)
    for image in shifted:
        column = image[:, 4]  # a middle column: a shift of at most one column never empties it
        moved = column[column > 0]
        assert np.all(np.diff(moved) == 1), "rows keep their order"
        assert len(moved) >= 8 - 1 and (column == 0).sum() <= 1  # at most one row (1/8 of 8) shifted out
    assert len({tuple(image[:, 4]) for image in shifted}) > 1, "each image draws its own shift"


def test_cutout_zeros_a_square_of_half_the_side(gan):
    masked = np.asarray(augment(tf.ones((32, 16, 16, 3)), gan, ("cutout",)))
    zero_share = (masked[..., 0] == 0).mean(axis=(1, 2))
    assert zero_share.max() == pytest.approx(0.25, abs=0.02)  # an 8x8 hole inside the image
    assert zero_share.min() > 0.0 and np.isin(masked, (0.0, 1.0)).all()


def test_augmentations_pass_gradients_and_unknown_names_are_refused(gan):
    x = tf.constant(toy_images(8))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = augment(x, gan, check("color,translation,cutout"))
        total = tf.reduce_sum(y)
    assert y.shape == x.shape and tape.gradient(total, x) is not None
    assert not np.allclose(np.asarray(y), np.asarray(x))
    with pytest.raises(ValueError, match="unknown augmentation blur"):
        check("color,blur")


def test_r1_of_a_linear_critic_is_its_squared_weight_norm():
    w = tf.constant(np.random.default_rng(0).normal(size=(4 * 4 * 3,)).astype("float32"))
    critic = lambda x: tf.reduce_sum(tf.reshape(x, (tf.shape(x)[0], -1)) * w, axis=1, keepdims=True)
    value = losses.r1_penalty(critic, tf.constant(toy_images(5)))
    assert float(value) == pytest.approx(float(tf.reduce_sum(w * w)), rel=1e-5)


def test_a_gan_trains_with_augmented_inputs_and_r1(tmp_path):
    T.set_seed(0)
    gan = T.GAN(tiny_generator(), tiny_discriminator(), LATENT_DIM)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), augment="translation,cutout", r1_weight=1.0)
    data = tf.data.Dataset.from_tensor_slices(toy_images(64)).batch(16, drop_remainder=True)
    result = T.train(gan, data, steps=4, run_dir=tmp_path, log_every=2, tensorboard=False, verbose=0)
    assert "r1" in result.history and np.isfinite(result.history[["d_loss", "g_loss", "r1"]].to_numpy()).all()
