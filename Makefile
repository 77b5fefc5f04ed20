# Clientpanel — `make run` to try it, `make test` to check it, `make dev` to change it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run dev test setup lint messages bench bench-directory bench-api bench-email bench-webhooks bench-dashboard bench-einvoice clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

# The real path: gunicorn (config/gunicorn.conf.py), DEBUG off, static files through WhiteNoise,
# and one Huey consumer beside it that also runs the schedule; both stop together.
# Another address (port 8000 taken): WEB_BIND=127.0.0.1:8100 make run — the printed links, and the
# links in e-mails (CLIENTPANEL_BASE_URL, unless set), follow it.
run: export WEB_BIND ?= 127.0.0.1:8000
run: export CLIENTPANEL_BASE_URL ?= http://$(WEB_BIND)
run: setup
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving $(CLIENTPANEL_BASE_URL)/staff/ with gunicorn (Ctrl+C stops it)"
	@exec env DJANGO_SETTINGS_MODULE=config.settings.dev bash scripts/serve.sh $(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

# For development: Django's runserver with reload and DEBUG on, and a Huey consumer.
dev: setup
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@exec env DEBUG=true bash scripts/serve.sh $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: lint
	@bash scripts/test.sh

# Translations: gather the strings marked in clientpanel/ and config/ into locale/pl (makemessages
# needs GNU gettext: apt-get install -y gettext), translate what is new or fuzzy in django.po, run
# again to compile. The .mo is compiled by Babel (pure Python) and committed, so a checkout, a
# deployment or CI needs no gettext; backoffice/tests/test_translations.py says when it is stale.
messages: setup
	$(BIN)/python manage.py makemessages -l pl --add-location file --no-obsolete -i tests -i migrations -i var -i bench
	$(BIN)/pybabel compile -d locale -D django --statistics

bench-directory: setup
	$(BIN)/python bench/directory.py

bench-api: setup
	$(BIN)/python bench/api_load.py

bench-email: setup
	$(BIN)/python bench/email_sending.py

bench-webhooks: setup
	$(BIN)/python bench/webhooks.py

bench-dashboard: setup
	$(BIN)/python bench/dashboard.py

bench-einvoice: setup
	$(BIN)/python bench/einvoice.py

# Every benchmark at full size, one after another, then one table of figures beside their anchors
# (PostgreSQL required; `make test` runs each tiny).
bench: setup
	$(BIN)/python bench/all.py

clean:
	rm -rf var/test.sqlite3 var/static
