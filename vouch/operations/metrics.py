"""Prometheus metrics at /metrics: django-prometheus's (requests, responses, database queries) and Vouch's own
gauges, computed from the database at scrape time (applications by state, overdue reviews, the email and webhook
backlogs with their oldest items' ages, the task queue, coupons issued and redeemed).

Reachable from the addresses in METRICS_ALLOWED_IPS (default: this machine) or with `Authorization: Bearer
METRICS_TOKEN`; anyone else gets 403. With several processes (gunicorn workers), set PROMETHEUS_MULTIPROC_DIR to an
empty folder shared by them so the request counters add up across processes (prometheus_client's multiprocess mode).
"""

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from core.client_ip import client_ip
from coupons.models import Coupon, CouponState
from notifications.selectors import outbox_backlog
from verification.models import Application, ApplicationState
from verification.selectors import review_queue
from webhooks.selectors import webhook_backlog

logger = logging.getLogger(__name__)


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_IPS)


def metrics(request) -> HttpResponse:
    if not metrics_allowed(request):
        response = JsonResponse(
            {"error": {"code": "forbidden", "message": "metrics are not available to you"}}, status=403
        )
        if settings.METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(VouchCollector())
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _gauge(name: str, documentation: str, value, labels: dict | None = None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=list(labels) if labels else None)
    if labels:
        family.add_metric(list(labels.values()), value)
    else:
        family.add_metric([], value)
    return family


class VouchCollector:
    """Vouch's gauges, read from the database on each scrape (a handful of indexed aggregate queries)."""

    def describe(self):
        return []  # registering must not query the database (it may not exist yet)

    def collect(self):
        try:
            yield from self._collect()
            yield _gauge("vouch_metrics_collect_ok", "1 when Vouch's own gauges could be read", 1)
        except Exception:
            logger.exception("could not compute Vouch's metrics")
            yield _gauge("vouch_metrics_collect_ok", "1 when Vouch's own gauges could be read", 0)

    def _collect(self):

        now = timezone.now()
        counts = dict(Application.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        by_state = GaugeMetricFamily("vouch_applications", "Applications by state", labels=["state"])
        for state in ApplicationState.values:
            by_state.add_metric([state], counts.get(state, 0))
        yield by_state
        yield _gauge(
            "vouch_reviews_overdue",
            "Applications waiting on a reviewer past their due time",
            review_queue(overdue=True, now=now).count(),
        )

        for prefix, label, figures in (
            ("vouch_outbox", "emails", outbox_backlog(now=now)),
            ("vouch_webhooks", "webhook deliveries", webhook_backlog(now=now)),
        ):
            yield _gauge(f"{prefix}_backlog", f"Unsent {label} (pending or being sent)", figures["count"])
            yield _gauge(f"{prefix}_due", f"Unsent {label} due now", figures["due"])
            yield _gauge(
                f"{prefix}_oldest_pending_age_seconds",
                f"Age of the oldest unsent {label} (0: none)",
                figures["oldest_age_seconds"] or 0,
            )
            yield _gauge(
                f"{prefix}_oldest_due_age_seconds",
                f"How long the longest-due unsent {label} has been due",
                figures["oldest_due_age_seconds"] or 0,
            )

        coupons = Coupon.objects.aggregate(
            issued=Count("pk"), redeemed=Count("pk", filter=Q(redeemed_at__isnull=False))
        )
        yield _gauge("vouch_coupons_issued", "Coupons issued (all time)", coupons["issued"])
        yield _gauge("vouch_coupons_redeemed", "Coupons redeemed (all time)", coupons["redeemed"])
        by_coupon_state = dict(Coupon.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        family = GaugeMetricFamily("vouch_coupons", "Coupons by state", labels=["state"])
        for state in CouponState.values:
            family.add_metric([state], by_coupon_state.get(state, 0))
        yield family

        if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
            from django.db.models import Min
            from django_tasks_db.models import DBTaskResult

            row = DBTaskResult.objects.ready().aggregate(ready=Count("pk"), oldest=Min("enqueued_at"))
            yield _gauge("vouch_tasks_ready", "Background tasks waiting for a worker", row["ready"])
            age = 0 if row["oldest"] is None else (now - row["oldest"]).total_seconds()
            yield _gauge("vouch_tasks_oldest_ready_age_seconds", "Age of the oldest task waiting for a worker", age)


REGISTRY.register(VouchCollector())  # once: this module is imported once per process
