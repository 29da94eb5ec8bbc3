# Minimum-Norm Denoisers: `make book` builds the book, `make test` runs every check.
# Both create .venv on first use and install requirements.txt into it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
BOOK_FLAGS := -W -n --keep-going

.PHONY: book test unit lab bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

book: $(STAMP)  ## build the book to _build/html, executing every chapter
	rm -rf _build/html _build/.doctrees
	$(VENV)/bin/jupyter-book build . $(BOOK_FLAGS)
	@echo "Book built: open $(CURDIR)/_build/html/index.html"

unit: $(STAMP)  ## pytest: unit and property tests of mnd
	$(PY) -m pytest

test: unit book  ## everything CI runs

lab: $(STAMP)  ## JupyterLab with jupytext: chapters/*.md open as notebooks
	$(PY) -m pip install --quiet jupyterlab==4.6.6
	$(VENV)/bin/jupyter lab chapters/

clean:
	rm -rf _build
