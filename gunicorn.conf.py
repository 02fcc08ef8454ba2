"""gunicorn settings for Solidarity (``gunicorn -c gunicorn.conf.py solidarity.wsgi``).

Every value can be set from the environment; the defaults suit a small server behind a proxy
that terminates TLS. Access log lines are JSON with the request id, and never the query string
(search terms can hold personal data).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never takes the site down.
max_requests = 1000
max_requests_jitter = 100
# Addresses of the proxy that sets X-Forwarded-* (comma-separated); none trusted by default.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Workers' heartbeat files in memory (gunicorn's advice for containers), not on a slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"time":"%(t)s","logger":"gunicorn.access","method":"%(m)s","path":"%(U)s",'
    '"status":"%(s)s","bytes":"%(B)s","duration_ms":"%(M)s",'
    '"request_id":"%({x-request-id}o)s"}'
)
