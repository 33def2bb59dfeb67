# Two commands on a fresh machine: `make report` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL  := build/nbval
KOMMUNER = $(shell $(BIN)/python pipeline.py list | cut -f1)
# The chapter notebooks, as report.yaml declares them (no numbering in file names).
NOTEBOOKS = $(shell $(BIN)/python pipeline.py chapters --notebooks)
# The follow-up report's notebooks (report kind opfoelgning; Slagelse only: it has the monthly extracts).
FOLLOWUP_NOTEBOOKS = $(shell $(BIN)/python pipeline.py chapters --rapport opfoelgning --notebooks)
# The public-data report's own notebooks (report kind offentlig; its status and benchmark are the servicetjek's).
PUBLIC_NOTEBOOKS = $(filter-out $(NOTEBOOKS),$(shell $(BIN)/python pipeline.py chapters --rapport offentlig --notebooks))

.PHONY: help setup system-deps lint prepare notebooks chapters report test nbval-copies fuzz clean

help:   ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

# Debian packages: WeasyPrint's Pango, fonts, Chromium (browser tests), poppler (PDF tests).
DEB_PACKAGES := chromium poppler-utils fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	# the package itself, editable (notebook kernels import it too); no network: the venv's setuptools
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)   ## create .venv and install requirements.txt and the package (pip install -e .)

system-deps:      ## install the Debian packages (as root) or say which are missing
	@if ! dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES) >/dev/null; \
	  else \
	    echo "Mangler Debian-pakker: sudo apt-get install $(DEB_PACKAGES)" >&2; exit 1; \
	  fi; \
	fi

lint: setup       ## ruff over the package, tests, tools and notebooks
	$(BIN)/ruff check servicetjek tests tools benchmarks notebooks pipeline.py

prepare: setup system-deps   ## validate the bundled municipalities, write data/processed/<slug>/
	$(BIN)/python pipeline.py prepare --all

notebooks: prepare   ## re-execute the committed notebooks (Slagelse) after a change that moves a number
	for nb in $(NOTEBOOKS); do $(BIN)/papermill --log-level WARNING $$nb $$nb || exit 1; done
	for nb in $(FOLLOWUP_NOTEBOOKS) $(PUBLIC_NOTEBOOKS); do $(BIN)/papermill --log-level WARNING $$nb $$nb || exit 1; done

chapters: prepare    ## execute every chapter notebook for every municipality into reports/<slug>/notebooks/
	for k in $(KOMMUNER); do \
	  mkdir -p reports/$$k/notebooks; \
	  for nb in $(NOTEBOOKS); do \
	    $(BIN)/papermill --log-level WARNING -p kommune $$k $$nb reports/$$k/notebooks/$$(basename $$nb) || exit 1; \
	  done; \
	done

report: prepare      ## the whole report per municipality, and Slagelse's follow-up report (cached)
	$(BIN)/python pipeline.py build --all --jobs 2
	$(BIN)/python pipeline.py build --kommune Slagelse --rapport opfoelgning

nbval-copies: prepare
	rm -rf $(NBVAL)
	for k in $(KOMMUNER); do \
	  mkdir -p $(NBVAL)/$$k; \
	  for nb in $(NOTEBOOKS); do \
	    $(BIN)/papermill --prepare-only --log-level WARNING -p kommune $$k $$nb $(NBVAL)/$$k/$$(basename $$nb) || exit 1; \
	  done; \
	done

test: setup system-deps lint nbval-copies   ## lint, pytest, nbval-lax for every municipality, strict nbval
	$(BIN)/python -m pytest tests $(NBVAL) --nbval-lax
	# strict: the committed outputs (Slagelse) must be reproduced exactly
	$(BIN)/python -m pytest $(NOTEBOOKS) $(FOLLOWUP_NOTEBOOKS) $(PUBLIC_NOTEBOOKS) --nbval --nbval-sanitize-with notebooks/nbval_sanitize.cfg -p no:cacheprovider

fuzz: setup          ## hypothesis over every extract reader: profile `long`, 33.334 random files per format
	SERVICETJEK_HYPOTHESIS=long $(BIN)/python -m pytest tests/test_extract_properties.py -p no:cacheprovider --hypothesis-show-statistics

clean:               ## remove prepared data, reports and build files
	rm -rf data/processed/* reports/* build .pytest_cache
