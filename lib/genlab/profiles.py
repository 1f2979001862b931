"""Run profiles: how big and how long every notebook trains.

- ``smoke``: seconds per notebook; for tests and CI. Figures exist but show noise.
- ``cpu``:   the default without a GPU; the whole ``make figures`` on 2 cores, at the
  reports' 64x64 with narrower networks and short runs, sampled from
  each generator's moving average (see :mod:`genlab.train.average`).
  Trains under ``mixed_bfloat16`` where that measures faster than float32 on this CPU (see
  :mod:`genlab.precision`), in float32 elsewhere.
- ``full``:  the reports' settings: 64x64, the report architectures, 20k iterations.
  The default when TensorFlow sees a GPU.

Notebooks take the profile name as a papermill parameter and print ``describe()``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from genlab.precision import PRECISION_VARIABLE, PRECISIONS, bfloat16_pays

# Where the reports took their snapshots (1k, 5k, 10k, 15k, 20k of 20k iterations).
REPORT_SNAPSHOT_FRACTIONS = (0.05, 0.25, 0.5, 0.75, 1.0)
REPORT_ITERATIONS = 20_000


@dataclass(frozen=True)
class Profile:
    """Sizes and step counts for one kind of run."""

    name: str
    summary: str
    image_size: int
    width: float  # multiplier on the report architectures' filter counts
    dcgan_filters: int  # base filters of the Radford DCGAN (64 in the paper)
    batch_size: int
    anime_images: int  # embedded anime faces rendered (extra_data)
    celeb_images: int  # embedded celeb faces rendered (DLCV train; CelebA for StarGAN)
    steps: dict = field(default_factory=dict)  # training iterations (generator updates) per model
    log_every: int = 50
    eval_samples: int = 1000  # generated and real images per distance / accuracy estimate
    classifier_epochs: int = 8
    stargan_image_size: int = 128
    stargan_conv_dim: int = 64
    stargan_res_blocks: int = 6
    mixed_precision: bool | str = False  # True, False or "auto" (True where bfloat16 measures faster)
    left_out_runs: tuple = ()  # registry runs this profile does not train (its notebooks show the others)

    def steps_for(self, model: str) -> int:
        try:
            return int(self.steps[model])
        except KeyError:
            raise KeyError(f"profile {self.name!r} sets no step count for {model!r}; it has {sorted(self.steps)}") from None

    def snapshot_steps(self, total: int) -> list[int]:
        """The reports' 1k/5k/10k/15k/20k snapshot points scaled to ``total`` steps."""
        points = sorted({max(1, round(f * total)) for f in REPORT_SNAPSHOT_FRACTIONS})
        return points

    def log_interval(self, total: int) -> int:
        """A logging interval that divides ``total`` (at most ``log_every``)."""
        interval = min(self.log_every, total)
        while total % interval:
            interval -= 1
        return interval

    def describe(self) -> str:
        lines = [f"Profile {self.name!r}: {self.summary}",
                 f"  images {self.image_size}x{self.image_size}, width x{self.width:g} of the report nets, "
                 f"DCGAN base filters {self.dcgan_filters}, batch {self.batch_size}",
                 f"  embedded data: {self.anime_images} anime faces, {self.celeb_images} celeb faces; "
                 f"{self.eval_samples} samples per evaluation",
                 "  training steps: " + ", ".join(f"{k} {v}" for k, v in self.steps.items()),
                 *([f"  left out (the full profile trains them): {', '.join(self.left_out_runs)}"]
                   if self.left_out_runs else [])]
        if self.mixed_precision is True:
            lines.append("  precision: mixed_bfloat16 (bfloat16 compute, float32 weights and outputs)")
        elif self.mixed_precision == "auto":
            lines.append("  precision: mixed_bfloat16 if it measures faster than float32 on this CPU, else float32")
        else:
            lines.append("  precision: float32")
        return "\n".join(lines)

    @property
    def tag(self) -> str:
        """The profile's name plus ``-bf16`` under mixed precision: keys runs and cached classifiers."""
        return f"{self.name}-bf16" if self.mixed_precision is True else self.name


_MODELS = ("dcgan", "cgan", "wgan", "wgan_gp", "lsgan", "tips", "stargan", "vae", "gan", "acgan", "infogan")

