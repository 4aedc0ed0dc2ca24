# The two commands: `make run` serves the clinic, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app clinic

.PHONY: run test lint bench

run: $(VENV)/.installed-run
	$(FLASK) db upgrade
	$(FLASK) demo
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --no-control-socket \
		--access-logfile - wsgi:app

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench
