# Both targets do their own set-up: a fresh clone needs only Python 3.11+, git and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint types contracts pytest slow bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## The main job on content/: lint, plan and sync against the embedded sandbox.
demo: $(STAMP)
	$(BIN)/kbsync lint
	$(BIN)/kbsync plan
	$(BIN)/kbsync sync --yes --wait-ready
	$(BIN)/kbsync chat "How long does a parcel stay in the locker?"
	$(BIN)/kbsync smoke --env local

## ruff, mypy on pipeline/, import-linter contracts, then the fast test suite.
test: $(STAMP)
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/ruff format --check pipeline tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -m "not slow" -q

slow: $(STAMP)
	$(BIN)/pytest -m slow -q

clean:
	rm -rf $(VENV) .kbsync .pytest_cache .mypy_cache .ruff_cache
