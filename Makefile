# genlab: two commands do everything on a fresh machine.
#   make figures   create the environment if needed, render the embedded data, execute every notebook
#   make test      create the environment if needed and run the tests
#   make lint      ruff on the library, tests and tools (settings in pyproject.toml)
#   make dryrun    every notebook with the full profile's data, networks and sizes, 2 steps per model (build/dryrun-*)
#   make bench-input N=200000 ROOT=/tmp/celeba200k [RENDER_SIZE=64]   StarGAN's real-data input: peak memory, images/s
# Options: PROFILE=smoke|cpu|full|auto (auto: full with a GPU, else cpu), DATA=/path/to/real/datasets,
#          TAGS=file (3-2's tag lines), PHOTOS=folder (3-3's photos), FALLBACK=embedded (embedded data where
#          DATA has no layout a notebook needs; without it that notebook stops with an error),
#          SEED=0, ONLY="hw4_1_vae hw4_2_gan", FORCE=1 (re-run up-to-date notebooks), GPU=1 (CUDA TensorFlow),
#          JOBS=auto|N (notebooks side by side; auto: 2 on a CPU-only machine with >= 2 cores, else 1),
#          PRECISION=auto|float32|mixed_bfloat16 (auto: the cpu profile trains in bfloat16 where the CPU has it natively),
#          STRATEGY=auto|mirrored|multiworker|default (auto: MirroredStrategy with 2+ GPUs, MultiWorker with TF_CONFIG),
#          STEPS=N (every model trains N steps; outputs go to build/dryrun-<profile>-steps<N>/, never to figures/),
#          TEST_WORKERS=auto|N (make test: pytest-xdist processes; auto: one per core).
# Relative DATA, TAGS and PHOTOS are taken from the folder make was typed in; paths may contain spaces.

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
TAGS ?=
PHOTOS ?=
FALLBACK ?=
STRATEGY ?= auto
STEPS ?=
TEST_WORKERS ?= auto
N ?= 20000
ROOT ?= /tmp/celeba$(N)
# Where make was typed (PWD survives make -C), for relative user paths.
CALLER_DIR := $(if $(PWD),$(PWD),$(CURDIR))
RUNNER = GENLAB_CALLER_DIR="$(CALLER_DIR)" $(PY) -m genlab.tools.runner
FIGURE_OPTIONS = --seed $(SEED) --data "$(DATA)" --tags "$(TAGS)" --photos "$(PHOTOS)" --fallback "$(FALLBACK)" \
	--strategy $(STRATEGY) $(if $(ONLY),--only $(ONLY)) $(if $(FORCE),--force) --jobs $(JOBS) \
	$(if $(PRECISION),--precision $(PRECISION))
REQUIREMENTS := $(if $(GPU),requirements-gpu.txt,requirements.txt)

.PHONY: all venv test lint figures dryrun html bench bench-input lab clean distclean help

all: test

help:
	@sed -n '1,/^$$/p' Makefile

$(VENV)/.installed: requirements.txt requirements-gpu.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(REQUIREMENTS)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

venv: $(VENV)/.installed

test: venv
	$(PY) -m pytest -n $(TEST_WORKERS)

lint: venv
	$(VENV)/bin/ruff check lib tests tools

figures: venv
	$(RUNNER) figures --profile $(PROFILE) $(FIGURE_OPTIONS) $(if $(STEPS),--steps $(STEPS))

dryrun: venv
	$(RUNNER) figures --profile full $(FIGURE_OPTIONS) --steps $(or $(STEPS),2)

html: venv
	$(PY) -m genlab.tools.runner html

bench: venv
	$(PY) -m genlab.tools.bench

bench-input: venv
	$(PY) -m genlab.tools.bench_input --n $(N) --root "$(ROOT)" --profile $(if $(filter auto,$(PROFILE)),full,$(PROFILE)) \
		$(if $(RENDER_SIZE),--render-size $(RENDER_SIZE))

lab: venv
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf build .pytest_cache

distclean: clean
	rm -rf $(VENV) data/embedded data/cache
