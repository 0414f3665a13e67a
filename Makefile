# Two commands do all set-up on a fresh machine:
#   make run   - plan the shipped dataset: Belarus without Russian crude vs the 2023 base
#   make test  - ruff, mypy and the test suite
#   make serve - the web app and HTTP API on http://127.0.0.1:8765/
# Both install crudeflow with its dev and web extras into .venv first (once).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve test lint typecheck unit bench bench-quick clean

$(STAMP): pyproject.toml
	@echo "==> creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> installing crudeflow and its extras dev,web (HiGHS, NumPy/SciPy/pandas, plotly, matplotlib,"
	@echo "    dask; pytest, ruff, mypy, playwright; FastAPI, uvicorn, SQLAlchemy, Alembic, psycopg)."
	@echo "    The first time this downloads them and takes a few minutes; pip lists each package:"
	$(BIN)/pip install --progress-bar off -e '.[dev,web]' | grep -E '^(Collecting|Installing|Successfully)' || true
	$(BIN)/python -c "import crudeflow, fastapi, sqlalchemy" || (echo "the installation failed: run '$(BIN)/pip install -e .[dev,web]' to see why" >&2; exit 1)
	touch $(STAMP)
	@echo "==> installed into $(VENV)"

run: $(STAMP)
	$(BIN)/crudeflow compare base belarus-without-russian-crude
	@echo "Next: '$(BIN)/crudeflow serve' opens the web app on http://127.0.0.1:8765/"

serve: $(STAMP)
	$(BIN)/crudeflow serve

LINTED := $(wildcard src tests benchmarks scripts)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint typecheck unit

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
