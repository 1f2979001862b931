"""A trained run's folder is named by what its training depends on: a changed setting never loads old weights."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from genlab.profiles import get_profile
from genlab.recipes import registry
from genlab.recipes.runs import TRAINING_CODE, run_fingerprint, training_code_hash
from genlab.session import setup


def test_a_runs_fingerprint_follows_its_own_settings_and_no_one_elses():
    cpu, spec = get_profile("cpu"), registry.get("hw4_acgan")
    same = run_fingerprint(spec, cpu)
    assert run_fingerprint(spec, cpu) == same
    # Evaluation sizes, other models' steps and the run's description leave it alone.
    assert run_fingerprint(spec, replace(cpu, eval_samples=10, classifier_epochs=1)) == same
    assert run_fingerprint(spec, replace(cpu, steps={**cpu.steps, "dcgan": 5})) == same
    assert run_fingerprint(replace(spec, label="renamed", summary="other words"), cpu) == same
    # Its own steps, its hyperparameters, its batch, its average and the profile's sizes change it.
    changed = [replace(cpu, steps={**cpu.steps, "acgan": cpu.steps["acgan"] + 50}), replace(cpu, width=0.5),
               replace(cpu, batch_size=32), replace(cpu, image_size=32)]
    assert all(run_fingerprint(spec, profile) != same for profile in changed)
    other = [replace(spec, hparams={**spec.hparams, "fake_aux_weight": 1.0}), replace(spec, batch_size=16),
             replace(spec, ema_half_life=0.1)]
    assert all(run_fingerprint(s, cpu) != same for s in other)


def test_the_training_code_hash_covers_the_training_modules_only(tmp_path):
    library = Path(registry.__file__).resolve().parents[1]
    copy = tmp_path / "genlab"
    shutil.copytree(library, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = training_code_hash(copy)
    assert before == training_code_hash(library)
    (copy / "eval" / "detectors.py").write_text("# an evaluation change\n", encoding="utf-8")
    assert training_code_hash(copy) == before
    assert "train" in TRAINING_CODE
    (copy / "train" / "gan.py").write_text((copy / "train" / "gan.py").read_text(encoding="utf-8") + "\n# edited\n",
                                           encoding="utf-8")
    assert training_code_hash(copy) != before


def test_changing_a_runs_hyperparameters_gives_it_a_new_folder_and_leaves_the_others(monkeypatch):
    session = setup("hw4_2_gan", "smoke", 0)
    gan, vae = session.run_dir("hw4_gan"), session.run_dir("vae_kl1e-4")
    assert session.run_dir("hw4_gan") == gan
    spec = registry.get("hw4_gan")
    monkeypatch.setitem(registry.RUNS, "hw4_gan", replace(spec, hparams={**spec.hparams, "label_smoothing": 0.2}))
    assert session.run_dir("hw4_gan") != gan and session.run_dir("vae_kl1e-4") == vae
    assert session.run_dir("hw4_gan").name.startswith("hw4_gan-smoke-seed0-embedded-")



def test_tests_write_stamps_and_run_records_under_their_temp_folder(isolated_paths):
    from genlab import paths
    from genlab.tools import stamps

    stamps.write_stamp(registry.TIPS_NB, "source", {}, {}, started=0.0, seconds=1.0, peak_mib=0.0)
    assert stamps.stamp_path(registry.TIPS_NB).is_relative_to(isolated_paths)
    assert not paths.executed_dir().is_relative_to(paths.project_root())


def test_a_profile_that_trains_a_run_otherwise_gets_its_own_folder():
    full = setup(registry.WGAN_NB, "full", 0)
    folder = full.run_dir("wgan").name  # ...-<fingerprint>, then "-r<replicas>" on several devices
    assert f"-{run_fingerprint(registry.get('wgan', 'full'), full.profile)}" in folder
    assert f"-{run_fingerprint(registry.get('wgan'), full.profile)}" not in folder
    cpu = setup(registry.WGAN_NB, "cpu", 0)
    assert f"-{run_fingerprint(registry.get('wgan'), cpu.profile)}" in cpu.run_dir("wgan").name
