"""The evaluation classifiers ("judges") each notebook trains once per data, profile and seed.

A judge says which faces it learns from and which heads it has; the session trains it or
loads it from the cache (``genlab.eval.classifier.get_attribute_classifier``).
"""
from __future__ import annotations

from genlab.recipes.sources import stargan_faces
from genlab.vocab import DLCV_ATTRIBUTES, N_EYE, N_HAIR, STARGAN_DOMAINS


def anime(session):
    """Hair (12 classes) and eye (11) colour of the anime faces."""
    images, records = session.anime_data()
    return images, {"hair": records.hair, "eye": records.eye}, {"hair": ("categorical", N_HAIR),
                                                                 "eye": ("categorical", N_EYE)}


def celeb(session):
    """The 13 DLCV attributes of the celeb training faces."""
    images, records = session.celeb_data("train")
    return images, {"attrs": records.attrs}, {"attrs": ("binary", len(DLCV_ATTRIBUTES))}


def stargan(session):
    """The five StarGAN domains of the CelebA-format training faces (held-out faces excluded)."""
    images, labels = stargan_faces(session)
    return images, {"domains": labels}, {"domains": ("binary", len(STARGAN_DOMAINS))}


# cache name -> judge; the names key the classifier cache.
JUDGES = {"anime": anime, "celeb-dlcv": celeb, "celeba-stargan": stargan}
