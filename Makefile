# `make serve` and `make test` do all the set-up on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INSTALLED = $(VENV)/.installed
# GraphiQL's assets, pinned by cso/graphiql/package-lock.json and served by the app itself.
GRAPHIQL = cso/graphiql/node_modules/.package-lock.json

# The benchmark's peers: PostGraphile 4 (pinned by bench/peers/package-lock.json), psycopg
# for eventsourcing's own PostgreSQL recorder, and wrk from Debian's packages.
PEERS = bench/peers/node_modules/.package-lock.json
BENCH_PYTHON = $(VENV)/.bench-installed

.PHONY: install serve test test-slow lint schema bench bench-quick bench-district bench-peers soak clean

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

$(PEERS): bench/peers/package.json bench/peers/package-lock.json
	cd bench/peers && npm ci --no-audit --no-fund --loglevel=error
	touch $(PEERS)

$(BENCH_PYTHON): $(INSTALLED)
	$(BIN)/python -m pip install --quiet 'psycopg[binary,pool]>=3.2'
	touch $(BENCH_PYTHON)

bench-peers: install $(PEERS) $(BENCH_PYTHON)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }

# Every target of issue 11 against its peer (about 7 minutes on a quiet 2-core machine); bench/results/latest.json.
bench: bench-peers
	$(BIN)/python bench/run.py

# The same, shorter (about 3 minutes): a smoke run, not figures to quote.
bench-quick: bench-peers
	$(BIN)/python bench/run.py --quick

# The same, and target 10: seeds the district (1.1M events), projects and serves it, which
# takes far longer; its rows go to bench/results/district-latest.json for `make bench`.
bench-district: bench-peers
	$(BIN)/python bench/run.py --district

clean:
	rm -rf $(VENV) .cso cso/graphiql/node_modules bench/peers/node_modules
