"""make figures with the user's inputs: DATA/TAGS/PHOTOS made absolute, given only where used, keyed by content."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import pytest

from fake_project import figure_writer, make_project, write_notebook
from genlab import paths
from genlab.tools import manifest, runner

TAGS_NB, PHOTOS_NB, OTHER_NB = "hw3_2_text_to_image", "hw3_3_style_transfer", "hw4_2_gan"


def parameters_logger(name: str) -> str:
    """Code writing the notebook's promised figures and the parameters it received."""
    return figure_writer(manifest.promised_figures(name)) + (
        "import json\n"
        f"(figs / '{name}.json').write_text(json.dumps({{k: v for k, v in globals().items()\n"
        "    if k in ('data_root', 'tags_file', 'photos_dir', 'profile')}))\n"
        "(figs / 'env.json').write_text(json.dumps({k: v for k, v in os.environ.items() if k.startswith('GENLAB')}))\n")


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project", monkeypatch)
    write_notebook(root, TAGS_NB, parameters_logger(TAGS_NB), 'profile = "auto"\ndata_root = ""\nseed = 0\ntags_file = ""')
    write_notebook(root, PHOTOS_NB, parameters_logger(PHOTOS_NB),
                   'profile = "auto"\ndata_root = ""\nseed = 0\nphotos_dir = ""')
    write_notebook(root, OTHER_NB, parameters_logger(OTHER_NB))
    return root


def received(name: str) -> dict:
    return json.loads((paths.figures_dir() / f"{name}.json").read_text())


def test_relative_inputs_with_spaces_are_made_absolute_and_go_only_to_their_notebook(project, tmp_path, monkeypatch,
                                                                                        capsys):
    caller = tmp_path / "where make ran"
    (caller / "my data").mkdir(parents=True)
    (caller / "my photos").mkdir()
    (caller / "my tags.txt").write_text("1,blue hair red eyes\n2,green hair blue eyes\n")
    monkeypatch.setenv(runner.CALLER_VARIABLE, str(caller))
    code = runner.run_figures("smoke", "my data", only=[TAGS_NB, PHOTOS_NB, OTHER_NB], jobs=1, tags="my tags.txt",
                              photos="my photos")
    assert code == 0
    assert received(TAGS_NB) == {"profile": "smoke", "data_root": str(caller / "my data"),
                                 "tags_file": str(caller / "my tags.txt")}
    assert received(PHOTOS_NB)["photos_dir"] == str(caller / "my photos") and "tags_file" not in received(PHOTOS_NB)
    assert set(received(OTHER_NB)) == {"profile", "data_root"}
    out, err = capsys.readouterr()
    assert f"tags file (hw3_2_text_to_image only): {caller / 'my tags.txt'} (2 lines)" in out
    assert "Passed unknown parameter" not in err
    # An edited tags file re-runs 3-2 only.
    assert runner.run_figures("smoke", "my data", only=[TAGS_NB, OTHER_NB], jobs=1, tags="my tags.txt") == 0
    assert f"{TAGS_NB}: up to date, skipped" in capsys.readouterr().out
    (caller / "my tags.txt").write_text("1,blue hair red eyes\n")
    assert runner.run_figures("smoke", "my data", only=[TAGS_NB, OTHER_NB], jobs=1, tags="my tags.txt") == 0
    out = capsys.readouterr().out
    assert f"{TAGS_NB}: up to date" not in out and f"{OTHER_NB}: up to date, skipped" in out


@pytest.mark.parametrize("option, value, expected", [
    ("data", "missing folder", "DATA={caller}/missing folder does not exist (DATA='missing folder' taken from {caller})"),
    ("tags", "nope.txt", "TAGS={caller}/nope.txt does not exist"),
    ("tags", "bad.txt", "bad.txt, line 1: unknown eye colour 'violet'"),
    ("photos", "bad.txt", "PHOTOS={caller}/bad.txt is not a folder"),
])
def test_bad_inputs_stop_before_anything_runs(project, tmp_path, monkeypatch, capsys, option, value, expected):
    monkeypatch.setenv(runner.CALLER_VARIABLE, str(tmp_path))
    (tmp_path / "bad.txt").write_text("1,blue hair violet eyes\n")
    assert runner.run_figures("smoke", only=[OTHER_NB], **{"data": None, option: value}) == 2
    assert expected.format(caller=tmp_path) in capsys.readouterr().err
    assert not (paths.figures_dir() / f"{OTHER_NB}.json").exists()


