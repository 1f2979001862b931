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
    ],
    "hw3_2_text_to_image": [
        "hw3/3-2_cgan_tags_5x5.jpg",
        "hw3/3-2_cgan_snapshots.jpg",
        "hw3/3-2_cgan_curves.jpg",
        "hw3/3-2_condition_encoding.jpg",
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
    ],
    "hw4_2_gan": ["hw4/fig2_2.jpg", "hw4/fig2_3.jpg"],
    "hw4_3_acgan": ["hw4/fig3_2.jpg", "hw4/fig3_3.jpg"],
    "hw4_4_infogan": ["hw4/fig4_2.jpg", "hw4/fig4_3.jpg"],
}


def promised_figures(notebook: str | None = None) -> list[str]:
    """Figure paths (relative to the figures folder) promised by one notebook or all of them."""
    if notebook is not None:
        return list(NOTEBOOKS[notebook])
    return [fig for figs in NOTEBOOKS.values() for fig in figs]
