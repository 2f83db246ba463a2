"""The reviewer back-office: the queue, one application with its checks and registry record, the actions, the
documents and the dashboard. Staff only; every action is a POST that calls a service, whose errors (another
reviewer decided first, a state that no longer allows the action) come back as a message, never a server error."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError, Conflict
from core.models import AuditEntry
from core.money import format_minor_localized
from core.staff import staff_required
from programs.selectors import program_country_documents
from registry.countries import country_name
from verification.backoffice import forms
from verification.documents import document_open
from verification.models import Appeal, Application, ApplicationState, Document
from verification.receipts.models import Receipt
from verification.selectors import QUEUE_STATES, dashboard_figures, review_queue
from verification.services import (
    application_approve,
    application_assign,
    application_reject,
    application_request_information,
)
from verification.services.review import DECIDABLE_STATES

QUEUE_PAGE_SIZE = 50


def _application(reference: str) -> Application:
    return get_object_or_404(
        Application.objects.select_related(
            "program", "organisation", "organisation__source", "assigned_to", "decided_by"
        ),
        reference=reference[:16],
    )


@require_GET
@staff_required
def queue(request):
    form = forms.QueueFilterForm(request.GET or None)
    applications = review_queue(**form.queue_arguments()) if not form.is_bound or form.is_valid() else []
    page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "backoffice/queue.html",
        {"form": form, "page": page, "filters": filters.urlencode(), "now": timezone.now()},
    )


def _shown(value) -> str:
    """Evidence and raw codes as a reviewer reads them: lists joined, nothing as a dash (never a Python repr)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item) for item in value) or "—"
    return str(value)


def _rows(mapping: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(label, value) pairs; nested mappings (raw codes are kept per source) are flattened as "source · KEY"."""
    rows = []
    for key, value in (mapping or {}).items():
        label = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _rows(value, f"{label} · ")
        else:
            rows.append((label, _shown(value)))
    return rows


def _money(amount_minor: int | None, currency: str) -> str:
    return format_minor_localized(amount_minor, currency) if amount_minor is not None and currency else ""


def _proofs(application: Application) -> dict:
    """The proofs gathered without a reviewer (verification.proofs, verification.receipts), for the record."""

    return {
        "domain_proofs": application.domain_proofs.order_by("created_at"),
        "contact_confirmations": application.contact_confirmations.order_by("created_at"),
        "presented_receipts": application.presented_receipts.order_by("presented_at"),
        "receipt": Receipt.objects.filter(application=application).first(),
    }


def _detail_context(request, application: Application, **forms_given) -> dict:
    organisation = application.organisation
    return {
        "application": application,
        "can_decide": application.state in DECIDABLE_STATES,
        "can_assign": application.state in QUEUE_STATES,
        "declared_budget": _money(application.declared_budget_minor, application.program.budget_currency),
        "income": _money(organisation.income_minor, organisation.income_currency) if organisation else "",
        "program": application.program,
        "organisation": application.organisation,
        "checks": [(check, _rows(check.evidence)) for check in application.checks.select_related("rules_version")],
        "checks_rules_version": next(
            (check.rules_version for check in application.checks.all() if check.rules_version_id), None
        ),
        "raw_codes": _rows(organisation.raw_codes) if organisation else [],
        "documents": application.documents.order_by("uploaded_at"),
        "country_name": country_name(application.country),
        "accepted_documents": program_country_documents(application.program, application.country),
        **_proofs(application),
        "appeal": Appeal.objects.filter(application=application).select_related("first_reviewer").first(),
        "history": AuditEntry.objects.filter(object_type="application", object_id=str(application.pk)).order_by(
            "at", "pk"
        )[:200],
        "approve_form": forms_given.get("approve") or forms.ApproveForm(),
        "reject_form": forms_given.get("reject") or forms.RejectForm(),
        "information_form": forms_given.get("information") or forms.RequestInformationForm(),
        "assign_form": forms_given.get("assign")
        or forms.AssignForm(initial={"assignee": application.assigned_to_id or request.user.pk}),
    }


@require_GET
@staff_required
def application_detail(request, reference: str):
    application = _application(reference)
    return render(request, "backoffice/application.html", _detail_context(request, application))


def _action(form_class, form_key: str, perform, done_message: object):
    """A POST action: validate the form, check the page was current, call the service, report."""

    @require_POST
    @staff_required
    def view(request, reference: str):
        application = _application(reference)
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, _("Check the form: some fields need attention."))
            context = _detail_context(request, application, **{form_key: form})
            return render(request, "backoffice/application.html", context, status=400)
        try:
            # The reviewer decided on the page as they saw it: if the state moved since, they must look again.
            seen = request.POST.get("seen_state", "")
            if seen and seen != application.state:
                raise Conflict(
                    _("The application was changed in the meantime. Reload it and try again."),
                    code="application_state_changed",
                )
            perform(application=application, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, f"{error.message} ({error.code})")
        else:
            messages.success(request, str(done_message))  # lazy: translated in the reviewer's language
        return redirect("backoffice:application", reference=application.reference)

    return view


# The forms' fields are the services' keyword arguments.
approve = _action(
    forms.ApproveForm, "approve", application_approve, gettext_lazy("Approved. The applicant will receive the coupon.")
)
reject = _action(
    forms.RejectForm, "reject", application_reject, gettext_lazy("Rejected. The applicant will receive the reasons.")
)
request_information = _action(
    forms.RequestInformationForm,
    "information",
    application_request_information,
    gettext_lazy("Information requested. The applicant will receive your message."),
)
assign = _action(forms.AssignForm, "assign", application_assign, gettext_lazy("Assigned."))


@require_GET
@staff_required
def document_view(request, pk: int):
    """Stream a document to the browser: never a static URL, always the type recorded from the content, and
    headers that stop a hostile file from running as a page (nosniff; CSP sandbox: no script, no same origin)."""
    document = get_object_or_404(Document, pk=pk)
    # ?download: Chrome will not run its PDF viewer in a sandboxed page, so reviewers there save the file instead.
    response = FileResponse(
        document_open(document=document),
        content_type=document.content_type,
        as_attachment="download" in request.GET,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_GET
@staff_required
def dashboard(request):
    figures = dashboard_figures()
    by_state = [(value, label, figures["by_state"].get(value, 0)) for value, label in ApplicationState.choices]
    return render(request, "backoffice/dashboard.html", {"figures": figures, "by_state": by_state})
