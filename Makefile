# lbstats: `make run` installs everything and serves the app; `make test` runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup run test lint demo bench clean

setup: $(VENV)/.installed static/vendor/htmx.min.js

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Web server and background worker together, on SQLite, at http://127.0.0.1:8000
run: setup
	$(PY) manage.py migrate --verbosity 0
	scripts/run

# The app against the project's TMDB test double (no TMDB account needed), for trying enrichment offline.
demo: setup
	$(PY) manage.py migrate --verbosity 0
	scripts/run --demo

test: setup
	$(VENV)/bin/pytest $(ARGS)

# The static checks CI runs before the tests: import layers, lint, format, types.
lint: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/import_bench.py
	$(PY) bench/enrich_bench.py
	$(PY) bench/dashboard_bench.py
	$(PY) bench/load_bench.py
	$(PY) bench/slow_clients_bench.py

clean:
	rm -rf $(VENV) node_modules static/vendor data
