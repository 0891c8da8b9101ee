# Two commands for a fresh machine:  `make app`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SHARED_RAW := $(abspath ../shared/data/raw)
# Real data: --data-dir / ICEBERG_DATA_DIR win; else ../shared/data/raw when present; else the user cache (downloads).
export ICEBERG_DATA_DIR ?= $(if $(wildcard $(SHARED_RAW)),$(SHARED_RAW),)

.PHONY: setup app test build bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

build: setup
	$(VENV)/bin/iceberg build

app: build
	$(VENV)/bin/iceberg app

test: setup
	$(PY) -m pytest -q -ra

bench: build
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
