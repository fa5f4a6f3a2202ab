# `make run` serves the API on embedded defaults (an empty board), `make demo` the same board filled with sample
# postings; `make test` runs the whole suite on real services (required).
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 16789
PY := $(VENV)/bin/python

.PHONY: run demo test migration mutation clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev,test]"
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/jobboard serve --host $(HOST) --port $(PORT)

# The photos' URLs name the address the board is served at. A second `make demo` adds no postings.
demo: $(VENV)/.installed
	UPLOADS_BASE_URL=http://$(HOST):$(PORT) $(VENV)/bin/jobboard demo
	UPLOADS_BASE_URL=http://$(HOST):$(PORT) $(VENV)/bin/jobboard serve --host $(HOST) --port $(PORT)

# A missing MariaDB or Redis fails the run (exit 3, naming it). On purpose only: TEST_DATABASE=sqlite runs on
# SQLite, TEST_CACHE=memory on the in-process cache, REQUIRE_SERVICES=0 falls back on whatever is missing.
REQUIRE_SERVICES ?= 1

test: $(VENV)/.installed-test
	bash scripts/ensure-services.sh
	bash scripts/ensure-browser.sh
	REQUIRE_SERVICES=$(REQUIRE_SERVICES) $(VENV)/bin/pytest $(PYTEST_ARGS)

# make migration NAME=add_something: writes models/migrations/NNNN_add_something.py from the models.
migration: $(VENV)/.installed
	$(VENV)/bin/tortoise makemigrations -n $(NAME)

clean:
	rm -rf $(VENV) var .pytest_cache *.egg-info mutants

# Mutation testing over the rules (setup.cfg [mutmut]); hours, not part of CI. `mutmut results` lists survivors.
# TouchUp off: mutmut runs the suite several times in one process, and Sanic rewrites its classes only once.
mutation: $(VENV)/.installed-test
	bash scripts/ensure-services.sh
	$(PY) -m pip install --quiet "mutmut>=3.3,<4"
	SANIC_TOUCHUP=false $(VENV)/bin/mutmut run --max-children 1
	$(VENV)/bin/mutmut results
