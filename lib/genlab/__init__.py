"""genlab: generative models of 64x64 faces, reproducing two homework reports."""
from __future__ import annotations

__version__ = "0.1.0"
