# `make run` serves the API on embedded defaults; `make test` runs the whole suite on real services.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 16789
PY := $(VENV)/bin/python

.PHONY: run test migration mutation clean

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
	$(PY) -m server --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	bash scripts/ensure-services.sh
	$(VENV)/bin/pytest $(PYTEST_ARGS)

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
