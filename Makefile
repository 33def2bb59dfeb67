# Two commands on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL  := build/nbval
KOMMUNER = $(shell $(BIN)/python pipeline.py list | cut -f1)

.PHONY: setup system-deps prepare notebooks chapters report test nbval-copies clean

# Debian packages: WeasyPrint's Pango, fonts, Chromium (browser tests), poppler (PDF tests).
DEB_PACKAGES := chromium poppler-utils fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	# the package is imported from the project folder (notebook kernels too)
	$(BIN)/python -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'servicetjek-project.pth').write_text('$(CURDIR)\\n')"
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	@if ! dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES) >/dev/null; \
	  else \
	    echo "Mangler Debian-pakker: sudo apt-get install $(DEB_PACKAGES)" >&2; exit 1; \
	  fi; \
	fi

# Validate the bundled municipalities' inputs and write data/processed/<slug>/.
prepare: setup system-deps
	$(BIN)/python pipeline.py prepare --all

# Re-execute the committed notebooks with their defaults (Slagelse), so their outputs are the
# regression reference that `make test` compares strictly (nbval): run after a change that moves a number.
notebooks: prepare
	for nb in notebooks/[0-9]*.ipynb; do $(BIN)/papermill --log-level WARNING $$nb $$nb || exit 1; done

# Execute every chapter notebook for every municipality (papermill) into reports/<slug>/notebooks/.
chapters: prepare
	for k in $(KOMMUNER); do \
	  mkdir -p reports/$$k/notebooks; \
	  for nb in notebooks/[0-9]*.ipynb; do \
	    $(BIN)/papermill --log-level WARNING -p kommune $$k $$nb reports/$$k/notebooks/$$(basename $$nb) || exit 1; \
	  done; \
	done

# The whole report per municipality: chapters, HTML and PDF, manifest (cached, in parallel).
report: prepare
	$(BIN)/python pipeline.py build --all --jobs 2

# Each notebook, parameterised for each municipality, for nbval to execute.
nbval-copies: prepare
	rm -rf $(NBVAL)
	for k in $(KOMMUNER); do \
	  mkdir -p $(NBVAL)/$$k; \
	  for nb in notebooks/[0-9]*.ipynb; do \
	    $(BIN)/papermill --prepare-only --log-level WARNING -p kommune $$k $$nb $(NBVAL)/$$k/$$(basename $$nb) || exit 1; \
	  done; \
	done

test: setup system-deps nbval-copies
	$(BIN)/python -m pytest tests $(NBVAL) --nbval-lax
	# strict: the committed outputs (Slagelse) must be reproduced exactly
	$(BIN)/python -m pytest notebooks --nbval --nbval-sanitize-with notebooks/nbval_sanitize.cfg -p no:cacheprovider

clean:
	rm -rf data/processed/* reports/* build .pytest_cache
