# SIGAP: `make demo` runs the main job on the embedded defaults, `make test` runs the tests.
# Both set everything up first (Debian packages when root, a virtualenv, pip install -e .).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup demo test lint lab-down clean

$(VENV)/.installed: pyproject.toml scripts/install-system-packages.sh
	./scripts/install-system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,lab,dask,bench]'
	# fake-switches pins an old Twisted that does not build on 3.11: its real needs are the
	# `lab` extra above, so install it without its declared dependencies.
	$(BIN)/pip install -q --no-deps 'fake-switches==1.5.0'
	touch $@

setup: $(VENV)/.installed

demo: setup
	./scripts/demo.sh

test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lab-down: setup
	$(BIN)/sigap lab down

clean: lab-down
	rm -rf $(VENV) *.egg-info
