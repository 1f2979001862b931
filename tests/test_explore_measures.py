import numpy as np
import pytest

from genlab.eval.latent_walk import slerp, walks
from genlab.eval.memorisation import memorisation_report, nearest_training


def test_a_copied_training_face_is_at_distance_zero_and_a_new_one_is_not():
    rng = np.random.default_rng(0)
    train = rng.standard_normal((50, 8))
    distances, indices = nearest_training(train, np.stack([train[7], train[7] + 0.3]))
    assert distances[0] == pytest.approx(0.0, abs=1e-6) and indices[0] == 7
    assert distances[1] > 0.1


def test_copies_give_a_ratio_far_below_one_and_fresh_draws_about_one():
    rng = np.random.default_rng(1)
    train, held_out, fresh = (rng.standard_normal((400, 4)) for _ in range(3))
    copies = train[:100] + 1e-3
    assert memorisation_report(train, copies, held_out)["generated / held-out"] < 0.01
    assert memorisation_report(train, fresh, held_out)["generated / held-out"] == pytest.approx(1.0, abs=0.15)


def test_slerp_keeps_the_ends_and_the_norm_of_equal_norm_vectors():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(100), rng.standard_normal(100)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    path = slerp(a, b, np.linspace(0, 1, 7))
    np.testing.assert_allclose(path[0], a, atol=1e-5)
    np.testing.assert_allclose(path[-1], b, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(a), rtol=1e-5)
    assert walks(np.stack([a, b]), np.stack([b, a]), 10).shape == (20, 100)
