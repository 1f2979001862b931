# genlab: two commands do everything on a fresh machine.
#   make figures   create the environment if needed, render the embedded data, execute every notebook
#   make test      create the environment if needed and run the tests
# Options: PROFILE=smoke|cpu|full|auto (auto: full with a GPU, else cpu), DATA=/path/to/real/datasets,
#          SEED=0, ONLY="hw4_1_vae hw4_2_gan", FORCE=1 (re-run up-to-date notebooks), GPU=1 (CUDA TensorFlow),
#          JOBS=auto|N (notebooks side by side; auto: 2 on a CPU-only machine with >= 2 cores, else 1),
#          PRECISION=auto|float32|mixed_bfloat16 (auto: the cpu profile trains in bfloat16 where the CPU has it natively).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= auto
DATA ?=
SEED ?= 0
ONLY ?=
FORCE ?=
GPU ?=
JOBS ?= auto
PRECISION ?=
REQUIREMENTS := $(if $(GPU),requirements-gpu.txt,requirements.txt)

.PHONY: all venv test figures html bench lab clean distclean help

all: test

help:
	@sed -n '1,9p' Makefile

$(VENV)/.installed: requirements.txt requirements-gpu.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(REQUIREMENTS)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

venv: $(VENV)/.installed

test: venv
	$(PY) -m pytest

figures: venv
	$(PY) -m genlab.tools.runner figures --profile $(PROFILE) --seed $(SEED) $(if $(DATA),--data $(DATA)) $(if $(ONLY),--only $(ONLY)) $(if $(FORCE),--force) --jobs $(JOBS) $(if $(PRECISION),--precision $(PRECISION))

html: venv
	$(PY) -m genlab.tools.runner html

bench: venv
	$(PY) -m genlab.tools.bench

lab: venv
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf build .pytest_cache

distclean: clean
	rm -rf $(VENV) data/embedded data/cache
