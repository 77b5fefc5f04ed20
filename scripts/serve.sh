#!/usr/bin/env bash
# `make run` / `make dev`: one Huey consumer beside the web server given as arguments; both stop
# together. The server used to run in the foreground of make's shell, whose trap waited for it to
# exit on its own: SIGTERM to make (a supervisor, `kill`) left gunicorn and the consumer running.
# Here each runs in a process group of its own (set -m), `wait` returns on the signal, and the trap
# stops both groups (runserver's reloader child as well) and waits for them.
set -m
.venv/bin/python manage.py run_huey --quiet &
consumer=$!
"$@" &
web=$!
stop() {
    trap '' INT TERM
    kill -TERM -- "-$web" "-$consumer" 2>/dev/null
    wait "$web" 2>/dev/null
    wait "$consumer" 2>/dev/null
    exit "${1:-0}"
}
trap 'stop 130' INT
trap 'stop 143' TERM
# The server ending on its own (failing to bind, say) stops the consumer too.
wait "$web"
stop $?
