"""The notebook runner: stamps, skipping up-to-date notebooks, figure checks, gallery, HTML."""
from __future__ import annotations

import json
import os
import re
import time

import nbformat
import numpy as np
import pytest

from fake_project import figure_writer, make_project, write_notebook
from genlab import paths
from genlab.recipes.registry import notebook_dependencies
from genlab.tools import gallery, manifest, runner, schedule, stamps


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A throwaway project root with one tiny notebook that writes the figures of hw4_2_gan."""
    root = make_project(tmp_path / "project", monkeypatch)
    write_notebook(root, "hw4_2_gan", figure_writer(manifest.promised_figures("hw4_2_gan")))
    return root


def test_figures_run_checks_figures_writes_gallery_and_skips_when_up_to_date(project, capsys):
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    first = (paths.figures_dir() / "hw4/fig2_2.jpg").stat().st_mtime
    page = (paths.figures_dir() / "README.md").read_text()
    assert "hw4/fig2_3.jpg" in page and manifest.CAPTIONS["hw4/fig2_3.jpg"] in page
    assert (project / "build" / "notebooks" / "hw4_2_gan.ipynb").exists(), "executed copy goes to build/"
    time.sleep(1.1)
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    assert "up to date, skipped" in capsys.readouterr().out
    assert (paths.figures_dir() / "hw4/fig2_2.jpg").stat().st_mtime == first
    # A different profile is a different run.
    assert runner.run_figures("cpu", None, only=["hw4_2_gan"]) == 0
    assert (paths.figures_dir() / "hw4/fig2_2.jpg").stat().st_mtime > first


def test_missing_promised_figure_fails_the_run(project, capsys):
    nb = nbformat.read(project / "notebooks" / "hw4_2_gan.ipynb", as_version=4)
    nb.cells[-1].source = nb.cells[-1].source.replace("'hw4/fig2_3.jpg', ", "")
    nbformat.write(nb, project / "notebooks" / "hw4_2_gan.ipynb")
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 1
    assert "hw4/fig2_3.jpg was not written" in capsys.readouterr().err


def test_unknown_notebook_is_refused(project):
    assert runner.run_figures("smoke", None, only=["hw9_nothing"]) == 2


def test_html_export_writes_pages_with_an_index(project):
    assert gallery.export_html() == 1, "nothing executed yet"
    runner.run_figures("smoke", None, only=["hw4_2_gan"])
    assert gallery.export_html() == 0
    html = project / "build" / "html"
    assert "hw4_2_gan.html" in (html / "index.html").read_text()
    assert "<html" in (html / "hw4_2_gan.html").read_text().lower()


def test_stamp_records_parameters(project):
    runner.run_figures("smoke", "", seed=3, only=["hw4_2_gan"])
    stamp = json.loads((project / "build" / "notebooks" / "hw4_2_gan.stamp.json").read_text())
    assert stamp["settings"]["parameters"] == {"profile": "smoke", "data_root": "", "seed": 3}
    assert stamp["settings"]["fallback"] == "" and stamp["settings"]["strategy"] == "auto" and stamp["data"] == []


def test_library_edits_rerun_notebooks_but_runner_edits_do_not(project, capsys):
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    (project / "lib" / "genlab" / "tools").mkdir()
    (project / "lib" / "genlab" / "tools" / "runner.py").write_text("# the gallery layout changed\n")
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    assert "up to date, skipped" in capsys.readouterr().out
    (project / "lib" / "genlab" / "x.py").write_text("x = 2\n")
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    assert "up to date, skipped" not in capsys.readouterr().out


def test_a_library_edit_made_meanwhile_while_a_notebook_runs_leaves_it_stale(project, capsys, monkeypatch):
    import papermill

    execute = papermill.execute_notebook

    def edit_the_library_meanwhile(*args, **kwargs):
        result = execute(*args, **kwargs)
        (project / "lib" / "genlab" / "edited_meanwhile.py").write_text("x = 1\n")
        return result

    monkeypatch.setattr(papermill, "execute_notebook", edit_the_library_meanwhile)
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    capsys.readouterr()
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    assert "up to date, skipped" not in capsys.readouterr().out


def test_gallery_states_the_wall_time_and_how_each_notebook_came_by_its_runs(project):
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    page = (paths.figures_dir() / "README.md").read_text()
    assert "min of wall time from the first start to the last finish" in page
    assert re.search(r"## hw4_2_gan \(\d+ s\)", page), "a notebook that trains nothing says nothing of runs"
    record = {"run": "r", "folder": "f", "steps": 10, "training_seconds": 1.0, "earlier_seconds": 0.0}
    runs = [{**record, "resumed_from": 10}, {**record, "resumed_from": 4}, {**record, "resumed_from": 0},
            {**record, "resumed_from": 0}]
    page = gallery.write_gallery("smoke", 0, {"hw4_2_gan": {"seconds": 5.0, "runs": runs}}).read_text()
    assert "## hw4_2_gan (5 s; runs: 1 loaded from checkpoints, 1 resumed, 2 trained)" in page


def test_gallery_counts_a_shared_run_once_and_says_how_much_training_an_earlier_run_did(project):
    trained = {"run": "dcgan", "folder": "dcgan-cpu-x", "steps": 10, "resumed_from": 0, "training_seconds": 600.0,
               "earlier_seconds": 0.0}
    reused = {**trained, "resumed_from": 10, "earlier_seconds": 600.0}
    resumed = {"run": "lsgan", "folder": "lsgan-cpu-y", "steps": 10, "resumed_from": 4, "training_seconds": 300.0,
               "earlier_seconds": 120.0}
    page = gallery.write_gallery("cpu", 0, {"hw3_1_image_generation": {"runs": [trained]},
                                            "hw3_wgan_comparison": {"runs": [reused, resumed]}}).read_text()
    assert "Their 2 training runs took 15.0 min of training time" in page
    assert "2.0 min of it by an earlier `make figures`" in page
    assert "training runs took" not in gallery.write_gallery("cpu", 0, {"hw4_2_gan": {"data": []}}).read_text()


def test_gallery_shows_data_inside_the_checkout_from_its_root_and_other_data_in_full(project, tmp_path):
    from dataclasses import asdict

    from genlab.data.usage import EMBEDDED, REAL, DataUse

    embedded = DataUse("mlds", "extra_data", EMBEDDED, str(paths.project_root() / "data" / "embedded" / "mlds-n8"), kept=8)
    real = DataUse("dlcv", "train", REAL, str(tmp_path / "elsewhere" / "hw4_data"), kept=4)
    page = gallery.write_gallery("cpu", 0, {"hw4_2_gan": {"data": [asdict(embedded), asdict(real)]}}).read_text()
    assert "embedded synthetic data (data/embedded/mlds-n8)" in page
    assert f"real data at {tmp_path / 'elsewhere' / 'hw4_data'}" in page
    assert str(paths.project_root()) not in page


def test_gallery_tables_show_empty_cells_and_no_index_name(project):
    tables = paths.figures_dir() / "tables"
    tables.mkdir(parents=True)
    (tables / "hw4_2_gan.csv").write_text(",FID,report\nreal,1.5,\nGAN,60.25,48/64\n")
    page = gallery.write_gallery("cpu", 0, {}).read_text()
    assert "Unnamed" not in page and "nan" not in page
    rows = [line.split("|")[1:-1] for line in page.split("Measured:")[1].strip().splitlines()]
    assert [cell.strip() for cell in rows[0]] == ["", "FID", "report"]
    assert [cell.strip() for cell in rows[2]] == ["real", "1.5", ""]
    assert [cell.strip() for cell in rows[3]] == ["GAN", "60.25", "48/64"]


def _timed_notebook(root, name: str, seconds: float) -> None:
    """A notebook that writes ``name``'s promised figures and logs when it ran."""
    code = (
        "import json, os, time\n"
        "start = time.time()\n"
        f"time.sleep({seconds})\n"
        + figure_writer(manifest.promised_figures(name)) +
        "with open(figs / 'ran.jsonl', 'a') as log:\n"
        f"    log.write(json.dumps({{'name': {name!r}, 'start': start, 'end': time.time(),\n"
        "                          'threads': os.environ.get('GENLAB_THREADS')}) + '\\n')\n"
    )
    write_notebook(root, name, code)


