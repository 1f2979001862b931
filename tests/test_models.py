"""Network builders: the reports' exact parameter counts, shapes, ranges and conditioning."""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import itertools

import keras
import numpy as np
import pytest

from genlab import nets as M
from genlab.nets.stargan import MASK_START_LOGIT


# Parameter formulas (Keras counts BatchNorm's moving mean/variance too: 4 per channel).
def conv(k, c_in, c_out, bias=True):
    return k * k * c_in * c_out + (c_out if bias else 0)


def dense(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)


def bn(c):
    return 4 * c


def affine_norm(c):
    """Instance/layer norm with a per-channel scale and offset."""
    return 2 * c


def rng_normal(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


@pytest.fixture
def mixed_bfloat16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


# ----------------------------------------------------------------------------------------
# Report parameter counts
# ----------------------------------------------------------------------------------------
def test_vae_matches_the_printed_summary():
    encoder, decoder = vae = M.build_vae()
    printed_encoder = [147, 12, 3136, 256, 131200, 512, 524544, 1024, 4195328, 4096, 1049600, 1049600]
    printed_decoder = [1049600, 4096, 4198400, 16384, 1048832, 1024, 524416, 512, 131136, 256, 3075]
    assert encoder.count_params() == sum(printed_encoder)
    assert decoder.count_params() == sum(printed_decoder)
    assert vae.params == M.count_params([encoder, decoder]) == 13_937_186
    # The kernel sizes inferred from the printed counts: 4x4 convs, 1024 latent.
    assert encoder.get_layer("down1").count_params() == conv(4, 3, 3) == 147
    assert decoder.get_layer("up4_conv").count_params() == conv(4, 64, 3) == 3075
    assert [tuple(o.shape) for o in encoder.outputs] == [(None, 1024), (None, 1024)]


def test_report_gan_generator_matches_the_printed_summary():
    g = M.build_report_gan_generator()
    expected = (
        dense(100, 4 * 4 * 1024) + bn(1024)
        + conv(5, 1024, 512) + bn(512) + conv(5, 512, 256) + bn(256) + conv(5, 256, 128) + bn(128)
        + conv(5, 128, 3)
    )
    assert M.count_params(g) == expected == 18_876_163
    assert g.get_layer("up1_conv").count_params() == 13_107_712
    assert g.get_layer("up4_conv").count_params() == 9603
    assert tuple(g.output.shape) == (None, 64, 64, 3)


def test_report_gan_discriminator_matches_the_printed_layers():
    d = M.build_report_gan_discriminator()
    printed_convs = {"down1": 3584, "down2": 147584, "down3": 295168, "down4": 1180160, "down5": 4719616}
    for name, params in printed_convs.items():
        assert d.get_layer(name).count_params() == params
    assert d.get_layer("logit").count_params() == 4097
    expected = sum(printed_convs.values()) + bn(128) + bn(128) + bn(256) + bn(512) + 4097
    assert M.count_params(d) == expected == 6_354_305
    assert tuple(d.output.shape) == (None, 1)


def test_acgan_generator_matches_the_printed_summary():
    g = M.build_acgan_generator()
    assert g.get_layer("project").count_params() == dense(101, 8 * 8 * 1024) == 6_684_672
    assert g.get_layer("to_rgb").count_params() == conv(1, 128, 3) == 387
    assert M.count_params(g) == 23_896_835
    assert [tuple(i.shape) for i in g.inputs] == [(None, 100), (None, 1)]


@pytest.mark.parametrize("n_classes", [1, 3])
def test_acgan_discriminator_is_the_printed_trunk_plus_an_auxiliary_head(n_classes):
    d = M.build_acgan_discriminator(n_classes=n_classes)
    aux = d.get_layer(M.AUX_HEAD_NAME).count_params()
    assert aux == dense(4096, n_classes)
    assert M.count_params(d) - aux == 6_358_401
    assert [tuple(o.shape) for o in d.outputs] == [(None, 1), (None, n_classes)]


def test_mlp_generator_matches_the_printed_summary():
    g = M.build_mlp_generator()
    expected = dense(100, 128) + dense(128, 256) + 2 * dense(256, 256) + dense(256, 64 * 64 * 3)
    assert M.count_params(g) == expected == 3_335_552


def test_dcgan_is_radford_sized():
    g = M.build_dcgan_generator()
    expected_g = (
        dense(100, 4 * 4 * 512, bias=False) + bn(512)
        + conv(4, 512, 256, bias=False) + bn(256) + conv(4, 256, 128, bias=False) + bn(128)
        + conv(4, 128, 64, bias=False) + bn(64) + conv(4, 64, 3)
    )
    assert M.count_params(g) == expected_g
    assert 3.5e6 < expected_g < 3.7e6  # DESIGN.md: 3.6M
    d = M.build_dcgan_discriminator()
    expected_d = (
        conv(4, 3, 64) + conv(4, 64, 128, bias=False) + bn(128) + conv(4, 128, 256, bias=False) + bn(256)
        + conv(4, 256, 512, bias=False) + bn(512) + dense(4 * 4 * 512, 1)
    )
    assert M.count_params(d) == expected_d
    assert 2.7e6 < expected_d < 2.9e6  # DESIGN.md: 2.8M


def test_stargan_matches_the_official_pytorch_model():
    # yunjey/stargan model.py: bias-free convs before affine InstanceNorm, conv_dim 64, c_dim 5.
    g = M.build_stargan_generator()
    residual = 2 * conv(3, 256, 256, bias=False) + 2 * affine_norm(256)
    expected_g = (
        conv(7, 3 + 5, 64, bias=False) + affine_norm(64)
        + conv(4, 64, 128, bias=False) + affine_norm(128) + conv(4, 128, 256, bias=False) + affine_norm(256)
        + 6 * residual
        + conv(4, 256, 128, bias=False) + affine_norm(128) + conv(4, 128, 64, bias=False) + affine_norm(64)
        + conv(7, 64, 3, bias=False)
    )
    assert M.count_params(g) == expected_g == 8_430_528

    d = M.build_stargan_discriminator()
    filters = [3, 64, 128, 256, 512, 1024, 2048]
    trunk = sum(conv(4, a, b) for a, b in itertools.pairwise(filters))
    # 128 px halved 6 times leaves 2x2, the kernel of the classification head.
    expected_d = trunk + conv(3, 2048, 1, bias=False) + conv(2, 2048, 5, bias=False)
    assert M.count_params(d) == expected_d == 44_762_048
    assert [tuple(o.shape) for o in d.outputs] == [(None, 2, 2, 1), (None, 5)]


# ----------------------------------------------------------------------------------------
# Outputs at small sizes
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("image_size", [32, 64])
def test_generators_make_images_in_range(image_size):
    z = 3.0 * rng_normal(2, 16)
    cases = [
        (M.build_dcgan_generator(16, image_size, base_filters=8), z, (-1, 1)),
        (M.build_report_gan_generator(16, width=0.0625, image_size=image_size), z, (-1, 1)),
        (M.build_acgan_generator(16, n_labels=2, width=0.0625, image_size=image_size), [z, np.eye(2, dtype="float32")], (-1, 1)),
        (M.build_mlp_generator(16, image_size=image_size, hidden=(8, 8)), z, (-1, 1)),
        (M.build_infogan_generator(16, 4, 1, image_size=image_size, base_filters=8), [z, rng_normal(2, 5)], (-1, 1)),
        (M.build_vae(16, image_size=image_size, width=0.0625).decoder, z, (0, 1)),
    ]
    for model, inputs, (low, high) in cases:
        images = keras.ops.convert_to_numpy(model(inputs, training=False))
        assert images.shape == (2, image_size, image_size, 3), model.name
        assert images.min() >= low and images.max() <= high, model.name
        assert images.std() > 0, model.name


@pytest.mark.parametrize("image_size", [32, 64])
def test_discriminators_return_logits_of_the_right_shapes(image_size):
    x = rng_normal(2, image_size, image_size, 3)
    assert M.build_dcgan_discriminator(image_size, 8)(x).shape == (2, 1)
    assert M.build_report_gan_discriminator(0.0625, image_size)(x).shape == (2, 1)
    assert M.build_mlp_discriminator(image_size, hidden=(8,), normalization="layer")(x).shape == (2, 1)
    logit, class_logits = M.build_acgan_discriminator(3, 0.0625, image_size)(x)
    assert (logit.shape, class_logits.shape) == ((2, 1), (2, 3))
    logit, q = M.build_infogan_discriminator(image_size, 8, n_categories=4, n_continuous=2)(x)
    assert (logit.shape, q.shape) == ((2, 1), (2, 6))
    logit, class_logits, q = M.build_dcgan_discriminator(image_size, 8, n_classes=2, q_dim=3)(x)
    assert (logit.shape, class_logits.shape, q.shape) == ((2, 1), (2, 2), (2, 3))
    # Logits are unbounded: strong inputs push them outside [0, 1].
    logits = keras.ops.convert_to_numpy(M.build_mlp_discriminator(image_size, hidden=(8,))(100 * x))
    assert np.abs(logits).max() > 1


def test_a_condition_can_enter_the_coarse_feature_maps_of_the_generator():
    plain = M.build_infogan_generator(8, 4, 2, 32, 8)
    coarse = M.build_infogan_generator(8, 4, 2, 32, 8, condition_stages=2)
    names = {layer.name for layer in coarse.layers}
    assert {"condition_at_4", "condition_at_8"} <= names and "condition_at_16" not in names
    assert coarse.get_layer("up2").input.shape[-1] == plain.get_layer("up2").input.shape[-1] + 6
    z, code = rng_normal(3, 8), np.eye(6, dtype="float32")[:3]
    assert coarse([z, code]).shape == (3, 32, 32, 3)
    with pytest.raises(ValueError, match="3 stages"):
        M.build_infogan_generator(8, 4, 2, 32, 8, condition_stages=4)
    with pytest.raises(ValueError, match="needs a condition"):
        M.build_dcgan_generator(8, 32, 8, condition_stages=1)


def test_vae_encoder_returns_mean_and_log_variance():
    encoder, decoder = M.build_vae(latent_dim=8, image_size=32, width=0.0625)
    z_mean, z_log_var = encoder(rng_normal(3, 32, 32, 3), training=False)
    assert z_mean.shape == z_log_var.shape == (3, 8)
    assert decoder(z_mean).shape == (3, 32, 32, 3)
    assert M.count_params(encoder.get_layer("down1")) == conv(4, 3, 3)  # stays 3 filters at any width


def test_stargan_small_configuration_runs():
    g = M.build_stargan_generator(image_size=32, n_domains=5, conv_dim=8, n_res=1)
    x = rng_normal(2, 32, 32, 3)
    c = np.eye(5, dtype="float32")[[0, 3]]
    fake = keras.ops.convert_to_numpy(g([x, c]))
    assert fake.shape == (2, 32, 32, 3) and np.abs(fake).max() <= 1
    d = M.build_stargan_discriminator(image_size=32, n_domains=5, conv_dim=8)
    src, cls = d(fake)
    assert src.shape == (2, 2, 2, 1) and cls.shape == (2, 5)
    src, cls = M.build_stargan_discriminator(image_size=32, conv_dim=8, n_strided=3)(fake)
    assert src.shape == (2, 4, 4, 1) and cls.shape == (2, 5)


def test_stargan_attention_mask_blends_translation_and_input():
    plain = M.build_stargan_generator(image_size=16, conv_dim=4, n_res=1)
    g = M.build_stargan_generator(image_size=16, conv_dim=4, n_res=1, attention_mask=True)
    assert M.count_params(g) - M.count_params(plain) == 7 * 7 * 4 + 4  # the mask channel's kernel, 4 biases
    x = np.clip(rng_normal(2, 16, 16, 3), -1, 1)
    c = np.eye(5, dtype="float32")[[1, 4]]
    last = g.get_layer("to_rgb_and_mask")
    kernel, bias = last.get_weights()
    assert list(bias) == [0, 0, 0, MASK_START_LOGIT] and MASK_START_LOGIT > 0  # starts near the plain translation
    translated = np.tanh(keras.ops.convert_to_numpy(keras.Model(g.inputs, last.output)([x, c]))[..., :3])
    kernel[..., 3] = 0.0
    for logit, expected in ((-40.0, x), (40.0, translated), (0.0, 0.5 * (x + translated))):  # mask 0, 1, 1/2
        last.set_weights([kernel, np.array([0, 0, 0, logit], "float32")])
        np.testing.assert_allclose(keras.ops.convert_to_numpy(g([x, c])), expected, atol=1e-5)
    copy = keras.models.clone_model(g)  # the generator average clones its generator
    copy.set_weights(g.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(copy([x, c])), 0.5 * (x + translated), atol=1e-5)


def test_stargan_uses_instance_normalization():
    g = M.build_stargan_generator(image_size=16, conv_dim=4, n_res=1)
    stem = keras.Model(g.inputs, g.get_layer("stem_in").output)
    x = 5.0 * rng_normal(3, 16, 16, 3) + 2.0
    features = keras.ops.convert_to_numpy(stem([x, np.eye(5, dtype="float32")[:3]]))
    # Each image's each channel is normalized on its own (gamma=1, beta=0 at init).
    np.testing.assert_allclose(features.mean(axis=(1, 2)), 0.0, atol=1e-3)
    np.testing.assert_allclose(features.std(axis=(1, 2)), 1.0, atol=1e-2)


# ----------------------------------------------------------------------------------------
# Conditioning
# ----------------------------------------------------------------------------------------
def test_conditional_dcgan_uses_its_condition():
    g = M.build_dcgan_generator(8, 32, base_filters=8, cond_dim=4)
    d = M.build_dcgan_discriminator(32, 8, cond_dim=4)
    assert [tuple(i.shape) for i in d.inputs] == [(None, 32, 32, 3), (None, 4)]
    z = rng_normal(1, 8).repeat(2, axis=0)
    c = np.eye(4, dtype="float32")[[0, 2]]
    images = keras.ops.convert_to_numpy(g([z, c]))
    assert not np.allclose(images[0], images[1])  # same z, different condition
    same_image = images[:1].repeat(2, axis=0)
    logits = keras.ops.convert_to_numpy(d([same_image, c]))
    assert logits.shape == (2, 1) and logits[0, 0] != logits[1, 0]
    # The condition enters near the end: tiled over the 4x4 map.
    assert tuple(d.get_layer("condition_tile").output.shape) == (None, 4, 4, 4)


def test_acgan_generator_uses_its_label():
    g = M.build_acgan_generator(8, n_labels=1, width=0.0625, image_size=32)
    z = rng_normal(1, 8).repeat(2, axis=0)
    images = keras.ops.convert_to_numpy(g([z, np.array([[0.0], [1.0]], "float32")]))
    assert not np.allclose(images[0], images[1])


def test_critic_normalization_options():
    def layer_types(model):
        return {type(layer).__name__ for layer in model.layers}

    assert "BatchNormalization" in layer_types(M.build_dcgan_discriminator(32, 8))
    plain = layer_types(M.build_dcgan_discriminator(32, 8, batch_norm=False))
    assert "BatchNormalization" not in plain and "GroupNormalization" not in plain
    layered = layer_types(M.build_dcgan_discriminator(32, 8, batch_norm=False, layer_norm=True))
    assert "GroupNormalization" in layered and "BatchNormalization" not in layered
    with pytest.raises(ValueError):
        M.build_dcgan_discriminator(32, 8, batch_norm=True, layer_norm=True)


def test_spectral_norm_wraps_every_conv_and_the_logit_and_brings_their_largest_singular_value_to_one():
    d = M.build_dcgan_discriminator(32, 8, cond_dim=3, batch_norm=False, spectral_norm=True)
    wrapped = [layer for layer in d.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert sorted(layer.layer.name for layer in wrapped) == ["down1", "down2", "down3", "joint", "logit"]
    assert not [layer for layer in d.layers if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    kernel = wrapped[0].layer.kernel
    kernel.assign(kernel * 10.0)  # far from unit norm before the power iterations
    rng = np.random.default_rng(0)
    x, c = rng.standard_normal((4, 32, 32, 3)).astype("float32"), np.eye(3, dtype="float32")[[0, 1, 2, 0]]
    for _ in range(30):
        d([x, c], training=True)
    for layer in wrapped:
        matrix = keras.ops.convert_to_numpy(layer.layer.kernel).reshape(-1, layer.layer.kernel.shape[-1])
        assert np.linalg.svd(matrix, compute_uv=False)[0] == pytest.approx(1.0, rel=0.05), layer.name


@pytest.mark.parametrize(
    "build",
    [
        lambda: M.build_dcgan_generator(image_size=48),
        lambda: M.build_dcgan_discriminator(image_size=4),
        lambda: M.build_report_gan_discriminator(image_size=40),
        lambda: M.build_vae(image_size=24),
        lambda: M.build_report_gan_generator(width=0),
        lambda: M.build_stargan_discriminator(image_size=32, n_strided=6),
        lambda: M.build_mlp_discriminator(normalization="instance"),
    ],
)
def test_bad_arguments_raise_value_error(build):
    with pytest.raises(ValueError):
        build()


# ----------------------------------------------------------------------------------------
# Mixed precision
# ----------------------------------------------------------------------------------------
def test_outputs_are_float32_under_mixed_bfloat16(mixed_bfloat16):
    x = rng_normal(2, 32, 32, 3)
    z = rng_normal(2, 8)
    g = M.build_dcgan_generator(8, 32, base_filters=8)
    assert g.get_layer("up1").compute_dtype == "bfloat16"  # the body really runs in bfloat16
    outputs = [
        g(z),
        M.build_vae(8, 32, width=0.0625).encoder(x)[1],
        *M.build_dcgan_discriminator(32, 8, n_classes=2, q_dim=3)(x),
        *M.build_stargan_discriminator(32, conv_dim=4)(x),
        M.build_stargan_generator(32, conv_dim=4, n_res=1)([x, np.eye(5, dtype="float32")[:2]]),
        M.build_mlp_generator(8, 32, hidden=(8,))(z),
    ]
    assert [keras.backend.standardize_dtype(o.dtype) for o in outputs] == ["float32"] * len(outputs)
