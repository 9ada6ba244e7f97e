# Two commands: `make run` (JupyterLab on the quickstart, sandbox unless
# BYTENITE_API_KEY is set) and `make test` (lint, types and the whole suite:
# the core on Python 3.11 and 3.13 through nox, then the browser, notebook and
# conformance tests). `make test-fast`: the core alone, in seconds.
# `make coverage`: branch coverage of bytenite_nb/ (no browser tests).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8888
# JupyterLab refuses to run as root unless told (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

PRISM := .prism/node_modules/.bin/prism
#: pytest's name for the core suite (noxfile.py says the same).
CORE := not browser and not notebook and not conformance
#: The core needs no schemathesis plugin (noxfile.py, CORE_FLAGS).
CORE_FLAGS := -p no:schemathesis
#: CI adds --error-on-missing-interpreters: there a missing Python is a failure.
NOX_FLAGS ?=

.PHONY: run test test-fast coverage bench bench-batch clean prism prism-if-possible

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

test: $(STAMP) prism-if-possible
	$(VENV)/bin/ruff format --check bytenite_nb tests bench
	$(VENV)/bin/ruff check bytenite_nb tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/nox $(NOX_FLAGS)
	$(PY) -m pytest -m "not ($(CORE))"

test-fast: $(STAMP)
	$(PY) -m pytest -q -n auto $(CORE_FLAGS) -m "$(CORE)"

# Branch coverage of bytenite_nb/ over the core, notebook and conformance tests
# (not the browser's: their kernels are other processes). Not part of `make test`.
coverage: $(STAMP) prism-if-possible
	$(PY) -m coverage run --branch --source=bytenite_nb -m pytest -q -m "not browser"
	$(PY) -m coverage report --skip-covered --sort=cover

# Prism (an independent mock of the spec, for tests/test_prism.py), from npm
# into .prism/ (needs node and npm); without it those tests are skipped.
prism:
	npm install --prefix .prism --no-audit --no-fund --loglevel=error @stoplight/prism-cli@5

# `make test` installs Prism once when npm is there, as CI does; without npm it
# says so, and the Prism tests skip with a loud reason.
prism-if-possible:
	@if [ -x $(PRISM) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory prism; \
	else echo "*** npm not found: Prism is not installed, its tests will be SKIPPED ***" >&2; fi

# Prints the ratios of issue 18: first dry run / reference, create_job / raw httpx.
bench: $(STAMP)
	PYTHONPATH=$(CURDIR) $(PY) bench/run.py

# Batches: 2,000 creates against raw httpx loops, 50 ms latency, 10,000 jobs
# (canned server), then the 1,000-job wait (sandbox). About 6 minutes.
bench-batch: $(STAMP)
	PYTHONPATH=$(CURDIR) $(PY) bench/batch_create.py
	PYTHONPATH=$(CURDIR) $(PY) bench/batch_wait.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .prism .nox
