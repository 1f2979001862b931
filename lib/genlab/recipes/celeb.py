"""DLCV hw4 on celeb faces: the VAE's read-outs, and the closing numbers of the GAN, ACGAN and InfoGAN notebooks.

The runs (three VAEs, the report GAN, the Smiling ACGAN, InfoGAN) are declared in the registry.
"""
from __future__ import annotations

import numpy as np

from genlab.data.ranges import UNIT, to_float, to_signed
from genlab.eval.detectors import haar_face_rate, haar_smile_rate
from genlab.eval.factors import attribute_spread, code_nmi, hair_group, row_change
from genlab.eval.scores import attribute_accuracy, evaluate_generated
from genlab.recipes import registry
from genlab.recipes.sources import infogan_codes
from genlab.report.tables import comparison_table
from genlab.train.driver import fixed_latent
from genlab.train.inference import batched
from genlab.vocab import HAIR_GROUP, SMILING

KL_WEIGHTS = (1e-5, 1e-4, 1e-3)
VAE_RUNS = ("vae_kl1e-5", "vae_kl1e-4", "vae_kl1e-3")  # in the order of KL_WEIGHTS
MAIN_VAE = "vae_kl1e-4"
HAAR_SAMPLES = 200  # images per Haar cascade rate


def smiling_samples(profile) -> int:
    """Generated images per Smiling state: 500, or half the profile's evaluation samples if fewer."""
    return min(500, profile.eval_samples // 2)


def infogan_samples_per_code(profile) -> int:
    """Samples per categorical value for the attribute rates: 100, fewer (at least 8) in small profiles."""
    return max(8, min(100, profile.eval_samples // 10))


# -- the VAE ---------------------------------------------------------------------------------
def reconstruct(run, images01: np.ndarray) -> np.ndarray:
    """Deterministic reconstructions (decoder of the latent mean), images in [0, 1]."""
    return batched(lambda x: run.model(x, training=False), images01)


def reconstruction_mse(run, images01: np.ndarray) -> float:
    """Mean squared error over every pixel of ``images01`` (range [0, 1], as the report)."""
    return float(np.mean((reconstruct(run, images01) - images01) ** 2))


def latent_means(run, images01: np.ndarray) -> np.ndarray:
    return batched(lambda x: run.model.encode(x)[0], images01)


def real_faces(test_images: np.ndarray, train_images: np.ndarray, n: int) -> np.ndarray:
    """``2 n`` real faces in [-1, 1], test faces first: twice the samples, so the real floor uses disjoint sets."""
    return to_float(np.concatenate([test_images, train_images])[: 2 * n])


def vae_table(runs: dict, classifier, real_pm1: np.ndarray, test01: np.ndarray, eval_samples: int, seed: int):
    """Per KL weight: test MSE and the distances of its samples to real faces."""
    rows = []
    for weight, run in runs.items():
        fake_pm1 = to_signed(run.sample(eval_samples, seed + 1), UNIT)
        report = evaluate_generated(classifier, real_pm1, fake_pm1, seed=seed)
        rows.append({"KL weight": weight, "test MSE": reconstruction_mse(run, test01), **report})
    return comparison_table(rows)


# -- the GAN ---------------------------------------------------------------------------------
def gan_table(run, classifier, real_pm1: np.ndarray, eval_samples: int, seed: int):
    """Distances to real faces and the Haar face rate, for the generator average and the raw generator."""
    real_faces = haar_face_rate(real_pm1[:HAAR_SAMPLES])["rate"]
    rows = []
    for raw in ((False, True) if run.averaged else (False,)):
        fake = run.sample(eval_samples, seed + 1, raw=raw)
        report = evaluate_generated(classifier, real_pm1, fake, seed=seed)
        face_rate = haar_face_rate(fake[:HAAR_SAMPLES])["rate"]
        rows.append({"model": run.label + (", raw generator" if raw else ""), **report,
                     "Haar face rate (fake)": face_rate, "Haar face rate (real)": real_faces,
                     "fake / real face rate": face_rate / real_faces if real_faces else float("nan"),
                     "diverged at": run.diverged_at})
    return comparison_table(rows)


# -- the ACGAN -------------------------------------------------------------------------------
def attribute_probabilities(classifier, images_pm1: np.ndarray, names, attribute: str) -> np.ndarray:
    """P(attribute) for images in [-1, 1]."""
    return classifier.predict(images_pm1)["attrs"][:, list(names).index(attribute)]


def smiling_pairs(run, seed: int, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """``n`` noise vectors drawn with Smiling off, and the same ones with Smiling on."""
    return run.sample(n, seed, conditions=np.zeros((n, 1))), run.sample(n, seed, conditions=np.ones((n, 1)))


def acgan_table(run, classifier, pairs, train_images: np.ndarray, train_records, n: int, seed: int):
    """Smiling accuracy of the pairs and of ``n`` samples per state, the judges' checks on real faces, distances."""
    names = train_records.names
    off, on = pairs
    many_off = run.sample(n, seed + 1, conditions=np.zeros((n, 1)))
    many_on = run.sample(n, seed + 1, conditions=np.ones((n, 1)))  # the same z: pairs that differ in Smiling only
    p_pairs = attribute_probabilities(classifier, np.concatenate([off, on]), names, SMILING)
    p_many = attribute_probabilities(classifier, np.concatenate([many_off, many_on]), names, SMILING)
    pair_target, many_target = np.repeat([0, 1], len(off)), np.repeat([0, 1], n)
    real_pm1 = to_float(train_images[: 2 * n])
    real_smile = train_records.column(SMILING)[: 2 * n]
    k = HAAR_SAMPLES
    rows = [
        {"measure": f"Smiling accuracy, {len(off)} pairs", "value": attribute_accuracy(p_pairs, pair_target)},
        {"measure": f"Smiling accuracy, {n} samples per state", "value": attribute_accuracy(p_many, many_target)},
        {"measure": "classifier accuracy on real images", "value": attribute_accuracy(
            attribute_probabilities(classifier, real_pm1, names, SMILING), real_smile)},
        {"measure": "Haar smile rate, generated smiling", "value": haar_smile_rate(many_on[:k])["rate"]},
        {"measure": "Haar smile rate, generated not smiling", "value": haar_smile_rate(many_off[:k])["rate"]},
        {"measure": "Haar smile rate, real smiling", "value": haar_smile_rate(real_pm1[real_smile == 1][:k])["rate"]},
        {"measure": "Haar smile rate, real not smiling", "value": haar_smile_rate(real_pm1[real_smile == 0][:k])["rate"]},
    ]
    flipped = condition_side_effects(classifier, many_off, many_on, names)
    rows += [{"measure": f"other attributes flipped by the Smiling input (share of samples): {name}", "value": share}
             for name, share in flipped[:3]]
    rows.append({"measure": "other attributes flipped, mean over all", "value": float(np.mean([s for _, s in flipped]))})
    report = evaluate_generated(classifier, real_pm1, np.concatenate([many_off, many_on]), seed=seed)
    rows += [{"measure": key, "value": value} for key, value in report.items()]
    return comparison_table(rows)


def condition_side_effects(classifier, off: np.ndarray, on: np.ndarray, names) -> list[tuple[str, float]]:
    """For pairs that share z, the share whose classifier decision flips, per attribute other than Smiling, most first."""
    p_off, p_on = classifier.predict(off)["attrs"], classifier.predict(on)["attrs"]
    flips = ((p_off > 0.5) != (p_on > 0.5)).mean(axis=0)
    return sorted(((name, float(f)) for name, f in zip(names, flips) if name != SMILING), key=lambda t: -t[1])


# -- InfoGAN ---------------------------------------------------------------------------------
def infogan_code_size() -> tuple[int, int]:
    code = registry.INFOGAN_CODE
    return code["n_categories"], code["n_continuous"]


def infogan_sweep(run, seed: int, n_cols: int = 8) -> np.ndarray:
    """One row per categorical value; each column shares z and the (zero) continuous code."""
    n_categories, n_continuous = infogan_code_size()
    codes = infogan_codes(n_categories, n_continuous)
    z = fixed_latent(n_cols, run.model.latent_dim, seed)
    return np.concatenate([run.generate([z, np.repeat(codes[k : k + 1], n_cols, axis=0)]) for k in range(n_categories)])


def infogan_table(run, classifier, train_images: np.ndarray, names, eval_samples: int, per_code: int, seed: int):
    """Distances to real faces; how much the categorical code determines what the classifier sees.

    NMI between the code and the classifier's hair group (black, blond, brown or none) and each
    binary attribute; the attributes whose rate moves most across code values; the mean pixel
    change between the rows of the sweep figure (same z down each column).
    """
    n_categories, n_continuous = infogan_code_size()
    codes = infogan_codes(n_categories, n_continuous)
    attrs, code_ids = [], np.repeat(np.arange(n_categories), per_code)
    for k in range(n_categories):
        zk = fixed_latent(per_code, run.model.latent_dim, seed + 10 + k)
        attrs.append(classifier.predict(run.generate([zk, np.repeat(codes[k : k + 1], per_code, axis=0)]))["attrs"])
    attrs = np.concatenate(attrs)
    nmi = {name: code_nmi(code_ids, attrs[:, i] > 0.5) for i, name in enumerate(names)}
    nmi["hair group"] = code_nmi(code_ids, hair_group(attrs, [list(names).index(h) for h in HAIR_GROUP]))
    best = max(nmi, key=nmi.get)
    sweep = infogan_sweep(run, seed).reshape(n_categories, -1, *train_images.shape[1:])
    fake = run.sample(eval_samples, seed + 1, conditions=codes[np.arange(eval_samples) % n_categories])
    report = evaluate_generated(classifier, to_float(train_images[: 2 * eval_samples]), fake, seed=seed)
    rows = [{"measure": key, "value": value} for key, value in report.items()]
    rows += [{"measure": "NMI between code and hair group", "value": nmi["hair group"]},
             {"measure": f"best NMI between code and an attribute: {best}", "value": nmi[best]},
             {"measure": "mean pixel change between rows of the sweep ([-1, 1] scale)", "value": row_change(sweep)}]
    rows += [{"measure": f"spread of P({name}) across codes", "value": s}
             for name, s in attribute_spread(code_ids, attrs, names)[:5]]
    return comparison_table(rows)
