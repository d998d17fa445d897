# Two commands do all the set-up: `make demo` (run the seeds) and `make test` (the test suite).
# Both install from requirements.lock: every package pinned and hashed, so a fresh clone gets exactly
# what CI tested. `make lock` refreshes it after a dependency change in pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# The lock is resolved for the CI platform: Linux x86-64, CPython 3.11, the CPU build of torch.
LOCK_TARGET := --python-version 3.11 --python-platform x86_64-manylinux_2_28
LOCK_EXTRAS := --extra test --extra serve --extra eval --extra gguf --extra ray
# Where the CPU build of torch is found: this workplace's wheel folder, else PyTorch's own index.
TORCH_FIND_LINKS ?= $(if $(wildcard /opt/wheels),/opt/wheels,https://download.pytorch.org/whl/cpu/torch/)

.PHONY: setup demo demo-stub serve test bench lock clean-venv

# The venv's own pip installs the lock (no pip upgrade: what it installs must not depend on the day).
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

## Translate and summarise the seed cluster with the default models (needs the weights: see README).
demo: setup
	$(BIN)/summarize run seeds/fr-03

## The same without models: the labelled stub backend.
demo-stub: setup
	$(BIN)/summarize run seeds/fr-03 --backend stub

## Browse the briefs in outputs/ (and brief uploaded articles) at http://127.0.0.1:8000.
serve: setup
	$(BIN)/summarize serve --out outputs

## The test suite (what CI runs; the browser tests need chromium, which .ci/run installs).
test: setup
	$(BIN)/python -m pytest -q

## Benchmarks on shape-true models and the shared data beside the checkout (../shared).
bench: setup
	@test -d ../shared || { echo "make bench: needs ../shared (shared data and model shapes beside the checkout); nothing measured, no result file touched" >&2; exit 1; }
	$(BIN)/python benchmarks/bench_transformers.py
	$(BIN)/python benchmarks/bench_ct2.py
	$(BIN)/python benchmarks/bench_batch.py

## Re-resolve requirements.lock from pyproject.toml (needs uv: `pip install uv`). torch stays the CPU build.
lock:
	echo "torch==2.13.0+cpu" > .torch-cpu.txt
	uv pip compile pyproject.toml $(LOCK_EXTRAS) $(LOCK_TARGET) --generate-hashes --constraint .torch-cpu.txt \
		--find-links $(TORCH_FIND_LINKS) \
		--custom-compile-command "make lock" -o $(LOCK)
	rm -f .torch-cpu.txt

clean-venv:
	rm -rf $(VENV)
