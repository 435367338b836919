# CloudScore Composite: `make demo` runs the main job on the bundled real data, `make test` runs every test.
# Both install what is missing first (Debian 12, as root or with sudo).

PLUGIN      := cloudscore_composite
VENV        := .venv
PYTHON      := $(VENV)/bin/python
BUILD       := build
PLUGINS_DIR := $(BUILD)/plugins
QGIS_PROCESS := /usr/bin/qgis_process.bin
# Throwaway QGIS profile for qgis_process, so a run never touches the user's own.
QGIS_ENV    := QT_QPA_PLATFORM=offscreen QGIS_OPTS= QGIS_PLUGINPATH=$(abspath $(PLUGINS_DIR)) \
               QGIS_CUSTOM_CONFIG_PATH=$(abspath $(BUILD)/qgis-profile) XDG_RUNTIME_DIR=$(abspath $(BUILD)/runtime)

DEMO_OUT    := $(BUILD)/demo/composite.tif

# The engine's tests run without QGIS (pytest-qgis off), to show plugin/core needs none.
PYTEST_CORE := $(PYTHON) -m pytest tests/core -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q

.PHONY: all deps link test test-core lint demo bench package clean screenshot

all: test

deps:
	@scripts/install_deps.sh

# QGIS finds plugins by folder name: link the checkout in under the plugin's name.
link:
	@mkdir -p $(PLUGINS_DIR) $(BUILD)/runtime && chmod 700 $(BUILD)/runtime
	@ln -sfn $(abspath .) $(PLUGINS_DIR)/$(PLUGIN)

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
	@$(TREE_STATE) > $(BUILD)/tree-after.txt
	@comm -13 $(BUILD)/tree-before.txt $(BUILD)/tree-after.txt > $(BUILD)/tree-new.txt; \
		if [ -s $(BUILD)/tree-new.txt ]; then echo "make test left the checkout changed:"; \
		cat $(BUILD)/tree-new.txt; exit 1; fi

test-core: deps link
	$(PYTEST_CORE)

demo: deps link
	@mkdir -p $(BUILD)/demo
	@# qgis_process exits 1 when the plugin is enabled already: only other failures count.
	@$(QGIS_ENV) $(QGIS_PROCESS) plugins enable $(PLUGIN) > $(BUILD)/plugins-enable.log 2>&1 \
		|| grep -q "already enabled" $(BUILD)/plugins-enable.log || { cat $(BUILD)/plugins-enable.log; exit 1; }
	$(QGIS_ENV) $(PYTHON) scripts/run_demo.py --qgis-process $(QGIS_PROCESS) --output $(DEMO_OUT)

# The real QGIS desktop under Xvfb, a throwaway profile with the plugin enabled; scripts/screenshot.py drives the
# dock through the demo composite and saves the window.
SCREENSHOT_PROFILE := $(BUILD)/screenshot-profile
SCREENSHOT := $(BUILD)/screenshots/dock.png
screenshot: deps link
	@rm -rf $(SCREENSHOT_PROFILE) $(SCREENSHOT) && mkdir -p $(SCREENSHOT_PROFILE)/profiles/default/QGIS $(dir $(SCREENSHOT))
	@printf '[PythonPlugins]\n$(PLUGIN)=true\n' > $(SCREENSHOT_PROFILE)/profiles/default/QGIS/QGIS3.ini
	QGIS_PLUGINPATH=$(abspath $(PLUGINS_DIR)) XDG_RUNTIME_DIR=$(abspath $(BUILD)/runtime) \
		CLOUDSCORE_SCREENSHOT=$(abspath $(SCREENSHOT)) xvfb-run -a -s "-screen 0 1600x1000x24" \
		/usr/bin/qgis.bin --nologo --noversioncheck --profiles-path $(abspath $(SCREENSHOT_PROFILE)) \
		--code scripts/screenshot.py
	@test -s $(SCREENSHOT) && echo "Wrote $(SCREENSHOT)"

# The compositing engine against numpy baselines timed in the same run, and a > 3 GB stack on disk composited
# in bounded memory (writes 4 GB once to build/bench/). BENCH_ARGS=--skip-disk leaves that case out.
bench: deps link
	$(PYTHON) scripts/bench.py --json $(BUILD)/bench/results.json $(BENCH_ARGS)

# The zip, then the QGIS plugin repository's scans on its contents (Bandit and detect-secrets block, flake8 is a
# report): see scripts/repository_scans.py. PLUGIN_EMAIL, PLUGIN_REPOSITORY, PLUGIN_TRACKER, PLUGIN_HOMEPAGE (or
# package.cfg) make it upload-ready.
package: deps
	/usr/bin/python3 scripts/package.py

# flake8 on the plugin and its scripts, then the Qt6 check (tests/qt6: the QGIS side's Qt names resolved in PyQt6, the
# .ui files loaded with PyQt6's uic) in a process of its own, without Qt5.
lint: deps link
	$(PYTHON) -m flake8 --max-line-length=120 --extend-ignore=E203 __init__.py plugin scripts
	QT_QPA_PLATFORM=offscreen $(PYTHON) -m pytest tests/qt6 -p no:pytest_qgis -W ignore::pytest.PytestConfigWarning -q

clean:
	rm -rf $(BUILD) .pytest_cache .qgis-settings
