# Every target builds .venv from nothing on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test bench lint snapshot-update clean tmux

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,spacy]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/spantag

# tmux drives the end-to-end terminal test; install it where apt-get can.
tmux:
	@command -v tmux >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && apt-get install -y -qq tmux >/dev/null) || \
	  echo "tmux could not be installed: the tmux end-to-end test will be skipped"; }

test: $(STAMP_TEST) tmux
	$(BIN)/python -m pytest -q

bench: $(STAMP_TEST)
	$(BIN)/python -m benchmarks

lint: $(STAMP_TEST)
	$(BIN)/ruff check .

snapshot-update: $(STAMP_TEST)
	$(BIN)/python -m pytest -q tests/test_snapshots*.py --snapshot-update

clean:
	rm -rf $(VENV) build *.egg-info
