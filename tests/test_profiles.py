"""Run profiles: the full profile builds the reports' exact networks (checked without training)."""
from __future__ import annotations

import dataclasses

import pytest

from genlab import nets as M
from genlab.profiles import PROFILES, REPORT_SNAPSHOT_FRACTIONS, get_profile, gpu_available
from genlab.recipes import builders, image_generation, registry

REPORT_MODELS = ("dcgan", "cgan", "wgan", "wgan_gp", "lsgan", "vae", "gan", "acgan", "infogan")


def test_full_profile_has_the_report_settings():
    p = get_profile("full")
    assert (p.image_size, p.width, p.dcgan_filters, p.batch_size) == (64, 1.0, 64, 64)
    assert all(p.steps_for(model) == 20_000 for model in REPORT_MODELS)
    # Snapshots at the reports' 1k, 5k, 10k, 15k and 20k iterations.
    assert p.snapshot_steps(p.steps_for("dcgan")) == [1_000, 5_000, 10_000, 15_000, 20_000]
    assert (p.stargan_image_size, p.stargan_conv_dim, p.stargan_res_blocks) == (128, 64, 6)  # Choi et al.
    assert builders.vae_latent_dim(p) == 1024


def test_full_profile_builds_the_report_parameter_counts():
    p = get_profile("full")
    def built(name):
        spec = registry.get(name)
        return spec.build(p, 0, **spec.hparams)

    dcgan = built("dcgan")
    assert (M.count_params(dcgan.generator), M.count_params(dcgan.discriminator)) == (3_578_627, 2_767_425)
    vae = built("vae_kl1e-4")
    assert M.count_params([vae.encoder, vae.decoder]) == 13_937_186
    assert M.count_params(built("hw4_gan").generator) == 18_876_163
    acgan = built("hw4_acgan")
    assert M.count_params(acgan.generator) == 23_896_835
    assert M.count_params(acgan.discriminator) - M.count_params(acgan.discriminator.get_layer("class_logits")) == 6_358_401
    assert M.count_params(built("tips_baseline").generator) == 3_335_552


def test_full_profile_builds_the_paper_stargan():
    p = get_profile("full")
    generator = M.build_stargan_generator(p.stargan_image_size, 5, p.stargan_conv_dim, p.stargan_res_blocks)
    discriminator = M.build_stargan_discriminator(p.stargan_image_size, 5, p.stargan_conv_dim)
    assert (M.count_params(generator), M.count_params(discriminator)) == (8_430_528, 44_762_048)


def test_the_profiles_step_keys_are_the_registrys():
    for name, profile in PROFILES.items():
        assert set(profile.steps) == registry.step_keys(), name


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_names_steps_for_every_model(name):
    p = get_profile(name)
    for model in registry.step_keys():
        steps = p.steps_for(model)
        assert steps >= 1
        points = p.snapshot_steps(steps)
        assert points == sorted(points) and points[-1] == steps and len(points) <= len(REPORT_SNAPSHOT_FRACTIONS)
        assert steps % p.log_interval(steps) == 0


def test_auto_picks_full_only_with_a_gpu_and_unknown_names_are_refused():
    assert get_profile("auto").name == ("full" if gpu_available() else "cpu")
    assert get_profile("cpu", image_size=64).image_size == 64
    with pytest.raises(ValueError, match="smoke, cpu, full"):
        get_profile("laptop")
    with pytest.raises(KeyError, match="no step count for 'gan3'"):
        get_profile("cpu").steps_for("gan3")


def test_cpu_profile_trains_every_generator_at_the_reports_64x64():
    p = get_profile("cpu")
    assert (p.image_size, p.stargan_image_size) == (64, 64)
    for name in ("dcgan", "wgan_gp", "tips_baseline", "acgan_separate", "stargan", "hw4_gan", "hw4_acgan",
                 "hw4_infogan"):
        spec = registry.get(name, p)
        generator = spec.build(p, 0, **spec.hparams).generator
        assert tuple(generator.output_shape[1:]) == (64, 64, 3), name


