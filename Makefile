# Two commands do everything:  `make book` builds the course, `make test` proves it.
# Both create the virtualenv .venv from requirements.txt first if it is missing or stale.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
BUILD_FLAGS := -W -n --keep-going
# the execution cache: the same path as execute.cache in _config.yml
CACHE  := _build/.jupyter_cache

.PHONY: book test test-lite lab serve execute bench clean help

help:
	@echo "make book     build the HTML course into _build/html (executes the notebooks, cached)"
	@echo "make test     run every test: mlelib, notebooks (nbval), zero-warning build, browser"
	@echo "make test-lite  run every chapter in JupyterLite in headless Chromium, offline"
	@echo "make lab      open the chapters in JupyterLab (mlelib importable)"
	@echo "make serve    serve _build/html on http://127.0.0.1:8000"
	@echo "make execute  re-execute every chapter in place, refreshing its stored outputs"
	@echo "make bench    benchmark mlelib against scipy and statsmodels"
	@echo "make clean    remove _build (keeps .venv)"

# The environment: rebuilt from scratch whenever requirements.txt or pyproject.toml changes.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@echo ">>> creating $(VENV) from requirements.txt (about a minute)"
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.txt
	@touch $(STAMP)

# Chapters whose code changed are executed first, in parallel, into the execution cache that the
# build then reads (jupyter-book alone executes them one at a time).
book: $(STAMP)
	@echo ">>> executing the chapters whose code changed (in parallel; cached in $(CACHE))"
	@yes | $(BIN)/jcache notebook --cache-path $(CACHE) clear > /dev/null  # forget deleted or renamed chapters
	@yes | $(BIN)/jcache notebook --cache-path $(CACHE) add chapters/*.ipynb > /dev/null
	$(BIN)/jcache project --cache-path $(CACHE) execute --executor local-parallel --timeout 300
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo ""
	@echo ">>> The course is built. Open: file://$(CURDIR)/_build/html/index.html  (or run: make serve)"

test: $(STAMP)
	$(BIN)/python -m pytest

# every chapter in the browser (make test runs chapters 1, 8 and the last one)
# LITE=rest: every chapter but that subset (CI, after make test)
LITE ?= all
test-lite: $(STAMP)
	$(BIN)/python -m pytest tests/test_lite.py --lite=$(LITE)

# --allow-root only where Jupyter would refuse to start without it (containers, CI)
lab: $(STAMP)
	$(BIN)/jupyter lab chapters/ $(if $(filter 0,$(shell id -u)),--allow-root)

serve:
	@test -f _build/html/index.html || { echo "No built book: run 'make book' first."; exit 1; }
	@echo ">>> serving http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _build/html

execute: $(STAMP)
	cd chapters && ../$(BIN)/jupyter execute --inplace *.ipynb
	@# drop the execution timestamps nbclient records in each cell: they only add noise to diffs
	$(BIN)/python -c 'import glob, nbformat; notebooks = {p: nbformat.read(p, 4) for p in glob.glob("chapters/*.ipynb")}; [c.metadata.pop("execution", None) for nb in notebooks.values() for c in nb.cells]; [nbformat.write(nb, p) for p, nb in notebooks.items()]'

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build
