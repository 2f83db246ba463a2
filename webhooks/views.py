"""Back-office pages of webhooks (staff only): the delivery log, one delivery with its attempts, redeliver."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.staff import staff_required
from webhooks.forms import DeliveryFilterForm
from webhooks.models import WebhookDelivery
from webhooks.payloads import event_payload
from webhooks.selectors import delivery_log
from webhooks.services import webhook_delivery_redeliver

PAGE_SIZE = 50


def _delivery(pk: int) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.select_related("event", "subscription", "subscription__partner"), pk=pk
    )


@require_GET
@staff_required
def deliveries(request):
    form = DeliveryFilterForm(request.GET or None)
    rows = delivery_log(**form.log_arguments()) if not form.is_bound or form.is_valid() else []
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(request, "webhooks/deliveries.html", {"form": form, "page": page, "filters": filters.urlencode()})


@require_GET
@staff_required
def delivery_detail(request, pk: int):
    delivery = _delivery(pk)
    payload = json.dumps(event_payload(delivery.event), indent=2, ensure_ascii=False)
    return render(
        request,
        "webhooks/delivery.html",
        {"delivery": delivery, "attempts": delivery.attempt_log.all(), "payload": payload},
    )


@require_POST
@staff_required
def delivery_redeliver(request, pk: int):
    delivery = _delivery(pk)
    try:
        webhook_delivery_redeliver(delivery=delivery, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The delivery is queued: it will be sent again in a moment."))
    return redirect("backoffice:webhooks:delivery", pk=delivery.pk)
