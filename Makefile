# pressrun: every target bootstraps its own virtual environment (.venv) from
# pyproject.toml, so `make pdf` and `make test` work on a fresh clone.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN    ?= $(BIN)/pressrun
# SETUP is the bootstrap step every target depends on; `make SETUP= RUN=pressrun master`
# uses an already installed pressrun instead (the end-to-end tests do this).
SETUP  ?= $(VENV)/.installed

.PHONY: help master catalogs stats pdf epub all test check bench clean

help:
	@echo "make pdf       build the PDF editions (main job)"
	@echo "make master    ingest seeds/ and merge translations into build/master/"
	@echo "make catalogs  bring translations/ up to date with the seeds (extract + update)"
	@echo "make stats     translation progress"
	@echo "make test      run the test suite"
	@echo "make clean     remove build/"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

master: $(SETUP)
	$(RUN) master

catalogs: $(SETUP)
	$(RUN) catalogs

stats: $(SETUP)
	$(RUN) stats

pdf: master
	@echo "pressrun: the PDF stage is not built yet; masters are in build/master/" >&2

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf build
