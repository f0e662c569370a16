# The two commands of the README:  `make book`  and  `make test`.
# Both create the virtual environment on first use (Python 3.11, pip; see requirements.txt).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PARAMS ?=

.PHONY: setup book check-book notebooks test test-fast lab clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3
	touch $@

## Run (or load from results/) the study and execute every notebook into book/
notebooks: setup
	$(BIN)/python tools/execute_notebooks.py $(PARAMS)

## Build the HTML book into _build/html
book: notebooks
	$(BIN)/jupyter-book build book -W -n --keep-going

## Open every built page in headless Chromium (needs Debian's chromium and chromium-driver)
check-book:
	$(BIN)/python tools/check_book.py _build/html

## JupyterLab on notebooks/: the jupytext .py files open as notebooks (and save back to .py)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: setup
	mkdir -p $(LAB_SETTINGS)
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)/overrides.json
	OPENBLAS_NUM_THREADS=1 $(BIN)/jupyter lab notebooks/

## Unit tests, notebooks in the smoke profile, and both book builds (warnings are errors)
test: setup
	$(BIN)/pytest -ra

## Unit tests only (seconds)
test-fast: setup
	$(BIN)/pytest -ra -m "not slow"

clean:
	rm -rf _build build book/*.ipynb
