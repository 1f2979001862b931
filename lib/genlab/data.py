"""Readers for the real datasets' on-disk formats, tag parsing, and tf.data pipelines.

The same readers serve the real datasets and the embedded synthetic ones (which are written
in the same formats). Bad input raises :class:`~genlab.errors.DatasetError` naming the file
and line; rows that are legitimately unusable (e.g. two hair colours in ``tags_clean.csv``)
are dropped with a warning that counts them, never silently.
"""
from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFile

from genlab import paths as genlab_paths
from genlab.errors import DatasetError
from genlab.vocab import (
    CELEBA_ATTRIBUTES,
    DLCV_ATTRIBUTES,
    EYE_COLORS,
    HAIR_COLORS,
    NON_COLOR_EYE_TAGS,
    NON_COLOR_HAIR_TAGS,
)

_ALIASES = {"blond": "blonde", "grey": "gray"}
_DATA_README = "see data/README.md for the expected layout"
_DLCV_HAIR = ("Black_Hair", "Blond_Hair", "Brown_Hair")


# ----------------------------------------------------------------------------------------
# Tags
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnimeTags:
    """A (hair colour, eye colour) pair from the MLDS vocabulary."""

    hair: str
    eye: str

    def __post_init__(self):
        if self.hair not in HAIR_COLORS:
            raise DatasetError(f"unknown hair colour {self.hair!r}; hair colours are: {', '.join(HAIR_COLORS)}")
        if self.eye not in EYE_COLORS:
            raise DatasetError(f"unknown eye colour {self.eye!r}; eye colours are: {', '.join(EYE_COLORS)}")

    @property
    def hair_index(self) -> int:
        return HAIR_COLORS.index(self.hair)

    @property
    def eye_index(self) -> int:
        return EYE_COLORS.index(self.eye)

    @property
    def joint_index(self) -> int:
        return self.hair_index * len(EYE_COLORS) + self.eye_index

    def __str__(self) -> str:
        return f"{self.hair} hair {self.eye} eyes"

    @classmethod
    def parse(cls, text: str, path=None, line: int | None = None) -> "AnimeTags":
        """Parse ``"blue hair red eyes"`` (commas, case and extra spaces tolerated; blond/grey aliases)."""
        words = re.sub(r"[,;]", " ", text).lower().split()
        found = {}
        for i, word in enumerate(words):
            if word in ("hair", "eyes", "eye") and i > 0:
                slot = "hair" if word == "hair" else "eye"
                colour = _ALIASES.get(words[i - 1], words[i - 1])
                vocabulary = HAIR_COLORS if slot == "hair" else EYE_COLORS
                if colour not in vocabulary:
                    raise DatasetError(
                        f"unknown {slot} colour {words[i - 1]!r} in {text.strip()!r}; "
                        f"{slot} colours are: {', '.join(vocabulary)}", path, line)
                if slot in found:
                    raise DatasetError(f"two {slot} colours in {text.strip()!r}", path, line)
                found[slot] = colour
        missing = [slot for slot in ("hair", "eye") if slot not in found]
        if missing:
            raise DatasetError(
                f"{' and '.join(missing)} colour missing in {text.strip()!r}; expected '<colour> hair <colour> eyes'",
                path, line)
        return cls(found["hair"], found["eye"])


def _read_lines(path: Path) -> list[str]:
    """Lines of a UTF-8 text file (a byte-order mark is dropped); undecodable bytes name the line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DatasetError(f"not UTF-8 text ({error.reason} at byte {error.start})", path, line) from None
    return text.splitlines()


def read_tag_file(path) -> list[tuple[str, AnimeTags]]:
    """Read a text-to-image input file: lines ``id,<colour> hair <colour> eyes``; blank lines skipped."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError("tag file not found", path)
    entries = []
    for number, raw in enumerate(_read_lines(path), start=1):
        if not raw.strip():
            continue
        if "," not in raw:
            raise DatasetError(f"expected 'id,<colour> hair <colour> eyes', got {raw.strip()!r}", path, number)
        ident, text = raw.split(",", 1)
        entries.append((ident.strip(), AnimeTags.parse(text, path, number)))
    if not entries:
        raise DatasetError("tag file holds no tag lines", path)
    return entries


# ----------------------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------------------


