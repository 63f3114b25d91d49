# swdkit: `make run` executes the lesson notebooks, `make test` runs the test suite.
# Both build the virtual environment .venv when it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.swdkit-installed
# The CPU build of PyTorch is small and is what the lessons need. On a GPU machine use
# `make run TORCH=torch` (PyPI's default build, CUDA on Linux) or any spec pip understands.
TORCH ?= torch==2.13.0
PARAMS ?= notebooks/params/lesson.yml
# Idle OpenMP threads sleep instead of spinning: on a busy machine spinning threads made the small
# lesson networks several times slower (see benchmarks/README.md, Training). Set before Python
# starts, so every notebook kernel and worker process inherits it.
OMP_WAIT_POLICY ?= PASSIVE
export OMP_WAIT_POLICY
OUT ?= build/notebooks

.PHONY: all run test lab lint clean

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/swdkit data synthetic --if-missing
	$(BIN)/swdkit notebooks --params $(PARAMS) --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf build .pytest_cache .ruff_cache
