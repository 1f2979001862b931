"""Building blocks and conventions shared by every network builder (Keras 3 functional, channels-last).

- Generators end in ``tanh`` (images in [-1, 1]); the VAE decoder ends in ``sigmoid`` ([0, 1]).
- Discriminators and critics return LOGITS; the losses apply the sigmoid (so "WGAN removes
  the sigmoid" needs no builder change).
- Output layers run in float32, so the models work under
  ``keras.mixed_precision.set_global_policy("mixed_bfloat16")`` and still return float32.
- ``width`` multiplies the report networks' filter/unit counts and ``base_filters`` sets the
  DCGAN widths; ``image_size`` changes how many up/down-sampling stages there are.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import keras
from keras import layers

# The reports' generator noise: 100 values from N(0, I).
LATENT_DIM = 100
# Slope of every LeakyReLU in the GAN/VAE nets (the reports print the layer, not its slope).
LEAKY_SLOPE = 0.2
# Name of the ACGAN auxiliary head, so its parameters can be told apart from the printed D.
AUX_HEAD_NAME = "class_logits"


def count_params(model: keras.layers.Layer | Iterable[keras.layers.Layer]) -> int:
    """All weights (trainable and BatchNorm moving statistics), as Keras' summary prints them.

    Accepts one model or layer, or several (e.g. the VAE's encoder and decoder) and sums them.
    """
    if isinstance(model, keras.layers.Layer):
        return int(model.count_params())
    return sum(int(m.count_params()) for m in model)


def scaled(n: int, width: float) -> int:
    """``n`` filters scaled by ``width``, at least one."""
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    return max(1, round(n * width))


def stages(image_size: int, smallest: int, what: str) -> int:
    """How many factor-2 stages separate ``smallest`` from ``image_size`` (checked)."""
    stages = math.log2(image_size / smallest) if image_size > 0 else -1
    if stages < 1 or stages != int(stages):
        raise ValueError(f"{what}: image_size must be {smallest} times a power of two (>= {2 * smallest}), got {image_size}")
    return int(stages)


def divisible(image_size: int, factor: int, what: str) -> int:
    if image_size <= 0 or image_size % factor:
        raise ValueError(f"{what}: image_size must be a positive multiple of {factor}, got {image_size}")
    return image_size // factor


def tile(c, size: int, name: str):
    """Repeat a (B, D) condition over a size x size grid: (B, size, size, D)."""
    c = layers.Reshape((1, 1, c.shape[-1]), name=f"{name}_reshape")(c)
    return layers.UpSampling2D(size=size, name=f"{name}_tile")(c)


def norm(kind: str | None, name: str):
    """A normalization layer: 'batch', 'layer' (over H, W, C per sample) or 'instance'."""
    if kind == "batch":
        return layers.BatchNormalization(name=name)
    if kind == "layer":
        return layers.GroupNormalization(groups=1, epsilon=1e-5, name=name)
    if kind == "instance":
        return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    raise ValueError(f"unknown normalization {kind!r}")


def leaky(name: str, slope: float = LEAKY_SLOPE):
    return layers.LeakyReLU(negative_slope=slope, name=name)


def image_output(h, activation: str = "tanh"):
    """The float32 output activation every generator and decoder ends with."""
    return layers.Activation(activation, dtype="float32", name="generated_image")(h)


def check_non_negative(**values):
    for key, value in values.items():
        if value < 0:
            raise ValueError(f"{key} must be >= 0, got {value}")
