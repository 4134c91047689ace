# Bredvid — developer commands. `make demo` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: demo test e2e lint typecheck migrations-check deploy-check venv serve clean messages lock api-contract

# Installs exactly the versions in requirements/dev.txt (the lock file; `make lock` refreshes it from
# the ranges in pyproject.toml), then the project itself without resolving again.
$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Bredvid runs on http://127.0.0.1:8000 — log in with one of the users above."
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

e2e: $(STAMP)
	$(PY) -m pytest -m e2e -p no:xdist tests/e2e $(PYTEST_ARGS)

# API v1 against its OpenAPI schema: schemathesis, every check and phase (stateful included), three roles,
# on demo data in a scratch SQLite database behind a local gunicorn. Non-zero on any server error,
# response-schema violation or undocumented status. API_CONTRACT_EXAMPLES bounds the cases per operation.
API_CONTRACT_EXAMPLES ?= 20
api-contract: $(STAMP)
	$(PY) scripts/api_contract.py --max-examples $(API_CONTRACT_EXAMPLES) $(API_CONTRACT_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(VENV)/bin/mypy bredvid/*/services.py bredvid/*/perms.py bredvid/*/models.py bredvid/tenancy/scoping.py bredvid/matching/engine.py bredvid/matching/global_assignment.py bredvid/matching/features.py

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

deploy-check: $(STAMP)
	DJANGO_ENV=production ALLOWED_HOSTS=bredvid.example.se \
	  SECRET_KEY=ci-only-$$(printf 'x%.0s' $$(seq 1 60)) \
	  AUDIT_HMAC_KEY=ci-only-$$(printf 'k%.0s' $$(seq 1 40)) \
	  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bredvid \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Refresh the lock files after changing a range in pyproject.toml: requirements/base.txt is what a
# server installs, requirements/dev.txt what developers and CI install.
LOCK_FLAGS := --quiet --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) -o requirements/base.txt pyproject.toml
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) --extra dev -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var/staticfiles

# Refresh the English catalogue after changing interface strings (needs gettext), then write the
# English of every new or fuzzy entry in bredvid/locale/en/LC_MESSAGES/django.po and run it again.
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --no-obsolete --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --ignore "var/*" --ignore "build/*"
	$(PY) manage.py compilemessages -l en --ignore ".venv/*"
