# Two commands from a fresh clone: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The DataHub SDK lives in an environment of its own: its pins must never meet ours.
SDK_VENV := .venv-datahub
SDK_STAMP := $(SDK_VENV)/.installed
# So do the producers of assertions the tests run for real: dbt on DuckDB, Great Expectations.
PRODUCERS_VENV := .venv-producers
PRODUCERS_STAMP := $(PRODUCERS_VENV)/.installed
# The web UI's browser code comes from the npm registry (package-lock.json) and is copied, file by
# file, to a folder the server serves: nothing from a CDN, nothing of it committed.
VENDOR := src/dataflare/web/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
VENDOR_FILES := node_modules/htmx.org/dist/htmx.min.js \
	node_modules/react/umd/react.production.min.js \
	node_modules/react-dom/umd/react-dom.production.min.js \
	node_modules/graphiql/graphiql.min.js \
	node_modules/graphiql/graphiql.min.css \
	node_modules/chart.js/dist/chart.umd.min.js \
	node_modules/axe-core/axe.min.js

# `make dist DIST=folder` builds elsewhere (the tests do).
DIST ?= dist

.PHONY: run test lint typecheck unit bench fuzz setup dist clean

run: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/dataflare serve --demo

test: $(STAMP) $(SDK_STAMP) $(PRODUCERS_STAMP) lint typecheck unit

setup: $(STAMP) $(VENDOR_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# npm's notices (a newer npm, funding, audit) are not for the person running `make run`.
$(VENDOR_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	mkdir -p $(VENDOR)
	cp $(VENDOR_FILES) $(VENDOR)/
	touch $(VENDOR_STAMP)

$(SDK_STAMP): tests/sdk/requirements.txt
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/pip install --quiet -r tests/sdk/requirements.txt
	touch $(SDK_STAMP)

$(PRODUCERS_STAMP): tests/producers/requirements.txt
	$(PYTHON) -m venv $(PRODUCERS_VENV)
	$(PRODUCERS_VENV)/bin/pip install --quiet -r tests/producers/requirements.txt
	touch $(PRODUCERS_STAMP)

# The wheel and the sdist, for hosts that install Dataflare with pip (docs/pipelines.md). The
# wheel carries the web UI's browser files, so they are set up first; the build backend comes from
# the dev extras, so nothing is downloaded.
dist: $(STAMP) $(VENDOR_STAMP)
	rm -rf build src/dataflare.egg-info  # a former build's file list would leak into the sdist
	rm -f $(DIST)/dataflare-*
	$(BIN)/python -m build --no-isolation --outdir $(DIST) .

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs on TEST_WORKERS processes (pytest-xdist), each test file on one of them, so that
# a file's servers and fixtures are started once; TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= 2
unit: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/pytest --numprocesses=$(TEST_WORKERS) --dist=loadfile

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/run.py --postgres --with-sqlite --concurrency 32
	$(BIN)/python bench/catalog.py
	$(BIN)/python bench/catalog.py --postgres
	$(BIN)/python bench/read_lanes.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/ingest.py --postgres
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/hostile.py --postgres
	$(BIN)/python bench/delivery.py
	$(BIN)/python bench/delivery.py --postgres
	$(BIN)/python bench/insights.py
	$(BIN)/python bench/insights.py --postgres
	$(BIN)/python bench/incident_list.py
	$(BIN)/python bench/incident_list.py --postgres

# 50,000 generated GraphQL requests through a real server on SQLite, then as many on PostgreSQL
# when DATAFLARE_TEST_POSTGRES_URL is set (about 20 minutes each); tests/fuzz/run.py --help.
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.run

clean:
	rm -rf $(VENV) $(SDK_VENV) $(PRODUCERS_VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache \
		.ruff_cache build dist
