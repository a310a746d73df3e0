# `make serve` and `make test` do all the set-up on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INSTALLED = $(VENV)/.installed
# GraphiQL's assets, pinned by cso/graphiql/package-lock.json and served by the app itself.
GRAPHIQL = cso/graphiql/node_modules/.package-lock.json

.PHONY: install serve test test-slow soak lint schema bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

$(GRAPHIQL): cso/graphiql/package.json cso/graphiql/package-lock.json
	cd cso/graphiql && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(GRAPHIQL)

install: $(INSTALLED) $(GRAPHIQL)

serve: install
	$(BIN)/cso serve --dev

test: install
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

# A mixed load against a real server for SOAK_SECONDS (600 unless set); exits 1 on any error
# or when the server's memory grows 10% or more.
soak: install
	$(BIN)/python -m tests.soak

lint: install
	$(BIN)/ruff check cso tests bench server.py
	$(BIN)/ruff format --check cso tests bench server.py
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/eventstore.py

clean:
	rm -rf $(VENV) .cso cso/graphiql/node_modules
