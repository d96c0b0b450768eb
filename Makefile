# Two commands: `make demo` (set up, run the main job on the embedded SQLite warehouse with demo data)
# and `make test` (set up, run every test). Both start from a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ENGINE := tests/forms/engine

.PHONY: setup demo test test-fast dev test-tools

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	$(PY) -m dagster_project.demo

# The instance of `make demo`: dagster_home under the data folder (CLMS_DATA_DIR, default the project's var/).
dev: setup
	home="$$($(PY) -c 'from dagster_project.demo import ensure_dagster_home; print(ensure_dagster_home())')" && \
	  DAGSTER_HOME="$$home" $(VENV)/bin/dagster dev --host 127.0.0.1 -m dagster_project.definitions

# What the tests need besides Python: Node packages of the form engine, PostgreSQL server binaries, Chromium,
# and ODK Central's source with its packages and Node 24 (cached in .cache/central/).
test-tools: setup
	cd $(ENGINE) && npm ci --no-audit --no-fund --loglevel=error
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  { echo "installing PostgreSQL server binaries"; apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
	@command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || \
	  { echo "installing Chromium (report page test)"; apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }
	$(PY) -m tests.central_server prepare

# One pytest worker per core; the tests of a file share a worker (their module fixtures are built once).
test: setup test-tools
	$(PY) -m pytest -n auto --dist loadfile

# The inner loop: every test but those of PostgreSQL, the form engine (Node) and a real ODK Central.
test-fast: setup
	$(PY) -m pytest -m "not postgres and not engine and not central"
