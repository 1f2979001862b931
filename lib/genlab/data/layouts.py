"""Finding the real datasets' layouts under a folder the user names, and saying where it looked when none is there."""
from __future__ import annotations

from pathlib import Path

from genlab.errors import DatasetError


def has_mlds(root: Path) -> bool:
    return (root / "extra_data" / "tags.csv").exists() or (root / "tags_clean.csv").exists()


def has_dlcv(root: Path) -> bool:
    return (root / "hw4_data" / "train.csv").exists()


def has_celeba(root: Path) -> bool:
    return (root / "list_attr_celeba.txt").exists()


LAYOUTS = {"mlds": has_mlds, "dlcv": has_dlcv, "celeba": has_celeba}
NAMES = {"mlds": "MLDS anime", "dlcv": "DLCV hw4", "celeba": "CelebA"}
EXPECTED = {
    "mlds": "extra_data/tags.csv with extra_data/images/, or tags_clean.csv with faces/",
    "dlcv": "hw4_data/train.csv with hw4_data/train/ (and test.csv with test/)",
    "celeba": "list_attr_celeba.txt with img_align_celeba/",
}
# Folders that hold images, never datasets: not listed or searched (img_align_celeba has 202,599 files).
IMAGE_FOLDERS = {"faces", "images", "img_align_celeba", "train", "test"}


class MissingLayoutError(DatasetError):
    """The folder the user named holds no layout of the kind a notebook needs."""


def _subfolders(folder: Path) -> list[Path]:
    if not folder.is_dir() or folder.name in IMAGE_FOLDERS:
        return []
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def find_layout(root: Path | None, kind: str) -> Path | None:
    """``root`` or a direct subfolder of it that holds the ``kind`` layout (mlds, dlcv, celeba)."""
    check = LAYOUTS[kind]
    if root is None:
        return None
    if check(root):
        return root
    return next((child for child in _subfolders(root) if check(child)), None)


def _nearby(root: Path, kind: str) -> list[str]:
    """Where the layout is if the path is one or two levels off, as hints."""
    check, hints = LAYOUTS[kind], []
    for depth, parent in enumerate(list(root.parents)[:2], start=1):
        if check(parent):
            hints.append(f"{parent} holds it, {'one level' if depth == 1 else 'two levels'} up: point at that folder "
                         "(or its parent)")
            break
    for child in _subfolders(root):
        found = [grandchild for grandchild in _subfolders(child) if check(grandchild)]
        hints += [f"{grandchild} holds it, two levels down: point at {child} or at it" for grandchild in found[:2]]
    return hints


def missing_layout(root: Path, kind: str, needed_by: str = "", then: str = "") -> MissingLayoutError:
    """The error for ``root`` holding no ``kind`` layout: where it looked, what it expected, what is nearby.

    ``needed_by`` names who needs it (a notebook), ``then`` says what the user can do instead.
    """
    children = _subfolders(root)
    if not root.is_dir():
        looked = f"{root} is not a folder"
    elif not any(root.iterdir()):
        looked = f"{root} (the folder is empty)"
    else:
        shown = ", ".join(c.name for c in children[:8]) + (", ..." if len(children) > 8 else "")
        looked = f"{root} and its {len(children)} subfolder(s)" + (f" ({shown})" if children else "")
    lines = [f"no {NAMES[kind]} layout found" + (f", and {needed_by} needs one" if needed_by else ""),
             f"  looked in: {looked}",
             f"  expected: {EXPECTED[kind]} (see data/README.md)"]
    lines += [f"  found: {hint}" for hint in _nearby(root, kind)]
    others = [f"{NAMES[k]} at {where}" for k in LAYOUTS if k != kind and (where := find_layout(root, k))]
    if others:
        lines.append(f"  (the folder does hold: {'; '.join(others)})")
    if then:
        lines.append(f"  {then}")
    return MissingLayoutError("\n".join(lines), root)
