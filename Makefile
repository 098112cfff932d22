# The two commands a fresh machine needs: `make run` and `make test`.
# Each creates .venv on first use; nothing else is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# config.toml when you made one (cp config.example.toml config.toml), else the example.
CONFIG ?= $(if $(wildcard config.toml),config.toml,config.example.toml)

.PHONY: run console test lint locale bench install-check clean

$(BIN)/relais: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/relais
	$(BIN)/relais --config $(CONFIG) run

test: $(BIN)/relais
	$(BIN)/pytest -q
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: $(BIN)/relais
	$(BIN)/ruff check .
	$(BIN)/mypy

# Benchmarks (not part of `make test`): a few minutes; see bench/RESULTS.md.
bench: $(BIN)/relais
	PYTHONPATH=. $(BIN)/python -m bench $(BENCH)

# `pip install .` (not editable) into a fresh venv: migrates and answers in fr and en.
install-check:
	.ci/install-check

locale: $(BIN)/relais
	$(BIN)/python -m bot.core.catalogs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
