# The two commands: `make run` serves the clinic, `make test` runs the tests.
# Both install the locked, tested versions (requirements*.lock, with hashes); `make lock`
# refreshes the locks after pyproject.toml changes (`make lock LOCK_ARGS=--upgrade` moves every
# pin to the newest release).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export BASE_URL ?= http://127.0.0.1:$(PORT)
FLASK := $(BIN)/flask --app clinic
COMPILE := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--custom-compile-command "make lock" $(LOCK_ARGS) pyproject.toml

.PHONY: run install test lint lock bench screenshots

# gunicorn starts WEB_CONCURRENCY workers; the app reads it too (each worker's share of a rate
# limit counted in memory).
run: $(VENV)/.installed-run
	$(FLASK) db upgrade
	$(FLASK) demo
	WEB_CONCURRENCY=$${WEB_CONCURRENCY:-2} $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) \
		--no-control-socket --access-logfile - wsgi:app

# `make install`: only what serving needs, into .venv (no migration, no demo): for production.
install: $(VENV)/.installed-run

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock: | $(BIN)/python
	test -x $(BIN)/uv || $(BIN)/pip install --quiet uv
	$(COMPILE) --extra test --extra postgres -o requirements.lock
	$(COMPILE) --extra postgres --constraint requirements.lock -o requirements-run.lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements-run.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

# `make bench`: the in-process table, then the HTTP table (gunicorn + wrk, `apt-get install wrk`;
# without it a Python load generator); on PostgreSQL with BENCH_DATABASE_URL. BENCH_ARGS passes
# options, e.g. BENCH_ARGS="--seconds 10 --json bench.json" (`python -m bench --help`).
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench $(BENCH_ARGS)

# `make screenshots`: the README's pictures (docs/*.png) of the demo clinic, taken in Debian's
# Chromium (apt-get install chromium) as the browser tests do.
screenshots: $(VENV)/.installed-test
	$(BIN)/python docs/screenshots.py
