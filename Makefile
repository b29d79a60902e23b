# Overgang: `make run` starts the app on its embedded defaults, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install lint typecheck i18n bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/overgang migrate
	$(BIN)/overgang seed-demo --if-empty
	$(BIN)/overgang serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy app seeds bench
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy app seeds bench

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o app/locale/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -D messages --no-fuzzy-matching --ignore-obsolete

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
