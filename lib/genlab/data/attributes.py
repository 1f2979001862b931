"""Readers for the celeb datasets' attribute tables: DLCV hw4 ``train.csv``/``test.csv`` and CelebA ``list_attr_celeba.txt``."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genlab.data.files import existing_images, read_lines, require_dir, require_file, require_images
from genlab.errors import DatasetError, DataWarning
from genlab.vocab import CELEBA_ATTRIBUTES, DLCV_ATTRIBUTES, HAIR_GROUP


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

    def select(self, names) -> AttributeRecords:
        """The same images with only the columns ``names``, in that order."""
        names = tuple(names)
        columns = np.stack([self.column(n) for n in names], axis=1) if names else np.zeros((len(self), 0))
        return AttributeRecords(list(self.paths), columns.astype("float32"), names)

    def subset(self, indices) -> AttributeRecords:
        indices = np.asarray(indices, dtype=int)
        return AttributeRecords([self.paths[i] for i in indices], self.attrs[indices], self.names)


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
    root = require_dir(Path(root), "DLCV dataset")
    base = require_dir(root / "hw4_data", "hw4_data")
    table = require_file(base / f"{split}.csv", f"hw4_data/{split}.csv")
    images = base / split
    available = require_images(images)
    lines = read_lines(table)
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
    records = AttributeRecords(existing_images(images, available, names, rows, table),
                               np.asarray(attrs, dtype="float32"), DLCV_ATTRIBUTES)
    hair_count = records.select(HAIR_GROUP).attrs.sum(axis=1)
    none, several = int((hair_count == 0).sum()), int((hair_count > 1).sum())
    if none or several:
        warnings.warn(f"{table}: of {len(records)} rows, {none} have no hair colour and {several} have two or more "
                      f"(kept, as in the real data)", DataWarning, stacklevel=2)
    return records


def read_celeba_attributes(root) -> AttributeRecords:
    """CelebA ``list_attr_celeba.txt`` (count, 40 names, then ``name v1 ... v40`` in -1/1) with ``img_align_celeba/``.

    Values are mapped to 0/1; columns keep the file's order.
    """
    root = require_dir(Path(root), "CelebA dataset")
    table = require_file(root / "list_attr_celeba.txt", "list_attr_celeba.txt")
    images = root / "img_align_celeba"
    available = require_images(images)
    lines = read_lines(table)
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
    return AttributeRecords(existing_images(images, available, names, rows, table),
                            np.asarray(attrs, dtype="float32").reshape(-1, len(columns)), columns)
