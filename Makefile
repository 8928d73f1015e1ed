# The two commands of the README: `make demo` and `make test`; `make check` runs the static gates of CI.
# Only Python 3.11+ and make are needed: the virtualenv is built here from pyproject.toml.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test check serve install clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# DEBUG stays off in the demo (the product's French error pages): --insecure lets runserver serve
# the static files all the same. The links of the e-mails it prints lead to the port it serves on; the
# e-mail queue's worker runs beside it (a page only queues its e-mails: they leave after its response).
SITE_URL ?= http://127.0.0.1:$(PORT)
DEMO_ENV := DEMO=1 SITE_URL=$(SITE_URL)
demo: install
	mkdir -p var
	$(DEMO_ENV) $(BIN)/python manage.py reset_stale_demo
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py verify_audit
	@echo "Ouvrez la page de connexion : $(SITE_URL)/connexion/"
	$(DEMO_ENV) $(BIN)/python manage.py db_worker --interval 1 & trap 'kill $$!' EXIT; \
		$(DEMO_ENV) $(BIN)/python manage.py runserver --insecure 127.0.0.1:$(PORT)

# One worker per core (pytest-xdist), a test module per worker: its shared fixtures are built once. The
# modules are handed out in the order tests/conftest.py gives them, the longest first.
# Locally the test databases are kept from one run to the next (--reuse-db: migrate still applies a new
# migration; PYTEST_ARGS=--create-db rebuilds them); CI (CI=true) always makes fresh ones.
REUSE_DB := $(if $(CI),,--reuse-db)
test: install
	DEMO=1 $(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder $(REUSE_DB) $(PYTEST_ARGS)

# The static gates, exactly as CI runs them (.ci/run calls this target): the code's style and bugs, the
# templates, the layers of the house, Django's checks, no migration missing, the types.
check: install
	$(BIN)/ruff check .
	$(BIN)/djlint .
	$(BIN)/lint-imports
	DEMO=1 $(BIN)/python manage.py check
	DEMO=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEMO=1 $(BIN)/mypy

# The product as in production (docs/deploy.md gives the whole set-up): gunicorn, static files by
# whitenoise, the settings from the environment (DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS...). No access
# log of gunicorn's: its lines keep query strings; the product logs each request (project/logs.py).
WORKERS ?= 4
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn project.wsgi --workers $(WORKERS) --bind 127.0.0.1:$(PORT)

clean:
	rm -rf $(VENV) var
