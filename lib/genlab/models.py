"""Network builders for every model in the two reports (Keras 3 functional, channels-last).

Conventions shared by all builders:

- Generators end in ``tanh`` (images in [-1, 1]); the VAE decoder ends in ``sigmoid``
  ([0, 1]) as in the DLCV report.
- Discriminators and critics return LOGITS; the losses apply the sigmoid (so "WGAN removes
  the sigmoid" needs no builder change).
- Output layers run in float32, so the models work under
  ``keras.mixed_precision.set_global_policy("mixed_bfloat16")`` and still return float32.
- ``width`` multiplies the report networks' filter/unit counts and ``base_filters`` sets the
  DCGAN widths; ``image_size`` (32 or 64, 128 for StarGAN) changes how many up/down-sampling
  stages there are. The defaults are the report configurations.

Where each builder comes from:

=============================  ===================================================================
builder                        source (parameter count at the defaults)
=============================  ===================================================================
build_dcgan_generator          MLDS HW3 3-1/3-2 "DCGAN" (Radford et al. 2016): 3,578,627
build_dcgan_discriminator      MLDS HW3 3-1/3-2/WGAN: 2,767,425; text condition enters near the end
build_report_gan_generator     DLCV HW4 problem 2 printed summary: 18,876,163
build_report_gan_discriminator DLCV HW4 problem 2 printed summary: 6,354,305
build_acgan_generator          DLCV HW4 problem 3 printed summary: 23,896,835
build_acgan_discriminator      DLCV HW4 problem 3 printed summary: 6,358,401 + auxiliary head
build_vae                      DLCV HW4 problem 1 printed summary: 13,937,186 (encoder + decoder)
build_mlp_generator            MLDS HW3 "training tips" torchsummary: 3,335,552
build_mlp_discriminator        MLDS HW3 "training tips" (D not printed; a small MLP)
build_stargan_generator        MLDS HW3 3-3 via yunjey/stargan (Choi et al. 2018): 8,430,528
build_stargan_discriminator    MLDS HW3 3-3 via yunjey/stargan, PatchGAN: 44,762,048
build_infogan_generator        DLCV HW4 bonus (Chen et al. 2016), DCGAN G with a code input
build_infogan_discriminator    DLCV HW4 bonus, DCGAN D with a Q head
=============================  ===================================================================
"""
from __future__ import annotations

import math
from typing import Iterable, NamedTuple

import keras
from keras import layers

# Slope of every LeakyReLU in the GAN/VAE nets (the reports print the layer, not its slope).
LEAKY_SLOPE = 0.2
# StarGAN's official discriminator uses a much smaller slope.
STARGAN_LEAKY_SLOPE = 0.01
# Name of the ACGAN auxiliary head, so its parameters can be told apart from the printed D.
AUX_HEAD_NAME = "class_logits"


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------
def count_params(model: keras.layers.Layer | Iterable[keras.layers.Layer]) -> int:
    """All weights (trainable and BatchNorm moving statistics), as Keras' summary prints them.

    Accepts one model or layer, or several (e.g. the VAE's encoder and decoder) and sums them.
    """
    if isinstance(model, keras.layers.Layer):
        return int(model.count_params())
    return sum(int(m.count_params()) for m in model)


def _scaled(n: int, width: float) -> int:
    """``n`` filters scaled by ``width``, at least one."""
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    return max(1, int(round(n * width)))


def _stages(image_size: int, smallest: int, what: str) -> int:
    """How many factor-2 stages separate ``smallest`` from ``image_size`` (checked)."""
    stages = math.log2(image_size / smallest) if image_size > 0 else -1
    if stages < 1 or stages != int(stages):
        raise ValueError(f"{what}: image_size must be {smallest} times a power of two (>= {2 * smallest}), got {image_size}")
    return int(stages)


def _divisible(image_size: int, factor: int, what: str) -> int:
    if image_size <= 0 or image_size % factor:
        raise ValueError(f"{what}: image_size must be a positive multiple of {factor}, got {image_size}")
    return image_size // factor