@dataclass
class AnimeRecords:
    """Image paths with hair and eye class ids (indices into HAIR_COLORS / EYE_COLORS)."""

    paths: list
    hair: np.ndarray
    eye: np.ndarray

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def joint(self) -> np.ndarray:
        """Joint class id ``hair * len(EYE_COLORS) + eye``."""
        return self.hair * len(EYE_COLORS) + self.eye

    def one_hot_hair(self) -> np.ndarray:
        return np.eye(len(HAIR_COLORS), dtype="float32")[self.hair]

    def one_hot_eye(self) -> np.ndarray:
        return np.eye(len(EYE_COLORS), dtype="float32")[self.eye]

    def one_hot_joint(self) -> np.ndarray:
        return np.eye(len(HAIR_COLORS) * len(EYE_COLORS), dtype="float32")[self.joint]

    def subset(self, indices) -> "AnimeRecords":
        indices = np.asarray(indices, dtype=int)
        return AnimeRecords([self.paths[i] for i in indices], self.hair[indices], self.eye[indices])


@dataclass
class AttributeRecords:
    """Image paths with 0/1 float32 attribute vectors (columns named by ``names``)."""

    paths: list
    attrs: np.ndarray
    names: tuple

    def __len__(self) -> int:
        return len(self.paths)

    def column(self, name: str) -> np.ndarray:
        if name not in self.names:
            raise KeyError(f"no attribute {name!r}; attributes are {', '.join(self.names)}")
        return self.attrs[:, self.names.index(name)]

    def select(self, names) -> "AttributeRecords":
        """The same images with only the columns ``names``, in that order."""
        names = tuple(names)
        columns = np.stack([self.column(n) for n in names], axis=1) if names else np.zeros((len(self), 0))
        return AttributeRecords(list(self.paths), columns.astype("float32"), names)

    def subset(self, indices) -> "AttributeRecords":
        indices = np.asarray(indices, dtype=int)
        return AttributeRecords([self.paths[i] for i in indices], self.attrs[indices], self.names)


# ----------------------------------------------------------------------------------------
# Folder and file checks
# ----------------------------------------------------------------------------------------


def _require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise DatasetError(f"{what} folder not found; {_DATA_README}", path)
    return path


def _require_images(folder: Path) -> set[str]:
    """Check the image folder exists and is not empty; return the names of the files in it."""
    _require_dir(folder, "image")
    names = set(os.listdir(folder))
    if not names:
        raise DatasetError(f"image folder is empty; {_DATA_README}", folder)
    return names


def _require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise DatasetError(f"{what} not found; {_DATA_README}", path)
    return path


def _existing_images(folder: Path, available: set[str], names: list[str], rows: list[int], table: Path) -> list[Path]:
    """``folder / name`` for every listed name; the first one missing is a DatasetError naming its row."""
    missing = [(name, row) for name, row in zip(names, rows) if name not in available]
    if missing:
        name, row = missing[0]
        more = f" ({len(missing)} of {len(names)} rows name missing images)" if len(missing) > 1 else ""
        raise DatasetError(f"names image {folder / name}, which does not exist{more}", table, row)
    return [folder / name for name in names]


# ----------------------------------------------------------------------------------------
# MLDS anime
# ----------------------------------------------------------------------------------------


def _colour_tags(tag_names: list[str]) -> tuple[set[str], set[str]]:
    """Hair and eye colours (from the vocabulary) among ``tags_clean.csv`` tag names."""
    hair, eyes = set(), set()
    for tag in tag_names:
        words = tag.lower().split()
        if len(words) != 2:
            continue
        colour = _ALIASES.get(words[0], words[0])
        if words[1] == "hair" and words[0] not in NON_COLOR_HAIR_TAGS and colour in HAIR_COLORS:
            hair.add(colour)
        elif words[1] in ("eyes", "eye") and words[0] not in NON_COLOR_EYE_TAGS and colour in EYE_COLORS:
            eyes.add(colour)
    return hair, eyes


def _tag_names(rest: str, table: Path, number: int) -> list[str]:
    names = []
    for item in filter(None, (t.strip() for t in rest.split("\t"))):
        tag, sep, count = item.rpartition(":")
        if not sep or not tag.strip():
            raise DatasetError(f"tag {item!r} has no ':count'", table, number)
        if not count.strip().isdigit():
            raise DatasetError(f"tag {item!r} has a count that is not an integer", table, number)
        names.append(tag)
    return names