def test_notebooks_run_side_by_side_and_wait_for_the_runs_they_reuse(project, capsys):
    first, dependent, independent = "hw3_1_image_generation", "hw3_wgan_comparison", "hw4_2_gan"
    assert first in notebook_dependencies()[dependent]
    for name in (first, dependent, independent):
        _timed_notebook(project, name, 3.0)
    assert runner.run_figures("smoke", None, only=[dependent, independent, first], jobs=2) == 0
    ran = {r["name"]: r for r in map(json.loads, (paths.figures_dir() / "ran.jsonl").read_text().splitlines())}
    assert set(ran) == {first, dependent, independent}
    assert ran[first]["start"] < ran[independent]["end"] and ran[independent]["start"] < ran[first]["end"], \
        "two notebooks should have run at the same time"
    assert ran[dependent]["start"] >= ran[first]["end"], "the WGAN comparison reuses 3-1's DCGAN run"
    expected_threads = str(max(1, (os.cpu_count() or 1) // 2))
    assert {r["threads"] for r in ran.values()} == {expected_threads}
    assert "2 side by side" in capsys.readouterr().out
    assert all((project / "build" / "notebooks" / f"{n}.stamp.json").exists() for n in ran)


def test_a_notebook_run_alone_keeps_the_threads_of_the_full_run(project, monkeypatch):
    # The thread count changes TensorFlow's summation order, so `ONLY=name` (or the one notebook
    # left after an interrupt) must train with the threads the full run gave it.
    monkeypatch.setattr(runner, "default_jobs", lambda: 2)
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 4)
    name = "hw4_2_gan"
    _timed_notebook(project, name, 0.0)
    assert runner.run_figures("smoke", None, only=[name]) == 0
    assert runner.run_figures("smoke", None, only=[name], force=True, jobs=1) == 0
    ran = [json.loads(line) for line in (paths.figures_dir() / "ran.jsonl").read_text().splitlines()]
    assert [r["threads"] for r in ran] == ["2", "4"], "auto: 4 cores / 2 jobs; JOBS=1: all 4 cores"
    timings = json.loads((project / "build" / "notebooks" / "timings.json").read_text())
    assert timings["jobs"] == 1 and timings["threads_per_kernel"] == 4


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_notebook_stops_only_the_notebooks_that_reuse_its_runs(project, capsys, jobs):
    failing, dependent, independent = "hw3_1_image_generation", "hw3_wgan_comparison", "hw4_2_gan"
    assert failing in notebook_dependencies()[dependent] and failing not in notebook_dependencies().get(independent, ())
    for name in (failing, dependent, independent):
        _timed_notebook(project, name, 0.0)
    nb = nbformat.read(project / "notebooks" / f"{failing}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('the DCGAN diverged')"))
    nbformat.write(nb, project / "notebooks" / f"{failing}.ipynb")
    assert runner.run_figures("smoke", None, only=[failing, dependent, independent], jobs=jobs) == 1
    _out, err = capsys.readouterr()
    assert f"{failing}: FAILED" in err and "the DCGAN diverged" in err
    assert "1 of 3 notebook(s) FAILED: hw3_1_image_generation" in err
    assert f"not run, because they reuse a run of a failed notebook: {dependent} (needs {failing})" in err
    assert f"finished or up to date: {independent}" in err
    ran = (paths.figures_dir() / "ran.jsonl").read_text()
    assert independent in ran, "a notebook that does not depend on the failed one still runs"
    assert dependent not in ran, "it waits for the failed notebook's run, so it must not start"
    assert (project / "build" / "notebooks" / f"{independent}.stamp.json").exists()
    page = (paths.figures_dir() / "README.md").read_text()
    assert page.split(f"## {failing}")[1].split("##")[0].count("Not regenerated by the last") == 1


