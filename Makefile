# The two commands of README.md: `make run` and `make test`.
VENV     ?= .venv
PY       := $(VENV)/bin/python
PIP      := $(PY) -m pip
HOST     ?= 127.0.0.1
PORT     ?= 8000
# The airfoil data: ../shared/data beside a checkout of this project, else ./data.
export OPTLAB_DATA_DIR ?= $(if $(wildcard ../shared/data/airfoil_self_noise.dat),../shared/data,data)
export OPTLAB_DB_PATH  ?= var/optlab.sqlite3

.PHONY: run test test-js lint bench chromium nodejs clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --upgrade --quiet pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	@mkdir -p var
	$(PY) -m uvicorn app.main:app --host $(HOST) --port $(PORT) --timeout-graceful-shutdown 5

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

nodejs:
	@command -v node >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs >/dev/null; }

# The front end's pure modules (static/js), with Node's own test runner: no npm package.
test-js: nodejs
	node --test tests/js/*.test.mjs

test: $(VENV)/.dev chromium test-js
	@mkdir -p var test-artifacts
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(VENV)/.dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
