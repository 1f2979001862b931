"""Measure how often the animeface detector finds the embedded anime faces, and render speed.

    .venv/bin/python tools/measure_animeface.py [--n 500] [--seed 0]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from genlab.evaluation import animeface_colors
from genlab.synthetic.anime import EYE_PALETTE, HAIR_PALETTE, render_anime_batch
from genlab.vocab import EYE_COLORS, HAIR_COLORS


def nearest(rgb, palette):
    names = list(palette)
    return names[int(np.argmin([np.abs(np.array(palette[n]) - rgb).sum() for n in names]))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    images, hair, eye = render_anime_batch(args.n, args.seed, 64)
    found = animeface_colors(images, value_range=(0, 255))
    hits = [f for f in found if f is not None]
    hair_ok = sum(nearest(f["hair"], HAIR_PALETTE) == HAIR_COLORS[h] for f, h in zip(found, hair) if f)
    eye_ok = sum(nearest(f["left_eye"], EYE_PALETTE) == EYE_COLORS[e] for f, e in zip(found, eye) if f)
    print(f"animeface hit rate: {len(hits)}/{args.n} = {len(hits) / args.n:.3f} (64 px renders upscaled to 128, seed {args.seed})")
    if hits:
        print(f"detector's hair colour nearest the drawn class: {hair_ok}/{len(hits)} = {hair_ok / len(hits):.3f}")
        print(f"detector's eye colour nearest the drawn class:  {eye_ok}/{len(hits)} = {eye_ok / len(hits):.3f}")
    for workers, n in ((1, 1000), (2, 4000)):
        start = time.perf_counter()
        render_anime_batch(n, args.seed + 1, 64, workers=workers)
        print(f"rendering, {workers} process(es): {n / (time.perf_counter() - start):.0f} images/s")


if __name__ == "__main__":
    main()
