"""Gunicorn settings (`gunicorn -c vouch/gunicorn_conf.py vouch.wsgi`): its error and access logs in Vouch's format
(JSON lines when stderr is not a terminal), the access line naming the request id Vouch returned."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.logs import logging_config

logconfig_dict = logging_config(level=os.environ.get("LOG_LEVEL", "INFO").upper(),
                                fmt=os.environ.get("LOG_FORMAT", "auto").lower())
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(f)s" "%(a)s" %({x-request-id}o)s'


def child_exit(server, worker):
    """prometheus_client's multiprocess mode: forget the gauges of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
