"""gunicorn's settings, from the environment (docs/deploy.md). `make run` and production both use it:
gunicorn -c config/gunicorn.conf.py config.wsgi"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# Threads share a worker's connection pool; workers × DB_POOL_MAX_SIZE bounds PostgreSQL connections.
workers = int(os.environ.get("WEB_WORKERS", str(min(4, multiprocessing.cpu_count() * 2))))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
# Behind a proxy on the same machine the forwarded headers are trusted from loopback only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
