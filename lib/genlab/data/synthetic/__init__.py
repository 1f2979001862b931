"""Embedded synthetic datasets, rendered on demand in the real datasets' on-disk formats.

``ensure_embedded(kind, n, seed)`` renders a dataset once into ``data/embedded/`` and returns
its root; later calls (and later notebooks) reuse the cached copy. The folder name carries a
fingerprint of the renderer's source, so a changed renderer never serves a stale copy.
``kind`` is one of:

- ``"mlds"``   anime faces: ``faces/`` + ``tags_clean.csv`` and ``extra_data/images`` + ``tags.csv``
- ``"dlcv"``   celeb faces: ``hw4_data/train|test`` + ``train.csv``/``test.csv``
- ``"celeba"`` celeb faces: ``img_align_celeba/`` + ``list_attr_celeba.txt``
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from genlab import paths

KINDS = ("mlds", "dlcv", "celeba")
_CELEB_SOURCES = ("celeb.py", "celeb_face.py", "celeb_draw.py")
_RENDERER = {"mlds": ("anime.py",), "dlcv": _CELEB_SOURCES, "celeba": _CELEB_SOURCES}


def renderer_fingerprint(kind: str) -> str:
    """First 8 hex digits of the SHA-1 of the source files that render ``kind``."""
    digest = hashlib.sha1()
    for name in _RENDERER[kind]:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return digest.hexdigest()[:8]


def embedded_fingerprint() -> str:
    """One fingerprint of every renderer: names runs and caches trained on embedded data."""
    return hashlib.sha1("".join(renderer_fingerprint(kind) for kind in KINDS).encode()).hexdigest()[:8]


def embedded_root(kind: str, n: int, seed: int = 0) -> Path:
    """Folder where the embedded dataset ``kind`` of ``n`` images with ``seed`` lives."""
    if kind not in KINDS:
        raise ValueError(f"unknown embedded dataset {kind!r}; choose one of {', '.join(KINDS)}")
    return paths.embedded_dir() / f"{kind}-n{n}-seed{seed}-{renderer_fingerprint(kind)}"


def ensure_embedded(kind: str, n: int, seed: int = 0, workers: int = 2) -> Path:
    """Render (once) and return the root of an embedded dataset of about ``n`` images.

    For ``mlds`` n images go to ``extra_data`` and n // 4 to ``faces``; for ``dlcv`` n train
    and n // 10 test images (at least 64); ``celeba`` holds n images.
    """
    root = embedded_root(kind, n, seed)
    root.parent.mkdir(parents=True, exist_ok=True)
    with paths.exclusive(root):  # notebooks running side by side render each dataset once
        if kind == "mlds":
            from genlab.data.synthetic.anime import write_mlds_dataset

            return write_mlds_dataset(root, n_faces=max(n // 4, 16), n_extra=n, seed=seed, workers=workers)
        if kind == "dlcv":
            from genlab.data.synthetic.celeb import write_dlcv_dataset

            return write_dlcv_dataset(root, n_train=n, n_test=max(n // 10, 64), seed=seed, workers=workers)
        from genlab.data.synthetic.celeb import write_celeba_dataset

        return write_celeba_dataset(root, n=n, seed=seed, workers=workers)
