"""Content fingerprints of the real datasets: they key the training runs, the classifier caches and the stamps.

A dataset's fingerprint hashes its CSV / attribute files' bytes and the list of its image files with
their sizes and modification times (one ``stat`` per file, no image is read): editing a table, or
adding, removing or rewriting an image, gives a new fingerprint, so nothing trained on the old data
is reused. A folder of 200,000 images takes well under a second.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

TABLES = {"mlds": ("tags_clean.csv", "extra_data/tags.csv"), "dlcv": ("hw4_data/train.csv", "hw4_data/test.csv"),
          "celeba": ("list_attr_celeba.txt",)}
FOLDERS = {"mlds": ("faces", "extra_data/images"), "dlcv": ("hw4_data/train", "hw4_data/test"),
           "celeba": ("img_align_celeba",)}


def _hash_file(digest, path: Path) -> None:
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)


def _hash_listing(digest, folder: Path) -> None:
    """Name, size and modification time of every file in ``folder`` (sorted by name)."""
    with os.scandir(folder) as entries:
        rows = sorted((entry.name, entry.stat()) for entry in entries if entry.is_file())
    for name, stat in rows:
        digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())


def _hash_path(digest, path: Path, label: str) -> None:
    digest.update(f"\n[{label}]\n".encode())
    if path.is_file():
        _hash_file(digest, path)
    elif path.is_dir():
        _hash_listing(digest, path)
    else:
        digest.update(b"missing")


def dataset_fingerprint(root, kind: str) -> str:
    """16 hex digits naming the content of the ``kind`` layout (mlds, dlcv, celeba) at ``root``."""
    root = Path(root)
    digest = hashlib.sha256(f"genlab-data-v1|{kind}".encode())
    for relative in TABLES[kind] + FOLDERS[kind]:
        _hash_path(digest, root / relative, relative)
    return digest.hexdigest()[:16]


def path_fingerprint(path) -> str:
    """16 hex digits naming a user's input: a file's bytes, or a folder's file list with sizes and times."""
    digest = hashlib.sha256(b"genlab-input-v1")
    _hash_path(digest, Path(path), Path(path).name)
    return digest.hexdigest()[:16]
