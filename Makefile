# CloudScore Composite: `make demo` runs the main job on the bundled real data, `make test` runs every test.
# Both install what is missing first (Debian 12, as root or with sudo).

PLUGIN      := cloudscore_composite
VENV        := .venv
PYTHON      := $(VENV)/bin/python
BUILD       := build
PLUGINS_DIR := $(BUILD)/plugins

DEMO_OUT    := $(BUILD)/demo/composite.tif

# The engine's tests run without QGIS (pytest-qgis off), to show plugin/core needs none.
PYTEST_CORE := $(PYTHON) -m pytest tests/core -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q

.PHONY: all deps link help test test-core lint demo bench package clean screenshot translations

all: test

deps:
	@scripts/install_deps.sh

# QGIS finds plugins by folder name: link the checkout in under the plugin's name (with its help up to date).
link:
	@mkdir -p $(PLUGINS_DIR) $(BUILD)/runtime && chmod 700 $(BUILD)/runtime
	@ln -sfn $(abspath .) $(PLUGINS_DIR)/$(PLUGIN)
	@$(BUILD_HELP)

# The plugin's help, resources/help/index.html, from README.md by Qt's own Markdown reader (scripts/build_help.py;
# written only when it changes): the dock's Help shows it. Committed with the README: tests/qgis/test_dock_help.py
# fails when it is stale.
BUILD_HELP = QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$(abspath $(BUILD)/runtime) /usr/bin/python3 scripts/build_help.py
help: deps
	@mkdir -p $(BUILD)/runtime && chmod 700 $(BUILD)/runtime
	$(BUILD_HELP)

# Files in the checkout, ignored ones included, but for what builds and runs make (build/, .venv/, caches):
# `make test` fails when the suite leaves one more (an .aux.xml beside a demo scene...) or changes one.
TREE_STATE = git status --porcelain --ignored --untracked-files=all | \
	grep -v -E '^!! (build/|\.venv/|\.qgis-settings/|\.pytest_cache/)|__pycache__/|\.pyc$$' | sort

test: deps link
	@mkdir -p $(BUILD)
	@$(TREE_STATE) > $(BUILD)/tree-before.txt
	QT_QPA_PLATFORM=offscreen $(PYTEST_CORE)
	$(PYTHON) -m pytest tests/package -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q
	rm -rf .qgis-settings  # pytest-qgis's profile: start every run from QGIS's defaults
	QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$(abspath $(BUILD)/runtime) $(PYTHON) -m pytest tests/qgis -q
	@# The dock in QGIS's real window on a 1280 x 800 Xvfb screen (scripts/qgis_desktop.sh): fits, wheel, run, rerun.
	$(PYTHON) -m pytest tests/desktop -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q
	@# The README's shell examples, run verbatim (the first one runs make demo), through scripts/qgis_process.sh.
	$(PYTHON) -m pytest tests/readme -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q
	@$(TREE_STATE) > $(BUILD)/tree-after.txt
	@comm -13 $(BUILD)/tree-before.txt $(BUILD)/tree-after.txt > $(BUILD)/tree-new.txt; \
		if [ -s $(BUILD)/tree-new.txt ]; then echo "make test left the checkout changed:"; \
		cat $(BUILD)/tree-new.txt; exit 1; fi

test-core: deps link
	$(PYTEST_CORE)

# Through scripts/qgis_process.sh, as the README's examples: offscreen, a throwaway profile in build/qgis-profile with
# the plugin enabled.
demo: deps link
	$(PYTHON) scripts/run_demo.py --output $(DEMO_OUT)

# The real QGIS desktop under Xvfb (scripts/qgis_desktop.sh: a throwaway profile with the plugin enabled);
# scripts/screenshot.py drives the dock through the demo composite and saves the window: on a 1600 x 1000 screen
# with the dock widened to 600 px, and on a 1280 x 800 laptop screen with the dock as it opens.
SCREENSHOTS := $(BUILD)/screenshots
screenshot: deps link
	@rm -f $(SCREENSHOTS)/dock.png $(SCREENSHOTS)/dock-1280x800.png && mkdir -p $(SCREENSHOTS)
	CLOUDSCORE_SCREENSHOT=$(abspath $(SCREENSHOTS)/dock.png) CLOUDSCORE_DOCK_WIDTH=600 \
		scripts/qgis_desktop.sh 1600x1000 $(abspath $(BUILD)/screenshot-profile) scripts/screenshot.py
	CLOUDSCORE_SCREENSHOT=$(abspath $(SCREENSHOTS)/dock-1280x800.png) \
		scripts/qgis_desktop.sh 1280x800 $(abspath $(BUILD)/screenshot-profile) scripts/screenshot.py
	@test -s $(SCREENSHOTS)/dock.png && test -s $(SCREENSHOTS)/dock-1280x800.png && \
		echo "Wrote $(SCREENSHOTS)/dock.png and $(SCREENSHOTS)/dock-1280x800.png"

# The compositing engine against numpy baselines timed in the same run, a > 3 GB stack on disk composited in bounded
# memory, and qgis_process on 1024 and 4096 px float32 stacks against QGIS's start-up + one read of the stack (writes
# 12 GB once to build/bench/). BENCH_ARGS=--skip-disk / --skip-qgis leave those cases out.
bench: deps link
	$(PYTHON) scripts/bench.py --json $(BUILD)/bench/results.json $(BENCH_ARGS)

# The zip, then the QGIS plugin repository's scans on its contents (Bandit and detect-secrets block, flake8 is a
# report): see scripts/repository_scans.py. PLUGIN_EMAIL, PLUGIN_REPOSITORY, PLUGIN_TRACKER, PLUGIN_HOMEPAGE (or
# package.cfg) make it upload-ready.
package: deps help
	/usr/bin/python3 scripts/package.py

# ruff's linter and its formatter as a check on every Python file (rules in ruff.toml), mypy on plugin/core (mypy.ini:
# strict for the fully typed modules), then the Qt6 check (tests/qt6: the QGIS side's Qt names resolved in PyQt6, the
# .ui files loaded with PyQt6's uic) in a process of its own, without Qt5. `ruff format .` fixes what the check finds.
lint: deps link
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy --config-file mypy.ini
	QT_QPA_PLATFORM=offscreen $(PYTHON) -m pytest tests/qt6 -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q

# The translation template i18n/cloudscore_composite_en.ts from every tr("...") of the QGIS side (plugin/ but
# plugin/core, whose messages stay English) and the Designer forms; every other i18n/*.ts is updated from the same
# sources (translations kept) and compiled by lrelease to its .qm beside it, which the plugin loads at run time (commit
# the .qm with its .ts: the zip takes i18n/ as it is in the checkout).
TS_SOURCES   = $(sort $(shell find plugin -name '*.py' -not -path 'plugin/core/*')) $(wildcard ui/*.ui)
TS_TEMPLATE  := i18n/$(PLUGIN)_en.ts
LRELEASE     := /usr/lib/qt5/bin/lrelease
translations: deps
	@mkdir -p i18n
	pylupdate5 -noobsolete $(TS_SOURCES) -ts $(TS_TEMPLATE) $(filter-out $(TS_TEMPLATE),$(wildcard i18n/*.ts))
	@for ts in $(filter-out $(TS_TEMPLATE),$(wildcard i18n/*.ts)); do $(LRELEASE) -silent $$ts -qm $${ts%.ts}.qm; done

clean:
	rm -rf $(BUILD) .pytest_cache .qgis-settings
