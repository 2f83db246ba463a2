"""The request id: accepted from X-Request-ID when well-formed, else generated; returned; in every log line of the
request; carried to the tasks the request enqueues and bound again while the worker runs them."""

import logging
import re

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.tasks import task
from django.test import Client, RequestFactory
from django_tasks_db.models import DBTaskResult

from core.request_id import RequestIdFilter, RequestIdMiddleware, request_id_bound, request_id_current
from core.tasks import carries_request_id, task_enqueue
from notifications.services import outbox_kick

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@task
@carries_request_id
def report_request_id() -> str | None:
    """A task that logs and returns the id bound while it runs."""
    logging.getLogger("tests.request_id").warning("running in the worker")
    return request_id_current()


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)


def test_a_well_formed_incoming_id_is_kept_and_returned():
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"


@pytest.mark.parametrize("incoming", [None, "short", "has space inside it", "x" * 129, "evil\nline-injected"])
def test_a_missing_or_malformed_id_is_replaced_by_a_new_one(incoming):
    extra = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    response = Client().get("/healthz", **extra)
    assert HEX_ID.match(response["X-Request-ID"])
    assert Client().get("/healthz", **extra)["X-Request-ID"] != response["X-Request-ID"]


def test_every_log_line_of_the_request_carries_its_id(collected):
    def view(request):
        logging.getLogger("tests.view").warning("inside the view")
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-abcdef12"))
    assert response["X-Request-ID"] == "req-abcdef12"
    [record] = [r for r in collected if r.name == "tests.view"]
    assert record.request_id == "req-abcdef12"
    logging.getLogger("tests.view").warning("after the request")
    assert collected[-1].request_id is None


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_by_the_request_runs_under_the_request_id(collected):
    def view(request):
        task_enqueue(report_request_id)
        outbox_kick()  # what queuing an email does on commit
        return HttpResponse("ok")

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-0123456789"))
    queued = DBTaskResult.objects.order_by("enqueued_at")
    assert [row.args_kwargs["kwargs"] for row in queued] == [{"request_id": "req-0123456789"}] * 2

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    results = {row.task_path: row for row in DBTaskResult.objects.all()}
    assert results["tests.core.test_request_id.report_request_id"].return_value == "req-0123456789"
    assert results["notifications.tasks.send_pending_emails"].status == "SUCCESSFUL"
    [record] = [r for r in collected if r.name == "tests.request_id"]
    assert record.request_id == "req-0123456789"


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_without_a_request_runs_under_its_own_id():
    task_enqueue(report_request_id)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert HEX_ID.match(DBTaskResult.objects.get().return_value)


def test_binding_nests_and_restores():
    with request_id_bound("outer-12345678"):
        with request_id_bound("inner-12345678"):
            assert request_id_current() == "inner-12345678"
        assert request_id_current() == "outer-12345678"
    assert request_id_current() is None
