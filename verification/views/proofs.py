"""The journey's optional proof page: prove control of the organisation's domain (after the email code, before
submitting), or ask the contact the register publishes to confirm. See verification.proofs."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import ApplicationError
from verification.proofs import domain as d
from verification.proofs.models import ProofState
from verification.proofs.services import domain_proof_check, domain_proof_get_or_start, domain_proof_offered
from verification.views.journey import _render_step, _step_url, journey_step


def after_code_url(program, application) -> str:
    """Where the journey goes once the email is proven: the proof page when a proof would help, else confirm."""
    if domain_proof_offered(application=application):
        return _step_url(program, "domain")
    return _step_url(program, "confirm")


@require_http_methods(["GET", "POST"])
@journey_step("confirm")
def step_domain(request, program, application):
    if request.method == "POST" and ("back" in request.POST or "skip" in request.POST):
        return redirect(_step_url(program, "code" if "back" in request.POST else "confirm"))
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
        "proof": proof, "domain_display": d.domain_display(proof.domain), "txt_name": d.txt_name(proof.domain),
        "txt_value": d.txt_value(proof.token), "well_known_url": f"https://{proof.domain}{d.WELL_KNOWN_PATH}",
        "verified": proof.state == ProofState.VERIFIED, "control_shown": bool(proof.control_verified_at),
        "tie_missing": bool(proof.control_verified_at) and not proof.tie, "last_checks": last,
        "checked": bool(proof.last_checked_at), "registry_number": application.organisation.registry_number,
        "is_us": application.organisation.country == "US",
    }
    context["step_number"] = 6
    return _render_step(request, program, application, "confirm", context, status,
                        template="verification/step_domain.html")
