"""Periodic partner tasks (django.tasks; scheduled in vouch/schedule.py, run by the worker)."""

from django.tasks import task

from partners.idempotency import idempotency_records_prune
from partners.services import api_key_windows_prune


@task
def prune_api_records() -> dict:
    """Idempotency records past IDEMPOTENCY_KEEP_HOURS and rate-limit counters older than an hour."""
    return {"idempotency_records": idempotency_records_prune(), "rate_limit_windows": api_key_windows_prune()}
