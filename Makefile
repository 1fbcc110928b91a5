# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-scale check lint fuzz bench-accuracy bench-throughput bench-load clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/atlas demo

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -q -m "not slow and not scale"

# The scale-out group: PostgreSQL, Redis and moto's S3 started on loopback by .ci/services.sh
# (ports 55432/56379/55000, data in a temporary folder), stopped again whatever happens.
test-scale: $(STAMP)
	bash .ci/test-scale.sh

check: test

# A longer schemathesis pass over every operation (the default suite runs 15 examples each).
fuzz: $(STAMP)
	ATLAS_FUZZ_EXAMPLES=$${ATLAS_FUZZ_EXAMPLES:-500} ATLAS_FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -s -p no:logging tests/api/test_api_fuzz.py

# 200 concurrent flows x 3 documents + 1,000 authtoken calls on loopback; writes bench/reports/load.md.
bench-load: $(STAMP)
	$(BIN)/python bench/load.py

bench-accuracy: $(STAMP)
	$(BIN)/atlas bench accuracy

bench-throughput: $(STAMP)
	bash .ci/test-scale.sh bench

clean:
	rm -rf $(VENV) data bench/out
