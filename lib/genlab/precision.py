"""Which precision trains fastest on this CPU: float32, or Keras' ``mixed_bfloat16``.

bfloat16 pays only where the CPU computes it in hardware *and* its kernels are fast: on an AMD
EPYC (Zen 4) a bfloat16 matmul ran at twice the float32 rate, on an Intel Xeon with the same
``avx512_bf16`` flag at 0.55x. So the flag only rules bfloat16 out; where it is present the
speed is measured once (a one-thread matmul in each precision, under a second) and the answer
kept in ``cache_dir()/precision/<cpu>.json``, so every later run of this machine makes the same
choice.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from genlab import paths

PRECISION_VARIABLE = "GENLAB_PRECISION"
PRECISIONS = ("auto", "float32", "mixed_bfloat16")
SPEEDUP_NEEDED = 1.15  # bfloat16 must beat float32 by this much to be worth its rounding


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def native_bfloat16(cpuinfo: str | None = None) -> bool:
    """Whether the CPU computes bfloat16 in hardware (x86 ``avx512_bf16`` or ``amx_bf16``).

    Reads ``/proc/cpuinfo`` unless given its text; False where it cannot tell (not Linux).
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    flags = set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            flags.update(value.split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def _cpu_key(cpuinfo: str) -> str:
    """The CPU model and flags (not its clock readings): one key per machine kind."""
    kept = sorted({line.strip() for line in cpuinfo.splitlines() if line.split(":")[0].strip() in ("model name", "flags")})
    return hashlib.sha1("\n".join(kept).encode()).hexdigest()[:12]


def measure_bfloat16_speedup(n: int = 512, repeats: int = 20) -> float:
    """float32 seconds over bfloat16 seconds for a one-thread n x n matmul chain (best of 3 rounds)."""
    import tensorflow as tf

    def seconds(dtype) -> float:
        a = tf.cast(tf.random.stateless_normal((n, n), seed=(1, 2)), dtype)

        @tf.function
        def chain():
            x = a
            for _ in range(repeats):
                x = tf.matmul(x, a) * tf.cast(1.0 / n, dtype)
            return tf.reduce_sum(tf.cast(x, tf.float32))

        chain()
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            chain().numpy()
            best = min(best, time.perf_counter() - start)
        return best

    return seconds(tf.float32) / seconds(tf.bfloat16)


def bfloat16_pays(cpuinfo: str | None = None) -> bool:
    """Whether ``mixed_bfloat16`` trains faster than float32 here: hardware bfloat16 that measures faster."""
    cpuinfo = _cpuinfo() if cpuinfo is None else cpuinfo
    if not native_bfloat16(cpuinfo):
        return False
    record = paths.cache_dir() / "precision" / f"{_cpu_key(cpuinfo)}.json"
    if record.exists():
        return bool(json.loads(record.read_text())["bfloat16_pays"])
    speedup = measure_bfloat16_speedup()
    result = {"bfloat16_speedup": round(speedup, 3), "bfloat16_pays": speedup >= SPEEDUP_NEEDED}
    paths.write_atomically(record, lambda f: f.write(json.dumps(result).encode()))
    return result["bfloat16_pays"]
