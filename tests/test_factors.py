import numpy as np
import pytest

from genlab.eval.factors import code_nmi, hair_group, row_change


def test_code_that_copies_an_attribute_has_nmi_one_and_an_independent_one_near_zero():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, 4000)
    assert code_nmi(codes, (codes + 1) % 4) == pytest.approx(1.0)
    assert code_nmi(codes, rng.integers(0, 4, 4000)) < 0.01


def test_ten_way_code_against_a_binary_attribute_is_capped():
    codes = np.arange(10_000) % 10
    assert code_nmi(codes, codes < 5) == pytest.approx(2 * 1.0 / (np.log2(10) + 1.0), abs=1e-6)


def test_hair_group_takes_the_surest_column_or_none():
    attrs = np.array([[0.9, 0.1, 0.2, 0.7], [0.1, 0.2, 0.6, 0.9], [0.3, 0.4, 0.1, 0.0]])
    assert hair_group(attrs, [0, 1, 2]).tolist() == [0, 2, 3]


def test_identical_rows_change_nothing_and_a_shifted_row_changes_by_its_shift():
    row = np.random.default_rng(1).uniform(-1, 1, (1, 4, 8, 8, 3))
    assert row_change(np.repeat(row, 3, axis=0)) == 0.0
    assert row_change(np.concatenate([row, row + 0.5])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="rows >= 2"):
        row_change(row)


class _Judge:
    """Reads attribute i as 'on' when channel mean of the image exceeds a threshold per attribute."""

    def predict(self, images):
        m = np.asarray(images).mean(axis=(1, 2, 3))
        return {"attrs": np.stack([m > 0.0, m > 0.5, m > -0.5], axis=1).astype("float32")}


def test_smiling_input_side_effects_count_flips_of_the_other_attributes_only():
    from genlab.recipes.celeb import condition_side_effects

    off = np.full((4, 2, 2, 3), 0.2)
    on = off.copy()
    on[:2] = 0.7  # half the pairs cross the 0.5 threshold of attribute "B" when "Smiling" is switched on
    effects = dict(condition_side_effects(_Judge(), off, on, ["Smiling", "B", "C"]))
    assert effects == {"B": 0.5, "C": 0.0}
    assert dict(condition_side_effects(_Judge(), off, off, ["Smiling", "B", "C"])) == {"B": 0.0, "C": 0.0}


def test_a_code_that_copies_an_attribute_has_spread_one_and_an_unrelated_one_none():
    from genlab.eval.factors import attribute_spread

    ids = np.repeat(np.arange(4), 50)
    copied = (ids % 2).astype("float32")  # P(A) is 1 for odd code values, 0 for even ones
    unrelated = np.full(len(ids), 0.3)
    spreads = attribute_spread(ids, np.stack([unrelated, copied], axis=1), ["unrelated", "A"])
    assert spreads == [("A", 1.0), ("unrelated", 0.0)]
    with pytest.raises(ValueError, match="one row of 2 probabilities"):
        attribute_spread(ids[:10], np.stack([unrelated, copied], axis=1), ["unrelated", "A"])
