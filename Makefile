# Two commands on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup prepare report test clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	# the package is imported from the project folder (notebook kernels too)
	$(BIN)/python -c "import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()['purelib'], 'servicetjek-project.pth').write_text('$(CURDIR)\\n')"
	touch $(STAMP)

setup: $(STAMP)

# Validate the bundled municipalities' inputs and write data/processed/<slug>/.
prepare: setup
	$(BIN)/python pipeline.py prepare --all

report: prepare

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf data/processed/* reports/* .pytest_cache
