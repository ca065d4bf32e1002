# Homecoming: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PYTEST_WORKERS ?= 2

.PHONY: setup demo serve lint test validate bench cli-reference clean

WEB     = src/homecoming/web

# Creates the virtual environment and installs Homecoming with every extra, and the web
# application's browser assets (npm ci: htmx, Leaflet; never committed). Idempotent.
setup: $(VENV)/.installed $(WEB)/node_modules/.package-lock.json
$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[all,test]'
	touch $@

# The main job on the embedded default (SQLite): create the database, load the synthetic
# demonstration scenario (replacing an earlier demo load, so it can be run again), identify it,
# take it through review and release with SYNTHETIC accounts (one per role; new random
# passwords, printed once), print the record counts, then serve the web application on
# http://127.0.0.1:8000 (Ctrl-C stops it). The commands act as the demo's admin account
# (DEMO_USER; before the first load no account exists and none is checked).
DEMO_USER ?= syn-admin
demo: setup
	HOMECOMING_USER=$(DEMO_USER) $(BIN)/homecoming init
	HOMECOMING_USER=$(DEMO_USER) $(BIN)/homecoming demo --replace --workflow
	HOMECOMING_USER=$(DEMO_USER) $(BIN)/homecoming stats
	@echo "Log in at http://127.0.0.1:8000 with a SYNTHETIC account printed above;" \
	  "command line: export HOMECOMING_USER=$(DEMO_USER). Ctrl-C stops the server."
	$(BIN)/homecoming serve --host 127.0.0.1 --port 8000

# The web application on http://127.0.0.1:8000 over the same database (Ctrl-C stops it);
# accounts and passwords: docs/howto/web.md.
serve: setup
	$(BIN)/homecoming serve

# Static checks (configured in pyproject.toml): ruff (style, imports, likely bugs), mypy
# (strict on the packages listed under [tool.mypy]) and import-linter (the import contracts).
lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

# The whole test suite, after `make lint` (installs PostgreSQL from Debian if missing; the tests
# start their own server on loopback). Slow validation runs are excluded: see `make validate`.
test: setup lint
	scripts/ensure-postgres
	scripts/ensure-chromium
	HOMECOMING_HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not slow"

# Slow statistical validation runs (not in CI).
validate: setup
	scripts/ensure-postgres
	$(BIN)/python -m pytest -m slow

# Benchmarks: print figures and ratios to the targets.
bench: setup
	@if [ -f benchmarks/run.py ]; then $(BIN)/python benchmarks/run.py; \
	else for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done; fi

# Regenerate docs/reference/cli.md from the click commands (tests/test_cli_reference.py fails
# when a command or option is missing from it).
cli-reference: setup
	$(BIN)/python scripts/gen-cli-reference

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
