# The two commands (see README.md): `make demo` runs the demo shop, `make test` runs the suite.
# Both set everything up from a fresh clone: a virtualenv in .venv and the package with its extras.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO_SEED ?= 42
DEMO_DB := example_project/var/example_shop.sqlite3
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
TORCH_VERSION ?= 2.13.0

.PHONY: demo test lint test-sqlite test-postgres install benchmark benchmark-recommendations benchmark-segments benchmark-content benchmark-support clean-demo

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU build of torch first, pinned, so the [local] extra's torch range pulls no CUDA build.
	$(PY) -m pip install --quiet "torch==$(TORCH_VERSION)"
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

# The demo shop on http://127.0.0.1:8000 (SQLite, django-q2 ORM broker, offline defaults).
# Data is generated, the help centre imported (example_project/demo/help_centre.json),
# recommendations trained, customers segmented and description drafts
# written by the offline backend once (seed $(DEMO_SEED)); the django-q2 cluster then reruns
# training and segmentation on their schedules. `make clean-demo` starts over.
demo: install
	@if [ -f $(DEMO_DB) ]; then \
	  $(PY) manage.py migrate --noinput; \
	else \
	  $(PY) manage.py migrate --noinput && $(PY) manage.py crm_demo_data --seed $(DEMO_SEED) \
	  && $(PY) manage.py crm_import_kb example_project/demo/help_centre.json \
	  && $(PY) manage.py crm_train && $(PY) manage.py crm_segment \
	  && $(PY) manage.py crm_generate_descriptions --all \
	  || { rm -f $(DEMO_DB); exit 1; }; \
	fi
	$(PY) manage.py crm_schedules
	$(PY) manage.py qcluster & QPID=$$!; \
	trap 'kill $$QPID 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# The whole suite: lint and types, then the tests on SQLite and on PostgreSQL; fails if any fails.
test: install
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

lint: install
	$(VENV)/bin/ruff check oscar_ai_crm tests benchmarks example_project
	$(VENV)/bin/mypy oscar_ai_crm

test-sqlite: install
	env -u DATABASE_URL $(PY) -m pytest

test-postgres: install
	DATABASE_URL=$(PG_URL) $(PY) -m pytest

benchmark: install
	$(PY) benchmarks/capture_overhead.py

# Recommendation quality (Online Retail, demo shop), MovieLens ratings, and scaling to 5M
# events; reads ../shared/data (CRM_SHARED_DATA overrides). Figures: docs/benchmarks.md.
benchmark-recommendations: install
	$(PY) benchmarks/recommenders_quality.py
	$(PY) benchmarks/ratings_movielens.py
	$(PY) benchmarks/recommenders_scaling.py

# Segment quality on the generated demo shop (ARI against its hidden personas, repeat
# runs) and features + segmentation scaling to 100k customers / 1M events.
benchmark-segments: install
	$(PY) benchmarks/segments_quality.py
	$(PY) benchmarks/segments_scaling.py

# Batch description drafts: 500 products, offline and against a local chat server.
benchmark-content: install
	$(PY) benchmarks/content_generation.py

# The customer-service assistant on the labelled questions: accuracy, hand-off, latency.
benchmark-support: install
	$(PY) benchmarks/support_assistant.py

clean-demo:
	rm -f $(DEMO_DB)