def _tile(c, size: int, name: str):
    """Repeat a (B, D) condition over a size x size grid: (B, size, size, D)."""
    c = layers.Reshape((1, 1, c.shape[-1]), name=f"{name}_reshape")(c)
    return layers.UpSampling2D(size=size, name=f"{name}_tile")(c)


def _norm(kind: str | None, name: str):
    """A normalization layer: 'batch', 'layer' (over H, W, C per sample) or 'instance'."""
    if kind == "batch":
        return layers.BatchNormalization(name=name)
    if kind == "layer":
        return layers.GroupNormalization(groups=1, epsilon=1e-5, name=name)
    if kind == "instance":
        return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    raise ValueError(f"unknown normalization {kind!r}")


def _leaky(name: str, slope: float = LEAKY_SLOPE):
    return layers.LeakyReLU(negative_slope=slope, name=name)


def _image_output(h, activation: str = "tanh"):
    """The float32 output activation every generator and decoder ends with."""
    return layers.Activation(activation, dtype="float32", name="generated_image")(h)


def _check_non_negative(**values):
    for key, value in values.items():
        if value < 0:
            raise ValueError(f"{key} must be >= 0, got {value}")


# ----------------------------------------------------------------------------------------
# DCGAN (MLDS 3-1, 3-2, WGAN comparison) and InfoGAN (DLCV bonus)
# ----------------------------------------------------------------------------------------
def build_dcgan_generator(
    latent_dim: int = 100, image_size: int = 64, base_filters: int = 64, cond_dim: int = 0, *, name: str = "dcgan_generator"
) -> keras.Model:
    """Radford DCGAN generator: z (and condition c) -> 4x4x(8*base at 64 px) -> image.

    Dense to 4x4, then ConvTranspose 4x4 stride 2 + BatchNorm + ReLU, halving the filters at
    each doubling, down to ``base_filters`` before the last ConvTranspose to 3 channels and
    tanh. With ``cond_dim > 0`` the inputs are ``[z, c]`` (c float, shape (B, cond_dim)),
    concatenated before the first layer.
    """
    _check_non_negative(cond_dim=cond_dim)
    n_up = _stages(image_size, 4, "DCGAN generator")
    z = keras.Input((latent_dim,), name="z")
    inputs = [z]
    h = z
    if cond_dim:
        c = keras.Input((cond_dim,), name="condition")
        inputs.append(c)
        h = layers.Concatenate(name="z_condition")([z, c])
    filters = base_filters * 2 ** (n_up - 1)
    h = layers.Dense(4 * 4 * filters, use_bias=False, name="project")(h)
    h = layers.Reshape((4, 4, filters), name="project_reshape")(h)
    h = layers.BatchNormalization(name="project_bn")(h)
    h = layers.ReLU(name="project_relu")(h)
    for i in range(1, n_up):
        filters //= 2
        h = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, name=f"up{i}")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
        h = layers.ReLU(name=f"up{i}_relu")(h)
    h = layers.Conv2DTranspose(3, 4, strides=2, padding="same", name=f"up{n_up}")(h)
    return keras.Model(inputs if cond_dim else z, _image_output(h), name=name)


