# Two commands: `make run` and `make test`. Both bootstrap .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/engage-desktop

test: $(STAMP)
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check engage_desktop tests benchmarks
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b; done

screenshots: $(STAMP)
	for v in feeds inbox composer dashboard; do \
	  QT_QPA_PLATFORM=offscreen $(VENV)/bin/engage-desktop --screenshot docs/screenshots/$$v.png --view $$v; done

clean:
	rm -rf $(VENV) build dist *.egg-info