def test_editing_a_dataset_makes_the_notebooks_that_used_it_stale(project, tmp_path):
    from genlab.data.synthetic.celeb import write_dlcv_dataset

    data = write_dlcv_dataset(tmp_path / "datasets" / "dlcv", n_train=3, n_test=1).parent
    used = (  # what the session would record: the DLCV layout with its fingerprint
        "from genlab.data.fingerprint import dataset_fingerprint\n"
        "from genlab.data.usage import DataUse, write_uses\n"
        "root = pathlib.Path(data_root) / 'dlcv'\n"
        f"write_uses(pathlib.Path(os.environ['GENLAB_REPORT_DIR']) / '{OTHER_NB}.data.json',\n"
        "           [DataUse('dlcv', 'train', 'real', str(root), dataset_fingerprint(root, 'dlcv'), 3)])\n")
    write_notebook(project, OTHER_NB, figure_writer(manifest.promised_figures(OTHER_NB)) + used)
    assert runner.run_figures("smoke", str(data), only=[OTHER_NB], jobs=1) == 0
    assert "Data: dlcv train: real data at" in (paths.figures_dir() / "README.md").read_text()
    assert runner.run_figures("smoke", str(data), only=[OTHER_NB], jobs=1) == 0
    assert runner.stamps.is_up_to_date(OTHER_NB, *_settings(data))
    table = data / "dlcv" / "hw4_data" / "train.csv"
    table.write_text(table.read_text().replace("1.0", "0.0", 1))
    assert not runner.stamps.is_up_to_date(OTHER_NB, *_settings(data)), "same path, new content: stale"


def _settings(data):
    parameters = {"profile": "smoke", "data_root": str(data), "seed": 0}
    return {"parameters": parameters, "precision": "float32", "fallback": "", "strategy": "auto", "steps": 0}, {}


def test_a_dry_run_writes_apart_from_the_real_figures(project, capsys):
    assert runner.run_figures("smoke", None, only=[OTHER_NB], jobs=1, steps=2) == 0
    dry = project / "build" / "dryrun-smoke-steps2"
    assert all((dry / "figures" / fig).exists() for fig in manifest.promised_figures(OTHER_NB))
    assert not (project / "figures" / "hw4").exists(), "the real figures are never written by a dry run"
    env = json.loads((dry / "figures" / "env.json").read_text())
    assert env["GENLAB_STEPS"] == "2" and env["GENLAB_RUNS"] == str(dry / "runs")
    assert (dry / "notebooks" / f"{OTHER_NB}.stamp.json").exists()


BANNER = (b"I0000 00:00:1764000000.000000    4242 port.cc:153] oneDNN custom operations are on. You may see "
          b"slightly different numerical results due to floating-point round-off errors.\n")


@pytest.mark.slow
def test_the_console_shows_the_runners_lines_and_real_messages_only(project):
    # TensorFlow prints its oneDNN banner only on some CPUs (those with AVX-512 VNNI/BF16 or AMX), so the
    # kernel prints one itself: the filter and the log are tested on every machine.
    code = ("import os, warnings\n"
            "import tensorflow as tf\n"
            "print(tf.reduce_sum(tf.ones(3)))\n"
            f"os.write(2, {BANNER!r})\n"
            "os.write(2, b'a real message from the kernel\\n')\n"
            "warnings.warn('a cell warning stays in the notebook')\n")
    write_notebook(project, OTHER_NB, figure_writer(manifest.promised_figures(OTHER_NB)) + code)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    out = subprocess.run([sys.executable, "-m", "genlab.tools.runner", "figures", "--profile", "auto",
                          "--only", OTHER_NB], env=env, capture_output=True, text=True, timeout=300)
    console = out.stdout + out.stderr
    assert out.returncode == 0, console
    for noise in ("without encryption", "oneDNN", "absl::InitializeLog", "cpu_feature_guard", "Task was destroyed"):
        assert noise not in console, f"{noise!r} reached the console:\n{console}"
    assert f"  {OTHER_NB}: a real message from the kernel" in out.stderr
    assert "a cell warning" not in console
    log = (project / "build" / "notebooks" / f"{OTHER_NB}.kernel.log").read_text()
    assert "a real message from the kernel" in log and BANNER.decode() in log, "nothing is lost: the log keeps it all"


def test_the_makefile_quotes_user_paths_and_passes_where_make_was_typed(tmp_path):
    import shlex
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run(["make", "-s", "-n", "-C", str(repo), "figures", "DATA=my data/x", "TAGS=t t.txt",
                          "PHOTOS=p q", "FALLBACK=embedded", "STRATEGY=mirrored"],
                         cwd=tmp_path, env={**os.environ, "PWD": str(tmp_path)}, capture_output=True, text=True)
    line = next(line for line in out.stdout.splitlines() if "genlab.tools.runner figures" in line)
    words = shlex.split(line)
    assert words[0] == f"GENLAB_CALLER_DIR={tmp_path}"
    given = dict(itertools.pairwise(words))
    assert given["--data"] == "my data/x" and given["--tags"] == "t t.txt" and given["--photos"] == "p q"
    assert given["--fallback"] == "embedded" and given["--strategy"] == "mirrored"


def test_the_readers_warnings_reach_the_console(project, tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "notes.txt").write_text("not a photo")
    from PIL import Image

    Image.new("RGB", (30, 40), (200, 100, 50)).save(photos / "me.png")
    code = figure_writer(manifest.promised_figures(PHOTOS_NB)) + (
        "from genlab.data.photos import load_photo_folder\n"
        "images, names = load_photo_folder(photos_dir, 16)\n")
    write_notebook(project, PHOTOS_NB, code, 'profile = "auto"\ndata_root = ""\nseed = 0\nphotos_dir = ""')
    assert runner.run_figures("smoke", None, only=[PHOTOS_NB], jobs=1, photos=str(photos)) == 0
    assert f"warning: {photos}: skipped 1 file(s) that are not readable images: notes.txt" in capsys.readouterr().out
