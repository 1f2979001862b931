"""Tiny generator/discriminator pairs that train in milliseconds, for trainer tests."""
from __future__ import annotations

import keras
import numpy as np

IMAGE_SHAPE = (4, 4, 3)
LATENT_DIM = 8


def tiny_generator(cond_dim: int = 0, batch_norm: bool = True):
    z = keras.Input((LATENT_DIM,))
    inputs = [z]
    h = z
    if cond_dim:
        c = keras.Input((cond_dim,))
        inputs.append(c)
        h = keras.layers.Concatenate()([z, c])
    h = keras.layers.Dense(16)(h)
    if batch_norm:
        h = keras.layers.BatchNormalization()(h)
    h = keras.layers.ReLU()(h)
    h = keras.layers.Dense(int(np.prod(IMAGE_SHAPE)), activation="tanh")(h)
    out = keras.layers.Reshape(IMAGE_SHAPE)(h)
    return keras.Model(inputs if cond_dim else z, out)


def tiny_discriminator(cond_dim: int = 0, n_classes: int = 0, q_dim: int = 0, spectral_norm: bool = False):
    wrap = keras.layers.SpectralNormalization if spectral_norm else (lambda layer: layer)
    x = keras.Input(IMAGE_SHAPE)
    inputs = [x]
    h = keras.layers.Flatten()(x)
    if cond_dim:
        c = keras.Input((cond_dim,))
        inputs.append(c)
        h = keras.layers.Concatenate()([h, c])
    h = wrap(keras.layers.Dense(16))(h)
    h = keras.layers.LeakyReLU(negative_slope=0.2)(h)
    outputs = [wrap(keras.layers.Dense(1))(h)]
    if n_classes:
        outputs.append(keras.layers.Dense(n_classes)(h))
    if q_dim:
        outputs.append(keras.layers.Dense(q_dim)(h))
    return keras.Model(inputs if cond_dim else x, outputs if len(outputs) > 1 else outputs[0])


def toy_images(n: int = 256, seed: int = 0) -> np.ndarray:
    """Images whose pixels are a per-image brightness plus small noise, in [-1, 1]."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(-0.8, 0.8, (n, 1, 1, 1))
    return np.clip(level + 0.05 * rng.standard_normal((n, *IMAGE_SHAPE)), -1, 1).astype("float32")