def test_priorities_put_the_notebook_others_wait_for_first(monkeypatch):
    names = list(manifest.NOTEBOOKS)
    # expected times where 3-1 alone is shorter than the longest notebook nobody waits for
    monkeypatch.setattr(manifest, "CPU_SECONDS", {name: 300.0 + 10 * i for i, name in enumerate(names)}
                        | {"hw3_1_image_generation": 400.0, "hw4_3_acgan": 600.0})
    priority = schedule.priorities(names)
    # 3-1's priority is its own time plus the longer of the two notebooks waiting for its run.
    seconds = manifest.CPU_SECONDS
    assert priority["hw3_1_image_generation"] == seconds["hw3_1_image_generation"] + max(
        seconds["hw3_wgan_comparison"], seconds["hw3_training_tips"])
    longer = max((n for n in names if n not in notebook_dependencies()), key=lambda n: seconds[n])
    assert priority["hw3_1_image_generation"] > seconds[longer] > seconds["hw3_1_image_generation"], \
        "with its chain, 3-1 goes ahead of a notebook that alone takes longer"
    order = schedule.longest_chain_first(names, names)
    assert order.index("hw3_1_image_generation") < order.index(longer)
    assert schedule.next_ready(["hw3_wgan_comparison", "hw4_2_gan"], set(), names) == "hw4_2_gan"
    assert schedule.next_ready(["hw3_wgan_comparison"], {"hw3_1_image_generation"}, names) == "hw3_wgan_comparison"
    # a prerequisite that was not selected does not hold anything back
    assert schedule.next_ready(["hw3_wgan_comparison"], set(), ["hw3_wgan_comparison"]) == "hw3_wgan_comparison"


