"""Finding the real datasets' layouts under a folder the user names."""
from __future__ import annotations

from pathlib import Path


def has_mlds(root: Path) -> bool:
    return (root / "extra_data" / "tags.csv").exists() or (root / "tags_clean.csv").exists()


def has_dlcv(root: Path) -> bool:
    return (root / "hw4_data" / "train.csv").exists()


def has_celeba(root: Path) -> bool:
    return (root / "list_attr_celeba.txt").exists()


LAYOUTS = {"mlds": has_mlds, "dlcv": has_dlcv, "celeba": has_celeba}


def find_layout(root: Path | None, kind: str) -> Path | None:
    """``root`` or a direct subfolder of it that holds the ``kind`` layout (mlds, dlcv, celeba)."""
    check = LAYOUTS[kind]
    if root is None:
        return None
    if check(root):
        return root
    for child in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if check(child):
            return child
    return None
