# tcf-hub — `make run` starts the hub, `make test` runs every check. Nothing else to install.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
FRONTEND_SRC := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.ts frontend/tools -type f 2>/dev/null)

.PHONY: help run test lint typecheck build deps bench chromium postgres prometheus dockerd clean package release

help:
	@echo "make run    — install what is missing, build the dashboard, start the hub on :3001"
	@echo "make test   — lint, types, layers, frontend tests, Python tests with coverage"
	@echo "make bench  — benchmarks (figures for the README)"
	@echo "make package — the one-file binary dist/tcf-hub (PyInstaller)"
	@echo "make release — wheel, sdist and binary with SHA256SUMS in dist/"

$(UV):
	@echo "Bootstrapping uv from PyPI…"
	python3 -m pip install --user --quiet uv || python3 -m pip install --user --quiet --break-system-packages uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras
	@touch $@

frontend/node_modules/.synced: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

hub/web/dist/index.html: frontend/node_modules/.synced $(FRONTEND_SRC)
	cd frontend && npm run build

deps: $(VENV)/.synced frontend/node_modules/.synced

build: deps hub/web/dist/index.html

run: build
	TCF_HUB_DATA_DIR=$${TCF_HUB_DATA_DIR:-./data} TCF_HUB_CONFIG=$${TCF_HUB_CONFIG:-./config} \
		$(BIN)/tcf-hub serve

lint: deps
	$(BIN)/ruff check hub tests
	$(BIN)/ruff format --check hub tests
	$(BIN)/lint-imports

typecheck: deps
	$(BIN)/mypy hub

# Debian's Chromium for the Playwright tests (never Playwright's own download).
chromium:
	@if ! command -v chromium >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "chromium missing and not root: the browser tests will be skipped"; fi; \
	fi

# Debian's PostgreSQL for the second store backend (started when root; else those tests skip).
postgres:
	@bash tests/postgres-up.sh

# Debian's Prometheus for the scrape test (installed when root; the test runs its own instance).
prometheus:
	@bash tests/prometheus-install.sh

# A private Docker Engine on /tmp/tcf-dockerd/docker.sock for the Docker tests (root only; else
# they skip). `make test` starts its own in a fresh /tmp/tcf-dockerd.XXXXXX (ENGINE_DIR), so two
# runs on one machine do not share one, and stops it afterwards, also when tests fail.
dockerd:
	@bash tests/dockerd-up.sh >/dev/null

test: build lint typecheck chromium postgres prometheus
	@$(MAKE) --no-print-directory package || { rm -f dist/tcf-hub; \
		echo "make package failed: the binary's smoke test (tests/integration/test_package.py) will skip"; }
	cd frontend && npm test
	export ENGINE_DIR=$${ENGINE_DIR:-$$(mktemp -d /tmp/tcf-dockerd.XXXXXX)}; \
	trap 'bash tests/dockerd-down.sh; rmdir "$$ENGINE_DIR" 2>/dev/null || true' EXIT; \
	bash tests/dockerd-up.sh >/dev/null; \
	$(BIN)/pytest -p randomly --cov=hub --cov-branch --cov-report=term-missing:skip-covered

bench: build
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) frontend/node_modules hub/web/dist .coverage htmlcov build dist

# The one-file binary (PyInstaller, packaging/tcf-hub.spec): rebuilt when the hub, its migrations,
# default config or built dashboard change. tests/integration/test_package.py runs it.
PACKAGE_INPUTS := $(shell find hub migrations config -type f \( -name '*.py' -o -name '*.yml' -o -name '*.mako' \) 2>/dev/null)

dist/tcf-hub: $(VENV)/.synced packaging/tcf-hub.spec $(PACKAGE_INPUTS) hub/web/dist/index.html | build
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/tcf-hub.spec
	@ls -l dist/tcf-hub

package: dist/tcf-hub

# Wheel and sdist (both carry the built dashboard, so `pip install` needs no Node), the binary,
# and their checksums.
release: package
	rm -f dist/*.whl dist/*.tar.gz dist/SHA256SUMS
	$(UV) build --out-dir dist
	cd dist && sha256sum *.whl *.tar.gz tcf-hub > SHA256SUMS
	@cat dist/SHA256SUMS
