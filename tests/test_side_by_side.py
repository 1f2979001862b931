"""What lets notebooks run side by side: a cross-process lock and a thread limit per kernel."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from genlab import paths


def test_exclusive_makes_a_second_process_wait(tmp_path):
    target = tmp_path / "classifier.keras"
    waiter = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from genlab import paths\n"
        "with paths.exclusive(Path(sys.argv[1])):\n"
        "    print(time.time(), flush=True)\n"
    )
    with paths.exclusive(target):
        process = subprocess.Popen([sys.executable, "-c", waiter, str(target)], stdout=subprocess.PIPE, text=True)
        time.sleep(2.0)
        assert process.poll() is None, "the second process must wait while the lock is held"
        released = time.time()
    entered = float(process.communicate(timeout=60)[0])
    assert entered >= released
    assert (tmp_path / "classifier.keras.lock").exists() and not target.exists()


def test_setup_limits_tensorflow_threads_when_asked():
    code = (
        "from genlab.session import setup\n"
        "import tensorflow as tf\n"
        "setup('hw4_2_gan', 'smoke', 0, '')\n"
        "print(tf.config.threading.get_intra_op_parallelism_threads(), tf.config.threading.get_inter_op_parallelism_threads())\n"
    )
    env = {**os.environ, "GENLAB_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "1 1"
