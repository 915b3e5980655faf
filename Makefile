# The two commands of the README: `make demo` and `make test`. Both create .venv on first use with the newest tested
# set (constraints.txt); the environment is rebuilt only when pyproject.toml or constraints.txt change.
# CI (.ci/run) also runs `make test-lowest`: the wheel, installed alone beside the lowest tested set, and the suite there.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
EXTRAS := dev,align,demo,metrics,lora,ct2,lingua,app
LOWEST := .venv-lowest
# no app: gradio needs huggingface_hub>=1.16, above the lowest set (the app tests skip there)
LOWEST_EXTRAS := align,demo,metrics,lora,ct2,lingua

.PHONY: demo test test-slow test-all lint typecheck env browser dist lowest-env wheel-check test-lowest-suite test-lowest clean

demo: $(STAMP)
	$(VENV)/bin/crop-hf demo --output_dir demo_output

# make test: ruff, mypy and the fast suite (a few minutes); make test-slow: the tests marked slow (they train, run the
# demo, launch processes or drive a browser); make test-all: both, what CI (.ci/run) runs.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/python .ci/typecheck.py
	$(VENV)/bin/python -m pytest -q -m "not slow" tests

test-slow: $(STAMP)
	$(VENV)/bin/python -m pytest -q -m slow tests

test-all: test test-slow

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy over crop_hf/ against .ci/mypy-baseline.txt: a new error fails (see .ci/typecheck.py)
typecheck: $(STAMP)
	$(VENV)/bin/python .ci/typecheck.py

env: $(STAMP)

# Debian's Chromium for the app's browser tests (playwright drives it; its own browser download is not used).
# As root (CI) it is installed when missing; otherwise the tests skip with a line saying how to install it.
browser:
	test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq chromium)
	test -x /usr/bin/chromium || echo "no /usr/bin/chromium: the browser tests will skip (apt-get install -y chromium)"

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
	touch $(STAMP)

# sdist, then the wheel built from the sdist (so a file missing from the sdist fails here)
dist: $(STAMP)
	rm -rf dist
	$(VENV)/bin/python -m build --outdir dist .

# A fresh venv with every dependency at its lower bound (constraints-lowest.txt, torch: the local 2.13.0 wheel),
# then the wheel installed into it as a user would (no constraints): pip must change none of those packages.
lowest-env: $(STAMP)
	ls dist/*.whl > /dev/null 2>&1 || $(MAKE) dist
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/pip install --quiet torch==2.13.0
	$(LOWEST)/bin/pip install --quiet -r constraints-lowest.txt
	$(LOWEST)/bin/pip freeze | sort > $(LOWEST)/before.txt
	$(LOWEST)/bin/pip install "$$(ls dist/*.whl)[$(LOWEST_EXTRAS)]" | grep -v -E "^WARNING: Location" | tee $(LOWEST)/install.log
	$(LOWEST)/bin/pip freeze | grep -v -i "^crop-hf" | sort > $(LOWEST)/after.txt
	diff $(LOWEST)/before.txt $(LOWEST)/after.txt
	grep -E "^Successfully installed crop-hf-[0-9.]+$$" $(LOWEST)/install.log
	@echo "installing the wheel beside the lowest set changed none of its $$(wc -l < $(LOWEST)/before.txt) packages"

# From outside the repository, with the installed wheel: every --help, the pipeline tour, the package data.
wheel-check:
	cd $$(mktemp -d) && $(CURDIR)/$(LOWEST)/bin/python $(CURDIR)/.ci/wheel_check.py $(CURDIR)

# The suite at the lowest set (run `make lowest-env` first).
test-lowest-suite:
	$(LOWEST)/bin/python -m pytest -q -p no:cacheprovider tests

test-lowest: dist lowest-env wheel-check test-lowest-suite

clean:
	rm -rf $(VENV) $(LOWEST) dist build crop_hf.egg-info demo_output
