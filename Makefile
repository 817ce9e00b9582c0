# Two commands from a fresh clone: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The DataHub SDK lives in an environment of its own: its pins must never meet ours.
SDK_VENV := .venv-datahub
SDK_STAMP := $(SDK_VENV)/.installed

.PHONY: run test lint typecheck unit bench setup clean

run: $(STAMP)
	$(BIN)/dataflare serve --demo

test: $(STAMP) $(SDK_STAMP) lint typecheck unit

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(SDK_STAMP): tests/sdk/requirements.txt
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/pip install --quiet -r tests/sdk/requirements.txt
	touch $(SDK_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/catalog.py

clean:
	rm -rf $(VENV) $(SDK_VENV) .pytest_cache .mypy_cache .ruff_cache
