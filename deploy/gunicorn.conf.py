"""Gunicorn settings for every deployment (scripts/web uses this file; so do the container and systemd units).

Each value comes from the environment with a default that suits one machine; see docs/deployment.md. Gunicorn's
error and access logs use Vouch's format (core.logs: JSON lines when stderr is not a terminal), the access line
naming the request id Vouch returned.
"""

import multiprocessing
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.logs import logging_config

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
logconfig_dict = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO").upper(), fmt=os.environ.get("LOG_FORMAT", "auto").lower()
)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(f)s" "%(a)s" %({x-request-id}o)s'


def child_exit(server, worker):
    """prometheus_client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR): forget the gauges of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
