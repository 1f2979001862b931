"""Evaluation on cases with known answers."""
from __future__ import annotations

import json

import numpy as np
import pytest
import skimage.data
from PIL import Image
from scipy import ndimage

from genlab import eval as E
from genlab import paths
from genlab.data.ranges import to_uint8
from genlab.eval.classifier import classifier_cache_path


def gaussian(n, mean, dim=8, seed=0):
    return np.random.default_rng(seed).standard_normal((n, dim)) + mean


def with_exact_moments(n, mean, cov, seed):
    """Samples whose sample mean and (unbiased) sample covariance are exactly ``mean``, ``cov``."""
    x = np.random.default_rng(seed).standard_normal((n, len(mean)))
    x -= x.mean(axis=0)
    x = x @ np.linalg.inv(np.linalg.cholesky(np.cov(x, rowvar=False))).T
    return x @ np.linalg.cholesky(cov).T + np.asarray(mean)


# -- distances ------------------------------------------------------------------------------


def test_identical_sets_have_zero_distance():
    x = gaussian(500, 0.0)
    assert E.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    # KID is unbiased: ~0 for two samples of one distribution, far below a unit mean shift.
    same = E.kernel_distance(x, gaussian(500, 0.0, seed=9), n_subsets=5, subset_size=400)[0]
    shifted = E.kernel_distance(x, gaussian(500, 1.0, seed=9), n_subsets=5, subset_size=400)[0]
    assert abs(same) < 0.05 * shifted
    assert abs(E.kernel_distance(x, x, n_subsets=3)[0]) < 0.05 * shifted


def test_frechet_distance_equals_the_closed_form_for_known_gaussians():
    # Non-commuting 2-D covariances. For 2x2 M = C_a C_b (eigenvalues >= 0),
    # tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)), which gives FID without any matrix square root.
    cov_a = np.array([[2.0, 0.8], [0.8, 1.0]])
    cov_b = np.array([[0.5, -0.2], [-0.2, 1.5]])
    mean_a, mean_b = np.array([0.0, 0.0]), np.array([1.0, -1.0])
    product = cov_a @ cov_b
    closed_form = (np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b)
                   - 2.0 * np.sqrt(np.trace(product) + 2.0 * np.sqrt(np.linalg.det(product))))
    a = with_exact_moments(100, mean_a, cov_a, seed=1)
    b = with_exact_moments(100, mean_b, cov_b, seed=2)
    assert E.frechet_distance(a, b) == pytest.approx(closed_form, rel=1e-9)


def test_frechet_distance_of_sampled_shifted_gaussians():
    a, b = gaussian(20000, 0.0, dim=4, seed=1), gaussian(20000, 0.0, dim=4, seed=2)
    shift = np.array([1.0, 2.0, 0.0, 0.0])
    # Same covariance (identity), means differ by `shift`: FID = |shift|^2 (+ sampling noise).
    assert E.frechet_distance(a, b + shift) == pytest.approx(5.0, abs=0.1)


def test_distances_grow_with_the_shift():
    base = gaussian(600, 0.0, seed=3)
    shifts = (0.0, 0.5, 1.0, 2.0)
    fids = [E.frechet_distance(base, gaussian(600, s, seed=4)) for s in shifts]
    kids = [E.kernel_distance(base, gaussian(600, s, seed=4), n_subsets=3, subset_size=300)[0] for s in shifts]
    assert fids == sorted(fids) and kids == sorted(kids)
    assert fids[-1] > 10 * fids[1]


def test_frechet_distance_survives_singular_covariances(recwarn):
    # Dead ReLU units (constant 0) and fewer samples than dimensions make the covariances singular.
    rng = np.random.default_rng(0)
    a, b = np.maximum(rng.normal(size=(60, 128)), 0), np.maximum(rng.normal(0.3, size=(60, 128)), 0)
    a[:, :40] = b[:, :40] = 0.0
    value = E.frechet_distance(a, b)
    assert np.isfinite(value) and value > E.frechet_distance(a, a[::-1])
    assert not [w for w in recwarn if "singular" in str(w.message)]


