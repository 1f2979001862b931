"""Readers for the MLDS anime dataset: ``tags_clean.csv`` with ``faces/``, ``extra_data/tags.csv`` with its images.

Bad input raises :class:`~genlab.errors.DatasetError` naming the file and line; rows that are
legitimately unusable (two hair colours in ``tags_clean.csv``...) are dropped with a warning
that counts them, never silently.
"""
from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from genlab.data.files import existing_images, require_dir, require_file, require_images
from genlab.data.tags import AnimeTags, colour_tags, tag_lines
from genlab.errors import DatasetError, DataWarning
from genlab.vocab import EYE_COLORS, HAIR_COLORS, N_EYE


@dataclass
class AnimeRecords:
    """Image paths with hair and eye class ids (indices into HAIR_COLORS / EYE_COLORS).

    ``dropped_rows`` counts the table rows the reader left out, ``drop_reasons`` each reason's count.
    """

    paths: list
    hair: np.ndarray
    eye: np.ndarray
    dropped_rows: int = 0
    drop_reasons: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def joint(self) -> np.ndarray:
        """Joint class id ``hair * len(EYE_COLORS) + eye``."""
        return self.hair * N_EYE + self.eye

    def subset(self, indices) -> AnimeRecords:
        indices = np.asarray(indices, dtype=int)
        return AnimeRecords([self.paths[i] for i in indices], self.hair[indices], self.eye[indices])


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
    root = require_dir(Path(root), "MLDS dataset")
    table = require_file(root / "tags_clean.csv", "tags_clean.csv")
    faces = root / "faces"
    available = require_images(faces)
    names, hair, eye, rows = [], [], [], []
    reasons, dropped, total = Counter(), 0, 0
    for number, ident, rest in tag_lines(table, "id,tag:count<TAB>tag:count..."):
        hairs, eyes = colour_tags(_tag_names(rest, table, number))
        total += 1
        problems = [f"no {slot} colour" if not found else f"two or more {slot} colours"
                    for slot, found in (("hair", hairs), ("eye", eyes)) if len(found) != 1]
        if problems:
            reasons.update(problems)
            dropped += 1
            continue
        names.append(f"{ident}.jpg")
        hair.append(HAIR_COLORS.index(hairs.pop()))
        eye.append(EYE_COLORS.index(eyes.pop()))
        rows.append(number)
    if dropped:
        detail = ", ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items()))
        warnings.warn(f"{table}: dropped {dropped} of {total} rows without exactly one hair and one eye colour "
                      f"({detail})", DataWarning, stacklevel=2)
    if not names:
        raise DatasetError("no row has exactly one hair colour and one eye colour", table)
    return AnimeRecords(existing_images(faces, available, names, rows, table), np.asarray(hair), np.asarray(eye),
                        dropped, dict(sorted(reasons.items())))


def read_extra_tags(root) -> AnimeRecords:
    """MLDS ``extra_data/tags.csv`` (``id,aqua hair aqua eyes``) with images in ``extra_data/images/<id>.jpg``."""
    root = require_dir(Path(root), "MLDS dataset")
    table = require_file(root / "extra_data" / "tags.csv", "extra_data/tags.csv")
    images = root / "extra_data" / "images"
    available = require_images(images)
    names, hair, eye, rows = [], [], [], []
    for number, ident, text in tag_lines(table):
        tags = AnimeTags.parse(text, table, number)
        names.append(f"{ident}.jpg")
        hair.append(tags.hair_index)
        eye.append(tags.eye_index)
        rows.append(number)
    if not names:
        raise DatasetError("no rows", table)
    return AnimeRecords(existing_images(images, available, names, rows, table), np.asarray(hair), np.asarray(eye))


def load_mlds(root, source: str = "extra") -> AnimeRecords:
    """MLDS anime records from ``extra`` (extra_data), ``faces`` (tags_clean) or ``both`` (extra first)."""
    if source == "extra":
        return read_extra_tags(root)
    if source == "faces":
        return read_tags_clean(root)
    if source == "both":
        a, b = read_extra_tags(root), read_tags_clean(root)
        return AnimeRecords(a.paths + b.paths, np.concatenate([a.hair, b.hair]), np.concatenate([a.eye, b.eye]),
                            b.dropped_rows, b.drop_reasons)
    raise ValueError(f"unknown MLDS source {source!r}; use 'extra', 'faces' or 'both'")
