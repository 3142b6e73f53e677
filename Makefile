# Two commands do all the set-up on a fresh machine (Python >= 3.10 with venv and pip):
#   make demo   - install from the lock into .venv, run examples/quickstart.py (offline unless
#                 YESCALE_API_KEY is set)
#   make test   - install from the lock into .venv, run ruff, mypy and the whole (offline) suite
# Both install exactly what uv.lock pins (uv itself comes pinned into .tools/), so a fresh machine
# gets what CI tested. Other targets:
#   make lock          - re-resolve uv.lock to the newest versions pyproject.toml allows
#   make test-lowest   - the suite against the lowest allowed versions (PYTHONS="3.10 3.13")
#   make test-newest   - the suite against today's newest versions, unlocked: before a release
#   make dist          - build sdist and wheel, twine check, type-check a user file against the wheel
#   make bench         - the benchmarks against the peers (locked, with the benchmark group)
#   make scale         - the scale proofs (issue 20): the Ray tests, a 20,000-passage corpus
#                        embedded on Ray with a crash and a resume, 200 media tasks killed half
#                        way and resumed, 2,000 concurrent calls through 429s; non-zero if
#                        anything is lost or duplicated. Local fake services on 127.0.0.1 only.
PYTHON ?= python3
VENV ?= .venv
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PYTHONS ?= 3.10 3.13
# uv never downloads an interpreter: it uses the machine's Pythons (see scripts/python-for).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed modules are compiled once, at install: where PYTHONDONTWRITEBYTECODE is set, every
# run would otherwise compile langchain, llama-index and pytest's plugins anew (about 5 s a process).
export UV_COMPILE_BYTECODE := 1

.PHONY: demo test lint typecheck pytest lock test-lowest test-newest dist bench scale clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --all-extras --python $(PYTHON)
	touch $@

demo: $(VENV)/.synced
	$(VENV)/bin/python examples/quickstart.py

test: lint typecheck pytest

lint: $(VENV)/.synced
	$(VENV)/bin/python -m ruff check .

typecheck: $(VENV)/.synced
	$(VENV)/bin/python -m mypy

pytest: $(VENV)/.synced
	$(VENV)/bin/python -m pytest -n auto --dist loadgroup

lock: | $(UV)
	$(UV) lock --upgrade

test-lowest: $(VENV)/.synced
	UV=$(UV) scripts/matrix lowest $(PYTHONS)

test-newest: $(VENV)/.synced
	UV=$(UV) scripts/matrix newest $(PYTHONS)

dist: $(VENV)/.synced
	UV=$(UV) scripts/dist-check

bench: $(VENV)/.synced
	$(UV) sync --locked --all-extras --group benchmark
	$(VENV)/bin/python -m benchmarks.run

scale: $(VENV)/.synced
	$(VENV)/bin/python -m pytest -m ray -p no:cacheprovider tests
	$(VENV)/bin/python scripts/scale_corpus.py
	$(VENV)/bin/python scripts/scale_media.py
	$(VENV)/bin/python scripts/scale_load.py

clean:
	rm -rf $(VENV) $(TOOLS) .venv-lowest-* .venv-newest-* dist
