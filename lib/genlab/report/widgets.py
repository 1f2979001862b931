"""Sliders that redraw a model's samples at once, for ``make lab``. Headless runs never build them.

    explorer(lambda seed: run.signed_sample(4, seed), seed=(0, 999))

Each keyword becomes a control the way ``ipywidgets.interact`` reads it: ``(low, high)`` of ints
an integer slider, ``(low, high, step)`` of floats a float slider, a list of strings a menu.
A control starts at ``draw``'s default for that argument, else at the low end of its range or the
first entry of its list. Every change redraws the picture and says how long the redraw took.
"""
from __future__ import annotations

import inspect
import io
import os
import time

import numpy as np
from PIL import Image

from genlab.data.ranges import SIGNED, to_uint8
from genlab.runtime import headless

SHOWN_PIXELS = 192  # each image's side on screen: 64x64 samples drawn at 3x, without smoothing
BUILD_VARIABLE = "GENLAB_EXPLORERS"  # "1": build the explorers even headless (the notebook tests draw with them)
HEADLESS_MESSAGE = "headless run: the interactive explorer is built in `make lab`; the static figures above show the same"


def to_png(images: np.ndarray, value_range=SIGNED, pixels: int = SHOWN_PIXELS) -> bytes:
    """One image (H, W, C) or a row of them (N, H, W, C) side by side, scaled to ``pixels`` high, as PNG."""
    images = np.asarray(images)
    row = np.concatenate(list(images), axis=1) if images.ndim == 4 else images
    picture = Image.fromarray(to_uint8(row, value_range).squeeze())
    scale = pixels / picture.height
    picture = picture.resize((round(picture.width * scale), pixels), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class Explorer:
    """Controls and a picture: any control's change calls ``draw(**values)`` and shows what it returns."""

    def __init__(self, draw, value_range=SIGNED, **controls):
        import ipywidgets

        if not controls:
            raise ValueError("an explorer needs at least one control, e.g. seed=(0, 999)")
        self.draw, self.value_range = draw, value_range
        defaults = {name: p.default for name, p in inspect.signature(draw).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        self.controls = {name: ipywidgets.interactive.widget_from_abbrev(spec, defaults.get(name, spec[0]))
                         for name, spec in controls.items()}
        for name, control in self.controls.items():
            control.description = name
            control.observe(lambda change: self.redraw(), names="value")
        self.picture = ipywidgets.Image(format="png")
        self.status = ipywidgets.Label()
        self.box = ipywidgets.VBox([*self.controls.values(), self.picture, self.status])
        self.seconds = float("nan")
        self.redraw()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self) -> float:
        """Draw with the controls' values now; returns (and shows) the seconds it took."""
        start = time.perf_counter()
        self.picture.value = to_png(self.draw(**self.values()), self.value_range)
        self.seconds = time.perf_counter() - start
        shown = ", ".join(f"{name} {value}" for name, value in self.values().items())
        self.status.value = f"{shown}: drawn in {1000 * self.seconds:.0f} ms"
        return self.seconds

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)


def explorer(draw, value_range=SIGNED, **controls) -> Explorer | None:
    """An :class:`Explorer` when a person is watching; headless (``make figures``, CI), a message and None."""
    if headless() and os.environ.get(BUILD_VARIABLE) != "1":
        print(HEADLESS_MESSAGE)
        return None
    return Explorer(draw, value_range, **controls)
