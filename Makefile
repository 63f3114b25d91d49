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
# `make explore`: the slider explorers as a Voila app (sliders, no code), served to this machine
# only (127.0.0.1). Another port: `make explore EXPLORE_PORT=8867`.
EXPLORE_APP ?= notebooks/apps/explorer.ipynb
EXPLORE_PORT ?= 8866
# `make sweep`: one notebook run once per value into SWEEP_OUT/NAME=VALUE, then a table of their
# metrics (sweep.md, sweep.csv) and index.html. Another sweep:
# `make sweep SWEEP_NOTEBOOK=02 SWEEP_VALUES=seed=0,1,2 SWEEP_OUT=build/sweep-seeds`.
SWEEP_NOTEBOOK ?= 04_*
SWEEP_VALUES ?= n_labeled=32,128,full
SWEEP_OUT ?= build/sweep

.PHONY: all run sweep test lab explore lint clean

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/swdkit data synthetic --if-missing
	$(BIN)/swdkit notebooks --params $(PARAMS) --out $(OUT)

sweep: $(STAMP)
	$(BIN)/swdkit data synthetic --if-missing
	$(BIN)/swdkit notebooks --params $(PARAMS) --only '$(SWEEP_NOTEBOOK)' \
		--sweep $(SWEEP_VALUES) --out $(SWEEP_OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# The page trains two small runs when it is opened (seconds; cached in build/ for the next visit).
explore: $(STAMP)
	$(BIN)/swdkit data synthetic --if-missing
	@echo "The explorer: http://127.0.0.1:$(EXPLORE_PORT)/ (open it in a browser; Ctrl-C stops it)"
	$(BIN)/voila $(EXPLORE_APP) --no-browser --Voila.ip=127.0.0.1 --port=$(EXPLORE_PORT) \
		--Voila.port_retries=0 --show_tracebacks=True \
		|| { echo "make explore: Voila stopped with an error. Port $(EXPLORE_PORT) taken?" \
		          "Then: make explore EXPLORE_PORT=8867" >&2; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf build .pytest_cache .ruff_cache
