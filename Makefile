# The two commands of README.md: `make run` and `make test`.
VENV     ?= .venv
PY       := $(VENV)/bin/python
PIP      := $(PY) -m pip
HOST     ?= 127.0.0.1
PORT     ?= 8000
# The airfoil data: ../shared/data beside a checkout of this project, else ./data.
export OPTLAB_DATA_DIR ?= $(if $(wildcard ../shared/data/airfoil_self_noise.dat),../shared/data,data)
export OPTLAB_DB_PATH  ?= var/optlab.sqlite3

# The catalogues: English is the source, app/i18n/locale/zh the Chinese translation.
LOCALE   := app/i18n/locale
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))

.PHONY: run test test-js lint bench chromium nodejs clean i18n i18n-compile

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --upgrade --quiet pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime $(MO_FILES)
	@mkdir -p var
	$(PY) -m uvicorn app.main:app --host $(HOST) --port $(PORT) --timeout-graceful-shutdown 5

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

nodejs:
	@command -v node >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs >/dev/null; }

# The front end's pure modules (static/js), with Node's own test runner: no npm package.
test-js: nodejs
	node --test tests/js/*.test.mjs

test: $(VENV)/.dev $(MO_FILES) chromium test-js
	@mkdir -p var test-artifacts
	$(PY) -m pytest

# Every marked string of the templates (_(), {% trans %}), the ES modules (t(), tn()) and app/
# (Text(), N_()) into messages.pot, merged into each language's .po (translate the new entries
# there, then `make i18n-compile`; tests/i18n fail while one is untranslated).
i18n: $(VENV)/.runtime
	$(PY) -m babel.messages.frontend extract -F $(LOCALE)/../babel.cfg --no-wrap --add-location=file \
		--sort-by-file --project "Optimizer Lab" -o $(LOCALE)/messages.pot .
	$(VENV)/bin/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-wrap --ignore-obsolete
	$(MAKE) i18n-compile

i18n-compile: $(MO_FILES)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po | $(VENV)/.runtime
	$(VENV)/bin/pybabel compile -d $(LOCALE) -D messages -l $*

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(VENV)/.dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
