"""DCGAN-family networks: the Radford DCGAN (MLDS 3-1, 3-2, WGAN comparison), InfoGAN (DLCV bonus) and
the MLP GAN of the MLDS training-tips ablation.

=============================  ==================================================================
builder                        source (parameter count at the defaults)
=============================  ==================================================================
build_dcgan_generator          MLDS HW3 3-1/3-2 "DCGAN" (Radford et al. 2016): 3,578,627
build_dcgan_discriminator      MLDS HW3 3-1/3-2/WGAN: 2,767,425; text condition enters near the end
build_infogan_generator        DLCV HW4 bonus (Chen et al. 2016), DCGAN G with a code input
build_infogan_discriminator    DLCV HW4 bonus, DCGAN D with a Q head
build_mlp_generator            MLDS HW3 "training tips" torchsummary: 3,335,552
build_mlp_discriminator        MLDS HW3 "training tips" (D not printed; a small MLP)
=============================  ==================================================================
"""
from __future__ import annotations

import keras
from keras import layers

from genlab.nets.blocks import (
    AUX_HEAD_NAME,
    LATENT_DIM,
    check_non_negative,
    image_output,
    leaky,
    norm,
    stages,
    tile,
)


def build_dcgan_generator(
    latent_dim: int = LATENT_DIM, image_size: int = 64, base_filters: int = 64, cond_dim: int = 0,
    condition_stages: int = 0, *, name: str = "dcgan_generator"
) -> keras.Model:
    """Radford DCGAN generator: z (and condition c) -> 4x4x(8*base at 64 px) -> image.

    Dense to 4x4, then ConvTranspose 4x4 stride 2 + BatchNorm + ReLU, halving the filters at
    each doubling, down to ``base_filters`` before the last ConvTranspose to 3 channels and
    tanh. With ``cond_dim > 0`` the inputs are ``[z, c]`` (c float, shape (B, cond_dim)),
    concatenated before the first layer; ``condition_stages`` > 0 also tiles c over the feature
    maps of that many of the coarsest resolutions (4x4, 8x8, ...) and concatenates it there, so
    the condition reaches the layers that lay out the face rather than only the first one.
    """
    check_non_negative(cond_dim=cond_dim, condition_stages=condition_stages)
    n_up = stages(image_size, 4, "DCGAN generator")
    if condition_stages and not cond_dim:
        raise ValueError("condition_stages needs a condition (cond_dim > 0)")
    if condition_stages > n_up:
        raise ValueError(f"condition_stages={condition_stages}: a {image_size}px generator has {n_up} stages")
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
        if i <= condition_stages:
            size = 4 * 2 ** (i - 1)
            h = layers.Concatenate(name=f"condition_at_{size}")([h, tile(c, size, f"condition_{size}")])
        filters //= 2
        h = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, name=f"up{i}")(h)
        h = layers.BatchNormalization(name=f"up{i}_bn")(h)
        h = layers.ReLU(name=f"up{i}_relu")(h)
    h = layers.Conv2DTranspose(3, 4, strides=2, padding="same", name=f"up{n_up}")(h)
    return keras.Model(inputs if cond_dim else z, image_output(h), name=name)


