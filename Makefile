# imagemesh: `make run` starts the whole mesh, `make test` runs every test tier.
# Everything (venv, dependencies, buf, generated code) is set up on first use.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUF_VERSION := 1.75.0
BUF := .tools/node_modules/.bin/buf
PROTOS := $(shell find protos -name '*.proto')
GEN_STAMP := libs/gen/.stamp
DEPS_STAMP := $(VENV)/.deps-stamp
NATIVE_DIR := libs/imagemesh_kit/native
NATIVE := $(NATIVE_DIR)/_imagemesh_native.so
PYTEST_ARGS ?=

# PostgreSQL for the test suite's second pass: explicit, else the local server if it answers.
IMAGEMESH_TEST_PG_URL ?= $(shell $(PYTHON) -c "import socket; s=socket.socket(); s.settimeout(0.5); print('postgresql+psycopg://postgres@127.0.0.1:5432/test' if s.connect_ex(('127.0.0.1',5432))==0 else '')" 2>/dev/null)
export IMAGEMESH_TEST_PG_URL

.PHONY: help setup gen lint fmt run test test-unit test-integration test-e2e test-pg bench admin deploy check-deploy clean

help:
	@echo "make run     - set up everything and start the whole mesh on embedded defaults"
	@echo "make test    - set up everything and run lint + unit, integration and e2e tests (SQLite, then PostgreSQL)"
	@echo "make bench   - run the benchmarks (results go to docs/BENCHMARKS.md by hand)"
	@echo "make admin EMAIL=.. - create (or promote) the first admin account"
	@echo "make deploy  - regenerate docker-compose.yml and deploy/ manifests from the registry"

setup: $(DEPS_STAMP) $(GEN_STAMP) $(NATIVE) $(BUF)

$(DEPS_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@site=$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") && \
		printf '%s\n' "$(CURDIR)/libs" "$(CURDIR)/libs/gen" "$(CURDIR)" > "$$site/imagemesh-dev.pth"
	@touch $@

$(BUF):
	@mkdir -p .tools
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix .tools @bufbuild/buf@$(BUF_VERSION)

# googleapis' protos, taken from the installed googleapis-common-protos (no registry needed).
.tools/protodeps/.stamp: $(DEPS_STAMP)
	@mkdir -p .tools/protodeps/google/api .tools/protodeps/google/rpc
	@site=$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") && \
		cp $$site/google/api/{annotations,http,field_behavior,httpbody}.proto .tools/protodeps/google/api/ && \
		cp $$site/google/rpc/{status,error_details,code}.proto .tools/protodeps/google/rpc/
	@touch $@

$(GEN_STAMP): $(PROTOS) $(DEPS_STAMP)
	$(PY) -m imagemesh_kit.mesh.codegen --out libs/gen
	@touch $@

gen: $(GEN_STAMP)

# the kit's C kernels (cc + libc only), loaded with ctypes; see libs/imagemesh_kit/native/__init__.py.
# Without a compiler the mesh still runs (slower paths) and `make test` fails on the kit's "kernels built" test.
$(NATIVE): $(wildcard $(NATIVE_DIR)/*.c) $(wildcard $(NATIVE_DIR)/*.h) $(NATIVE_DIR)/__init__.py $(DEPS_STAMP)
	$(PY) -m imagemesh_kit.native || echo "warning: the C kernels were not built; services take their slower paths" >&2

lint: setup .tools/protodeps/.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(BUF) lint protos
	$(PY) -m imagemesh_kit.mesh.deploy --check

fmt: $(DEPS_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

run: setup
	$(PY) -m imagemesh_kit.mesh.run

test: lint
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-unit: setup
	$(PY) -m pytest -q -m "not integration and not e2e" $(PYTEST_ARGS)

test-integration: setup
	$(PY) -m pytest -q -m integration $(PYTEST_ARGS)

test-e2e: setup
	$(PY) -m pytest -q -m e2e $(PYTEST_ARGS)

bench: setup
	$(PY) bench/auth_me.py

admin: setup
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=you@example.com [NAME=..] (password asked on the terminal)"; exit 2; }
	$(PY) -m services.auth.cli create-admin --email "$(EMAIL)" --name "$(NAME)"

deploy: setup
	$(PY) -m imagemesh_kit.mesh.deploy --write

clean:
	rm -rf libs/gen .pytest_cache $(NATIVE)
