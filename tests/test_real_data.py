"""DATA that never lies: missing layouts stop with where it looked, the fallback is asked for, data is keyed by content."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from genlab.data.fingerprint import dataset_fingerprint
from genlab.data.layouts import MissingLayoutError
from genlab.data.synthetic.anime import write_mlds_dataset
from genlab.data.synthetic.celeb import write_celeba_dataset, write_dlcv_dataset
from genlab.errors import DatasetError
from genlab.session import setup


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """A folder of small real-format datasets, as a user would hand it over (rendered once per module)."""
    root = tmp_path_factory.mktemp("user data") / "my datasets"  # spaces in the path on purpose
    write_dlcv_dataset(root / "dlcv", n_train=40, n_test=8, seed=3)
    write_mlds_dataset(root / "mlds", n_faces=100, n_extra=4, seed=3)
    shutil.rmtree(root / "mlds" / "extra_data", ignore_errors=True)  # only faces/ + tags_clean.csv
    write_celeba_dataset(root / "celeba", n=20, seed=3, image_size=32)
    return root


def copy_of(datasets, tmp_path, *kinds):
    """A private copy of some of the datasets (tests edit them)."""
    for kind in kinds:
        shutil.copytree(datasets / kind, tmp_path / "copy" / kind)
    return tmp_path / "copy"


def test_an_empty_folder_says_where_it_looked_and_how_to_ask_for_the_fallback(tmp_path):
    (tmp_path / "empty").mkdir()
    session = setup("hw4_2_gan", "smoke", 0, str(tmp_path / "empty"))
    with pytest.raises(MissingLayoutError) as error:
        session.celeb_data("train")
    message = str(error.value)
    assert "no DLCV hw4 layout found, and hw4_2_gan needs one" in message
    assert f"looked in: {tmp_path / 'empty'} (the folder is empty)" in message
    assert "expected: hw4_data/train.csv with hw4_data/train/" in message and "FALLBACK=embedded" in message


def test_a_path_one_level_too_deep_points_at_the_right_folder(datasets):
    session = setup("hw4_2_gan", "smoke", 0, str(datasets / "dlcv" / "hw4_data"))
    with pytest.raises(MissingLayoutError, match=f"found: {datasets / 'dlcv'} holds it, one level up"):
        session.celeb_data("train")


def test_a_missing_layout_names_the_layouts_the_folder_does_hold(datasets):
    session = setup("hw3_3_style_transfer", "smoke", 0, str(datasets / "dlcv"))
    with pytest.raises(MissingLayoutError, match=r"the folder does hold: DLCV hw4 at .*dlcv"):
        session.celeba_data()


def test_the_embedded_fallback_only_when_asked_and_then_said(tmp_path):
    (tmp_path / "empty").mkdir()
    session = setup("hw4_2_gan", "smoke", 0, str(tmp_path / "empty"), fallback="embedded")
    images, _ = session.celeb_data("train")
    (use,) = session.data_uses
    assert use.source == "embedded" and len(images) == use.kept > 0
    assert "FALLBACK=embedded: no DLCV hw4 layout under" in use.line()


def test_a_relative_data_root_is_made_absolute_from_the_current_folder(datasets, monkeypatch):
    monkeypatch.chdir(datasets)
    session = setup("hw4_2_gan", "smoke", 0, "dlcv")
    assert session.data_root == datasets / "dlcv" and session.data_root.is_absolute()
    with pytest.raises(DatasetError, match="does not exist"):
        setup("hw4_2_gan", "smoke", 0, "no such folder")


def test_real_data_is_used_counted_and_recorded_for_make_figures(datasets, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GENLAB_REPORT_DIR", str(tmp_path / "report"))
    session = setup("hw3_1_image_generation", "smoke", 0, str(datasets))
    images, records = session.anime_data()
    assert images.shape[1:] == (32, 32, 3) and len(images) == len(records) == 100 - records.dropped_rows
    assert records.dropped_rows > 0, "the rendered tags_clean.csv holds rows the reader must drop"
    (use,) = json.loads((tmp_path / "report" / "hw3_1_image_generation.data.json").read_text())
    assert use["source"] == "real" and use["root"] == str(datasets / "mlds") and use["part"] == "faces"
    assert use["kept"] == len(images) and use["dropped"] == records.dropped_rows and use["reasons"]
    assert any("dropped" in warning for warning in use["warnings"])
    shown = capsys.readouterr().out
    assert f"mlds faces: real data at {datasets / 'mlds'}: {len(images)} images kept, {records.dropped_rows} dropped (" \
        in shown


def test_editing_the_data_changes_the_runs_and_classifier_keys(datasets, tmp_path):
    root = copy_of(datasets, tmp_path, "dlcv", "mlds")
    session = setup("hw4_2_gan", "smoke", 0, str(root))
    session.celeb_data("train")
    key, run_dir = session.data_key(["dlcv"]), session.run_dir("hw4_gan").name
    assert key.startswith("data-") and key in run_dir
    fingerprint = dataset_fingerprint(root / "dlcv", "dlcv")
    table = root / "dlcv" / "hw4_data" / "train.csv"
    lines = table.read_text().splitlines()
    lines[1] = lines[1][:-3] + ("0.0" if lines[1].endswith("1.0") else "1.0")  # one label flipped, same path
    table.write_text("\n".join(lines) + "\n")
    assert dataset_fingerprint(root / "dlcv", "dlcv") != fingerprint
    edited = setup("hw4_2_gan", "smoke", 0, str(root))
    edited.celeb_data("train")
    assert edited.data_key(["dlcv"]) != key and edited.run_dir("hw4_gan").name != run_dir
    (root / "mlds" / "tags_clean.csv").write_text("0,blue hair:1\tred eyes:1\n")  # other data: same DLCV key
    other = setup("hw4_2_gan", "smoke", 0, str(root))
    other.celeb_data("train")
    assert other.data_key(["dlcv"]) == edited.data_key(["dlcv"])


def test_an_added_image_changes_the_fingerprint(datasets, tmp_path):
    root = copy_of(datasets, tmp_path, "celeba")
    before = dataset_fingerprint(root / "celeba", "celeba")
    shutil.copy(root / "celeba" / "img_align_celeba" / "000001.jpg", root / "celeba" / "img_align_celeba" / "x.jpg")
    assert dataset_fingerprint(root / "celeba", "celeba") != before


def test_too_small_a_celeba_folder_is_caught_before_training_with_the_minimum(datasets):
    session = setup("hw3_3_style_transfer", "smoke", 0, str(datasets))
    with pytest.raises(DatasetError) as error:
        session.run("stargan")
    message = str(error.value)
    assert "too few images for StarGAN: one training step takes 16 images, but" in message  # 1 critic step of 16
    assert "celeba img_align_celeba gives 12 (of 20; 8 held out for evaluation). Use at least 24 images." in message
    assert str(datasets / "celeba") in message
    with pytest.raises(DatasetError, match=r"16 images x 5 critic steps = 80 images, .* Use at least 88 images\."):
        setup("hw3_3_style_transfer", "full", 0, str(datasets)).run("stargan")  # the paper's 5 critic steps
    runs = os.environ["GENLAB_RUNS"]
    assert not os.path.exists(runs) or not os.listdir(runs), "nothing was trained"
