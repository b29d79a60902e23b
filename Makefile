# Overgang: `make run` starts the app on its embedded defaults, `make test` runs the tests.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# Installs take exactly the pinned, hash-checked versions of a lock file (README: Dependencies).
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet --quiet
checksum = $(shell cat $(1) | cksum | cut -d' ' -f1)
RUN_STAMP := $(VENV)/.installed-run-$(call checksum,pyproject.toml requirements.txt)
STAMP := $(VENV)/.installed-dev-$(call checksum,pyproject.toml requirements-dev.txt)
# The OpenID provider the login tests start (tests/oidc: oidc-provider, pinned by its lock).
OIDC_STAMP := tests/oidc/node_modules/.installed-$(call checksum,tests/oidc/package-lock.json)

.PHONY: run test install lint typecheck i18n bench clean

# The lock's packages, then the project itself: no dependencies of its own, and built by the
# locked setuptools rather than one fetched for the build.
define install_lock
	@echo "Installing the locked packages of $(1) into $(VENV)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --require-hashes -r $(1)
	@$(PIP) install --no-deps --no-build-isolation -e .
endef

# A stamp is written only when the lock satisfies pyproject.toml.
define stamp_lock
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "$(1) does not satisfy pyproject.toml: run make lock." >&2; exit 1; }
	@rm -f $(VENV)/.installed-$(2)-* && touch $@
endef

$(RUN_STAMP): pyproject.toml requirements.txt
	$(call install_lock,requirements.txt)
	$(call stamp_lock,requirements.txt,run)

$(STAMP): pyproject.toml requirements-dev.txt
	$(call install_lock,requirements-dev.txt)
	$(call stamp_lock,requirements-dev.txt,dev)

# Regenerates both lock files from pyproject.toml's ranges (and the build backend), keeping
# every pin that still fits: `make lock UPGRADE="fastapi starlette"` moves those packages to
# their newest allowed versions, `make lock UPGRADE=all` moves everything.
.PHONY: lock
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --generate-hashes \
	--custom-compile-command 'make lock' \
	$(if $(filter all,$(UPGRADE)),--upgrade,$(UPGRADE:%=--upgrade-package %))
BUILD_REQUIRES = $(BIN)/python -c 'import tomllib; \
	print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'

# uv comes from the dev lock, installed even when that lock no longer satisfies pyproject.toml.
$(BIN)/uv:
	$(call install_lock,requirements-dev.txt)

lock: | $(BIN)/uv
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - -o requirements.txt
	$(BUILD_REQUIRES) | $(UV_COMPILE) pyproject.toml - --extra dev -c requirements.txt \
	  -o requirements-dev.txt

install: $(STAMP)

# The migrations' log is shown only when they fail.
run: $(RUN_STAMP)
	@log=$$($(BIN)/overgang migrate 2>&1) || { printf '%s\n' "$$log" >&2; exit 1; }
	@$(BIN)/overgang seed-demo --if-empty
	@$(BIN)/overgang serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	@bash scripts/ensure-chromium.sh
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(OIDC_STAMP); \
	else echo "node and npm are missing: the OpenID Connect login tests are skipped." >&2; fi
	$(BIN)/ruff check .
	$(BIN)/mypy app seeds bench
	$(BIN)/pytest $(PYTEST_ARGS)

$(OIDC_STAMP): tests/oidc/package.json tests/oidc/package-lock.json
	@echo "Installing the test OpenID provider (npm ci in tests/oidc)..."
	@cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy app seeds bench

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o app/locale/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -D messages --no-fuzzy-matching --ignore-obsolete

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

# The pages over HTTP against a bare FastAPI + Jinja2 app (see bench/README.md);
# e.g. BENCH_HTTP_ARGS="--backend sqlite --seconds 10".
.PHONY: bench-http
bench-http: $(STAMP)
	$(BIN)/python -m bench.http $(BENCH_HTTP_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache tests/oidc/node_modules
