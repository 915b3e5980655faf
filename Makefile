# The two commands of the README: `make demo` and `make test`. Both create .venv on first use;
# the environment is rebuilt only when pyproject.toml or constraints.txt change.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint env clean

demo: $(STAMP)
	$(VENV)/bin/crop-hf demo --output-dir demo_output

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -q tests

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

env: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[dev,align,ct2]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) demo_output
