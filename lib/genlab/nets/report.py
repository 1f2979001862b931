"""The DLCV hw4 networks, layer for layer as the report's printed Keras summaries.

=============================  ==================================================================
builder                        source (parameter count at the defaults)
=============================  ==================================================================
build_report_gan_generator     DLCV HW4 problem 2 printed summary: 18,876,163
build_report_gan_discriminator DLCV HW4 problem 2 printed summary: 6,354,305
build_acgan_generator          DLCV HW4 problem 3 printed summary: 23,896,835
build_acgan_discriminator      DLCV HW4 problem 3 printed summary: 6,358,401 + auxiliary head
build_vae                      DLCV HW4 problem 1 printed summary: 13,937,186 (encoder + decoder)
=============================  ==================================================================
"""
from __future__ import annotations

from typing import NamedTuple

import keras
from keras import layers

from genlab.nets.blocks import (
    AUX_HEAD_NAME,
    LATENT_DIM,
    count_params,
    divisible,
    image_output,
    leaky,
    scaled,
)


def build_report_gan_generator(latent_dim: int = LATENT_DIM, width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 2 generator: Dense to (s/16)^2 x 1024, BN, then
    [UpSampling2D, Conv2D 5x5, LeakyReLU, BN] x 3 (512, 256, 128), UpSampling2D, Conv2D 5x5
    to 3, tanh. 18,876,163 parameters at the defaults, as printed."""
    start = divisible(image_size, 16, "report GAN generator")
    top = scaled(1024, width)
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(start * start * top, name="project")(z)
    h = layers.Reshape((start, start, top), name="project_reshape")(h)
    h = layers.BatchNormalization(name="project_bn")(h)
    for i, filters in enumerate((512, 256, 128), start=1):
        h = layers.UpSampling2D(name=f"up{i}")(h)
        h = layers.Conv2D(scaled(filters, width), 5, padding="same", name=f"up{i}_conv")(h)
        h = leaky(f"up{i}_lrelu")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
    h = layers.UpSampling2D(name="up4")(h)
    h = layers.Conv2D(3, 5, padding="same", name="up4_conv")(h)
    return keras.Model(z, image_output(h), name="report_gan_generator")


def _report_discriminator_trunk(x, width: float, order: str, last_norm: bool):
    """3x3 stride-2 convs 128-128-256-512-1024, flattened.

    ``order`` is "lrelu_bn" (DLCV GAN: conv, LeakyReLU, BN) or "bn_lrelu" (DLCV ACGAN: conv,
    BN, LeakyReLU). The GAN omits BN after the last conv, the ACGAN keeps it.
    """
    filters_list = (128, 128, 256, 512, 1024)
    h = x
    for i, filters in enumerate(filters_list, start=1):
        h = layers.Conv2D(scaled(filters, width), 3, strides=2, padding="same", name=f"down{i}")(h)
        use_bn = last_norm or i < len(filters_list)
        if order == "bn_lrelu":
            h = layers.BatchNormalization(name=f"down{i}_bn")(h) if use_bn else h
            h = leaky(f"down{i}_lrelu")(h)
        else:
            h = leaky(f"down{i}_lrelu")(h)
            h = layers.BatchNormalization(name=f"down{i}_bn")(h) if use_bn else h
    return layers.Flatten(name="features")(h)


def build_report_gan_discriminator(width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 2 discriminator: [Conv2D 3x3 stride 2, LeakyReLU, BN] with 128, 128, 256,
    512, 1024 filters (no BN after the last), flatten, Dense(1) logit. 6,354,305 parameters."""
    divisible(image_size, 32, "report GAN discriminator")
    x = keras.Input((image_size, image_size, 3), name="image")
    features = _report_discriminator_trunk(x, width, order="lrelu_bn", last_norm=False)
    logit = layers.Dense(1, dtype="float32", name="logit")(features)
    return keras.Model(x, logit, name="report_gan_discriminator")


def build_acgan_generator(latent_dim: int = LATENT_DIM, n_labels: int = 1, width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 3 generator: inputs ``[z, label]`` concatenated, Dense to (s/8)^2 x 1024, BN,
    UpSampling2D + Conv2D 5x5 512 + BN + LeakyReLU, then [UpSampling2D, Conv2D 5x5, LeakyReLU,
    BN] for 256 and 128, and a 1x1 conv to 3 with tanh. 23,896,835 parameters as printed."""
    if n_labels < 1:
        raise ValueError(f"n_labels must be >= 1, got {n_labels}")
    start = divisible(image_size, 8, "ACGAN generator")
    top = scaled(1024, width)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((n_labels,), name="label")
    h = layers.Concatenate(name="z_label")([z, label])
    h = layers.Dense(start * start * top, name="project")(h)
    h = layers.Reshape((start, start, top), name="project_reshape")(h)
    h = layers.BatchNormalization(name="project_bn")(h)
    h = layers.UpSampling2D(name="up1")(h)
    h = layers.Conv2D(scaled(512, width), 5, padding="same", name="up1_conv")(h)
    h = layers.BatchNormalization(name="up1_bn")(h)
    h = leaky("up1_lrelu")(h)
    for i, filters in ((2, 256), (3, 128)):
        h = layers.UpSampling2D(name=f"up{i}")(h)
        h = layers.Conv2D(scaled(filters, width), 5, padding="same", name=f"up{i}_conv")(h)
        h = leaky(f"up{i}_lrelu")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
    h = layers.Conv2D(3, 1, name="to_rgb")(h)
    return keras.Model([z, label], image_output(h), name="acgan_generator")


def build_acgan_discriminator(n_classes: int = 1, width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 3 discriminator: [Conv2D 3x3 stride 2, BN, LeakyReLU] with 128, 128, 256,
    512, 1024 filters, flatten, Dense(1) logit (6,358,401 parameters, the printed part) plus
    the auxiliary head Dense(n_classes) named ``class_logits`` on the same features.
    Outputs ``[logit, class_logits]``."""
    if n_classes < 1:
        raise ValueError(f"n_classes must be >= 1, got {n_classes}")
    divisible(image_size, 32, "ACGAN discriminator")
    x = keras.Input((image_size, image_size, 3), name="image")
    features = _report_discriminator_trunk(x, width, order="bn_lrelu", last_norm=True)
    logit = layers.Dense(1, dtype="float32", name="logit")(features)
    class_logits = layers.Dense(n_classes, dtype="float32", name=AUX_HEAD_NAME)(features)
    return keras.Model(x, [logit, class_logits], name="acgan_discriminator")


class VAENetworks(NamedTuple):
    """The VAE's two halves; unpack as ``encoder, decoder = build_vae()``."""

    encoder: keras.Model
    decoder: keras.Model

    @property
    def params(self) -> int:
        """Total parameters of encoder and decoder (13,937,186 for the report VAE)."""
        return count_params(self)


def build_vae(latent_dim: int = 1024, image_size: int = 64, width: float = 1.0, dropout: float = 0.2) -> VAENetworks:
    """DLCV problem 1 VAE, 13,937,186 parameters at the defaults.

    Encoder: [Conv2D 4x4 stride 2, BN, LeakyReLU, Dropout] with 3, 64, 128, 256 filters,
    flatten, Dense 1024 + BN + ReLU, then Dense ``z_mean`` and Dense ``z_log_var``; outputs
    ``[z_mean, z_log_var]`` (the trainer samples z). Decoder: Dense 1024 + BN + LeakyReLU,
    Dense (s/16)^2 x 256 + BN + LeakyReLU, reshape, [UpSampling2D, Conv2D 4x4, BN, LeakyReLU,
    Dropout] with 256, 128, 64 filters, UpSampling2D, Conv2D 4x4 to 3, sigmoid.
    The first encoder conv keeps 3 filters (image channels) at any width; the report does
    not print the dropout rate.
    """
    start = divisible(image_size, 16, "VAE")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    hidden = scaled(1024, width)

    x = keras.Input((image_size, image_size, 3), name="image")
    h = x
    for i, filters in enumerate((3, scaled(64, width), scaled(128, width), scaled(256, width)), start=1):
        h = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"down{i}")(h)
        h = layers.BatchNormalization(name=f"down{i}_bn")(h)
        h = leaky(f"down{i}_lrelu")(h)
        h = layers.Dropout(dropout, name=f"down{i}_dropout")(h)
    h = layers.Flatten(name="features")(h)
    h = layers.Dense(hidden, name="hidden")(h)
    h = layers.BatchNormalization(name="hidden_bn")(h)
    h = layers.Activation("relu", name="hidden_relu")(h)
    z_mean = layers.Dense(latent_dim, dtype="float32", name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, dtype="float32", name="z_log_var")(h)
    encoder = keras.Model(x, [z_mean, z_log_var], name="vae_encoder")

    channels = scaled(256, width)
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(hidden, name="hidden")(z)
    h = layers.BatchNormalization(name="hidden_bn")(h)
    h = leaky("hidden_lrelu")(h)
    h = layers.Dense(start * start * channels, name="project")(h)
    h = layers.BatchNormalization(name="project_bn")(h)
    h = leaky("project_lrelu")(h)
    h = layers.Reshape((start, start, channels), name="project_reshape")(h)
    for i, filters in enumerate((256, 128, 64), start=1):
        h = layers.UpSampling2D(name=f"up{i}")(h)
        h = layers.Conv2D(scaled(filters, width), 4, padding="same", name=f"up{i}_conv")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
        h = leaky(f"up{i}_lrelu")(h)
        h = layers.Dropout(dropout, name=f"up{i}_dropout")(h)
    h = layers.UpSampling2D(name="up4")(h)
    h = layers.Conv2D(3, 4, padding="same", name="up4_conv")(h)
    decoder = keras.Model(z, image_output(h, "sigmoid"), name="vae_decoder")
    return VAENetworks(encoder, decoder)
