"""Loaders on small real-format fixtures, including every bad-input case."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from genlab import data
from genlab.errors import DatasetError
from genlab.vocab import CELEBA_ATTRIBUTES, DLCV_ATTRIBUTES, EYE_COLORS, HAIR_COLORS

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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
        "3,white hair:7\tbicolored eyes:3\tbrown eyes:2\t\n")
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
    lines = ["2", " ".join(CELEBA_ATTRIBUTES) + " "]
    for i in (1, 2):
        write_image(root / "img_align_celeba" / f"{i:06d}.jpg", size=(20, 30))
        values = ["-1"] * 40
        values[CELEBA_ATTRIBUTES.index("Male")] = " 1" if i == 2 else "-1"
        lines.append(f"{i:06d}.jpg " + "  ".join(values))
    (root / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    return root


def rewrite_line(table, index, edit):
    lines = table.read_text().splitlines()
    lines[index] = edit(lines[index])
    table.write_text("\n".join(lines) + "\n")


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
    with pytest.raises(DatasetError, match="hair colours are: " + ", ".join(HAIR_COLORS)) as error:
        data.AnimeTags.parse("silver hair red eyes")
    assert "silver" in str(error.value)


def test_missing_eye_part_is_an_error():
    with pytest.raises(DatasetError, match="eye colour missing"):
        data.AnimeTags.parse("blue hair")


def test_missing_hair_part_is_an_error():
    with pytest.raises(DatasetError, match="hair colour missing"):
        data.AnimeTags.parse("hair red eyes")


def test_two_hair_colours_in_one_tag_text():
    with pytest.raises(DatasetError, match="two hair colours"):
        data.AnimeTags.parse("blue hair red hair green eyes")


def test_tag_file_skips_blank_lines(tmp_path):
    good = tmp_path / "tags.txt"
    good.write_text("1,blue hair blue eyes\n\n2,red hair green eyes\n")
    assert data.read_tag_file(good) == [("1", data.AnimeTags("blue", "blue")), ("2", data.AnimeTags("red", "green"))]


def test_tag_file_unknown_colour_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("1,blue hair blue eyes\n2,purple hair violet eyes\n")
    with pytest.raises(DatasetError, match=r"bad.txt, line 2: unknown eye colour 'violet'.*eye colours are"):
        data.read_tag_file(bad)


def test_tag_file_line_without_id(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("1,blue hair blue eyes\nred hair green eyes\n")
    with pytest.raises(DatasetError, match=r"bad.txt, line 2: expected 'id,"):
        data.read_tag_file(bad)


# -- MLDS ------------------------------------------------------------------------------------


def test_extra_tags_read_in_order(mlds):
    records = data.read_extra_tags(mlds)
    assert len(records) == 4
    assert [p.name for p in records.paths] == ["0.jpg", "1.jpg", "2.jpg", "3.jpg"]
    assert [HAIR_COLORS[h] for h in records.hair] == ["aqua", "blonde", "black", "pink"]
    assert [EYE_COLORS[e] for e in records.eye] == ["aqua", "red", "gray", "blue"]
    joint = data.tag_conditions(records.hair, records.eye, "joint")
    assert joint.shape == (4, len(HAIR_COLORS) * len(EYE_COLORS)) and joint.dtype == np.float32
    assert joint.argmax(axis=1).tolist() == records.joint.tolist()
    part = records.subset([3, 1])
    assert [p.name for p in part.paths] == ["3.jpg", "1.jpg"] and part.hair.tolist() == records.hair[[3, 1]].tolist()


def test_extra_tags_colour_outside_the_vocabulary(mlds):
    rewrite_line(mlds / "extra_data" / "tags.csv", 2, lambda _: "2,black hair violet eyes")
    expected = r"tags.csv, line 3: unknown eye colour 'violet' in .*; eye colours are: black, orange"
    with pytest.raises(DatasetError, match=expected):
        data.read_extra_tags(mlds)


def test_tags_clean_keeps_single_colours_and_counts_what_it_drops(mlds):
    with pytest.warns(UserWarning, match=r"dropped 2 of 4 rows.*no hair colour: 1, two or more hair colours: 1"):
        records = data.read_tags_clean(mlds)
    assert [p.name for p in records.paths] == ["0.jpg", "3.jpg"]
    assert [HAIR_COLORS[h] for h in records.hair] == ["blue", "white"]
    assert [EYE_COLORS[e] for e in records.eye] == ["red", "brown"]


def test_tags_clean_counts_rows_and_reasons_separately(mlds):
    (mlds / "tags_clean.csv").write_text(
        "0,blue hair:1\tred eyes:1\n"
        "1,smile:3\n"  # no hair and no eye colour: one row, two reasons
        "2,blue hair:1\tred eyes:1\tgreen eyes:1\n")
    with pytest.warns(UserWarning, match=r"dropped 2 of 3 rows.*no eye colour: 1, no hair colour: 1, "
                                         r"two or more eye colours: 1"):
        records = data.read_tags_clean(mlds)
    assert len(records) == 1


def test_tags_clean_count_that_is_not_an_integer(mlds):
    (mlds / "tags_clean.csv").write_text("0,blue hair:3\tred eyes:x\n")
    with pytest.raises(DatasetError, match=r"tags_clean.csv, line 1: tag 'red eyes:x' has a count that is not"):
        data.read_tags_clean(mlds)


def test_tags_clean_tag_without_count(mlds):
    (mlds / "tags_clean.csv").write_text("0,blue hair:3\tred eyes:2\n1,blue hair\tred eyes:2\n")
    with pytest.raises(DatasetError, match=r"tags_clean.csv, line 2: tag 'blue hair' has no ':count'"):
        data.read_tags_clean(mlds)


def test_tags_clean_line_without_comma(mlds):
    (mlds / "tags_clean.csv").write_text("0 blue hair:3\tred eyes:2\n")
    with pytest.raises(DatasetError, match=r"tags_clean.csv, line 1: expected 'id,tag:count"):
        data.read_tags_clean(mlds)


def test_load_mlds_sources(mlds):
    extra = data.load_mlds(mlds, "extra")
    with pytest.warns(UserWarning, match="dropped"):
        both = data.load_mlds(mlds, "both")
    assert len(both) == len(extra) + 2
    assert both.paths[: len(extra)] == extra.paths and both.paths[-1] == mlds / "faces" / "3.jpg"
    with pytest.raises(ValueError, match="unknown MLDS source"):
        data.load_mlds(mlds, "all")


@pytest.mark.parametrize("reader, kind", [
    (data.load_mlds, "MLDS"),
    (data.read_dlcv_split, "DLCV"),
    (data.read_celeba_attributes, "CelebA"),
])
def test_missing_dataset_folder(tmp_path, reader, kind):
    with pytest.raises(DatasetError, match=rf"nowhere: {kind} dataset folder not found; see data/README.md"):
        reader(tmp_path / "nowhere")


def test_missing_image_folder(mlds):
    for p in (mlds / "faces").iterdir():
        p.unlink()
    (mlds / "faces").rmdir()
    with pytest.raises(DatasetError, match="faces: image folder not found"):
        data.read_tags_clean(mlds)


def test_empty_image_folder(mlds):
    for p in (mlds / "extra_data" / "images").iterdir():
        p.unlink()
    with pytest.raises(DatasetError, match="images: image folder is empty"):
        data.read_extra_tags(mlds)


def test_csv_row_naming_a_missing_image(mlds):
    (mlds / "extra_data" / "images" / "2.jpg").unlink()
    with pytest.raises(DatasetError, match=r"tags.csv, line 3: names image .*2.jpg, which does not exist$"):
        data.read_extra_tags(mlds)


def test_many_missing_images_are_counted(mlds):
    for i in (1, 2, 3):
        (mlds / "extra_data" / "images" / f"{i}.jpg").unlink()
    with pytest.raises(DatasetError, match=r"line 2: names image .*1.jpg, which does not exist \(3 of 4 rows"):
        data.read_extra_tags(mlds)


def test_text_that_is_not_utf8_names_the_line(mlds):
    (mlds / "extra_data" / "tags.csv").write_bytes(b"0,aqua hair aqua eyes\n1,blue hair \xff eyes\n")
    with pytest.raises(DatasetError, match=r"tags.csv, line 2: not UTF-8"):
        data.read_extra_tags(mlds)


# -- DLCV and CelebA -----------------------------------------------------------------------------


def test_dlcv_reads_attributes_and_warns_about_hair_counts(dlcv):
    with pytest.warns(UserWarning, match="of 3 rows, 1 have no hair colour and 1 have two or more"):
        records = data.read_dlcv_split(dlcv, "train")
    assert records.names == DLCV_ATTRIBUTES
    assert [p.name for p in records.paths] == ["00000.png", "00001.png", "00002.png"]
    assert records.attrs.dtype == np.float32 and records.attrs.shape == (3, len(DLCV_ATTRIBUTES))
    assert records.column("Smiling").tolist() == [0.0, 0.0, 1.0]
    assert records.select(["Black_Hair", "Smiling"]).attrs.tolist() == [[1, 0], [0, 0], [0, 1]]
    assert records.subset([2]).column("Brown_Hair").tolist() == [1.0]


def test_dlcv_accepts_integer_values(dlcv):
    table = dlcv / "hw4_data" / "train.csv"
    table.write_text(table.read_text().replace("1.0", "1").replace("0.0", "0"))
    with pytest.warns(UserWarning):
        assert data.read_dlcv_split(dlcv).column("Smiling").tolist() == [0.0, 0.0, 1.0]


def test_dlcv_wrong_header(dlcv):
    rewrite_line(dlcv / "hw4_data" / "train.csv", 0, lambda line: line.replace("Bangs", "Fringe"))
    with pytest.raises(DatasetError, match=r"train.csv, line 1: wrong header.*expected 'image_name,Bangs,Big_Lips"):
        data.read_dlcv_split(dlcv, "train")


@pytest.mark.parametrize("bad", ["0.5", "yes"])
def test_dlcv_bad_value_names_line_and_column(dlcv, bad):
    def put_bad_value(line):
        cells = line.split(",")
        cells[1 + DLCV_ATTRIBUTES.index("Big_Lips")] = bad
        return ",".join(cells)

    rewrite_line(dlcv / "hw4_data" / "train.csv", 2, put_bad_value)
    with pytest.raises(DatasetError, match=rf"train.csv, line 3: column Big_Lips: value '{bad}'"):
        data.read_dlcv_split(dlcv, "train")


def test_dlcv_row_with_too_few_columns(dlcv):
    rewrite_line(dlcv / "hw4_data" / "train.csv", 1, lambda line: line.rsplit(",", 1)[0])
    with pytest.raises(DatasetError, match=r"train.csv, line 2: expected 14 columns, found 13"):
        data.read_dlcv_split(dlcv, "train")


def test_dlcv_missing_split_table(dlcv):
    with pytest.raises(DatasetError, match=r"test.csv: hw4_data/test.csv not found"):
        data.read_dlcv_split(dlcv, "test")


def test_celeba_maps_minus_one_to_zero(celeba):
    records = data.read_celeba_attributes(celeba)
    assert records.names == CELEBA_ATTRIBUTES
    assert [p.name for p in records.paths] == ["000001.jpg", "000002.jpg"]
    assert records.column("Male").tolist() == [0.0, 1.0]
    assert records.attrs.shape == (2, 40) and records.attrs.sum() == 1


def test_celeba_count_mismatch(celeba):
    table = celeba / "list_attr_celeba.txt"
    table.write_text("3" + table.read_text()[1:])
    with pytest.raises(DatasetError, match="line 1: line 1 declares 3 images but the file lists 2"):
        data.read_celeba_attributes(celeba)


def test_celeba_wrong_number_of_values(celeba):
    rewrite_line(celeba / "list_attr_celeba.txt", 3, lambda line: line.rsplit(" ", 1)[0])
    with pytest.raises(DatasetError, match="line 4: expected an image name and 40 values, found 39"):
        data.read_celeba_attributes(celeba)


def test_celeba_bad_value(celeba):
    rewrite_line(celeba / "list_attr_celeba.txt", 2, lambda line: line.replace("-1", "0", 1))
    with pytest.raises(DatasetError, match=r"line 3: column 5_o_Clock_Shadow: value '0' is not one of -1, 1"):
        data.read_celeba_attributes(celeba)


def test_celeba_unknown_attribute_name(celeba):
    rewrite_line(celeba / "list_attr_celeba.txt", 1, lambda line: line.replace("Smiling", "Grinning"))
    with pytest.raises(DatasetError, match=r"line 2: line 2 must name the 40 CelebA attributes.*unknown: Grinning"):
        data.read_celeba_attributes(celeba)
