"""The bench's measurements that need a process of their own (one thread, environment set before TensorFlow)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def one_thread_json(module: str, args=(), env=None):
    """``python -m module --out FILE *args`` in a fresh process pinned to one thread; the JSON it wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        subprocess.run([sys.executable, "-m", module, "--out", str(out), *args], check=True,
                       env={**os.environ, "GENLAB_THREADS": "1", **(env or {})})
        return json.loads(out.read_text())


def write_json(out: str | None, report) -> None:
    """The measuring side: ``report`` as JSON at ``--out`` when one was given."""
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(report, indent=2))
