# Framecast: `make run` sets up and starts the server; `make test` sets up and runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL half of the suite; set to empty to run the SQLite half only.
FRAMECAST_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export FRAMECAST_TEST_POSTGRES_URL

.PHONY: install run chromium test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/framecast db upgrade
	$(VENV)/bin/framecast serve --host $(HOST) --port $(PORT)

# The browser tests' Chromium, checked before anything else: installed when root with apt-get, else
# `make test` stops here with the command to run.
chromium:
	scripts/ensure-chromium

# Browser tests run in their own pytest process: Playwright's sync API keeps an event loop running in
# the main thread while a browser is open, which the asyncio tests cannot share.
test: chromium install
	$(PY) -m pytest -q --ignore=tests/browser $(if $(FRAMECAST_TEST_POSTGRES_URL),,-m "not postgres") $(PYTEST_ARGS)
	$(PY) -m pytest -q tests/browser $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

bench: install
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
