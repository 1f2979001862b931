"""The notebooks, in the order ``make figures`` runs them, and the figures each one promises.

``make figures`` checks after the run that every promised figure exists and is up to date;
a test checks that each notebook saves exactly these names.
"""
from __future__ import annotations

NOTEBOOKS: dict[str, list[str]] = {
    "hw3_1_image_generation": [
        "hw3/3-1_dcgan_snapshots.jpg",
        "hw3/3-1_dcgan_5x5.jpg",
        "hw3/3-1_dcgan_curves.jpg",
        "hw3/3-1_dcgan_interpolation.jpg",
        "hw3/3-1_dcgan_nearest.jpg",
    ],
    "hw3_2_text_to_image": [
        "hw3/3-2_cgan_tags_5x5.jpg",
        "hw3/3-2_cgan_snapshots.jpg",
        "hw3/3-2_cgan_curves.jpg",
        "hw3/3-2_condition_encoding.jpg",
        "hw3/3-2_every_tag.jpg",
        "hw3/3-2_tag_mixing.jpg",
    ],
    "hw3_wgan_comparison": [
        "hw3/wgan_wasserstein_estimate.jpg",
        "hw3/wgan_side_by_side.jpg",
        "hw3/wgan_curves.jpg",
    ],
    "hw3_training_tips": [
        "hw3/tips_curves.jpg",
        "hw3/tips_samples.jpg",
    ],
    "hw3_3_style_transfer": [
        "hw3/3-3_stargan_test_faces.jpg",
        "hw3/3-3_stargan_user_photos.jpg",
        "hw3/3-3_stargan_curves.jpg",
    ],
    "hw4_1_vae": [
        "hw4/fig1_2.jpg",
        "hw4/fig1_3.jpg",
        "hw4/fig1_4.jpg",
        "hw4/fig1_5.jpg",
        "hw4/vae_kl_tradeoff.jpg",
        "hw4/vae_arithmetic.jpg",
        "hw4/vae_interpolation.jpg",
    ],
    "hw4_2_gan": ["hw4/fig2_2.jpg", "hw4/fig2_3.jpg", "hw4/gan_interpolation.jpg", "hw4/gan_nearest.jpg"],
    "hw4_3_acgan": ["hw4/fig3_2.jpg", "hw4/fig3_3.jpg", "hw4/acgan_smiling_sweep.jpg"],
    "hw4_4_infogan": ["hw4/fig4_2.jpg", "hw4/fig4_3.jpg", "hw4/infogan_continuous_sweep.jpg"],
}


# Seconds each notebook took in ``make figures PROFILE=cpu`` from nothing on 2 cores, one thread per
# kernel, two side by side (mixed_bfloat16 on an Intel Xeon with AMX, 2026-12-06: 60 min 0 s in all, in the
# order planned from the times of the run before; planned from these, the same times pack into 3,538 s).
# Only used to plan the order of the work (see genlab.tools.schedule.planned_order).
CPU_SECONDS: dict[str, float] = {
    "hw3_1_image_generation": 982, "hw3_2_text_to_image": 810, "hw3_wgan_comparison": 1901,
    "hw3_training_tips": 610, "hw3_3_style_transfer": 662, "hw4_1_vae": 236, "hw4_2_gan": 607,
    "hw4_3_acgan": 750, "hw4_4_infogan": 473,
}


def promised_figures(notebook: str | None = None) -> list[str]:
    """Figure paths (relative to the figures folder) promised by one notebook or all of them."""
    if notebook is not None:
        return list(NOTEBOOKS[notebook])
    return [fig for figs in NOTEBOOKS.values() for fig in figs]


