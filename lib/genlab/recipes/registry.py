"""Every trained run of every notebook, declared once: what it builds, on what data, for how long, with what.

A notebook asks its session for a run by name (``session.run("dcgan")``); the session trains it,
resumes it or loads it, and returns a :class:`~genlab.recipes.runs.Run`. A run is trained by the
notebook named in ``notebook``; the notebooks in ``reused_by`` load it instead, and ``make
figures`` starts them after the one that trains it. The profile's ``steps[step_key]`` says how long.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from genlab.data.ranges import SIGNED, UNIT
from genlab.recipes import builders, sources
from genlab.vocab import STARGAN_DOMAINS


@dataclass(frozen=True, eq=False)
class RunSpec:
    """One trained run. ``build(profile, seed, **hparams)`` returns the compiled trainer."""

    name: str
    notebook: str
    build: Callable
    data: Callable  # (session) -> (uint8 images, conditions or None)
    step_key: str
    hparams: dict = field(default_factory=dict)
    label: str = ""
    summary: str = ""  # the method in one line, for the notebooks' settings tables
    origin: str = "report"  # where the method comes from: report, ganhacks, sensitivity, beyond the report
    reused_by: tuple[str, ...] = ()
    snapshots: Callable | None = None  # (seed, latent_dim) -> sampler inputs; None: 25 fixed z
    snapshot: bool = True  # take sample snapshots at the reports' points of training
    batch_size: int | None = None  # images per critic step; None: the profile's
    value_range: tuple[float, float] = SIGNED
    divergence_bound: float = 1e4
    watch: tuple[str, ...] | None = None  # metrics the divergence guard watches (None: all)
    ema_half_life: float | None = None  # the generator average's half-life as a share of the run (None: no average)
    ema_statistics: str = "average"  # BatchNorm statistics of the average: "average" or "copy"
    ema_recalibrate: bool = True  # sample from a copy of the average with BatchNorm statistics re-estimated


def adam(learning_rate: float = 2e-4, beta_1: float = 0.5, beta_2: float = 0.999) -> dict:
    """An Adam config; the defaults are the DCGAN paper's (lr 2e-4, beta1 0.5)."""
    return {"class_name": "Adam", "config": {"learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2}}


def rmsprop(learning_rate: float) -> dict:
    return {"class_name": "RMSprop", "config": {"learning_rate": learning_rate}}


def sgd(learning_rate: float) -> dict:
    return {"class_name": "SGD", "config": {"learning_rate": learning_rate}}


DCGAN_ADAM = dict(d_optimizer=adam(), g_optimizer=adam())
# Differentiable augmentation of every D input (Zhao et al. 2020), added to the report's DCGAN: without it
# D wins throughout (accuracy 0.96-1.0) and the faces stay noisy.
DIFF_AUGMENT = "color,translation,cutout"
# Every adversarial run samples from its generator's moving average, with a half-life of this share
# of the run (5%: decay 0.986 over 1,000 steps); tables keep the raw generator's row beside it.
EMA = dict(ema_half_life=0.05)

# SGD's learning rate for every SGD tips arm but the sensitivity one. The report tuned its rate
# and does not print it; with 0.1 the un-normalized SGD arms blow up as the report describes.
TIPS_SGD = sgd(0.1)
# Adam's learning rate for the MLP arms: the report names Adam, not its rate. At 64x64 and 1,000
# steps the DCGAN's 2e-4 left every MLP arm grey (FID 245-278); 1e-3 gives faces (best arm FID 116-139).
TIPS_ADAM = adam(1e-3)
TIPS_DIVERGENCE_BOUND = 100.0  # a loss this large means D separates perfectly: the report's "exploded"

HW3_1, WGAN_NB, TIPS_NB, HW3_2, HW3_3 = ("hw3_1_image_generation", "hw3_wgan_comparison", "hw3_training_tips",
                                        "hw3_2_text_to_image", "hw3_3_style_transfer")
VAE_NB, GAN_NB, ACGAN_NB, INFOGAN_NB = "hw4_1_vae", "hw4_2_gan", "hw4_3_acgan", "hw4_4_infogan"


def _objective(name, label, summary, notebook=WGAN_NB, reused_by=(), **hparams):
    return RunSpec(name, notebook, builders.objective_gan, sources.anime_faces, name, label=label, summary=summary,
                   hparams={"name": name, **hparams}, reused_by=reused_by, **EMA)


def _tips_arm(name, label, normalized=False, d_optimizer=TIPS_SGD, g_optimizer=TIPS_SGD, origin="report", **tricks):
    return RunSpec(name, TIPS_NB, builders.mlp_gan, sources.anime_faces, "tips", label=label, origin=origin,
                   hparams=dict(d_optimizer=d_optimizer, g_optimizer=g_optimizer, **tricks),
                   value_range=SIGNED if normalized else UNIT, divergence_bound=TIPS_DIVERGENCE_BOUND,
                   watch=("d_loss", "g_loss"))  # no average: it hides the explosions the ablation shows


def _tag_gan(kind, encoding, label):
    return RunSpec(f"{kind}_{encoding}", HW3_2, builders.tag_gan, sources.anime_tags(encoding), "cgan", label=label,
                   hparams=dict(kind=kind, encoding=encoding, **DCGAN_ADAM), snapshots=sources.tag_snapshots(encoding), **EMA)


def _vae(name, kl_weight):
    return RunSpec(name, VAE_NB, builders.vae, sources.celeb_faces, "vae", label=f"VAE, KL weight {kl_weight:g}",
                   hparams=dict(kl_weight=kl_weight, optimizer_config=adam(1e-3, 0.9)), snapshot=False,
                   value_range=UNIT)


_BEST_MLP = dict(normalized=True, d_optimizer=TIPS_ADAM, g_optimizer=TIPS_ADAM)
# The code's categories match the classifier's hair groups (black, blond, brown, none). Entering only
# G's first layer, ten categories tinted the image (NMI 0.02 with hair); entering G's 4x4 and 8x8
# feature maps as well, where the face is laid out, the rows split by hair on seed 0 (NMI 0.23-0.40 after
# 1,000 steps) and far less on seed 1 (0.07): which factor the code takes is still up to the seed.
INFOGAN_CODE = dict(latent_dim=62, n_categories=4, n_continuous=2)
INFOGAN_CONDITION_STAGES = 2

SPECS: tuple[RunSpec, ...] = (
    # DiffAugment, 1,600 steps, seeds 0 / 1: 52 / 59 animeface hits, FID 30.8 / 23.6, spread 0.68 / 0.75 (without
    # it, seed 0: 43, 65.6, 0.62); 2,400 steps (see profiles.py): 62 / 56, 25.0 / 22.4, 0.72 / 0.76. An R1 penalty
    # of 1 instead gave FID 17.6 and spread 0.81 but 43 hits (seed 0, 1,600 steps).
    _objective("dcgan", "DCGAN", "sigmoid cross-entropy, non-saturating G loss, Adam 2e-4 beta1 0.5", notebook=HW3_1,
               reused_by=(WGAN_NB, TIPS_NB), loss="nonsaturating", augment=DIFF_AUGMENT, **DCGAN_ADAM),
    # The report's WGAN (clip 0.02, RMSProp 5e-5; 5 critic steps in the WGAN paper) needs tens of thousands of steps; a
    # wider clip, a faster RMSProp and 2 critic steps reach FID 66-72 in 350, 35.8 / 42.1 in 700 (two seeds;
    # animeface hits 27 / 27) and 27.7 / 31.8 in 1,400 (hits 42 / 46, spread 0.71 / 0.64). Same method.
    _objective("wgan", "WGAN", "no sigmoid, no log, critic clipped to [-0.05, 0.05], RMSProp 2e-4, 2 critic steps",
               loss="wgan", d_optimizer=rmsprop(2e-4), g_optimizer=rmsprop(2e-4), n_critic=2, clip_value=0.05),
    # Two time-scale rates (Heusel et al.) in place of 5 critic steps: FID 67-73 in 400 steps, 30.0 / 29.4 in 800
    # (two seeds; varied, grainy faces, animeface hits 12 / 7), 21.1 / 23.3 in 1,600 (hits 30 / 32, spread 0.73 /
    # 0.69). DiffAugment slowed it (FID 110 at 400, seed 0). With G at 1e-4 the critic's estimate stayed at ~22 and
    # the faces grainy (bfloat16, 1,600 steps, seeds 0 / 1: hits 27 / 40, FID 21.7 / 22.0; 2,400 steps: 45 hits,
    # FID 17.7); G at 2e-4 halves the estimate and cleans the faces in the same 1,600: 47 / 44 hits, FID 17.8 / 20.5,
    # spread 0.78 / 0.78.
    _objective("wgan_gp", "WGAN-GP",
               "gradient penalty 10, critic without BatchNorm, Adam betas (0.5, 0.9): critic 4e-4, G 2e-4, 1 critic step",
               loss="wgan-gp", d_optimizer=adam(4e-4, 0.5, 0.9), g_optimizer=adam(2e-4, 0.5, 0.9), critic=True,
               n_critic=1),
    # A BatchNorm D on all-fake batches overshoots the 0/1 targets and G collapses (FID 236); WGAN-GP's LayerNorm
    # critic collapses later (500 steps: FID 224.5, spread 0.10, one face). Spectral normalization of D's layers in
    # its place (added; Miyato et al. 2018) keeps the faces varied: 1,500 steps, seeds 0 / 1: FID 26.4 / 33.6,
    # spread 0.76 / 0.76, animeface hits 24 / 23 (500 steps: FID 126, spread 0.46).
    _objective("lsgan", "LSGAN", "least squares (targets 1 and 0), spectral norm in D (added), Adam 2e-4 beta1 0.5",
               loss="lsgan", critic=True, spectral_norm=True, **DCGAN_ADAM),
    _tips_arm("tips_baseline", "baseline"),
    _tips_arm("tips_normalized_inputs", "+normalized inputs", normalized=True),
    _tips_arm("tips_adam_for_g", "+Adam for G", g_optimizer=TIPS_ADAM),
    _tips_arm("tips_normalized_adam_for_g", "+normalized +Adam for G", normalized=True, g_optimizer=TIPS_ADAM),
    _tips_arm("tips_adam_for_both", "+Adam for both", d_optimizer=TIPS_ADAM, g_optimizer=TIPS_ADAM),
    _tips_arm("tips_normalized_adam_for_both", "+normalized +Adam for both", **_BEST_MLP),
    _tips_arm("tips_label_smoothing", "+label smoothing", label_smoothing=0.1, origin="ganhacks", **_BEST_MLP),
    _tips_arm("tips_instance_noise", "+instance noise", instance_noise=0.1, origin="ganhacks", **_BEST_MLP),
    _tips_arm("tips_noisy_labels", "+noisy labels", label_noise=0.05, origin="ganhacks", **_BEST_MLP),
    _tips_arm("tips_baseline_sgd_lr_0_01", "baseline, SGD lr 0.01", d_optimizer=sgd(0.01), g_optimizer=sgd(0.01),
              origin="sensitivity"),
    _tag_gan("cgan", "joint", "report cGAN, joint one-hot"),
    _tag_gan("acgan", "joint", "aux. classifier, joint one-hot"),
    _tag_gan("acgan", "separate", "aux. classifier, separate one-hots"),
    # Two additions to the paper, measured in the cpu profile (seeds 0 / 1, README's tuning notes): 2 critic steps
    # per update instead of 5 (at 32x32, 2,400 updates of 2 against 800 of 5: mean target accuracy 86.3 / 87.0% ->
    # 92.0 / 91.0%), then, at 64x64, GANimation's attention mask (Pumarola et al. 2018) with 1 critic step: without
    # the mask 64x64 gave blurred, grainy faces; with it the faces keep identity and background (Haar face rate of
    # translations over the originals' 0.96 / 0.97, against 0.85 / 0.91 from the 32x32 run without it), at a cost
    # in target accuracy (84.8 / 88.8% against 91.6 / 97.3% in 1,800 updates of 1 critic step, which take the time
    # of 2,400 of 2 at 32x32).
    RunSpec("stargan", HW3_3, builders.stargan, sources.stargan_faces, "stargan", label="StarGAN",
            hparams=dict(n_domains=len(STARGAN_DOMAINS), d_optimizer=adam(1e-4, 0.5, 0.999),
                         g_optimizer=adam(1e-4, 0.5, 0.999), lambda_cls=1.0, lambda_rec=10.0, lambda_gp=10.0,
                         n_critic=1, attention_mask=True),
            summary="WGAN-GP, domain classification and L1 cycle losses (1, 10, 10), 1 critic step (the paper: 5), "
                    "attention mask (GANimation), Adam 1e-4, batch 16",
            batch_size=16, snapshot=False, ema_half_life=EMA["ema_half_life"], ema_recalibrate=False),  # the paper's batch size; G has no BatchNorm
    _vae("vae_kl1e-5", 1e-5),
    _vae("vae_kl1e-4", 1e-4),
    _vae("vae_kl1e-3", 1e-3),
    RunSpec("hw4_gan", GAN_NB, builders.report_gan, sources.celeb_faces, "gan", label="GAN",
            hparams=dict(label_smoothing=0.1, label_noise=0.02, **DCGAN_ADAM),
            summary="non-saturating loss, Adam 2e-4 beta1 0.5, one-sided label smoothing 0.1, 2% of labels flipped",
            **EMA),
    RunSpec("hw4_acgan", ACGAN_NB, builders.report_acgan, sources.celeb_smiling, "acgan", label="ACGAN",
            hparams=dict(fake_aux_weight=0.0, **DCGAN_ADAM), snapshots=sources.smiling_pairs,
            summary="non-saturating loss, Adam 2e-4 beta1 0.5; auxiliary head learns Smiling from real faces only",
            **EMA),
    RunSpec("hw4_infogan", INFOGAN_NB, builders.infogan, sources.celeb_faces, "infogan", label="InfoGAN",
            hparams=dict(**INFOGAN_CODE, condition_stages=INFOGAN_CONDITION_STAGES, **DCGAN_ADAM), snapshots=sources.infogan_sweep(INFOGAN_CODE["n_categories"], INFOGAN_CODE["n_continuous"]),
            origin="beyond the report", **EMA),
)

RUNS: dict[str, RunSpec] = {spec.name: spec for spec in SPECS}

# Where a profile trains a run otherwise: ``{profile: {run: {"hparams": {...}, other RunSpec fields}}}``. The
# declarations above bend the report's settings to the cpu profile's budget; ``full`` (meant for a GPU and
# 20,000 iterations) trains the report's own: its WGAN's clip 0.02 with the WGAN paper's RMSProp 5e-5 and 5 critic
# steps, and the StarGAN paper's 5 critic steps without an attention mask.
PROFILE_SETTINGS: dict[str, dict[str, dict]] = {
    "full": {
        "wgan": dict(hparams=dict(clip_value=0.02, d_optimizer=rmsprop(5e-5), g_optimizer=rmsprop(5e-5), n_critic=5),
                     summary="no sigmoid, no log, critic clipped to [-0.02, 0.02], RMSProp 5e-5, 5 critic steps"),
        "stargan": dict(hparams=dict(n_critic=5, attention_mask=False),
                        summary="WGAN-GP, domain classification and L1 cycle losses (1, 10, 10), 5 critic steps, "
                                "Adam 1e-4, batch 16"),
    },
}


def get(name: str, profile=None) -> RunSpec:
    """The run ``name`` as ``profile`` (a Profile or its name; None: as declared) trains it."""
    try:
        spec = RUNS[name]
    except KeyError:
        raise KeyError(f"no run {name!r} in the registry; runs are: {', '.join(RUNS)}") from None
    changes = PROFILE_SETTINGS.get(getattr(profile, "name", profile), {}).get(name)
    if not changes:
        return spec
    return replace(spec, **{**changes, "hparams": {**spec.hparams, **changes.get("hparams", {})}})


# Training tricks a run's hyperparameters may add, as settings tables name them.
TRICKS = (("label smoothing", "label_smoothing"), ("label noise", "label_noise"),
          ("instance noise", "instance_noise"), ("R1 penalty", "r1_weight"))


def tricks_text(hparams: dict) -> str:
    """The tricks ``hparams`` add to a run's loss, e.g. "label smoothing 0.1, DiffAugment (color, cutout)"."""
    parts = [f"{text} {hparams[key]:g}" for text, key in TRICKS if hparams.get(key)]
    if hparams.get("augment"):
        parts.append(f"DiffAugment ({hparams['augment'].replace(',', ', ')})")
    return ", ".join(parts)


def check_use(spec: RunSpec, notebook: str | None) -> None:
    """A notebook may use a run it trains or one whose declaration lists it in ``reused_by``."""
    if notebook is not None and notebook != spec.notebook and notebook not in spec.reused_by:
        raise ValueError(f"run {spec.name!r} is trained by {spec.notebook}; to use it in {notebook}, add "
                         f"{notebook!r} to its reused_by in genlab/recipes/registry.py")


def notebook_dependencies() -> dict[str, tuple[str, ...]]:
    """For each notebook that reuses another's run, the notebooks that must finish first."""
    after: dict[str, set[str]] = {}
    for spec in SPECS:
        for user in spec.reused_by:
            after.setdefault(user, set()).add(spec.notebook)
    return {user: tuple(sorted(producers)) for user, producers in after.items()}


def step_keys() -> set[str]:
    return {spec.step_key for spec in SPECS}
