# pageheat: `make run` starts the product with a demo, `make test` runs every test.
# Both go through `make install`, which sets up what is missing and does nothing else;
# the tests also need Debian's ClickHouse and PostgreSQL servers, which running does not.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
STATIC := src/pageheat/web/static
ASSETS := $(STATIC)/pageheat.js $(STATIC)/pageheat-snapshot.js $(STATIC)/pageheat-replay.js \
	$(STATIC)/dashboard.js $(STATIC)/pageheat-player.js
TS := $(shell find tracker/src dashboard/src -name '*.ts' 2>/dev/null)

.PHONY: install lock schema types run test test-fast bench lint chromium clickhouse postgresql clean

install: $(PY_STAMP) $(ASSETS) chromium

# Python packages come from requirements.lock, every version pinned with its hashes, so a
# fresh machine runs what was tested; the package itself goes in after, resolving nothing.
$(PY_STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	@touch $@

# Refresh requirements.lock after changing pyproject.toml's dependencies: uv resolves for
# Python 3.11 and later on every platform, with hashes, keeping the versions already
# locked where they still fit. `make lock UPGRADE=1` takes the newest releases instead.
UV_VERSION := 0.13.9
lock:
	@test -x $(BIN)/uv || $(BIN)/pip install -q uv==$(UV_VERSION)
	echo "setuptools>=77" | $(BIN)/uv pip compile pyproject.toml - --extra dev --universal \
	  --python-version 3.11 --generate-hashes $(if $(UPGRADE),--upgrade) \
	  --custom-compile-command "make lock" -q -o requirements.lock

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS) &: $(NODE_STAMP) tools/build.mjs $(TS)
	npm run --silent build

# Debian's Chromium renders backgrounds and runs the browser tests.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (needs root or sudo)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Debian's ClickHouse (18.16): the store tests start it on loopback ports, one server and
# a two-shard cluster; nothing here starts it as a service.
clickhouse:
	@test -x /usr/sbin/clickhouse-server || { \
	  echo "installing Debian's clickhouse-server (needs root or sudo)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null; }

# Debian's PostgreSQL: the metadata tests start one on a loopback port (PAGEHEAT_META_URL).
postgresql:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql (needs root or sudo)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# The wire protocol's JSON Schema is generated from the collector's types; a test keeps the
# copy in docs/ equal to them.
schema: $(PY_STAMP)
	$(BIN)/python -c "import json; from pageheat.collect.protocol import build_protocol; \
	print(json.dumps(build_protocol().json_schema(), indent=2, sort_keys=True))" > docs/collect-v1.schema.json

# The dashboard's types of the query API's answers, generated from the app's own
# /openapi.json by openapi-typescript; a test keeps the committed file equal to them.
types: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/python -c "import json; from pageheat.web.server import openapi_schema; \
	print(json.dumps(openapi_schema()))" > node_modules/.openapi.json
	node_modules/.bin/openapi-typescript node_modules/.openapi.json -o dashboard/src/openapi.ts

run: install
	$(BIN)/pageheat demo

test: install clickhouse postgresql
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

# Heatmap latency at BENCH_SIZES events, last: the 1e8 store alone takes about 45 minutes
# and 21 GB of disk to generate on 2 cores (BENCH_SIZES=1e6,1e7 leaves it out); BENCH_DATA=DIR
# keeps the generated stores there and reuses them on the next run.
BENCH_SIZES ?= 1e6,1e7,1e8
BENCH_DATA ?=
bench: install
	$(BIN)/python bench/heat_bench.py
	$(BIN)/python bench/snapshot_bench.py
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/peer_bench.py
	$(BIN)/python bench/tracker_bench.py
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python bench/replay_bench.py
	$(BIN)/python bench/replay_size_bench.py
	BENCH_SIZES=$(BENCH_SIZES) BENCH_DATA=$(BENCH_DATA) $(BIN)/python bench/latency_bench.py
	$(BIN)/python bench/player_bench.py

# The fast tier: no root, no Chromium, no database server; under 3 minutes on 2 cores.
# Chromium is pointed nowhere, so the tier runs alike on machines with and without it.
test-fast: $(PY_STAMP) $(ASSETS)
	$(BIN)/ruff check src tests bench
	PAGEHEAT_TEST_TIER=fast PAGEHEAT_CHROMIUM=/nonexistent/chromium \
	  $(BIN)/pytest -m "not browser and not slow" -n 2 -rfE

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) node_modules $(ASSETS) data
