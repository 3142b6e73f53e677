# Two commands do all the set-up on a fresh machine (Python >= 3.10 with venv):
#   make demo   - create .venv, install, run examples/quickstart.py (offline unless YESCALE_API_KEY is set)
#   make test   - create .venv, install, run ruff, mypy and the whole (offline) test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test install clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(PY) examples/quickstart.py

test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

clean:
	rm -rf $(VENV)