PROFILES: dict[str, Profile] = {
    "smoke": Profile(
        name="smoke",
        summary="seconds per notebook, for tests and CI; the figures show untrained models",
        image_size=32, width=0.0625, dcgan_filters=8, batch_size=16,
        anime_images=192, celeb_images=192,
        steps={m: 4 for m in _MODELS}, log_every=2, eval_samples=64, classifier_epochs=1,
        stargan_image_size=32, stargan_conv_dim=8, stargan_res_blocks=1,
    ),
    "cpu": Profile(
        name="cpu",
        summary="the laptop default: 64x64, narrower nets, short runs, every figure on 2 cores",
        image_size=64, width=0.25, dcgan_filters=32, batch_size=64,
        anime_images=8000, celeb_images=8000,
        # 3-2's three tag GANs at 64: 400 steps left them at chance (hair 8%, eye 10-23%); the separate one-hots'
        # generator average over all pairs, seeds 0 / 1: hair 77 / 85%, eye 96 / 94% at 800 steps, 99.5 / 99.7% and
        # 98.6 / 98.3% at 1,200. At 32 (2,500 steps) the classifier was as good but animeface, blind at that size,
        # found 3-8% of the samples (34% of real faces; 99% at 64) and read the requested eye colour on 3-19% of them.
        # ACGAN at 250 steps drew checkered faces whose mouths the Haar cascade rarely found (smile rate
        # 8.5% vs 3.0%); 700 steps (seed 0): 27.5% vs 5.0% (0.75x the real difference), FID 43 -> 25.
        # WGAN 350 -> 700 -> 1,400 and WGAN-GP 400 -> 800 -> 1,600 steps (seed 0): FID 56.7 -> 35.8 -> 27.7 and
        # 69.6 -> 30.0 -> 21.1, animeface hits 27 -> 42 and 12 -> 30 at the last doubling (see the registry).
        # The report's GAN, 1,000 -> 1,400 steps (seed 0): Haar face rate over real faces' 0.82 -> 0.90, FID 29.9 -> 22.6.
        # StarGAN 800 updates of 5 critic steps -> 1,600 of 2 -> 2,400 of 2 at 32x32 -> 1,800 of 1 at 64x64 with an
        # attention mask (see the registry). The 3-1 DCGAN (with DiffAugment)
        # 1,600 -> 2,400 steps (seed 0): animeface hits 52 -> 62, FID 30.8 -> 25.0, spread 0.68 -> 0.72.
        steps={"dcgan": 2400, "cgan": 1200, "wgan": 1400, "wgan_gp": 1600, "lsgan": 1500, "tips": 1000,
               "stargan": 1800, "vae": 600, "gan": 1400, "acgan": 700, "infogan": 1000},
        log_every=50, eval_samples=1000, classifier_epochs=6,
        # StarGAN at 64 with half the 32x32 width (conv_dim 32 at 32 px cost what 16 does at 64): without the
        # attention mask its translations were blurred and grainy (see the registry).
        stargan_image_size=64, stargan_conv_dim=16, stargan_res_blocks=3, mixed_precision="auto",
        # 3-2's auxiliary classifier with the joint one-hot (375 s of training on 2 cores): at 64x64 in 1,200 steps
        # it followed the eyes but not the hair (seeds 0 / 1: hair 14.8 / 20.8%, eye 94.2 / 95.5%), and with it the
        # whole profile took 61 min 46 s; 3-2 keeps the report's cGAN and the separate one-hots.
        left_out_runs=("acgan_joint",),
    ),
    "full": Profile(
        name="full",
        summary="the reports' settings: 64x64, report architectures, 20k iterations (meant for a GPU)",
        image_size=64, width=1.0, dcgan_filters=64, batch_size=64,
        anime_images=36000, celeb_images=40000,
        steps={**{m: 20000 for m in _MODELS}, "tips": 10000, "stargan": 100000},
        log_every=100, eval_samples=2000, classifier_epochs=10,
        stargan_image_size=128, stargan_conv_dim=64, stargan_res_blocks=6,
    ),
}


def gpu_available() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def resolve_precision(profile: Profile, requested: str | None = None) -> Profile:
    """The profile with ``mixed_precision`` settled to True or False.

    ``requested`` (default: the ``GENLAB_PRECISION`` variable, else "auto") is ``float32``,
    ``mixed_bfloat16`` or ``auto``; ``auto`` keeps the profile's own setting and settles its
    "auto" by :func:`genlab.precision.bfloat16_pays` (measured once per CPU).
    """
    requested = (requested if requested is not None else os.environ.get(PRECISION_VARIABLE, "")) or "auto"
    if requested not in PRECISIONS:
        raise ValueError(f"{PRECISION_VARIABLE}={requested!r}: choose one of {', '.join(PRECISIONS)}")
    if requested == "auto":
        mixed = profile.mixed_precision
        mixed = bfloat16_pays() if mixed == "auto" else bool(mixed)
    else:
        mixed = requested == "mixed_bfloat16"
    return replace(profile, mixed_precision=mixed)


def get_profile(name: str | None = None, **overrides) -> Profile:
    """Return a profile by name; ``None`` or ``"auto"`` picks ``full`` with a GPU, else ``cpu``."""
    if name in (None, "", "auto"):
        name = "full" if gpu_available() else "cpu"
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)} or 'auto'")
    profile = PROFILES[name]
    return replace(profile, **overrides) if overrides else profile
