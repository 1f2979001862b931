"""User photo folders: formats, crop/resize, bad input."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from genlab import photos
from genlab.errors import DatasetError


def test_reads_any_size_and_format_and_crops_the_centre(tmp_path):
    wide = np.zeros((40, 120, 3), np.uint8)
    wide[:, 40:80] = 255  # the centre square is white
    Image.fromarray(wide).save(tmp_path / "wide.png")
    Image.new("RGB", (300, 200), (10, 200, 10)).save(tmp_path / "green.jpg")
    Image.new("L", (50, 50), 128).save(tmp_path / "gray.bmp")
    images, names = photos.load_photo_folder(tmp_path, 16)
    assert names == ["gray.bmp", "green.jpg", "wide.png"]
    assert images.shape == (3, 16, 16, 3) and images.dtype == np.uint8
    assert images[2].min() > 200


def test_unreadable_files_are_reported_and_skipped(tmp_path):
    Image.new("RGB", (20, 20)).save(tmp_path / "ok.png")
    (tmp_path / "notes.txt").write_text("not a photo")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    with pytest.warns(UserWarning, match=r"skipped 2 file\(s\).*broken.jpg, notes.txt"):
        images, names = photos.load_photo_folder(tmp_path, 8)
    assert names == ["ok.png"]


def test_empty_folder_says_so(tmp_path):
    with pytest.raises(DatasetError, match="no readable photo"):
        photos.load_photo_folder(tmp_path, 8)


def test_missing_folder_says_so(tmp_path):
    with pytest.raises(DatasetError, match="photo folder not found"):
        photos.load_photo_folder(tmp_path / "absent", 8)


def test_default_photos_include_the_astronaut_and_held_out_faces(tmp_path):
    faces = np.random.default_rng(0).integers(0, 255, (2, 32, 32, 3), dtype=np.uint8)
    folder = photos.default_photos(tmp_path / "photos", faces)
    images, names = photos.load_photo_folder(folder, 32)
    assert names == ["astronaut.png", "held_out_0.png", "held_out_1.png"]
    np.testing.assert_array_equal(images[1], faces[0])