def build_dcgan_discriminator(
    image_size: int = 64,
    base_filters: int = 64,
    cond_dim: int = 0,
    n_classes: int = 0,
    batch_norm: bool = True,
    q_dim: int = 0,
    layer_norm: bool = False,
    *,
    name: str = "dcgan_discriminator",
) -> keras.Model:
    """Radford DCGAN discriminator: strided 4x4 convs + LeakyReLU(0.2) down to 4x4, then a logit.

    BatchNorm follows every conv but the first; ``batch_norm=False`` is the WGAN-GP critic
    (no normalization, or per-sample LayerNorm with ``layer_norm=True``). No pooling.

    - ``cond_dim > 0``: inputs ``[x, c]``; c is tiled over the 4x4 feature map, concatenated,
      mixed by a 1x1 conv + LeakyReLU, then the logit (Reed et al.'s text-to-image D).
    - ``n_classes > 0``: adds the ACGAN class-logits head ``class_logits`` (B, n_classes).
    - ``q_dim > 0``: adds the InfoGAN Q head (Dense hidden + Dense q_dim) ``q_logits``.

    Outputs ``logit`` (B, 1) alone, or ``[logit, class_logits?, q_logits?]`` in that order.
    """
    _check_non_negative(cond_dim=cond_dim, n_classes=n_classes, q_dim=q_dim)
    if batch_norm and layer_norm:
        raise ValueError("choose batch_norm or layer_norm, not both")
    norm = "batch" if batch_norm else ("layer" if layer_norm else None)
    n_down = _stages(image_size, 4, "DCGAN discriminator")
    x = keras.Input((image_size, image_size, 3), name="image")
    inputs = [x]
    filters = base_filters
    h = layers.Conv2D(filters, 4, strides=2, padding="same", name="down1")(x)
    h = _leaky("down1_lrelu")(h)
    for i in range(2, n_down + 1):
        filters *= 2
        h = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=norm is None, name=f"down{i}")(h)
        if norm:
            h = _norm(norm, f"down{i}_norm")(h)
        h = _leaky(f"down{i}_lrelu")(h)
    features = layers.Flatten(name="features")(h)

    if cond_dim:
        c = keras.Input((cond_dim,), name="condition")
        inputs.append(c)
        h = layers.Concatenate(name="features_condition")([h, _tile(c, 4, "condition")])
        h = layers.Conv2D(filters, 1, use_bias=norm is None, name="joint")(h)
        if norm:
            h = _norm(norm, "joint_norm")(h)
        h = _leaky("joint_lrelu")(h)
        joint = layers.Flatten(name="joint_features")(h)
    else:
        joint = features
    outputs = [layers.Dense(1, dtype="float32", name="logit")(joint)]
    if n_classes:
        outputs.append(layers.Dense(n_classes, dtype="float32", name=AUX_HEAD_NAME)(features))
    if q_dim:
        q = layers.Dense(2 * base_filters, use_bias=norm is None, name="q_hidden")(features)
        if norm == "batch":
            q = layers.BatchNormalization(name="q_hidden_norm")(q)
        elif norm == "layer":
            q = layers.LayerNormalization(name="q_hidden_norm")(q)
        q = _leaky("q_hidden_lrelu")(q)
        outputs.append(layers.Dense(q_dim, dtype="float32", name="q_logits")(q))
    return keras.Model(inputs if cond_dim else x, outputs if len(outputs) > 1 else outputs[0], name=name)


def build_infogan_generator(
    latent_dim: int = 62, n_categories: int = 10, n_continuous: int = 2, image_size: int = 64, base_filters: int = 64
) -> keras.Model:
    """InfoGAN generator: inputs ``[z, code]`` with code = one-hot category + continuous values."""
    return build_dcgan_generator(
        latent_dim, image_size, base_filters, cond_dim=n_categories + n_continuous, name="infogan_generator"
    )


def build_infogan_discriminator(
    image_size: int = 64, base_filters: int = 64, n_categories: int = 10, n_continuous: int = 2, batch_norm: bool = True
) -> keras.Model:
    """InfoGAN discriminator: outputs ``[logit, q]``; q holds ``n_categories`` logits then the
    ``n_continuous`` predicted means of the continuous code."""
    if n_categories + n_continuous < 1:
        raise ValueError("InfoGAN needs at least one code dimension")
    return build_dcgan_discriminator(
        image_size, base_filters, batch_norm=batch_norm, q_dim=n_categories + n_continuous, name="infogan_discriminator"
    )