def test_distances_reject_mismatched_or_tiny_inputs():
    with pytest.raises(ValueError, match="feature sizes differ"):
        E.frechet_distance(gaussian(10, 0, dim=3), gaussian(10, 0, dim=4))
    with pytest.raises(ValueError, match="N >= 2"):
        E.kernel_distance(gaussian(1, 0), gaussian(10, 0))
    with pytest.raises(ValueError, match="NaN"):
        E.frechet_distance(np.full((5, 2), np.nan), gaussian(5, 0, dim=2))


def test_distance_report_includes_the_real_floor():
    real, fake = gaussian(1000, 0.0, seed=5), gaussian(200, 1.0, seed=6)
    report = E.distance_report(real, fake)
    assert set(report) == {"fid", "kid", "kid_std", "fid_floor", "kid_floor", "n"}
    assert report["n"] == 200
    assert report["fid"] > 5 * report["fid_floor"]
    assert report["kid"] > report["kid_floor"]
    # Fewer than twice as many reals: sizes shrink so the floor still uses disjoint real sets.
    assert E.distance_report(real[:300], fake)["n"] == 150
    assert E.distance_report(real, fake, seed=1) == E.distance_report(real, fake, seed=1)
    assert E.distance_report(real, fake, seed=1)["fid_floor"] != report["fid_floor"]


# -- accuracy ------------------------------------------------------------------------------


def test_attribute_accuracy_perfect_and_shuffled():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 4, 4000)
    probs = np.eye(4)[targets]
    assert E.attribute_accuracy(probs, targets) == 1.0
    assert E.attribute_accuracy(probs[rng.permutation(4000)], targets) == pytest.approx(0.25, abs=0.03)
    binary = rng.integers(0, 2, (4000, 3)).astype(float)
    assert E.attribute_accuracy(binary, binary) == 1.0
    assert E.attribute_accuracy(binary[rng.permutation(4000)], binary) == pytest.approx(0.5, abs=0.03)
    assert E.attribute_accuracy(1.0 - binary, binary) == 0.0
    with pytest.raises(ValueError):
        E.attribute_accuracy(probs[:10], targets[:20])


# -- the evaluation classifier -------------------------------------------------------------


