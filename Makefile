# `make serve` and `make test` do all the set-up on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INSTALLED = $(VENV)/.installed

.PHONY: install serve test test-slow lint schema bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

serve: install
	$(BIN)/cso serve --dev

test: install
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

lint: install
	$(BIN)/ruff check cso tests bench server.py
	$(BIN)/ruff format --check cso tests bench server.py
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/eventstore.py

clean:
	rm -rf $(VENV) .cso
