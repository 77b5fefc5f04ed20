#!/usr/bin/env bash
# The whole suite: SQLite always; PostgreSQL whenever one answers (required when CI=true);
# browser tests need Debian's Chromium (required when CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/clientpanel}

loud() { printf '\n\033[1;33m!!! %s !!!\033[0m\n\n' "$*"; }

if [ ! -x /usr/bin/chromium ]; then
  if [ "${CI:-}" = "true" ]; then echo "CI: /usr/bin/chromium is missing (apt-get install -y chromium)"; exit 1; fi
  loud "Browser tests SKIPPED: /usr/bin/chromium is missing (apt-get install -y chromium)"
fi

echo "== Test suite on SQLite"
env -u DATABASE_URL $BIN/pytest -q "$@"

if $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
from urllib.parse import urlparse
u = urlparse(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, dbname="postgres", connect_timeout=3).close()
except Exception as e:
    print(e); sys.exit(1)
PY
then
  # The browser tests drive the pages once, in the SQLite pass (the embedded default `make run` serves).
  echo "== Test suite on PostgreSQL ($PG_URL), browser tests aside"
  DATABASE_URL=$PG_URL $BIN/pytest -q -m "not e2e" "$@"
else
  if [ "${CI:-}" = "true" ]; then echo "CI: PostgreSQL at $PG_URL is not reachable"; exit 1; fi
  loud "PostgreSQL suite SKIPPED: nothing answers at $PG_URL"
fi
