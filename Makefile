# Minimum-Norm Denoisers: `make book` builds the book, `make test` runs every check.
# Both create .venv on first use and install requirements.txt into it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
BOOK_FLAGS := -W -n --keep-going
# Small networks train fastest on one thread, and two threads on two shared cores oversubscribe:
# the book builds with one (the build configuration, not a reader's cell, sets this).
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
VENDOR := _vendor/site/.stamp

.PHONY: book book-cold test unit lab bench bench-smoke clean vendor browser

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

$(VENDOR): _vendor/fetch.py
	$(PYTHON) _vendor/fetch.py

vendor: $(VENDOR)  ## fetch the pinned widget manager, RequireJS and MathJax the offline site serves (npm)

# Cached build: jupyter-cache re-executes a chapter when its code changes; the key below (a hash of
# mnd/, _ext/, requirements.txt and MND_PAPER_SETTINGS) clears the whole cache when the package,
# the toolchain or the settings change, so cached outputs never come from other code.
CACHE     := _build/.jupyter_cache
KEY_FILE  := _build/.cache-key
BUILD_KEY  = $(shell cat requirements.txt $$(find mnd _ext -name '*.py' | LC_ALL=C sort) | sha256sum | cut -c1-16)-paper$(MND_PAPER_SETTINGS)

book: $(STAMP) $(VENDOR)  ## build the book to _build/html; re-executes only chapters whose code (or mnd/) changed
	@mkdir -p _build
	@if [ "$$(cat $(KEY_FILE) 2>/dev/null)" != "$(BUILD_KEY)" ]; then \
	    echo "mnd/, _ext/, requirements.txt or MND_PAPER_SETTINGS changed: every chapter executes"; \
	    rm -rf $(CACHE); fi
	rm -rf _build/html _build/.doctrees
	MND_PROGRESS=0 $(VENV)/bin/jupyter-book build . $(BOOK_FLAGS)
	@echo "$(BUILD_KEY)" > $(KEY_FILE)
	@echo "Book built: open $(CURDIR)/_build/html/index.html"

book-cold: $(STAMP) $(VENDOR)  ## the book built from scratch: every chapter executed (what make test and CI do)
	rm -rf $(CACHE) $(KEY_FILE)
	$(MAKE) book

unit: $(STAMP)  ## pytest: unit and property tests of mnd
	$(PY) -m pytest

browser: $(STAMP) $(VENDOR)  ## the built site in headless Chromium, network blocked (after `make book`)
	@test -f _build/html/index.html || { echo "no _build/html: run 'make book' first"; exit 1; }
	MND_BROWSER_TESTS=1 $(PY) -m pytest tests/browser

test: unit book-cold browser  ## everything CI runs (the book built cold)

bench: $(STAMP)  ## full benchmarks (every part, 3 repetitions; 20 min on 2 cores, one kept busy): tables + benchmarks/results/bench.json
	$(PY) benchmarks/bench.py

bench-smoke: $(STAMP)  ## seconds-long benchmark run (CI)
	$(PY) benchmarks/bench.py --smoke

LAB_STAMP := $(VENV)/.lab-stamp
$(LAB_STAMP): $(STAMP) binder/requirements.txt binder/overrides.json
	$(PY) -m pip install --quiet jupyterlab==4.6.6 jupyterlab-myst==2.7.0
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash binder/postBuild
	touch $(LAB_STAMP)

lab: $(LAB_STAMP)  ## JupyterLab: chapters open as notebooks (jupytext), MyST result boxes render
	$(VENV)/bin/jupyter lab chapters/

clean:
	rm -rf _build
