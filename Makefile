# CareerVP CV tailoring. `make run` runs the pipeline locally; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
# uv is bootstrapped with pip when it is not on PATH.
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# resume-cli depends on puppeteer; rendering to HTML needs no browser, so none is downloaded.
export PUPPETEER_SKIP_DOWNLOAD := 1
# Extra CDK CLI arguments, e.g. make deploy CDK_ARGS="-c env=prod"
CDK_ARGS ?=
CLI_ARGS ?=
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help bootstrap install node-install lint format typecheck naming layers check test test-shifted \
        unit integration infra-test e2e run build synth deploy bench eval render openapi clean
# Days the wall clock moves for the two shifted pytest passes: about 5.2 years ahead, and 400 days back.
CLOCK_SHIFTS_DAYS ?= 1900 -400

help:  ## List the targets.
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

bootstrap:  ## Install uv with pip when it is missing.
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet 'uv>=0.9'

install: bootstrap  ## Create .venv from uv.lock (Python and Node dependencies).
	$(UV) sync --frozen
	@$(MAKE) --no-print-directory node-install

# npm ci runs only when package-lock.json changed since the last install (it rebuilds node_modules from scratch).
node-install:  ## Install the Node tools (CDK CLI, resume-cli) from package-lock.json.
	@if [ ! -f package-lock.json ]; then exit 0; fi; \
	if ! command -v npm >/dev/null 2>&1; then echo "npm not found: skipping Node tools (CDK CLI, resume-cli)"; exit 0; fi; \
	if [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ]; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	fi

lint: install  ## ruff format --check and ruff check.
	$(RUN) ruff format --check .
	$(RUN) ruff check .

format: install  ## Apply ruff format and safe fixes.
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

typecheck: install  ## mypy --strict over src, infra, tests and scripts.
	$(RUN) mypy

naming: install  ## Validate AWS resource names in infra/.
	$(RUN) python scripts/validate_naming.py --path infra --strict

layers: install  ## Check the layer contracts (import-linter, see docs/architecture.md).
	$(RUN) lint-imports

check: install  ## The fast inner loop: ruff, mypy, layer contracts and the unit tier.
	$(RUN) ruff format --check .
	$(RUN) ruff check .
	$(RUN) mypy
	$(RUN) lint-imports
	$(RUN) pytest -q tests/unit

test: lint typecheck naming layers  ## Lint, types, naming, layer contracts and every test tier.
	$(RUN) pytest

test-shifted: install  ## Every test tier again with the clock shifted (CLOCK_SHIFTS_DAYS); CI runs it.
	@for days in $(CLOCK_SHIFTS_DAYS); do \
	  echo "pytest with the clock shifted by $$days days"; \
	  CAREERVP_CLOCK_SHIFT_DAYS=$$days $(RUN) pytest -q -p tests.support.clock_shift || exit 1; \
	done

unit: install  ## The unit tier (fakes, no network).
	$(RUN) pytest tests/unit

integration: install  ## The integration tier (adapters on moto in process, the emulator over HTTP).
	$(RUN) pytest tests/integration

infra-test: install  ## The infra tier (one CDK synth per session, cdk-nag).
	$(RUN) pytest tests/infra

e2e: install  ## The e2e tier (the local stack over signed HTTP).
	$(RUN) pytest tests/e2e

openapi: install  ## Regenerate docs/openapi.json from the API resolver.
	$(RUN) python scripts/generate_openapi.py

run: install  ## Run the whole pipeline locally on the bundled example.
	$(RUN) python -m local_stack

build: install  ## Build the Lambda bundles for Python 3.12 on arm64 from uv.lock.
	$(RUN) python scripts/build_lambda_bundles.py

synth: build  ## Synthesise the CloudFormation template offline.
	$(RUN) npx --no-install cdk synth --quiet $(CDK_ARGS)

deploy: build  ## Deploy to the AWS account in your credentials (see README).
	$(RUN) npx --no-install cdk deploy $(CDK_ARGS)

bench: install  ## Benchmarks, as ratios against side-by-side baselines.
	$(RUN) python -m bench

eval: install  ## Tailoring-quality evaluation over the corpus.
	$(RUN) python -m evaluation

render: install  ## Render a job's tailored CV to HTML: make render JOB_ID=<id> [CLI_ARGS="--stack-name ..."]
	@test -n "$(JOB_ID)" || { echo "usage: make render JOB_ID=<job id>" >&2; exit 2; }
	@mkdir -p build/render
	$(RUN) careervp status $(JOB_ID) --json $(CLI_ARGS) > build/render/$(JOB_ID).json
	$(RUN) python -m evaluation render --job-result build/render/$(JOB_ID).json --out build/render/$(JOB_ID).html

clean:  ## Remove build output and tool caches.
	rm -rf build cdk.out .mypy_cache .ruff_cache .pytest_cache
