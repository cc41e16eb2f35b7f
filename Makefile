# Two commands do everything: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL
# pytest-xdist workers: one per core. Each has its own database (on PostgreSQL the
# TEST_DATABASE_URL database suffixed with the worker id, e.g. test_gw0, created if missing).
TEST_WORKERS ?= auto
# Compiled test and app modules are kept under .cache/ (even where the environment sets
# PYTHONDONTWRITEBYTECODE): each worker then skips about 6 s of compiling at start.
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.cache/pycache \
  $(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS)

.PHONY: run test install assets translations browser proxy pg-client pdf-tools check lint test-sqlite test-browser test-postgres clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed assets translations

# Front-end: GOV.UK Frontend (pinned in package-lock.json) compiled with our own branding.
app/static/dist/.built: package.json package-lock.json $(wildcard app/static/src/*) scripts/build-assets.sh
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

assets: app/static/dist/.built

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d app/translations

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx for the deadline test through the production set-up (tests/proposals/
# test_deadline_proxy.py starts it on 127.0.0.1 with a temporary configuration).
proxy:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  echo "Installing Debian's nginx for the deadline test through the proxy"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

# pdftotext and pdftoppm read the PDFs in the tests (their words, their pages): Debian's poppler.
pdf-tools:
	@command -v pdftotext >/dev/null 2>&1 || { \
	  echo "Installing Debian's poppler-utils (pdftotext) for the PDF tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

# pg_dump and pg_restore for `flask backup` on PostgreSQL (and its tests): Debian's client.
pg-client:
	@command -v pg_dump >/dev/null 2>&1 && command -v pg_restore >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql-client (pg_dump, pg_restore) for backups"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) jobs worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

# Static checks: ruff (lint and format), the layers of app/ (import-linter) and the types
# (mypy); their settings are in pyproject.toml.
check: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

lint: check

# The suite on SQLite: every test but the browser journeys, the quick loop of `make test`.
test-sqlite: install pdf-tools
	@echo "== tests on SQLite =="
	TEST_DATABASE_URL= $(PYTEST) -m "not browser"

# The browser journeys and the every-page walk: Debian's Chromium against the app on SQLite.
test-browser: install browser pdf-tools
	@echo "== browser journeys in Chromium (on SQLite) =="
	TEST_DATABASE_URL= $(PYTEST) -m browser

test-postgres: install proxy pg-client pdf-tools
	@echo "== tests on PostgreSQL ($(TEST_DATABASE_URL)) =="
	@if $(BIN)/python scripts/db_reachable.py "$(TEST_DATABASE_URL)"; then \
	  $(PYTEST) -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL at $(TEST_DATABASE_URL) does not answer; CI requires it." >&2; exit 1; \
	else echo "PostgreSQL does not answer: SKIPPED the PostgreSQL run."; fi

test: check test-sqlite test-browser test-postgres
	@echo "== all checks passed: ruff, import layers, mypy, SQLite, browser journeys in Chromium, PostgreSQL (if it answered) =="

# The benchmark (README "Performance"): data set, gunicorn, wrk, bench/results.json.
BENCH_SECONDS ?= 10
BENCH_DIR := bench/.work
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/bench
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	mkdir -p $(BENCH_DIR)
	@echo "== benchmark on SQLite =="
	DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DIR)/bench.sqlite $(BIN)/python bench/build.py --out $(BENCH_DIR)/dataset.json
	DATABASE_URL=sqlite:///$(CURDIR)/$(BENCH_DIR)/bench.sqlite $(BIN)/python bench/run.py --info $(BENCH_DIR)/dataset.json --duration $(BENCH_SECONDS)
	@if $(BIN)/python scripts/db_reachable.py "$(BENCH_DATABASE_URL)"; then \
	  echo "== benchmark on PostgreSQL ($(BENCH_DATABASE_URL)) =="; \
	  DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/build.py --out $(BENCH_DIR)/dataset-postgresql.json && \
	  DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/run.py --info $(BENCH_DIR)/dataset-postgresql.json --duration $(BENCH_SECONDS) --out bench/results-postgresql.json; \
	else echo "PostgreSQL at $(BENCH_DATABASE_URL) does not answer: SKIPPED the PostgreSQL run."; fi

clean:
	rm -rf $(VENV) node_modules app/static/dist
