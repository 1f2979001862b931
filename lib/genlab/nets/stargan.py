"""StarGAN (MLDS 3-3; Choi et al. 2018), layer for layer as yunjey/stargan.

build_stargan_generator: 8,430,528 parameters, build_stargan_discriminator (PatchGAN): 44,762,048,
at the paper configuration, as in PyTorch.
"""
from __future__ import annotations

import keras
from keras import layers

from genlab.nets.blocks import check_non_negative, divisible, image_output, leaky, norm, stages, tile

# StarGAN's official discriminator uses a much smaller LeakyReLU slope.
STARGAN_LEAKY_SLOPE = 0.01
# The attention mask starts at sigmoid(3) = 0.95 everywhere, so training starts from the plain translation
# (seed 0, 32 px, 2,400 updates: mean target accuracy 85.7% against 82.2% from a mask starting at 1/2).
MASK_START_LOGIT = 3.0


def _instance_norm_relu(h, name: str):
    h = norm("instance", f"{name}_in")(h)
    return layers.ReLU(name=f"{name}_relu")(h)


@keras.saving.register_keras_serializable(package="genlab")
class AttentionBlend(layers.Layer):
    """From 4-channel logits and the input image: ``mask * tanh(logits[:3]) + (1 - mask) * image`` with
    ``mask = sigmoid(logits[3])``; where the mask is 0 the input image passes unchanged."""

    def call(self, inputs):
        logits, image = inputs
        logits = keras.ops.cast(logits, self.compute_dtype)
        mask = keras.ops.sigmoid(logits[..., 3:])
        return mask * keras.ops.tanh(logits[..., :3]) + (1.0 - mask) * image


def build_stargan_generator(image_size: int = 128, n_domains: int = 5, conv_dim: int = 64, n_res: int = 6,
                            attention_mask: bool = False) -> keras.Model:
    """StarGAN generator: inputs ``[x, c]``; c is tiled to HxW and concatenated with x.

    Conv 7x7 (conv_dim) + IN + ReLU; two Conv 4x4 stride 2 (x2 filters each) + IN + ReLU;
    ``n_res`` residual blocks (Conv3x3-IN-ReLU-Conv3x3-IN + skip); two ConvTranspose 4x4
    stride 2 + IN + ReLU; Conv 7x7 to 3, tanh. Convs have no bias (IN follows), IN has
    affine parameters: 8,430,528 parameters at the paper configuration, as in PyTorch.

    ``attention_mask`` (not in the paper; the attention of GANimation, Pumarola et al. 2018, without
    its mask penalty) gives the last Conv 7x7 a fourth channel and a bias, the mask's logit: the output is
    ``mask * translation + (1 - mask) * x``, so what the mask leaves alone keeps the input's pixels. The mask
    starts near 1 (``MASK_START_LOGIT``). One channel more costs 3% of a training step (a separate float32
    Conv 7x7 for the mask cost 23%).
    """
    divisible(image_size, 4, "StarGAN generator")
    if n_domains < 1:
        raise ValueError(f"n_domains must be >= 1, got {n_domains}")
    check_non_negative(n_res=n_res)
    x = keras.Input((image_size, image_size, 3), name="image")
    c = keras.Input((n_domains,), name="target_domain")
    h = layers.Concatenate(name="image_domain")([x, tile(c, image_size, "domain")])
    h = layers.Conv2D(conv_dim, 7, padding="same", use_bias=False, name="stem")(h)
    h = _instance_norm_relu(h, "stem")
    filters = conv_dim
    for i in (1, 2):
        filters *= 2
        h = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=False, name=f"down{i}")(h)
        h = _instance_norm_relu(h, f"down{i}")
    for i in range(1, n_res + 1):
        r = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"res{i}_conv1")(h)
        r = _instance_norm_relu(r, f"res{i}_1")
        r = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"res{i}_conv2")(r)
        r = norm("instance", f"res{i}_2_in")(r)
        h = layers.Add(name=f"res{i}")([h, r])
    for i in (1, 2):
        filters //= 2
        h = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, name=f"up{i}")(h)
        h = _instance_norm_relu(h, f"up{i}")
    if not attention_mask:
        h = layers.Conv2D(3, 7, padding="same", use_bias=False, name="to_rgb")(h)
        return keras.Model([x, c], image_output(h), name="stargan_generator")
    start = keras.initializers.Constant([0.0, 0.0, 0.0, MASK_START_LOGIT])
    h = layers.Conv2D(4, 7, padding="same", bias_initializer=start, name="to_rgb_and_mask")(h)
    return keras.Model([x, c], AttentionBlend(dtype="float32", name="generated_image")([h, x]),
                       name="stargan_generator")


def build_stargan_discriminator(
    image_size: int = 128, n_domains: int = 5, conv_dim: int = 64, n_strided: int | None = None
) -> keras.Model:
    """StarGAN PatchGAN discriminator: [Conv 4x4 stride 2 + LeakyReLU(0.01)] x ``n_strided``
    (filters doubling from conv_dim), then two bias-free heads: ``src`` Conv 3x3 to 1 channel
    (patch logits, (B, s', s', 1)) and ``cls`` Conv with kernel = the remaining spatial size to
    ``n_domains`` (logits, (B, n_domains)). Outputs ``[src, cls]``.

    ``n_strided`` defaults to log2(image_size) - 1 (6 at 128 px, the paper), leaving a 2x2
    map. 44,762,048 parameters at the paper configuration, as in PyTorch.
    """
    if n_domains < 1:
        raise ValueError(f"n_domains must be >= 1, got {n_domains}")
    if n_strided is None:
        n_strided = stages(image_size, 2, "StarGAN discriminator")
    if n_strided < 1 or image_size % 2**n_strided:
        raise ValueError(f"StarGAN discriminator: image_size {image_size} cannot be halved {n_strided} times")
    x = keras.Input((image_size, image_size, 3), name="image")
    h = x
    filters = conv_dim
    for i in range(1, n_strided + 1):
        h = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"down{i}")(h)
        h = leaky(f"down{i}_lrelu", STARGAN_LEAKY_SLOPE)(h)
        filters *= 2
    remaining = image_size // 2**n_strided
    src = layers.Conv2D(1, 3, padding="same", use_bias=False, dtype="float32", name="src")(h)
    cls = layers.Conv2D(n_domains, remaining, use_bias=False, dtype="float32", name="cls_map")(h)
    cls = layers.Reshape((n_domains,), dtype="float32", name="cls")(cls)
    return keras.Model(x, [src, cls], name="stargan_discriminator")