def read_tags_clean(root) -> AnimeRecords:
    """MLDS ``tags_clean.csv`` (``id,tag:count<TAB>tag:count...``) with images in ``faces/<id>.jpg``.

    Keeps images with exactly one hair colour and one eye colour; the rest are dropped with a
    warning that counts each reason.
    """
    root = _require_dir(Path(root), "MLDS dataset")
    table = _require_file(root / "tags_clean.csv", "tags_clean.csv")
    faces = root / "faces"
    available = _require_images(faces)
    names, hair, eye, rows = [], [], [], []
    reasons, dropped, total = Counter(), 0, 0
    for number, raw in enumerate(_read_lines(table), start=1):
        if not raw.strip():
            continue
        if "," not in raw:
            raise DatasetError(f"expected 'id,tag:count<TAB>tag:count...', got {raw.strip()[:60]!r}", table, number)
        ident, rest = raw.split(",", 1)
        hairs, eyes = _colour_tags(_tag_names(rest, table, number))
        total += 1
        problems = [f"no {slot} colour" if not found else f"two or more {slot} colours"
                    for slot, found in (("hair", hairs), ("eye", eyes)) if len(found) != 1]
        if problems:
            reasons.update(problems)
            dropped += 1
            continue
        names.append(f"{ident.strip()}.jpg")
        hair.append(HAIR_COLORS.index(hairs.pop()))
        eye.append(EYE_COLORS.index(eyes.pop()))
        rows.append(number)
    if dropped:
        detail = ", ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items()))
        warnings.warn(f"{table}: dropped {dropped} of {total} rows without exactly one hair and one eye colour "
                      f"({detail})", stacklevel=2)
    if not names:
        raise DatasetError("no row has exactly one hair colour and one eye colour", table)
    return AnimeRecords(_existing_images(faces, available, names, rows, table), np.asarray(hair), np.asarray(eye))


def read_extra_tags(root) -> AnimeRecords:
    """MLDS ``extra_data/tags.csv`` (``id,aqua hair aqua eyes``) with images in ``extra_data/images/<id>.jpg``."""
    root = _require_dir(Path(root), "MLDS dataset")
    table = _require_file(root / "extra_data" / "tags.csv", "extra_data/tags.csv")
    images = root / "extra_data" / "images"
    available = _require_images(images)
    names, hair, eye, rows = [], [], [], []
    for number, raw in enumerate(_read_lines(table), start=1):
        if not raw.strip():
            continue
        if "," not in raw:
            raise DatasetError(f"expected 'id,<colour> hair <colour> eyes', got {raw.strip()[:60]!r}", table, number)
        ident, text = raw.split(",", 1)
        tags = AnimeTags.parse(text, table, number)
        names.append(f"{ident.strip()}.jpg")
        hair.append(tags.hair_index)
        eye.append(tags.eye_index)
        rows.append(number)
    if not names:
        raise DatasetError("no rows", table)
    return AnimeRecords(_existing_images(images, available, names, rows, table), np.asarray(hair), np.asarray(eye))


def load_mlds(root, source: str = "extra") -> AnimeRecords:
    """MLDS anime records from ``extra`` (extra_data), ``faces`` (tags_clean) or ``both`` (extra first)."""
    if source == "extra":
        return read_extra_tags(root)
    if source == "faces":
        return read_tags_clean(root)
    if source == "both":
        a, b = read_extra_tags(root), read_tags_clean(root)
        return AnimeRecords(a.paths + b.paths, np.concatenate([a.hair, b.hair]), np.concatenate([a.eye, b.eye]))
    raise ValueError(f"unknown MLDS source {source!r}; use 'extra', 'faces' or 'both'")


# ----------------------------------------------------------------------------------------
# DLCV hw4 and CelebA
# ----------------------------------------------------------------------------------------


def _binary_values(cells: list[str], columns, allowed: dict, table: Path, line: int) -> list[float]:
    values = [allowed.get(cell.strip()) for cell in cells]
    if None in values:
        column = values.index(None)
        raise DatasetError(f"column {columns[column]}: value {cells[column].strip()!r} is not one of "
                           f"{', '.join(allowed)}", table, line)
    return values


