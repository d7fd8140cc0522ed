# Stichtag — two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
STICHTAG := .venv/bin/stichtag
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: help setup run generate ingest materialise dev sql test lint fix bench clean manifest browser report

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	@echo "uv not found: installing it from PyPI into ~/.local"
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv

# Compiled to bytecode at install: where PYTHONDONTWRITEBYTECODE is set (it is on these machines) Python
# would otherwise compile every imported module from source in every process — 2 s of each Dagster start,
# 1 s of each dbt start. Our own packages are compiled on each setup (unchanged files are skipped).
CODE := kernel sources publication prognose report orchestration stichtag generator warehouse benchmarks tests

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --group dev --python 3.11 --compile-bytecode
	@touch $@

setup: .venv/.synced ## install the locked environment (.venv) with uv
	@$(PY) -m compileall -q -j 2 $(CODE) >/dev/null

run: setup ## generate demo deliveries, ingest, materialise the latest Stichtag, publish exports
	$(STICHTAG) run

dev: setup ## Dagster UI (instance storage in ./dagster_home, from dagster.yaml)
	@mkdir -p $(DAGSTER_HOME) && cp -n dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	.venv/bin/dagster dev -m orchestration.definitions

sql: setup ## read-only SQL session on the published marts
	$(STICHTAG) sql

manifest: setup ## parse the dbt project (target/manifest.json) for Dagster
	$(STICHTAG) dbt-parse

# One worker per core, a test module per worker (its module fixtures, e.g. one pipeline build, stay together):
# the suite is mostly process start-up and single-threaded builds, so 2 cores halve it. The longest modules go
# first (tests/conftest.py, MODULE_SECONDS), in that order (--no-loadscope-reorder: not by number of tests).
test: setup browser ## run the test suite (in parallel, one worker per core)
	$(PY) -m pytest -q -n auto --dist loadfile --no-loadscope-reorder

# The report's browser test drives Debian's chromium (Playwright's own browser download fails offline).
browser: ## install Debian's chromium for the browser test where possible (root + apt-get)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "chromium: installing Debian's package for the report's browser test"; \
	    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
	      || echo "chromium could not be installed: the browser test will be skipped"; \
	  else echo "chromium not found and not installable here (needs root and apt-get): the browser test will be skipped"; fi; }

report: setup ## the digital social report of the newest public Stichtag (lake/report/)
	$(STICHTAG) report

lint: setup ## ruff (Python) and sqlfluff (the dbt models as dbt renders them, config in .sqlfluff)
	.venv/bin/ruff check .
	.venv/bin/sqlfluff lint transform/models

fix: setup ## ruff --fix and sqlfluff fix
	.venv/bin/ruff check --fix .
	.venv/bin/sqlfluff fix transform/models

bench: setup ## benchmarks → BENCHMARKS.md (not tests)
	$(PY) -m benchmarks.run

clean: ## remove generated data and build artefacts (never the pseudonym key)
	rm -rf lake/raw lake/quarantine lake/ingest_log lake/warehouse lake/marts lake/exports lake/analytics.duckdb \
	       lake/public lake/docs lake/logs lake/report test-artifacts \
	       inbox systems dagster_home transform/target transform/logs
