# Two commands do all the set-up: `make demo` (run the seeds) and `make test` (the test suite).
PYTHON ?= python3
# torch first, pinned, so pip does not pull a multi-GB CUDA build where a CPU wheel is wanted.
TORCH ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo demo-stub test bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## Translate and summarise the seed cluster with the default models (needs the weights: see README).
demo: setup
	$(BIN)/summarize run seeds/fr-03

## The same without models: the labelled stub backend.
demo-stub: setup
	$(BIN)/summarize run seeds/fr-03 --backend stub

## The test suite (what CI runs).
test: setup
	$(BIN)/python -m pytest -q

## Benchmarks on shape-true models (needs ../shared/model-shapes).
bench: setup
	$(BIN)/python benchmarks/bench_transformers.py
	$(BIN)/python benchmarks/bench_ct2.py
	$(BIN)/python benchmarks/bench_batch.py

clean-venv:
	rm -rf $(VENV)