def test_planned_order_finishes_sooner_than_longest_chain_first_and_never_later_on_any_times(monkeypatch):
    names = list(manifest.NOTEBOOKS)
    # the committed run's times with 3-2 shortened: longest chain first leaves the VAE alone at the end
    monkeypatch.setattr(manifest, "CPU_SECONDS", {
        "hw3_1_image_generation": 919, "hw3_2_text_to_image": 819, "hw3_wgan_comparison": 1810,
        "hw3_training_tips": 695, "hw3_3_style_transfer": 637, "hw4_1_vae": 270, "hw4_2_gan": 588,
        "hw4_3_acgan": 718, "hw4_4_infogan": 454})
    chain_first = schedule.longest_chain_first(names, names)
    assert schedule.expected_wall_seconds(chain_first, names, 2) == 3587  # worked by hand: 919 + 1810 + 588 + 270
    order = schedule.planned_order(names, names, 2)
    assert sorted(order) == sorted(names)
    assert schedule.expected_wall_seconds(order, names, 2) == 3457  # the best of all 9! orders (brute force)
    assert schedule.expected_wall_seconds(order, names, 2) >= sum(manifest.CPU_SECONDS.values()) / 2
    assert schedule.expected_wall_seconds(order, names, 1) == sum(manifest.CPU_SECONDS.values())
    rng = np.random.default_rng(0)
    for _ in range(10):  # any times: the plan is never worse than longest chain first
        monkeypatch.setattr(manifest, "CPU_SECONDS", {name: float(rng.integers(60, 2000)) for name in names})
        chain_first = schedule.longest_chain_first(names, names)
        planned = schedule.planned_order(names, names, 2)
        assert schedule.expected_wall_seconds(planned, names, 2) <= schedule.expected_wall_seconds(chain_first, names, 2)


def test_a_notebook_interrupted_after_writing_some_figures_is_not_up_to_date(project):
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    nb = nbformat.read(project / "notebooks" / "hw4_2_gan.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise KeyboardInterrupt('stopped half-way')"))
    nbformat.write(nb, project / "notebooks" / "hw4_2_gan.ipynb")
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"], force=True) == 1
    assert not (project / "build" / "notebooks" / "hw4_2_gan.stamp.json").exists()
    assert not stamps.is_up_to_date("hw4_2_gan", {"parameters": {"profile": "smoke", "data_root": "", "seed": 0}}, {})


def test_gallery_keeps_the_times_of_notebooks_not_selected(project, capsys):
    _timed_notebook(project, "hw4_4_infogan", 0.0)
    assert runner.run_figures("smoke", None, only=["hw4_4_infogan"]) == 0
    assert runner.run_figures("smoke", None, only=["hw4_2_gan"]) == 0
    page = (paths.figures_dir() / "README.md").read_text()
    assert "## hw4_4_infogan (" in page and "## hw4_2_gan (" in page


def test_kernel_shutdown_chatter_is_noise_and_real_messages_are_not():
    from genlab.tools.kernels import is_noise

    assert is_noise('Message: "Task was destroyed but it is pending!\\ntask: <Task pending name=\'Task-51\'>"')
    assert is_noise("Task was destroyed but it is pending!") and is_noise("   ")
    assert not is_noise("Traceback (most recent call last):")
