# Clientpanel — `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test setup lint bench-directory clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: setup
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# One Huey consumer beside the web server runs the jobs (VIES checks…); both stop together.
	@$(BIN)/python manage.py run_huey --quiet & consumer=$$!; trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: lint
	@bash scripts/test.sh

bench-directory: setup
	$(BIN)/python bench/directory.py

clean:
	rm -rf var/test.sqlite3 var/static
