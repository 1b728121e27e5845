# peta-kesos: `make maps` builds the maps and reports into outputs/, `make test` runs the tests.
# Both create .venv when it is missing, install the project, fetch the data (mirror first) and
# do nothing more than needed when nothing changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LAYERS := data/boundaries/tapanuli-utara.gpkg

.PHONY: maps test data install lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "peta-kesos needs Python >= 3.11; run make with PYTHON=python3.11 (or newer)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

data: $(STAMP)
	$(BIN)/peta-kesos fetch

maps: data
	$(BIN)/peta-kesos build --config peta-kesos.yaml

test: data
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# Every benchmark (long ones in their --quick mode: see each script), then RESULTS.md with the
# time of each script (benchmarks/timed.py records it). Budget: 10 minutes in all.
TIMED := $(BIN)/python benchmarks/timed.py
bench: data
	rm -f benchmarks/.timings.tsv
	$(TIMED) benchmarks/bench_html_size.py
	$(TIMED) benchmarks/bench_large_map.py
	$(TIMED) benchmarks/bench_matching.py
	$(TIMED) benchmarks/bench_analysis.py
	$(TIMED) benchmarks/bench_validate.py --format csv > benchmarks/results-validate-csv.txt
	$(TIMED) benchmarks/bench_validate.py --format xlsx > benchmarks/results-validate-xlsx.txt
	$(TIMED) benchmarks/bench_national.py --quick
	$(TIMED) benchmarks/bench_points.py --quick
	$(TIMED) benchmarks/bench_build.py --quick
	$(BIN)/python benchmarks/collect.py

clean:
	rm -rf outputs/* data/boundaries/*.gpkg data/boundaries/raw data/welfare .pytest_cache
