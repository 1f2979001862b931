"""Loaders on small real-format fixtures, including every bad-input case."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from genlab import data
from genlab.errors import DatasetError
from genlab.vocab import CELEBA_ATTRIBUTES, DLCV_ATTRIBUTES, EYE_COLORS, HAIR_COLORS


def write_image(path, size=(16, 16), colour=(200, 30, 30), fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, format=fmt)
    return path


@pytest.fixture
def mlds(tmp_path):
    root = tmp_path / "mlds"
    for i in range(4):
        write_image(root / "extra_data" / "images" / f"{i}.jpg", colour=(i * 60, 0, 0))
        write_image(root / "faces" / f"{i}.jpg", size=(24, 24))
    (root / "extra_data" / "tags.csv").write_text(
        "0,aqua hair aqua eyes\n1,blonde hair red eyes\n2,black hair gray eyes\n3,pink hair blue eyes\n")
    (root / "tags_clean.csv").write_text(
        "0,long hair:1361\tblue hair:1080\tred eyes:843\tsmile:12\n"
        "1,short hair:10\tblue hair:5\tred hair:3\tgreen eyes:2\n"  # two hair colours
        "2,long hair:9\tbicolored eyes:4\tgreen eyes:1\n"  # no hair colour
        "3,white hair:7\tbicolored eyes:3\tbrown eyes:2\n")
    return root


@pytest.fixture
def dlcv(tmp_path):
    root = tmp_path / "dlcv"
    header = "image_name," + ",".join(DLCV_ATTRIBUTES)
    rows = [header]
    for i, hair in enumerate([(1, 0, 0), (0, 0, 0), (0, 1, 1)]):
        write_image(root / "hw4_data" / "train" / f"{i:05d}.png", fmt="PNG")
        values = ["0.0"] * len(DLCV_ATTRIBUTES)
        for name, v in zip(("Black_Hair", "Blond_Hair", "Brown_Hair"), hair):
            values[DLCV_ATTRIBUTES.index(name)] = f"{v:.1f}"
        values[DLCV_ATTRIBUTES.index("Smiling")] = "1.0" if i == 2 else "0.0"
        rows.append(f"{i:05d}.png," + ",".join(values))
    (root / "hw4_data" / "train.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture
def celeba(tmp_path):
    root = tmp_path / "celeba"
    lines = ["2", " ".join(CELEBA_ATTRIBUTES)]
    for i in (1, 2):
        write_image(root / "img_align_celeba" / f"{i:06d}.jpg", size=(20, 30))
        values = ["-1"] * 40
        values[CELEBA_ATTRIBUTES.index("Male")] = " 1" if i == 2 else "-1"
        lines.append(f"{i:06d}.jpg " + "  ".join(values))
    (root / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    return root


# -- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["blue hair red eyes", "Blue Hair, Red Eyes", "  blue   hair red eye "])
def test_tag_text_variants_parse(text):
    tags = data.AnimeTags.parse(text)
    assert (tags.hair, tags.eye) == ("blue", "red")
    assert tags.joint_index == HAIR_COLORS.index("blue") * len(EYE_COLORS) + EYE_COLORS.index("red")
    assert str(tags) == "blue hair red eyes"


def test_aliases_map_to_the_vocabulary():
    assert data.AnimeTags.parse("blond hair grey eyes") == data.AnimeTags("blonde", "gray")


def test_unknown_colour_lists_the_vocabulary():
    with pytest.raises(DatasetError, match="hair colours are: orange, white") as error:
        data.AnimeTags.parse("silver hair red eyes")
    assert "silver" in str(error.value)


def test_missing_eye_part_is_an_error():
    with pytest.raises(DatasetError, match="eye colour missing"):
        data.AnimeTags.parse("blue hair")


def test_tag_file_errors_name_file_and_line(tmp_path):
    good = tmp_path / "tags.txt"
    good.write_text("1,blue hair blue eyes\n\n2,red hair green eyes\n")
    assert [i for i, _ in data.read_tag_file(good)] == ["1", "2"]
    bad = tmp_path / "bad.txt"
    bad.write_text("1,blue hair blue eyes\n2,purple hair violet eyes\n")
    with pytest.raises(DatasetError, match=r"bad.txt, line 2: unknown eye colour 'violet'.*eye colours are"):
        data.read_tag_file(bad)


# -- MLDS ------------------------------------------------------------------------------------


def test_extra_tags_read_in_order(mlds):
    records = data.read_extra_tags(mlds)
    assert len(records) == 4
    assert [HAIR_COLORS[h] for h in records.hair] == ["aqua", "blonde", "black", "pink"]
    assert [EYE_COLORS[e] for e in records.eye] == ["aqua", "red", "gray", "blue"]
    assert records.one_hot_joint().shape == (4, len(HAIR_COLORS) * len(EYE_COLORS))
    assert records.one_hot_hair().sum(axis=1).tolist() == [1, 1, 1, 1]


def test_tags_clean_keeps_single_colours_and_counts_what_it_drops(mlds):
    with pytest.warns(UserWarning, match=r"dropped 2 rows.*1 with 0 hair colours.*1 with several hair colours"):
        records = data.read_tags_clean(mlds)
    assert [p.name for p in records.paths] == ["0.jpg", "3.jpg"]
    assert [HAIR_COLORS[h] for h in records.hair] == ["blue", "white"]
    assert [EYE_COLORS[e] for e in records.eye] == ["red", "brown"]


def test_tags_clean_malformed_count_names_the_line(mlds):
    (mlds / "tags_clean.csv").write_text("0,blue hair:3\tred eyes:x\n")
    with pytest.raises(DatasetError, match=r"tags_clean.csv, line 1: .*not an integer"):
        data.read_tags_clean(mlds)


def test_missing_dataset_folder(tmp_path):
    with pytest.raises(DatasetError, match="MLDS dataset folder not found"):
        data.load_mlds(tmp_path / "nowhere")


def test_empty_image_folder(mlds):
    for p in (mlds / "extra_data" / "images").iterdir():
        p.unlink()
    with pytest.raises(DatasetError, match="image folder is empty"):
        data.read_extra_tags(mlds)


def test_csv_row_naming_a_missing_image(mlds):
    (mlds / "extra_data" / "images" / "2.jpg").unlink()
    with pytest.raises(DatasetError, match=r"tags.csv, line 3: names image .*2.jpg, which does not exist"):
        data.read_extra_tags(mlds)


# -- DLCV and CelebA -----------------------------------------------------------------------------


def test_dlcv_reads_attributes_and_warns_about_hair_counts(dlcv):
    with pytest.warns(UserWarning, match="1 rows have no hair colour and 1 have two or more"):
        records = data.read_dlcv_split(dlcv, "train")
    assert records.names == DLCV_ATTRIBUTES
    assert records.column("Smiling").tolist() == [0.0, 0.0, 1.0]
    assert records.select(["Black_Hair", "Smiling"]).attrs.tolist() == [[1, 0], [0, 0], [0, 1]]


def test_dlcv_wrong_header(dlcv):
    table = dlcv / "hw4_data" / "train.csv"
    lines = table.read_text().splitlines()
    table.write_text("\n".join([lines[0].replace("Bangs", "Fringe")] + lines[1:]))
    with pytest.raises(DatasetError, match=r"train.csv, line 1: wrong header"):
        data.read_dlcv_split(dlcv, "train")


@pytest.mark.parametrize("bad", ["0.5", "yes"])
def test_dlcv_bad_value_names_line_and_column(dlcv, bad):
    table = dlcv / "hw4_data" / "train.csv"
    lines = table.read_text().splitlines()
    cells = lines[2].split(",")
    cells[1] = bad
    lines[2] = ",".join(cells)
    table.write_text("\n".join(lines))
    with pytest.raises(DatasetError, match=rf"train.csv, line 3: column Bangs: value '{bad}'"):
        data.read_dlcv_split(dlcv, "train")


def test_celeba_maps_minus_one_to_zero(celeba):
    records = data.read_celeba_attributes(celeba)
    assert records.column("Male").tolist() == [0.0, 1.0]
    assert records.attrs.shape == (2, 40)


def test_celeba_count_mismatch(celeba):
    table = celeba / "list_attr_celeba.txt"
    table.write_text("3" + table.read_text()[1:])
    with pytest.raises(DatasetError, match="line 1: line 1 declares 3 images but the file lists 2"):
        data.read_celeba_attributes(celeba)


def test_celeba_wrong_number_of_values(celeba):
    table = celeba / "list_attr_celeba.txt"
    lines = table.read_text().splitlines()
    lines[3] = lines[3].rsplit(" ", 1)[0]
    table.write_text("\n".join(lines))
    with pytest.raises(DatasetError, match="line 4: expected an image name and 40 values, found 39"):
        data.read_celeba_attributes(celeba)


# -- images ----------------------------------------------------------------------------------


def test_unreadable_image_names_the_file(tmp_path):
    bad = tmp_path / "noise.jpg"
    bad.write_bytes(np.random.default_rng(0).bytes(500))
    with pytest.raises(DatasetError, match="noise.jpg: cannot read image"):
        data.load_images([bad], 8)


def test_truncated_jpeg_is_not_accepted(tmp_path):
    good = tmp_path / "good.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(good, quality=95)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert data.load_images([good], 8).shape == (1, 8, 8, 3)
    with pytest.raises(DatasetError, match="cut.jpg: cannot read image"):
        data.load_images([cut], 8)


def test_center_crop_of_a_tall_image(tmp_path):
    image = np.zeros((30, 10, 3), np.uint8)
    image[10:20] = 255  # the centre square is white, the top and bottom black
    path = tmp_path / "tall.png"
    Image.fromarray(image).save(path)
    assert data.load_images([path], 5, crop="center").min() > 200
    assert data.load_images([path], 5).min() < 50


def test_image_dataset_scales_batches_and_is_seeded():
    images = np.stack([np.full((4, 4, 3), v, np.uint8) for v in range(0, 250, 10)])
    labels = np.arange(len(images), dtype="float32")
    ds = data.image_dataset(images, labels, batch_size=5, seed=1)
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 5
    x, y = batches[0]
    assert x.shape == (5, 4, 4, 3) and x.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    np.testing.assert_allclose(x[:, 0, 0, 0], y * 10 / 255 * 2 - 1, atol=1e-6)
    again = [b[1] for b in data.image_dataset(images, labels, batch_size=5, seed=1).as_numpy_iterator()]
    assert all((a == b[1]).all() for a, b in zip(again, batches))
    unit = next(iter(data.image_dataset(images, batch_size=5, value_range=(0.0, 1.0)).as_numpy_iterator()))
    assert unit.min() >= 0.0 and unit.max() <= 1.0


def test_image_dataset_refuses_too_few_images():
    with pytest.raises(ValueError, match="only 3 images for batches of 8"):
        data.image_dataset(np.zeros((3, 4, 4, 3), np.uint8), batch_size=8)