def read_dlcv_split(root, split: str = "train") -> AttributeRecords:
    """DLCV hw4 ``hw4_data/<split>.csv`` (header ``image_name,Bangs,...``) with images in ``hw4_data/<split>/``.

    Rows with no hair colour or with two are kept (the real data has both) and counted in a warning.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    root = _require_dir(Path(root), "DLCV dataset")
    base = _require_dir(root / "hw4_data", "hw4_data")
    table = _require_file(base / f"{split}.csv", f"hw4_data/{split}.csv")
    images = base / split
    available = _require_images(images)
    lines = _read_lines(table)
    expected = ",".join(("image_name",) + DLCV_ATTRIBUTES)
    found = lines[0].strip() if lines else ""
    if found.replace(" ", "") != expected:
        raise DatasetError(f"wrong header {found!r}; expected {expected!r}", table, 1)
    allowed = {"0.0": 0.0, "1.0": 1.0, "0": 0.0, "1": 1.0}
    names, attrs, rows = [], [], []
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cells = raw.split(",")
        if len(cells) != len(DLCV_ATTRIBUTES) + 1:
            raise DatasetError(f"expected {len(DLCV_ATTRIBUTES) + 1} columns, found {len(cells)}", table, number)
        names.append(cells[0].strip())
        attrs.append(_binary_values(cells[1:], DLCV_ATTRIBUTES, allowed, table, number))
        rows.append(number)
    if not names:
        raise DatasetError("no rows after the header", table)
    records = AttributeRecords(_existing_images(images, available, names, rows, table),
                               np.asarray(attrs, dtype="float32"), DLCV_ATTRIBUTES)
    hair_count = records.select(_DLCV_HAIR).attrs.sum(axis=1)
    none, several = int((hair_count == 0).sum()), int((hair_count > 1).sum())
    if none or several:
        warnings.warn(f"{table}: of {len(records)} rows, {none} have no hair colour and {several} have two or more "
                      f"(kept, as in the real data)", stacklevel=2)
    return records


def read_celeba_attributes(root) -> AttributeRecords:
    """CelebA ``list_attr_celeba.txt`` (count, 40 names, then ``name v1 ... v40`` in -1/1) with ``img_align_celeba/``.

    Values are mapped to 0/1; columns keep the file's order.
    """
    root = _require_dir(Path(root), "CelebA dataset")
    table = _require_file(root / "list_attr_celeba.txt", "list_attr_celeba.txt")
    images = root / "img_align_celeba"
    available = _require_images(images)
    lines = _read_lines(table)
    if not lines or not lines[0].strip().isdigit():
        raise DatasetError("line 1 must hold the number of images", table, 1)
    columns = tuple(lines[1].split()) if len(lines) > 1 else ()
    if len(columns) != len(CELEBA_ATTRIBUTES) or set(columns) != set(CELEBA_ATTRIBUTES):
        unknown = sorted(set(columns) - set(CELEBA_ATTRIBUTES))
        raise DatasetError(f"line 2 must name the 40 CelebA attributes, found {len(columns)} names"
                           + (f" (unknown: {', '.join(unknown[:5])})" if unknown else ""), table, 2)
    allowed = {"-1": 0.0, "1": 1.0}
    names, attrs, rows = [], [], []
    for number, raw in enumerate(lines[2:], start=3):
        cells = raw.split()
        if not cells:
            continue
        if len(cells) != len(columns) + 1:
            raise DatasetError(f"expected an image name and {len(columns)} values, found {len(cells) - 1} values",
                               table, number)
        names.append(cells[0])
        attrs.append(_binary_values(cells[1:], columns, allowed, table, number))
        rows.append(number)
    declared = int(lines[0].strip())
    if declared != len(names):
        raise DatasetError(f"line 1 declares {declared} images but the file lists {len(names)}", table, 1)
    return AttributeRecords(_existing_images(images, available, names, rows, table),
                            np.asarray(attrs, dtype="float32").reshape(-1, len(columns)), columns)


# ----------------------------------------------------------------------------------------
# Images
# ----------------------------------------------------------------------------------------


def _load_one(path: Path, size: int, crop: str | None) -> np.ndarray:
    try:
        with Image.open(path) as image:
            image.load()  # decodes now, so a truncated or corrupt file fails here
            image = image.convert("RGB")
    except FileNotFoundError:
        raise DatasetError("image not found", path) from None
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, struct.error... for bad files
        raise DatasetError(f"cannot read image ({type(error).__name__}: {error})", path) from None
    if crop == "center":
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side))
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8)


def _image_cache_file(paths: list[Path], size: int, crop: str | None) -> Path:
    """Cache file named by a hash of (size, crop, every path with its mtime and byte size)."""
    digest = hashlib.sha256(f"v1|{size}|{crop}|{len(paths)}".encode())
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise DatasetError("image not found", path) from None
        digest.update(f"\0{path.resolve()}\0{stat.st_mtime_ns}\0{stat.st_size}".encode())
    return genlab_paths.cache_dir() / "images" / f"{digest.hexdigest()[:32]}-{len(paths)}x{size}.npy"


def _read_cache(file: Path, expected_shape: tuple) -> np.ndarray | None:
    try:
        images = np.load(file, allow_pickle=False)
    except (OSError, ValueError):
        return None  # missing or damaged: decode again
    return images if images.dtype == np.uint8 and images.shape == expected_shape else None



def load_images(paths, image_size: int, crop: str | None = None, workers: int = 2, cache: bool = False) -> np.ndarray:
    """Decode images with Pillow into a uint8 array (N, size, size, 3).

    ``crop="center"`` cuts the centred square first (real CelebA is 178x218); images are then
    resized with Lanczos filtering. An unreadable or truncated file raises DatasetError naming
    it. With ``cache=True`` the array is kept under ``cache_dir()/images/``, keyed by the paths,
    their modification times and sizes, the size and the crop, so editing or replacing any image
    invalidates it.
    """
    if crop not in ("center", None):
        raise ValueError(f"crop must be 'center' or None, not {crop!r}")
    if int(image_size) < 1:
        raise ValueError(f"image_size must be positive, not {image_size!r}")
    paths = [Path(p) for p in paths]
    shape = (len(paths), image_size, image_size, 3)
    if not paths:
        return np.zeros(shape, np.uint8)
    cache_file = _image_cache_file(paths, image_size, crop) if cache else None
    if cache_file is not None:
        cached = _read_cache(cache_file, shape)
        if cached is not None:
            return cached
    # Another library may have switched this on; truncated files must fail, not be padded grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        images = np.stack(list(pool.map(lambda p: _load_one(p, image_size, crop), paths)))
    if cache_file is not None:
        genlab_paths.write_atomically(cache_file, lambda f: np.save(f, images, allow_pickle=False))
    return images


# ----------------------------------------------------------------------------------------
# tf.data
# ----------------------------------------------------------------------------------------


def _label_array(values, n: int, name) -> np.ndarray:
    array = np.asarray(values)
    if len(array) != n:
        which = "labels" if name is None else f"labels[{name!r}]"
        raise ValueError(f"{n} images but {len(array)} {which}")
    return array.astype("float32") if np.issubdtype(array.dtype, np.floating) else array


def _label_arrays(labels, n: int):
    """An array, or a tuple/dict of arrays, checked for length; floats become float32, integers stay."""
    if isinstance(labels, dict):
        return {key: _label_array(value, n, key) for key, value in labels.items()}
    if isinstance(labels, tuple):
        return tuple(_label_array(value, n, i) for i, value in enumerate(labels))
    return _label_array(labels, n, None)


def image_dataset(images, labels=None, batch_size: int = 64, value_range=(-1.0, 1.0), shuffle: bool = True,
                  seed: int = 0, drop_remainder: bool = True, repeat: bool = False):
    """A tf.data pipeline over in-memory uint8 images (and labels): shuffle, batch, scale, prefetch.

    Yields float32 image batches scaled to ``value_range``, or ``(images, labels)`` when labels
    (an array, or a tuple/dict of arrays) are given. Shuffling is seeded: the batch order is the
    same on every run, and each epoch is reshuffled. Images stay uint8 until batched.
    """
    import tensorflow as tf

    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError("image_dataset expects uint8 images; scale with value_range instead")
    if images.ndim != 4:
        raise ValueError(f"image_dataset expects images shaped (N, height, width, channels), got {images.shape}")
    if drop_remainder and not repeat and len(images) < batch_size:
        raise ValueError(f"only {len(images)} images for batches of {batch_size}; render or load more images")
    if len(images) == 0:
        raise ValueError("image_dataset got no images")
    elements = images if labels is None else (images, _label_arrays(labels, len(images)))
    dataset = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    low, high = (float(v) for v in value_range)

    def scale(x):
        return tf.cast(x, tf.float32) * ((high - low) / 255.0) + low

    if labels is None:
        dataset = dataset.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(lambda x, y: (scale(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def split_indices(n: int, test_fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random (train, test) index split; both sorted."""
    if not 0.0 <= test_fraction <= 1.0:
        raise ValueError(f"test_fraction must be in [0, 1], not {test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(order[n_test:]), np.sort(order[:n_test])
