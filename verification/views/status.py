"""The status page. No login: the unguessable token in the link is the credential, so everything here is looked
up through that token and nothing else (no ids from the request), and an unknown token is a plain 404."""

from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip
from core.errors import ApplicationError
from programs.selectors import program_country_documents
from registry.countries import country_name
from verification.documents import document_store
from verification.extensions import status_return_link
from verification.forms import AppealForm, DocumentsForm
from verification.models import Appeal, Application, ApplicationState
from verification.selectors import application_get_by_token, application_passed_checks
from verification.services import appeal_submit, application_information_provided
from verification.services.partner_applications import email_code_ensure
from verification.views.journey import first_unfinished, remember_draft

# States in which an organisation added by hand may still send the documents that prove it exists.
DOCUMENT_STATES = (ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.NEEDS_INFORMATION)


def _application(token: str) -> Application:
    # NotFound (404) for an unknown token, rendered by core.views.ApplicationErrorMiddleware.
    return application_get_by_token(token=(token or "")[:64])


def _can_upload(application: Application) -> bool:
    state = application.state
    return state == ApplicationState.NEEDS_INFORMATION or (application.is_manual and state in DOCUMENT_STATES)


def _can_appeal(application: Application) -> bool:
    return (
        application.state == ApplicationState.REJECTED and not Appeal.objects.filter(application=application).exists()
    )


def _context(application: Application, *, documents_form=None, appeal_form=None) -> dict:
    state = application.state
    reasons = application.decision_reasons or []
    can_upload, can_appeal = _can_upload(application), _can_appeal(application)
    own_documents = application.documents.filter(for_appeal=False)
    return {
        "application": application,
        "program": application.program,
        "coupon": application.coupon if state == ApplicationState.APPROVED else None,
        "passed_checks": application_passed_checks(application=application)
        if state == ApplicationState.APPROVED
        else [],
        "reasons": reasons,
        "education": any(reason.get("code") == "excluded_education" for reason in reasons),
        "needs_email": application.email_verified_at is None,
        "needs_documents": application.is_manual and state in DOCUMENT_STATES and not own_documents.exists(),
        "documents": application.documents.order_by("uploaded_at"),
        "documents_form": (documents_form or DocumentsForm()) if can_upload else None,
        "appeal_form": (appeal_form or AppealForm()) if can_appeal else None,
        "is_open": state
        in (
            ApplicationState.SUBMITTED,
            ApplicationState.IN_REVIEW,
            ApplicationState.NEEDS_INFORMATION,
            ApplicationState.APPEALED,
        ),
        "country_name": country_name(application.country),
        "accepted_documents": (
            program_country_documents(application.program, application.country) if application.is_manual else []
        ),
        "partner_return": status_return_link(application=application),  # (name, url) after a partner's invite
    }


def _render(request, application, status=200, **forms):
    return render(request, "verification/status.html", _context(application, **forms), status=status)


def token_page(view):
    """The address holds the credential: never cached, never sent on as a Referer to another site (links to the
    vendor's). "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null` with the page's own
    forms, and Django's CSRF check then refuses every upload and appeal."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return never_cache(wrapper)


@require_GET
@token_page
def status_page(request, token: str):
    return _render(request, _application(token))


@require_POST
@token_page
def status_resume(request, token: str):
    """Continue a draft in this browser (the link may come from an email read on another device)."""
    application = _application(token)
    if application.state != ApplicationState.DRAFT:
        return redirect("verification:status", token=application.token)
    remember_draft(request, application)
    step = first_unfinished(application)
    if step == "code":  # e.g. a partner entered the email through the API: nobody asked for a code yet
        try:
            email_code_ensure(application=application, ip=client_ip(request))
        except ApplicationError as error:
            messages.error(request, str(error.message))
    return redirect("verification:step", slug=application.program.slug, step=step)


@require_POST
@token_page
def status_documents(request, token: str):
    application = _application(token)
    if not _can_upload(application):
        messages.error(request, _("This application does not take documents now."))
        return redirect("verification:status", token=application.token)
    form = DocumentsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            # One transaction: a refused file leaves none of the batch behind, nor a half-answered request.
            with transaction.atomic():
                for uploaded in form.cleaned_data["files"]:
                    document_store(application=application, uploaded_file=uploaded)
                if application.state == ApplicationState.NEEDS_INFORMATION:
                    application_information_provided(application=application)
        except ApplicationError as error:
            form.add_error("files", str(error.message))
            return _render(request, application, status=error.http_status, documents_form=form)
        messages.success(request, _("Thank you: we received your documents."))
        return redirect("verification:status", token=application.token)
    return _render(request, application, status=400, documents_form=form)


@require_http_methods(["GET", "POST"])
@token_page
def status_appeal(request, token: str):
    """GET (the link in the rejection email) shows the status page at its appeal form; POST appeals."""
    application = _application(token)
    if request.method == "GET":
        return redirect(reverse("verification:status", args=[application.token]) + "#appeal-title")
    if not _can_appeal(application):
        messages.error(request, _("This decision cannot be appealed (again)."))
        return redirect("verification:status", token=application.token)
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                for uploaded in form.cleaned_data["files"]:
                    document_store(application=application, uploaded_file=uploaded, for_appeal=True)
                appeal_submit(application=application, statement=form.cleaned_data["statement"])
        except ApplicationError as error:
            form.add_error(None, str(error.message))
            return _render(request, application, status=error.http_status, appeal_form=form)
        messages.success(request, _("Your appeal was received. A different reviewer will decide."))
        return redirect("verification:status", token=application.token)
    return _render(request, application, status=400, appeal_form=form)
