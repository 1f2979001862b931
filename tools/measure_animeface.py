"""Measure how often the animeface detector finds the synthetic anime faces, whether the colours
it reads match the drawn classes, and how fast faces render.

    .venv/bin/python tools/measure_animeface.py [--n 200] [--seed 0]

Faces are rendered at 64x64 and upscaled to 128 (bicubic) before detection, as in evaluation.
"""
from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from genlab.data.synthetic.anime import EYE_PALETTE, HAIR_PALETTE, render_anime_batch
from genlab.eval.detectors import animeface_colors
from genlab.vocab import EYE_COLORS, HAIR_COLORS


def nearest(rgb, palette: dict) -> str:
    """The palette entry nearest ``rgb`` (L1 in RGB)."""
    names = list(palette)
    return names[int(np.argmin([np.abs(np.subtract(palette[n], rgb)).sum() for n in names]))]


def rendering_speed(seed: int) -> list[tuple[int, int, float]]:
    """(processes, images, images/s) for one process and a two-process pool (start-up included)."""
    results = []
    for workers, n in ((1, 2000), (2, 6000)):
        start = time.perf_counter()
        render_anime_batch(n, seed, 64, workers=workers)
        results.append((workers, n, n / (time.perf_counter() - start)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="faces to detect (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    images, hair, eye = render_anime_batch(args.n, args.seed, 64)
    found = animeface_colors(images, value_range=(0, 255))
    detected = [(face, HAIR_COLORS[h], EYE_COLORS[e]) for face, h, e in zip(found, hair, eye) if face is not None]
    hits = len(detected)
    print(f"animeface hit rate: {hits}/{args.n} = {hits / args.n:.3f} (64 px renders upscaled to 128, seed {args.seed})")
    if hits:
        hair_ok = sum(nearest(face["hair"], HAIR_PALETTE) == h for face, h, _ in detected)
        eye_ok = sum(nearest(face["left_eye"], EYE_PALETTE) == e for face, _, e in detected)
        print(f"detected hair colour nearest the drawn class: {hair_ok}/{hits} = {hair_ok / hits:.3f}")
        print(f"detected left-eye colour nearest the drawn class: {eye_ok}/{hits} = {eye_ok / hits:.3f}")
    missed_eyes = Counter(EYE_COLORS[e] for face, e in zip(found, eye) if face is None)
    missed_hair = Counter(HAIR_COLORS[h] for face, h in zip(found, hair) if face is None)
    if missed_eyes:
        print("missed faces by eye colour: " + ", ".join(f"{c} {n}" for c, n in missed_eyes.most_common()))
        print("missed faces by hair colour: " + ", ".join(f"{c} {n}" for c, n in missed_hair.most_common()))
    for workers, n, speed in rendering_speed(args.seed + 1):
        print(f"rendering 64x64, {workers} process(es), {n} images: {speed:.0f} images/s")


if __name__ == "__main__":
    main()