def build_dcgan_discriminator(
    image_size: int = 64,
    base_filters: int = 64,
    cond_dim: int = 0,
    n_classes: int = 0,
    batch_norm: bool = True,
    q_dim: int = 0,
    layer_norm: bool = False,
    *,
    spectral_norm: bool = False,
    name: str = "dcgan_discriminator",
) -> keras.Model:
    """Radford DCGAN discriminator: strided 4x4 convs + LeakyReLU(0.2) down to 4x4, then a logit.

    BatchNorm follows every conv but the first; ``batch_norm=False`` is the WGAN-GP critic
    (no normalization, or per-sample LayerNorm with ``layer_norm=True``). No pooling.

    - ``cond_dim > 0``: inputs ``[x, c]``; c is tiled over the 4x4 feature map, concatenated,
      mixed by a 1x1 conv + LeakyReLU, then the logit (Reed et al.'s text-to-image D).
    - ``n_classes > 0``: adds the ACGAN class-logits head ``class_logits`` (B, n_classes).
    - ``q_dim > 0``: adds the InfoGAN Q head (Dense hidden + Dense q_dim) ``q_logits``.
    - ``spectral_norm=True``: every conv and the logit layer divide their kernel by its largest
      singular value (Miyato et al. 2018; one power iteration per training call), e.g. the LSGAN critic.

    Outputs ``logit`` (B, 1) alone, or ``[logit, class_logits?, q_logits?]`` in that order.
    """
    check_non_negative(cond_dim=cond_dim, n_classes=n_classes, q_dim=q_dim)
    if batch_norm and layer_norm:
        raise ValueError("choose batch_norm or layer_norm, not both")
    kind = "batch" if batch_norm else ("layer" if layer_norm else None)
    n_down = stages(image_size, 4, "DCGAN discriminator")
    x = keras.Input((image_size, image_size, 3), name="image")
    inputs = [x]
    filters = base_filters
    sn = _spectral if spectral_norm else _plain
    h = sn(layers.Conv2D(filters, 4, strides=2, padding="same", name="down1"))(x)
    h = leaky("down1_lrelu")(h)
    for i in range(2, n_down + 1):
        filters *= 2
        h = sn(layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=kind is None, name=f"down{i}"))(h)
        if kind:
            h = norm(kind, f"down{i}_norm")(h)
        h = leaky(f"down{i}_lrelu")(h)
    features = layers.Flatten(name="features")(h)

    if cond_dim:
        c = keras.Input((cond_dim,), name="condition")
        inputs.append(c)
        h = layers.Concatenate(name="features_condition")([h, tile(c, 4, "condition")])
        h = sn(layers.Conv2D(filters, 1, use_bias=kind is None, name="joint"))(h)
        if kind:
            h = norm(kind, "joint_norm")(h)
        h = leaky("joint_lrelu")(h)
        joint = layers.Flatten(name="joint_features")(h)
    else:
        joint = features
    outputs = [sn(layers.Dense(1, dtype="float32", name="logit"))(joint)]
    if n_classes:
        outputs.append(layers.Dense(n_classes, dtype="float32", name=AUX_HEAD_NAME)(features))
    if q_dim:
        q = layers.Dense(2 * base_filters, use_bias=kind is None, name="q_hidden")(features)
        if kind == "batch":
            q = layers.BatchNormalization(name="q_hidden_norm")(q)
        elif kind == "layer":
            q = layers.LayerNormalization(name="q_hidden_norm")(q)
        q = leaky("q_hidden_lrelu")(q)
        outputs.append(layers.Dense(q_dim, dtype="float32", name="q_logits")(q))
    return keras.Model(inputs if cond_dim else x, outputs if len(outputs) > 1 else outputs[0], name=name)


def _plain(layer):
    return layer


def _spectral(layer):
    return layers.SpectralNormalization(layer, dtype=layer.dtype_policy, name=f"{layer.name}_sn")


def build_infogan_generator(
    latent_dim: int = 62, n_categories: int = 10, n_continuous: int = 2, image_size: int = 64, base_filters: int = 64,
    condition_stages: int = 0,
) -> keras.Model:
    """InfoGAN generator: inputs ``[z, code]`` with code = one-hot category + continuous values
    (also entering the coarsest ``condition_stages`` feature maps, see :func:`build_dcgan_generator`)."""
    return build_dcgan_generator(latent_dim, image_size, base_filters, cond_dim=n_categories + n_continuous,
                                 condition_stages=condition_stages, name="infogan_generator")


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


def build_mlp_generator(
    latent_dim: int = LATENT_DIM, image_size: int = 64, hidden: tuple[int, ...] = (128, 256, 256, 256)
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
    return keras.Model(z, image_output(h), name="mlp_generator")


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
        h = leaky(f"dense{i}_lrelu")(h)
    logit = layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model(x, logit, name="mlp_discriminator")
