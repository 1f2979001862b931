"""HW3 3-3 style transfer: StarGAN's translations to every domain, on held-out faces and photos, and their scores."""
from __future__ import annotations

import numpy as np

from genlab.eval.detectors import haar_face_rate
from genlab.report.tables import comparison_table
from genlab.train.stargan import stargan_targets
from genlab.vocab import HAIR_GROUP, STARGAN_DOMAINS

HAAR_SAMPLES = 200  # images per Haar face rate
COLUMNS = ["original", "black hair", "blond hair", "brown hair", "gender", "age"]


def translate_all(run, images_pm1: np.ndarray, labels: np.ndarray, domains=STARGAN_DOMAINS,
                  strength: float = 1.0, blend: float = 1.0) -> np.ndarray:
    """(N, 1 + len(domains), H, W, 3): the original, then the image moved to each domain.

    ``strength`` < 1 takes a smaller step in label space (c_org + strength (c_trg - c_org));
    ``blend`` < 1 mixes the translation with the original: the report's gentler setting.
    """
    columns = [images_pm1]
    for target in stargan_targets(labels, domains):
        c = labels + strength * (target - labels)
        out = run.generate([images_pm1, c.astype("float32")])
        columns.append((1.0 - blend) * images_pm1 + blend * out)
    return np.stack(columns, axis=1)


def judge_accuracy(classifier, images_pm1: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The evaluation classifier's accuracy per domain on real faces: the ceiling for judging translations."""
    return ((classifier.predict(images_pm1)["domains"] > 0.5) == (labels > 0.5)).mean(axis=0)


def read_domains(classifier, images_pm1: np.ndarray) -> np.ndarray:
    """0/1 domain labels of photos as the evaluation classifier reads them."""
    return (classifier.predict(images_pm1)["domains"] > 0.5).astype("float32")


def translation_scores(run, classifier, images_pm1: np.ndarray, labels: np.ndarray, domains=STARGAN_DOMAINS) -> list[dict]:
    """Per domain: target-attribute accuracy of translations, mean change of the other attributes,
    cycle reconstruction L1 (translate, then back to the original labels), and the Haar cascade's
    face rate on translations divided by its rate on the originals (faces stay faces: about 1).

    For a hair target the other hair colours are meant to change and are not counted as "other".
    """
    rows = []
    before = classifier.predict(images_pm1)["domains"]
    original_faces = haar_face_rate(images_pm1[:HAAR_SAMPLES])["rate"]
    hair = {i for i, d in enumerate(domains) if d in HAIR_GROUP}
    for i, target in enumerate(stargan_targets(labels, domains)):
        fake = run.generate([images_pm1, target])
        probs = classifier.predict(fake)["domains"]
        others = [j for j in range(len(domains)) if j != i and not (i in hair and j in hair)]
        back = run.generate([fake, labels.astype("float32")])
        rows.append({
            "domain": domains[i],
            "target accuracy": float(((probs[:, i] > 0.5) == (target[:, i] > 0.5)).mean()),
            "other attributes changed": float(np.abs(probs[:, others] - before[:, others]).mean()),
            "cycle L1": float(np.abs(back - images_pm1).mean()),
            "Haar face rate / originals": haar_face_rate(fake[:HAAR_SAMPLES])["rate"] / max(original_faces, 1e-9),
        })
    return rows


def scores_table(run, classifier, test_pm1: np.ndarray, test_labels: np.ndarray):
    """:func:`translation_scores` per domain with the judge's own accuracy, and their mean."""
    scores = translation_scores(run, classifier, test_pm1, test_labels)
    for row, accuracy in zip(scores, judge_accuracy(classifier, test_pm1, test_labels)):
        row["classifier accuracy on real faces"] = float(accuracy)
    mean = {"domain": "mean", **{k: float(np.mean([r[k] for r in scores])) for k in scores[0] if k != "domain"}}
    return comparison_table(scores + [mean])


def with_photo_face_rates(table, photos_pm1: np.ndarray, translated: np.ndarray):
    """``table`` (one row per domain, then the mean) with the Haar face rate of each domain's translated photos
    over the photos' own rate; NaN when the cascade finds no face in the photos themselves.

    ``translated`` is :func:`translate_all` of the photos: the originals, then one column per domain.
    """
    original = haar_face_rate(photos_pm1)["rate"]
    ratios = [haar_face_rate(translated[:, 1 + i])["rate"] / original if original else float("nan")
              for i in range(translated.shape[1] - 1)]
    table[f"photos ({len(photos_pm1)}): Haar face rate / originals"] = [*ratios, float(np.mean(ratios))]
    return table
