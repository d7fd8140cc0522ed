# Stichtag — two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := .venv/bin/python
STICHTAG := .venv/bin/stichtag
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: help setup run generate ingest materialise dev sql test lint fix bench clean manifest

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	@echo "uv not found: installing it from PyPI into ~/.local"
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --group dev --python 3.11
	@touch $@

setup: .venv/.synced ## install the locked environment (.venv) with uv

run: setup ## generate demo deliveries, ingest, materialise the latest Stichtag, publish exports
	$(STICHTAG) run

dev: setup ## Dagster UI (instance storage in ./dagster_home, from dagster.yaml)
	@mkdir -p $(DAGSTER_HOME) && cp -n dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	.venv/bin/dagster dev -m orchestration.definitions

sql: setup ## read-only SQL session on the published marts
	$(STICHTAG) sql

manifest: setup ## parse the dbt project (target/manifest.json) for Dagster
	$(STICHTAG) dbt-parse

test: setup ## run the test suite
	$(PY) -m pytest -q

lint: setup ## ruff
	.venv/bin/ruff check .

fix: setup ## ruff --fix
	.venv/bin/ruff check --fix .

bench: setup ## benchmarks → BENCHMARKS.md (not tests)
	$(PY) -m benchmarks.run

clean: ## remove generated data and build artefacts (never the pseudonym key)
	rm -rf lake/raw lake/quarantine lake/ingest_log lake/warehouse lake/marts lake/exports lake/analytics.duckdb \
	       lake/public lake/docs lake/logs \
	       inbox systems dagster_home models/target models/logs
