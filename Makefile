# Nära — the two set-up commands: `make run` (demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/naravard db upgrade
	$(BIN)/naravard demo --show-logins
	@echo "Open http://$(HOST):$(PORT) and sign in with a demo login above."
	$(BIN)/naravard serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/install-system-deps.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard benchmarks)

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure here" >&2; exit 1; fi; \
	exit $$rc

test: system-deps lint typecheck pytest

bench: $(VENV)/.installed-test
	$(BIN)/naravard bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
