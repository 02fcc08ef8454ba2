# Solidarity: `make run` sets everything up and serves the embedded default;
# `make test` installs and runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint format migrate demo messages worker beat bench bench-pages bench-audit clean

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
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

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
	$(PY) -m celery -A solidarity worker --loglevel=info

beat: install
	$(PY) -m celery -A solidarity beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media
