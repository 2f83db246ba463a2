"""Gunicorn settings for every deployment (scripts/web uses this file; so do the container and systemd units).

Each value comes from the environment with a default that suits one machine; see docs/deployment.md.
"""

import multiprocessing
import os

bind = os.environ.get("VOUCH_ADDR", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, with jitter so they do not all restart at once.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# The proxy in front (nginx) is the only one allowed to set X-Forwarded-* (Vouch's TRUSTED_PROXY_COUNT decides
# which address is the client's).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
accesslog = "-"
errorlog = "-"
