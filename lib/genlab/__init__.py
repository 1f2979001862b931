"""genlab: generative models of 64x64 faces, reproducing two homework reports."""
from __future__ import annotations

import os

__version__ = "0.1.0"

# TensorFlow turns its oneDNN kernels on by itself only on CPUs with AVX-512 VNNI/BF16 or AMX. On an
# AVX2-only AMD EPYC (float32, one thread) they made the cpu profile's training steps 1.4x (report ACGAN)
# to 1.9x (report GAN) faster (make bench, section step_times). Set before TensorFlow is imported;
# TF_ENABLE_ONEDNN_OPTS=0 keeps them off.
ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
os.environ.setdefault(ONEDNN_VARIABLE, "1")
