"""Evaluation on cases with known answers."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from genlab import evaluation as E


def gaussian(n, mean, dim=8, seed=0):
    return np.random.default_rng(seed).standard_normal((n, dim)) + mean


def test_identical_sets_have_zero_distance():
    x = gaussian(500, 0.0)
    assert E.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    # KID is unbiased: ~0 in expectation for one distribution, far below a unit mean shift.
    same = E.kernel_distance(x, gaussian(500, 0.0, seed=9), n_subsets=5, subset_size=400)[0]
    shifted = E.kernel_distance(x, gaussian(500, 1.0, seed=9), n_subsets=5, subset_size=400)[0]
    assert abs(same) < 0.05 * shifted


def test_frechet_distance_matches_closed_form_for_shifted_gaussians():
    a, b = gaussian(20000, 0.0, dim=4, seed=1), gaussian(20000, 0.0, dim=4, seed=2)
    shift = np.array([1.0, 2.0, 0.0, 0.0])
    # Same covariance (identity), means differ by `shift`: FID = |shift|^2 (+ sampling noise).
    assert E.frechet_distance(a, b + shift) == pytest.approx(5.0, abs=0.1)


def test_distances_grow_with_the_shift():
    base = gaussian(600, 0.0, seed=3)
    fids = [E.frechet_distance(base, gaussian(600, s, seed=4)) for s in (0.0, 0.5, 1.0, 2.0)]
    kids = [E.kernel_distance(base, gaussian(600, s, seed=4), n_subsets=3, subset_size=300)[0] for s in (0.0, 0.5, 1.0, 2.0)]
    assert fids == sorted(fids) and kids == sorted(kids)


def test_distance_report_includes_the_real_floor():
    real, fake = gaussian(1000, 0.0, seed=5), gaussian(200, 1.0, seed=6)
    report = E.distance_report(real, fake)
    assert report["n"] == 200
    assert report["fid"] > 5 * report["fid_floor"]
    assert report["kid"] > report["kid_floor"]


def test_attribute_accuracy_perfect_and_shuffled():
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 4, 4000)
    probs = np.eye(4)[targets]
    assert E.attribute_accuracy(probs, targets) == 1.0
    assert E.attribute_accuracy(probs[rng.permutation(4000)], targets) == pytest.approx(0.25, abs=0.03)
    binary = rng.integers(0, 2, (4000, 3)).astype(float)
    assert E.attribute_accuracy(binary, binary) == 1.0
    assert E.attribute_accuracy(binary[rng.permutation(4000)], binary) == pytest.approx(0.5, abs=0.03)
    assert np.allclose(E.per_class_accuracy(probs, targets, 5)[:4], 1.0)


def coloured_squares(n, seed=0):
    """Red or blue squares on noise; label 1 = red."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(-0.3, 0.3, (n, 16, 16, 3)).astype("float32")
    labels = rng.integers(0, 2, n)
    images[labels == 1, 4:12, 4:12, 0] = 0.9
    images[labels == 0, 4:12, 4:12, 2] = 0.9
    return images, labels


def test_classifier_learns_caches_and_separates_blurred_images(tmp_path):
    images, labels = coloured_squares(600)
    heads = {"red": ("binary", 1), "colour": ("categorical", 2)}
    targets = {"red": labels[:, None].astype("float32"), "colour": labels}
    classifier = E.get_attribute_classifier("toy", images, targets, heads, epochs=3, eval_size=16)
    test_images, test_labels = coloured_squares(200, seed=1)
    probs = classifier.predict(test_images)
    assert E.attribute_accuracy(probs["colour"], test_labels) > 0.9
    assert E.attribute_accuracy(probs["red"], test_labels[:, None]) > 0.9
    again = E.get_attribute_classifier("toy", images, targets, heads, epochs=3, eval_size=16)
    np.testing.assert_allclose(again.predict(test_images)["colour"], probs["colour"], atol=1e-6)
    blurred = ndimage.gaussian_filter(test_images, sigma=(0, 2, 2, 0))
    real = classifier.features(images[:300])
    same = E.distance_report(real, classifier.features(test_images))["fid"]
    blur = E.distance_report(real, classifier.features(blurred))["fid"]
    assert blur > same


def test_detectors_find_nothing_in_blank_images():
    blank = np.zeros((3, 64, 64, 3), dtype=np.uint8)
    for fn in (E.animeface_hit_rate, E.haar_face_rate, E.haar_smile_rate):
        result = fn(blank)
        assert result["total"] == 3 and result["hits"] == 0 and result["rate"] == 0.0
    assert E.animeface_colors(blank) == [None, None, None]


def test_to_uint8_maps_the_range_ends():
    assert E.to_uint8(np.array([-1.0, 0.0, 1.0])).tolist() == [0, 128, 255]