# ----------------------------------------------------------------------------------------
# DLCV GAN and ACGAN (printed Keras summaries)
# ----------------------------------------------------------------------------------------
def build_report_gan_generator(latent_dim: int = 100, width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 2 generator: Dense to (s/16)^2 x 1024, BN, then
    [UpSampling2D, Conv2D 5x5, LeakyReLU, BN] x 3 (512, 256, 128), UpSampling2D, Conv2D 5x5
    to 3, tanh. 18,876,163 parameters at the defaults, as printed."""
    start = _divisible(image_size, 16, "report GAN generator")
    top = _scaled(1024, width)
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(start * start * top, name="project")(z)
    h = layers.Reshape((start, start, top), name="project_reshape")(h)
    h = layers.BatchNormalization(name="project_bn")(h)
    for i, filters in enumerate((512, 256, 128), start=1):
        h = layers.UpSampling2D(name=f"up{i}")(h)
        h = layers.Conv2D(_scaled(filters, width), 5, padding="same", name=f"up{i}_conv")(h)
        h = _leaky(f"up{i}_lrelu")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
    h = layers.UpSampling2D(name="up4")(h)
    h = layers.Conv2D(3, 5, padding="same", name="up4_conv")(h)
    return keras.Model(z, _image_output(h), name="report_gan_generator")


def _report_discriminator_trunk(x, width: float, order: str, last_norm: bool):
    """3x3 stride-2 convs 128-128-256-512-1024, flattened.

    ``order`` is "lrelu_bn" (DLCV GAN: conv, LeakyReLU, BN) or "bn_lrelu" (DLCV ACGAN: conv,
    BN, LeakyReLU). The GAN omits BN after the last conv, the ACGAN keeps it.
    """
    filters_list = (128, 128, 256, 512, 1024)
    h = x
    for i, filters in enumerate(filters_list, start=1):
        h = layers.Conv2D(_scaled(filters, width), 3, strides=2, padding="same", name=f"down{i}")(h)
        use_bn = last_norm or i < len(filters_list)
        if order == "bn_lrelu":
            h = layers.BatchNormalization(name=f"down{i}_bn")(h) if use_bn else h
            h = _leaky(f"down{i}_lrelu")(h)
        else:
            h = _leaky(f"down{i}_lrelu")(h)
            h = layers.BatchNormalization(name=f"down{i}_bn")(h) if use_bn else h
    return layers.Flatten(name="features")(h)


def build_report_gan_discriminator(width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 2 discriminator: [Conv2D 3x3 stride 2, LeakyReLU, BN] with 128, 128, 256,
    512, 1024 filters (no BN after the last), flatten, Dense(1) logit. 6,354,305 parameters."""
    _divisible(image_size, 32, "report GAN discriminator")
    x = keras.Input((image_size, image_size, 3), name="image")
    features = _report_discriminator_trunk(x, width, order="lrelu_bn", last_norm=False)
    logit = layers.Dense(1, dtype="float32", name="logit")(features)
    return keras.Model(x, logit, name="report_gan_discriminator")


def build_acgan_generator(latent_dim: int = 100, n_labels: int = 1, width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 3 generator: inputs ``[z, label]`` concatenated, Dense to (s/8)^2 x 1024, BN,
    UpSampling2D + Conv2D 5x5 512 + BN + LeakyReLU, then [UpSampling2D, Conv2D 5x5, LeakyReLU,
    BN] for 256 and 128, and a 1x1 conv to 3 with tanh. 23,896,835 parameters as printed."""
    if n_labels < 1:
        raise ValueError(f"n_labels must be >= 1, got {n_labels}")
    start = _divisible(image_size, 8, "ACGAN generator")
    top = _scaled(1024, width)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((n_labels,), name="label")
    h = layers.Concatenate(name="z_label")([z, label])
    h = layers.Dense(start * start * top, name="project")(h)
    h = layers.Reshape((start, start, top), name="project_reshape")(h)
    h = layers.BatchNormalization(name="project_bn")(h)
    h = layers.UpSampling2D(name="up1")(h)
    h = layers.Conv2D(_scaled(512, width), 5, padding="same", name="up1_conv")(h)
    h = layers.BatchNormalization(name="up1_bn")(h)
    h = _leaky("up1_lrelu")(h)
    for i, filters in ((2, 256), (3, 128)):
        h = layers.UpSampling2D(name=f"up{i}")(h)
        h = layers.Conv2D(_scaled(filters, width), 5, padding="same", name=f"up{i}_conv")(h)
        h = _leaky(f"up{i}_lrelu")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
    h = layers.Conv2D(3, 1, name="to_rgb")(h)
    return keras.Model([z, label], _image_output(h), name="acgan_generator")


def build_acgan_discriminator(n_classes: int = 1, width: float = 1.0, image_size: int = 64) -> keras.Model:
    """DLCV problem 3 discriminator: [Conv2D 3x3 stride 2, BN, LeakyReLU] with 128, 128, 256,
    512, 1024 filters, flatten, Dense(1) logit (6,358,401 parameters, the printed part) plus
    the auxiliary head Dense(n_classes) named ``class_logits`` on the same features.
    Outputs ``[logit, class_logits]``."""
    if n_classes < 1:
        raise ValueError(f"n_classes must be >= 1, got {n_classes}")
    _divisible(image_size, 32, "ACGAN discriminator")
    x = keras.Input((image_size, image_size, 3), name="image")
    features = _report_discriminator_trunk(x, width, order="bn_lrelu", last_norm=True)
    logit = layers.Dense(1, dtype="float32", name="logit")(features)
    class_logits = layers.Dense(n_classes, dtype="float32", name=AUX_HEAD_NAME)(features)
    return keras.Model(x, [logit, class_logits], name="acgan_discriminator")


# ----------------------------------------------------------------------------------------
# DLCV VAE
# ----------------------------------------------------------------------------------------
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
    start = _divisible(image_size, 16, "VAE")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    hidden = _scaled(1024, width)

    x = keras.Input((image_size, image_size, 3), name="image")
    h = x
    for i, filters in enumerate((3, _scaled(64, width), _scaled(128, width), _scaled(256, width)), start=1):
        h = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"down{i}")(h)
        h = layers.BatchNormalization(name=f"down{i}_bn")(h)
        h = _leaky(f"down{i}_lrelu")(h)
        h = layers.Dropout(dropout, name=f"down{i}_dropout")(h)
    h = layers.Flatten(name="features")(h)
    h = layers.Dense(hidden, name="hidden")(h)
    h = layers.BatchNormalization(name="hidden_bn")(h)
    h = layers.Activation("relu", name="hidden_relu")(h)
    z_mean = layers.Dense(latent_dim, dtype="float32", name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, dtype="float32", name="z_log_var")(h)
    encoder = keras.Model(x, [z_mean, z_log_var], name="vae_encoder")

    channels = _scaled(256, width)
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(hidden, name="hidden")(z)
    h = layers.BatchNormalization(name="hidden_bn")(h)
    h = _leaky("hidden_lrelu")(h)
    h = layers.Dense(start * start * channels, name="project")(h)
    h = layers.BatchNormalization(name="project_bn")(h)
    h = _leaky("project_lrelu")(h)
    h = layers.Reshape((start, start, channels), name="project_reshape")(h)
    for i, filters in enumerate((256, 128, 64), start=1):
        h = layers.UpSampling2D(name=f"up{i}")(h)
        h = layers.Conv2D(_scaled(filters, width), 4, padding="same", name=f"up{i}_conv")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
        h = _leaky(f"up{i}_lrelu")(h)
        h = layers.Dropout(dropout, name=f"up{i}_dropout")(h)
    h = layers.UpSampling2D(name="up4")(h)
    h = layers.Conv2D(3, 4, padding="same", name="up4_conv")(h)
    decoder = keras.Model(z, _image_output(h, "sigmoid"), name="vae_decoder")
    return VAENetworks(encoder, decoder)


# ----------------------------------------------------------------------------------------
# MLDS "training tips" MLP GAN
# ----------------------------------------------------------------------------------------
def build_mlp_generator(
    latent_dim: int = 100, image_size: int = 64, hidden: tuple[int, ...] = (128, 256, 256, 256)
) -> keras.Model:
    """MLDS tips generator: Linear 100-128-256-256-256-(s*s*3) with ReLU, tanh, reshaped to an
    image. 3,335,552 parameters at 64x64."""
    if image_size <= 0:
        raise ValueError(f"image_size must be positive, got {image_size}")
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i, units in enumerate(hidden, start=1):
        h = layers.Dense(units, activation="relu", name=f"dense{i}")(h)
    h = layers.Dense(image_size * image_size * 3, name="to_pixels")(h)
    h = layers.Reshape((image_size, image_size, 3), name="to_image")(h)
    return keras.Model(z, _image_output(h), name="mlp_generator")


def build_mlp_discriminator(
    image_size: int = 64, hidden: tuple[int, ...] = (256, 128), normalization: str | None = None
) -> keras.Model:
    """MLP discriminator for the tips ablation: flatten, [Dense, norm?, LeakyReLU(0.2)] per
    ``hidden`` entry, Dense(1) logit. ``normalization`` is None, "batch" or "layer"."""
    if normalization not in (None, "batch", "layer"):
        raise ValueError(f"normalization must be None, 'batch' or 'layer', got {normalization!r}")
    x = keras.Input((image_size, image_size, 3), name="image")
    h = layers.Flatten(name="pixels")(x)
    for i, units in enumerate(hidden, start=1):
        h = layers.Dense(units, use_bias=normalization is None, name=f"dense{i}")(h)
        if normalization == "batch":
            h = layers.BatchNormalization(name=f"dense{i}_norm")(h)
        elif normalization == "layer":
            h = layers.LayerNormalization(name=f"dense{i}_norm")(h)
        h = _leaky(f"dense{i}_lrelu")(h)
    logit = layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(x, logit, name="mlp_discriminator")


# ----------------------------------------------------------------------------------------
# StarGAN (MLDS 3-3; Choi et al. 2018, layer for layer as yunjey/stargan)
# ----------------------------------------------------------------------------------------
def _instance_norm_relu(h, name: str):
    h = _norm("instance", f"{name}_in")(h)
    return layers.ReLU(name=f"{name}_relu")(h)


def build_stargan_generator(image_size: int = 128, n_domains: int = 5, conv_dim: int = 64, n_res: int = 6) -> keras.Model:
    """StarGAN generator: inputs ``[x, c]``; c is tiled to HxW and concatenated with x.

    Conv 7x7 (conv_dim) + IN + ReLU; two Conv 4x4 stride 2 (x2 filters each) + IN + ReLU;
    ``n_res`` residual blocks (Conv3x3-IN-ReLU-Conv3x3-IN + skip); two ConvTranspose 4x4
    stride 2 + IN + ReLU; Conv 7x7 to 3, tanh. Convs have no bias (IN follows), IN has
    affine parameters: 8,430,528 parameters at the paper configuration, as in PyTorch.
    """
    _divisible(image_size, 4, "StarGAN generator")
    if n_domains < 1:
        raise ValueError(f"n_domains must be >= 1, got {n_domains}")
    _check_non_negative(n_res=n_res)
    x = keras.Input((image_size, image_size, 3), name="image")
    c = keras.Input((n_domains,), name="target_domain")
    h = layers.Concatenate(name="image_domain")([x, _tile(c, image_size, "domain")])
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
        r = _norm("instance", f"res{i}_2_in")(r)
        h = layers.Add(name=f"res{i}")([h, r])
    for i in (1, 2):
        filters //= 2
        h = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, name=f"up{i}")(h)
        h = _instance_norm_relu(h, f"up{i}")
    h = layers.Conv2D(3, 7, padding="same", use_bias=False, name="to_rgb")(h)
    return keras.Model([x, c], _image_output(h), name="stargan_generator")


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
        n_strided = _stages(image_size, 2, "StarGAN discriminator")
    if n_strided < 1 or image_size % 2**n_strided:
        raise ValueError(f"StarGAN discriminator: image_size {image_size} cannot be halved {n_strided} times")
    x = keras.Input((image_size, image_size, 3), name="image")
    h = x
    filters = conv_dim
    for i in range(1, n_strided + 1):
        h = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"down{i}")(h)
        h = _leaky(f"down{i}_lrelu", STARGAN_LEAKY_SLOPE)(h)
        filters *= 2
    remaining = image_size // 2**n_strided
    src = layers.Conv2D(1, 3, padding="same", use_bias=False, dtype="float32", name="src")(h)
    cls = layers.Conv2D(n_domains, remaining, use_bias=False, dtype="float32", name="cls_map")(h)
    cls = layers.Reshape((n_domains,), dtype="float32", name="cls")(cls)
    return keras.Model(x, [src, cls], name="stargan_discriminator")
