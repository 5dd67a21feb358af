# The commands in the README. Each target first makes sure .venv exists and matches
# requirements.lock (the pinned set of every dependency, including test tools).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run worker test test-external lint lock bench bench-designer bench-jobs bench-report bench-tabs bench-ui clean

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

# A worker on its own (beside a running `make run` on the same data dir it uses that server's
# embedded PostgreSQL and Redis; serve already runs one worker).
worker: $(STAMP)
	$(PY) app.py worker

test: $(STAMP)
	$(PY) -m pytest

# The database tests once more against an external PostgreSQL (SIGNX_TEST_DATABASE_URL).
test-external: $(STAMP)
	$(PY) -m pytest tests/integration

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) bench/calc.py

# The designer in Chromium (1 client, then 1 beside 19 light clients) and API design saves, on a
# server it starts and stops.
bench-designer: $(STAMP)
	$(PY) bench/designer.py

# Every-day actions in Chromium, alone and beside 50 light clients acting once a second.
bench-ui: $(STAMP)
	$(PY) bench/ui.py

# The server's memory per open tab (200 light clients) and over 1,000 open/close cycles.
bench-tabs: $(STAMP)
	$(PY) bench/tabs.py

# Enqueue-to-running latency and a soak of report jobs with workers killed on the way.
bench-jobs: $(STAMP)
	$(PY) bench/jobs.py

# Median render time of a typical calculation report (PDF bytes only).
bench-report: $(STAMP)
	$(PY) bench/report.py

# Re-pin requirements.lock from the ranges in pyproject.toml.
lock:
	rm -rf /tmp/signx-lock && $(PYTHON) -m venv /tmp/signx-lock
	/tmp/signx-lock/bin/pip install -q --upgrade pip
	/tmp/signx-lock/bin/pip install -q ".[dev]"
	/tmp/signx-lock/bin/pip freeze --exclude signx-studio > requirements.lock

clean:
	rm -rf $(VENV)
