"""MLDS anime tags: parsing ``<colour> hair <colour> eyes``, the 3-2 input file, and condition vectors.

Condition vectors come in two encodings: ``"joint"``, one one-hot over every hair x eye pair
(the report's, 12 x 11 classes), and ``"separate"``, a hair one-hot followed by an eye one-hot
(12 + 11 values).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genlab.data.files import read_lines, split_row
from genlab.errors import DatasetError
from genlab.vocab import COLOR_ALIASES, EYE_COLORS, HAIR_COLORS, N_EYE, N_HAIR, NON_COLOR_EYE_TAGS, NON_COLOR_HAIR_TAGS

ENCODINGS = ("joint", "separate")
TAG_LINE = "id,<colour> hair <colour> eyes"


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
        return self.hair_index * N_EYE + self.eye_index

    def __str__(self) -> str:
        return f"{self.hair} hair {self.eye} eyes"

    @classmethod
    def parse(cls, text: str, path=None, line: int | None = None) -> AnimeTags:
        """Parse ``"blue hair red eyes"`` (commas, case and extra spaces tolerated; blond/grey aliases)."""
        words = re.sub(r"[,;]", " ", text).lower().split()
        found = {}
        for i, word in enumerate(words):
            if word in ("hair", "eyes", "eye") and i > 0:
                slot = "hair" if word == "hair" else "eye"
                colour = COLOR_ALIASES.get(words[i - 1], words[i - 1])
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


def tag_lines(path: Path, expected: str = TAG_LINE) -> list[tuple[int, str, str]]:
    """``(line number, id, text)`` of every non-blank ``id,text`` line of ``path`` (``expected`` names the form)."""
    rows = []
    for number, raw in enumerate(read_lines(path), start=1):
        if raw.strip():
            rows.append((number, *split_row(raw, expected, path, number)))
    return rows


def read_tag_file(path) -> list[tuple[str, AnimeTags]]:
    """Read a text-to-image input file: lines ``id,<colour> hair <colour> eyes``; blank lines skipped."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError("tag file not found", path)
    entries = [(ident, AnimeTags.parse(text, path, number)) for number, ident, text in tag_lines(path)]
    if not entries:
        raise DatasetError("tag file holds no tag lines", path)
    return entries


def colour_tags(tag_names: list[str]) -> tuple[set[str], set[str]]:
    """Hair and eye colours (from the vocabulary) among ``tags_clean.csv`` tag names."""
    hair, eyes = set(), set()
    for tag in tag_names:
        words = tag.lower().split()
        if len(words) != 2:
            continue
        colour = COLOR_ALIASES.get(words[0], words[0])
        if words[1] == "hair" and words[0] not in NON_COLOR_HAIR_TAGS and colour in HAIR_COLORS:
            hair.add(colour)
        elif words[1] in ("eyes", "eye") and words[0] not in NON_COLOR_EYE_TAGS and colour in EYE_COLORS:
            eyes.add(colour)
    return hair, eyes


def tag_conditions(hair, eye, encoding: str = "joint") -> np.ndarray:
    """Condition vectors (float32) for (hair, eye) class ids in ``encoding``."""
    hair, eye = np.asarray(hair, dtype=int), np.asarray(eye, dtype=int)
    if encoding == "joint":
        return np.eye(N_HAIR * N_EYE, dtype="float32")[hair * N_EYE + eye]
    if encoding == "separate":
        return np.concatenate([np.eye(N_HAIR, dtype="float32")[hair], np.eye(N_EYE, dtype="float32")[eye]], axis=1)
    raise ValueError(f"unknown condition encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")


def condition_dim(encoding: str) -> int:
    """Length of a condition vector in ``encoding`` (132 joint, 23 separate)."""
    return tag_conditions(np.zeros(1), np.zeros(1), encoding).shape[1]


def condition_groups(encoding: str) -> tuple[int, ...] | None:
    """The one-hot groups of an encoding, as the ACGAN head splits them (None: a single group)."""
    return (N_HAIR, N_EYE) if encoding == "separate" else None