def test_cpu_stargan_adds_an_attention_mask_that_the_full_profile_leaves_to_the_paper():
    cpu, full = registry.get("stargan", "cpu"), registry.get("stargan", "full")
    assert (cpu.hparams["attention_mask"], cpu.hparams["n_critic"]) == (True, 1)
    assert (full.hparams["attention_mask"], full.hparams["n_critic"]) == (False, 5)  # Choi et al.


def test_every_adversarial_run_samples_from_a_generator_average_but_the_vaes_and_mlp_tips_arms():
    for spec in registry.SPECS:
        plain = spec.notebook == registry.VAE_NB or spec.step_key == "tips"
        assert bool(spec.ema_half_life) == (not plain), spec.name


def test_a_run_the_profile_leaves_out_is_named_skipped_by_runs_and_refused_by_run(capsys):
    from dataclasses import replace

    from genlab.session import Session

    for profile in (get_profile(name) for name in ("smoke", "cpu", "full")):
        assert all(name in registry.RUNS for name in profile.left_out_runs), profile.name
    assert get_profile("cpu").left_out_runs == ("acgan_joint",) and not get_profile("full").left_out_runs
    assert "left out (the full profile trains them): acgan_joint" in get_profile("cpu").describe()
    profile = replace(get_profile("smoke"), left_out_runs=("acgan_joint",))
    session = Session(notebook=registry.HW3_2, profile=profile, seed=0, data_root=None)
    assert session.runs(["acgan_joint"]) == {}  # nothing trained, nothing loaded
    assert "left out of profile 'smoke': aux. classifier, joint one-hot (acgan_joint)" in capsys.readouterr().out
    with pytest.raises(ValueError, match="'acgan_joint' is left out of profile 'smoke'"):
        session.run("acgan_joint")
    from genlab.session import setup

    assert setup("hw3_2_text_to_image", "cpu").profile.image_size == 64


def test_full_profile_trains_the_reports_wgan_and_the_papers_stargan():
    full, cpu = get_profile("full"), get_profile("cpu")
    wgan = registry.get("wgan", full)
    assert (wgan.hparams["clip_value"], wgan.hparams["n_critic"]) == (0.02, 5)  # the report's clip, the paper's 5
    assert wgan.hparams["d_optimizer"] == wgan.hparams["g_optimizer"] == registry.rmsprop(5e-5)
    assert wgan.hparams["loss"] == "wgan" and "[-0.02, 0.02]" in wgan.summary  # the rest as declared
    assert registry.get("stargan", "full").hparams["n_critic"] == 5
    trainer = wgan.build(full, 0, **wgan.hparams)
    assert (trainer.n_critic, trainer.clip_value) == (5, 0.02)
    assert float(trainer.d_optimizer.learning_rate) == pytest.approx(5e-5)
    # The cpu profile trains the declarations as they stand; a run without settings for full does too.
    assert registry.get("wgan", cpu) is registry.get("wgan") and registry.get("dcgan", full) is registry.get("dcgan")
    assert registry.get("wgan").hparams["clip_value"] != 0.02
    table = image_generation.objectives_table(("wgan",), full)
    assert (table.loc["WGAN", "weight clip"], table.loc["WGAN", "critic updates per G update"]) == (0.02, 5)


def test_profile_settings_name_real_profiles_runs_fields_and_hyperparameters():
    fields = {f.name for f in dataclasses.fields(registry.RunSpec)}
    for profile, runs in registry.PROFILE_SETTINGS.items():
        assert profile in PROFILES
        for name, changes in runs.items():
            declared = registry.get(name)
            assert set(changes) <= fields, (profile, name)
            assert set(changes.get("hparams", {})) <= set(declared.hparams), (profile, name)  # no typo slips in unused
