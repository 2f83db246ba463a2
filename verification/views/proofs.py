"""The journey's optional proof page: prove control of the organisation's domain (after the email code, before
submitting), or ask the contact the register publishes to confirm. See verification.proofs."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip
from core.errors import ApplicationError
from verification.proofs import domain as d
from verification.proofs.contact import (
    contact_confirmation_answer,
    contact_confirmation_get,
    contact_confirmation_request,
)
from verification.proofs.models import ProofState
from verification.proofs.services import domain_proof_check, domain_proof_get_or_start, domain_proof_offered
from verification.receipts.federation import receipt_present
from verification.receipts.models import Receipt
from verification.selectors import application_get_by_token
from verification.views.journey import _render_step, _step_url, journey_step


@require_http_methods(["GET", "POST"])
@journey_step("confirm")
def step_domain(request, program, application):
    if request.method == "POST" and ("back" in request.POST or "skip" in request.POST):
        return redirect(_step_url(program, "confirm"))
    if request.method == "POST" and "continue" in request.POST:
        return redirect(_step_url(program, "confirm"))
    if not domain_proof_offered(application=application):
        return redirect(_step_url(program, "confirm"))
    status = 200
    try:
        proof = domain_proof_get_or_start(application=application)
        if request.method == "POST" and "check" in request.POST:
            proof = domain_proof_check(proof=proof)
            if proof.state == ProofState.VERIFIED:
                messages.success(request, _("Your organisation's domain is verified."))
            return redirect(_step_url(program, "domain"))
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(_step_url(program, "confirm"))
    last = (proof.evidence or [])[-3:]
    context = {
        "proof": proof,
        "domain_display": d.domain_display(proof.domain),
        "txt_name": d.txt_name(proof.domain),
        "txt_value": d.txt_value(proof.token),
        "well_known_url": f"https://{proof.domain}{d.WELL_KNOWN_PATH}",
        "verified": proof.state == ProofState.VERIFIED,
        "control_shown": bool(proof.control_verified_at),
        "tie_missing": bool(proof.control_verified_at) and not proof.tie,
        "last_checks": last,
        "checked": bool(proof.last_checked_at),
        "registry_number": application.organisation.registry_number,
        "is_us": application.organisation.country == "US",
    }
    return _render_step(
        request, program, application, "confirm", context, status, template="verification/step_domain.html"
    )


@require_POST
@journey_step("confirm")
def contact_request(request, program, application):
    """The applicant asks Vouch to email the organisation's published contact."""
    try:
        confirmation = contact_confirmation_request(application=application)
        messages.success(
            request,
            _(
                "We emailed %(email)s, the address the register publishes for the "
                "organisation. You can submit now: the answer decides it."
            )
            % {"email": confirmation.email},
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect(_step_url(program, "confirm"))


@require_http_methods(["GET", "POST"])
def contact_answer(request, token: str):
    """The published contact's page: who asked, for which organisation and program; confirm or deny."""
    try:
        confirmation = contact_confirmation_get(token=token)
    except ApplicationError as invalid:
        return render(request, "verification/contact_answer.html", {"error": invalid}, status=invalid.http_status)
    answer_error: ApplicationError | None = None
    if request.method == "POST":
        try:
            confirmation = contact_confirmation_answer(
                token=token, answer=request.POST.get("answer", ""), ip=client_ip(request)
            )
        except ApplicationError as failure:
            answer_error = failure
    application = confirmation.application
    return render(
        request,
        "verification/contact_answer.html",
        {
            "confirmation": confirmation,
            "application": application,
            "program": application.program,
            "answer_error": answer_error,
        },
        status=answer_error.http_status if answer_error else 200,
    )


@require_GET
def status_receipt(request, token: str):
    """The approved application's receipt, as a file (the status page links to it)."""

    try:
        application = application_get_by_token(token=token)
    except ApplicationError as error:
        raise Http404("no application") from error
    receipt = Receipt.objects.filter(application=application).first()
    if receipt is None:
        raise Http404("no receipt")
    response = HttpResponse(receipt.jws, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="vouch-receipt-{application.reference}.jwt"'
    return response


@require_POST
@journey_step("confirm")
def receipt_present_view(request, program, application):
    """The applicant pastes a receipt from an issuer the program trusts (federation)."""

    try:
        presented = receipt_present(application=application, token=request.POST.get("receipt", ""))
        messages.success(
            request,
            _("Receipt accepted from %(issuer)s: it covers %(checks)s.")
            % {"issuer": presented.issuer, "checks": ", ".join(presented.covers) or "-"},
        )
    except ApplicationError as error:
        messages.error(request, f"{error.message} ({error.code})")
    return redirect(_step_url(program, "confirm"))