def coloured_squares(n, seed=0):
    """Red or blue squares on noise; label 1 = red."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(-0.3, 0.3, (n, 16, 16, 3)).astype("float32")
    labels = rng.integers(0, 2, n)
    images[labels == 1, 4:12, 4:12, 0] = 0.9
    images[labels == 0, 4:12, 4:12, 2] = 0.9
    return images, labels


def test_classifier_learns_caches_and_separates_blurred_images():
    images, labels = coloured_squares(400)
    heads = {"red": ("binary", 1), "colour": ("categorical", 2)}
    targets = {"red": labels.astype("float32"), "colour": labels}
    options = {"epochs": 2, "eval_size": 16, "width": 8, "batch_size": 32}
    classifier = E.get_attribute_classifier("toy", images, targets, heads, **options)
    assert set(classifier.validation_accuracy) == {"red", "colour"}

    test_images, test_labels = coloured_squares(200, seed=1)
    probs = classifier.predict(test_images)
    assert probs["colour"].shape == (200, 2) and probs["red"].shape == (200, 1)
    assert E.attribute_accuracy(probs["colour"], test_labels) > 0.9
    assert E.attribute_accuracy(probs["red"], test_labels[:, None]) > 0.9

    cached = paths.cache_dir() / "classifiers" / "toy.keras"
    assert cached.exists()
    assert json.loads(cached.with_suffix(".json").read_text())["heads"] == {"red": ["binary", 1], "colour": ["categorical", 2]}
    assert not [p for p in cached.parent.iterdir() if "tmp" in p.name]
    again = E.get_attribute_classifier("toy", images, targets, heads, **options)
    assert again is not classifier and again.validation_accuracy == classifier.validation_accuracy
    np.testing.assert_allclose(again.predict(test_images)["colour"], probs["colour"], atol=1e-5)

    # A cache trained another way (here: more images) is not reused but replaced.
    retrained = E.get_attribute_classifier("toy", images[:64], {k: v[:64] for k, v in targets.items()}, heads,
                                           **{**options, "epochs": 1})
    assert json.loads(cached.with_suffix(".json").read_text())["n_images"] == 64
    assert not np.allclose(retrained.predict(test_images)["colour"], probs["colour"], atol=1e-3)

    real = classifier.features(images)
    assert real.shape == (400, 128)
    blurred = ndimage.gaussian_filter(test_images, sigma=(0, 2, 2, 0))
    same = E.evaluate_generated(classifier, images, test_images)
    blur = E.evaluate_generated(classifier, images, blurred)
    assert blur["fid"] > same["fid"] and blur["fid"] > blur["fid_floor"] and blur["kid"] > same["kid"]

    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        classifier.predict(test_images * 255.0)
    with pytest.raises(ValueError, match="'colour'"):
        classifier.fit(images, {"red": targets["red"], "colour": labels + 5}, epochs=1)
    with pytest.raises(ValueError, match="no entry for head 'colour'"):
        classifier.fit(images, {"red": targets["red"]}, epochs=1)


def test_classifier_rejects_bad_heads_and_cache_keys():
    with pytest.raises(ValueError, match="kind must be"):
        E.AttributeClassifier({"x": ("regression", 1)})
    with pytest.raises(ValueError, match="taken by the feature layer"):
        E.AttributeClassifier({"features": ("binary", 1)})
    with pytest.raises(ValueError, match="plain file name"):
        classifier_cache_path("../elsewhere")


# -- detectors ----------------------------------------------------------------------------


def resized(image, size=64):
    return np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BICUBIC))


def test_detectors_find_nothing_in_blank_images():
    blank = np.zeros((3, 64, 64, 3), dtype=np.uint8)
    for fn in (E.animeface_hit_rate, E.haar_face_rate, E.haar_smile_rate):
        result = fn(blank)
        assert result["total"] == 3 and result["hits"] == 0 and result["rate"] == 0.0
    assert E.animeface_hit_rate(blank)["faces"] == [None, None, None]
    assert E.animeface_colors(blank) == [None, None, None]
    assert E.haar_face_rate(blank[:0]) == {"hits": 0, "total": 0, "rate": 0.0}


def test_haar_cascades_find_real_faces_and_a_smile():
    # scikit-image ships these photos: a smiling astronaut and a subset of LFW
    # (100 faces, then 100 non-face crops, 25 x 25 grey).
    astronaut = resized(skimage.data.astronaut()[20:220, 110:290])[None] / 127.5 - 1.0
    assert E.haar_face_rate(astronaut)["hits"] == 1
    assert E.haar_smile_rate(astronaut) == {"hits": 1, "total": 1, "rate": 1.0, "face_found": 1}
    lfw = np.repeat((skimage.data.lfw_subset() * 255).astype(np.uint8)[..., None], 3, axis=-1)
    faces, non_faces = lfw[:30], lfw[100:130]
    assert E.haar_face_rate(faces)["rate"] > 0.6
    assert E.haar_face_rate(non_faces)["rate"] < 0.1


def test_animeface_reports_faces_and_colours_of_rendered_anime_faces():
    from genlab.data.synthetic.anime import render_anime_batch

    images, _, _ = render_anime_batch(6, seed=3, size=64)
    result = E.animeface_hit_rate(images)
    assert result["total"] == 6 and result["hits"] >= 3 and result["rate"] == result["hits"] / 6
    found = [face for face in result["faces"] if face is not None]
    assert len(found) == result["hits"]
    for face in found:
        assert 0.0 < face["likelihood"] <= 1.0
        for part in ("hair", "skin", "left_eye", "right_eye"):
            assert len(face[part]) == 3 and all(0 <= v <= 255 for v in face[part])
    # Reproducible (the detector's colour clustering is re-seeded per image), and the same for
    # the images given as [-1, 1] floats.
    assert E.animeface_colors(images[::-1])[::-1] == result["faces"]
    assert E.animeface_colors(images / 127.5 - 1.0) == result["faces"]


def test_to_uint8_maps_the_range_ends():
    assert to_uint8(np.array([-1.0, 0.0, 1.0])).tolist() == [0, 128, 255]
    assert to_uint8(np.array([-3.0, 0.5, 7.0]), value_range=(0, 1)).tolist() == [0, 128, 255]
