"""User photo folders: formats, crop/resize like the training data, bad input."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from genlab import data
from genlab.data import photos
from genlab.errors import DatasetError


def test_reads_any_size_and_format_and_keeps_the_centre(tmp_path):
    wide = np.zeros((40, 120, 3), np.uint8)
    wide[:, 40:80] = 255  # only the centre square is white
    Image.fromarray(wide).save(tmp_path / "wide.png")
    Image.new("RGB", (300, 200), (10, 200, 10)).save(tmp_path / "green.jpg")
    Image.new("L", (50, 50), 128).save(tmp_path / "gray.bmp")
    images, names = photos.load_photo_folder(tmp_path, 16)
    assert names == ["gray.bmp", "green.jpg", "wide.png"]
    assert images.shape == (3, 16, 16, 3) and images.dtype == np.uint8
    assert images[2].min() > 200  # the black sides were cropped away
    np.testing.assert_allclose(images[0], 128, atol=1)  # grayscale became RGB
    assert abs(int(images[1, 8, 8, 1]) - 200) <= 3


def test_crop_and_resize_match_the_training_loader(tmp_path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (45, 70, 3), dtype=np.uint8)).save(tmp_path / "tall.png")
    Image.fromarray(rng.integers(0, 256, (90, 33, 3), dtype=np.uint8)).save(tmp_path / "wide.png")
    images, names = photos.load_photo_folder(tmp_path, 24)
    expected = data.load_images([tmp_path / n for n in names], 24, crop="center")
    np.testing.assert_array_equal(images, expected)


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.zeros((20, 40, 3), np.uint8)
    pixels[:, :20] = 255  # white left half, as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    Image.fromarray(pixels).save(tmp_path / "phone.jpg", exif=exif, quality=95)
    images, _ = photos.load_photo_folder(tmp_path, 20)
    # Shown upright the photo is 20 wide and 40 tall with the white half on top; its centre square is half white.
    column = images[0, :, 10, 0].astype(int)
    assert column[:5].mean() > 200 and column[-5:].mean() < 50


def test_transparent_pixels_become_white(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)  # fully transparent black
    Image.fromarray(rgba, "RGBA").save(tmp_path / "cutout.png")
    images, _ = photos.load_photo_folder(tmp_path, 10)
    assert images.min() == 255


def test_unreadable_files_are_reported_and_skipped(tmp_path):
    Image.new("RGB", (20, 20)).save(tmp_path / "ok.png")
    (tmp_path / "notes.txt").write_text("not a photo")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    with pytest.warns(UserWarning, match=r"skipped 2 file\(s\).*broken.jpg, notes.txt"):
        images, names = photos.load_photo_folder(tmp_path, 8)
    assert names == ["ok.png"] and len(images) == 1


def test_folder_of_only_unreadable_files_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("not a photo")
    with pytest.warns(UserWarning, match="notes.txt"), pytest.raises(DatasetError, match="none a readable image"):
        photos.load_photo_folder(tmp_path, 8)


def test_empty_folder_says_so(tmp_path):
    with pytest.raises(DatasetError, match=r"no readable photo in the folder \(it is empty\)") as error:
        photos.load_photo_folder(tmp_path, 8)
    assert str(tmp_path) in str(error.value)


def test_missing_folder_says_so(tmp_path):
    with pytest.raises(DatasetError, match="photo folder not found") as error:
        photos.load_photo_folder(tmp_path / "absent", 8)
    assert "absent" in str(error.value)


def test_default_photos_hold_the_astronaut_and_the_given_faces(tmp_path):
    faces = np.random.default_rng(0).integers(0, 255, (2, 32, 32, 3), dtype=np.uint8)
    folder = photos.default_photos(tmp_path / "photos", faces)
    images, names = photos.load_photo_folder(folder, 32)
    assert names == ["astronaut.png", "held_out_0.png", "held_out_1.png"]
    np.testing.assert_array_equal(images[1:], faces)
    assert images[0].std() > 20  # a real photo, not a blank
