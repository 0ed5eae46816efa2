# make run   : the headline comparison (table + figure)
# make test  : the whole test suite (unit, invariants, CLI, browser)
PY := $(shell tools/find_python.sh)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench odd viz reproduce clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "error: no Python >= 3.12 found" >&2; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[all]"
	$(BIN)/python -m viz.assets install
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/offshoring compare

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -W error::DeprecationWarning -W error::FutureWarning -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/offshoring bench

viz: $(STAMP)
	$(BIN)/offshoring viz

reproduce: $(STAMP)
	$(BIN)/offshoring reproduce --scale full
	$(BIN)/offshoring calibrate --patterns

odd: $(STAMP)
	$(BIN)/offshoring odd

clean:
	rm -rf $(VENV) build *.egg-info