CAPTIONS: dict[str, str] = {
    "hw3/3-1_dcgan_snapshots.jpg": "DCGAN samples from one fixed z at the reports' 1k/5k/10k/15k/20k points, scaled to the profile",
    "hw3/3-1_dcgan_5x5.jpg": "25 DCGAN samples after training (the course's gan_original.png layout)",
    "hw3/3-1_dcgan_curves.jpg": "DCGAN discriminator/generator losses and discriminator accuracy",
    "hw3/3-1_dcgan_interpolation.jpg": "Explore: spherical walks between 8 pairs of z, 10 steps each",
    "hw3/3-1_dcgan_nearest.jpg": "Explore: 8 DCGAN samples over their nearest training faces (classifier features)",
    "hw3/3-2_cgan_tags_5x5.jpg": "text-to-image: one row per tag of the input file, 5 samples each, from the model that follows the tags best",
    "hw3/3-2_cgan_snapshots.jpg": "the best tag-conditional model's samples for five fixed tags and z over training",
    "hw3/3-2_cgan_curves.jpg": "losses, real/fake accuracy and the auxiliary head's tag accuracy of the tag-conditional models",
    "hw3/3-2_condition_encoding.jpg": "hair/eye accuracy of generated faces: the report's conditional D vs an auxiliary-classifier D with separate one-hots (the full profile adds one with the joint one-hot)",
    "hw3/3-2_every_tag.jpg": "Explore: one z, every hair colour (rows) x every eye colour (columns), best model",
    "hw3/3-2_tag_mixing.jpg": "Explore: the condition moved from the first requested tag to the second, four z",
    "hw3/wgan_wasserstein_estimate.jpg": "critic's Wasserstein estimate over training (WGAN, WGAN-GP)",
    "hw3/wgan_side_by_side.jpg": "DCGAN, WGAN, WGAN-GP and LSGAN samples from the same z",
    "hw3/wgan_curves.jpg": "losses of the four objectives",
    "hw3/tips_curves.jpg": "training-tips ablation: losses per arm, divergence marked",
    "hw3/tips_samples.jpg": "training-tips ablation: samples per arm",
    "hw3/3-3_stargan_test_faces.jpg": "StarGAN on held-out faces: original, black, blond, brown hair, gender, age",
    "hw3/3-3_stargan_user_photos.jpg": "StarGAN on user photos, plain and gentler setting",
    "hw3/3-3_stargan_curves.jpg": "StarGAN adversarial, classification and reconstruction losses",
    "hw4/fig1_2.jpg": "VAE learning curves: reconstruction MSE and KL",
    "hw4/fig1_3.jpg": "10 test images (top) and their VAE reconstructions (bottom)",
    "hw4/fig1_4.jpg": "32 VAE samples from N(0, I)",
    "hw4/fig1_5.jpg": "t-SNE of test-set latent means, coloured by an attribute",
    "hw4/vae_kl_tradeoff.jpg": "reconstructions and samples for several KL weights",
    "hw4/vae_arithmetic.jpg": "Explore: test faces plus a multiple of the Smiling / Blond_Hair direction (mean latent with minus without)",
    "hw4/vae_interpolation.jpg": "Explore: decodings on the line between two test faces' latent means, four pairs",
    "hw4/fig2_2.jpg": "GAN learning curves: losses and discriminator accuracy on real and fake",
    "hw4/fig2_3.jpg": "32 GAN samples",
    "hw4/gan_interpolation.jpg": "Explore: spherical walks between 8 pairs of z, 10 steps each",
    "hw4/gan_nearest.jpg": "Explore: 8 GAN samples over their nearest training faces (classifier features)",
    "hw4/fig3_2.jpg": "ACGAN learning curves: adversarial and auxiliary losses and accuracies",
    "hw4/fig3_3.jpg": "ACGAN: 10 noise vectors, Smiling off (top) and on (bottom)",
    "hw4/acgan_smiling_sweep.jpg": "Explore: the Smiling input swept from 0 to 1, one z per row",
    "hw4/fig4_2.jpg": "InfoGAN learning curves including the mutual-information term",
    "hw4/fig4_3.jpg": "InfoGAN: rows sweep the discrete code, columns share z",
    "hw4/infogan_continuous_sweep.jpg": "Explore: each continuous code swept from -1 to 1, rows named by the attribute it moves most",
}
