# Two commands: `make run` (JupyterLab on the quickstart, sandbox unless
# BYTENITE_API_KEY is set) and `make test` (lint, types and the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8888
# JupyterLab refuses to run as root unless told (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: run test bench bench-batch clean prism

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The default URL is the quickstart itself, so the URL JupyterLab prints (and
# opens, when it can) is the notebook's, also headless, over SSH or in a
# container (where no browser opens and the printed URL is all there is).
run: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.port=$(PORT) $(ROOT_FLAG) \
		--ServerApp.root_dir=notebooks \
		--ServerApp.default_url=/lab/tree/quickstart.ipynb \
		--LabApp.default_url=/lab/tree/quickstart.ipynb

test: $(STAMP)
	$(VENV)/bin/ruff format --check bytenite_nb tests bench
	$(VENV)/bin/ruff check bytenite_nb tests bench
	$(VENV)/bin/mypy
	$(PY) -m pytest

# Prism (an independent mock of the spec, for tests/test_prism.py), from npm
# into .prism/ (needs node and npm); without it those tests are skipped.
prism:
	npm install --prefix .prism --no-audit --no-fund --loglevel=error @stoplight/prism-cli@5

# Prints the ratios of issue 18: first dry run / reference, create_job / raw httpx.
bench: $(STAMP)
	PYTHONPATH=$(CURDIR) $(PY) bench/run.py

# Batches: 2,000 creates against raw httpx loops, 50 ms latency, 10,000 jobs
# (canned server), then the 1,000-job wait (sandbox). About 6 minutes.
bench-batch: $(STAMP)
	PYTHONPATH=$(CURDIR) $(PY) bench/batch_create.py
	PYTHONPATH=$(CURDIR) $(PY) bench/batch_wait.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .prism
