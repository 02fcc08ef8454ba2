# Solidarity: `make run` sets everything up and serves the embedded default;
# `make test` installs and runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# `make run PORT=8010` serves on another port; e-mail links follow it unless SITE_URL is set.
PORT ?= 8000
export PORT
STAMP := $(VENV)/.installed

.PHONY: run test test-deep install lint format migrate demo messages worker beat bench bench-pages bench-audit prod lock clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=true $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=true $(PY) manage.py seed_demo

run: demo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# More hypothesis examples and longer stateful runs (DEEP_TESTS: the stateful test of the
# whole life by default, any test paths otherwise): the `deep` profile of tests/conftest.py.
DEEP_TESTS ?= tests/rulebook/test_stateful_life.py
test-deep: install
	HYPOTHESIS_PROFILE=deep $(PY) -m pytest $(DEEP_TESTS) $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l fr -l de --ignore '.venv/*' --ignore 'tests/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

bench: install
	$(PY) -m tests.benchmarks.report_benchmark

# Page benchmark (issue 11): throwaway PostgreSQL databases next to DATABASE_URL's, gunicorn, wrk.
BENCH_ARGS ?=
bench-pages: install
	$(PY) -m tests.benchmarks.page_benchmark $(BENCH_ARGS)

bench-audit: install
	$(PY) -m tests.benchmarks.page_benchmark --sizes --audit-events 1000000 $(BENCH_ARGS)

worker: install
	$(PY) -m celery -A solidarity worker -Q celery,reports,notifications --loglevel=info

# The production shape without containers: migrate, collectstatic, gunicorn, the notification
# and report workers and beat, with production settings, against DATABASE_URL,
# CELERY_BROKER_URL and CACHE_URL (and SECRET_KEY, ALLOWED_HOSTS) from the environment.
prod: install
	PY=$(PY) bin/prod

# Exact versions for deployment (pyproject.toml keeps the ranges); needs pip-tools.
lock:
	pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

beat: install
	$(PY) -m celery -A solidarity beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
