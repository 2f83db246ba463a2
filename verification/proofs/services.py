"""Domain proofs: start one, check it now, re-check the pending ones, and settle an application waiting on one.

A proof is `verified` when control is shown (DNS TXT or the .well-known file) AND the domain is tied to the
organisation (register, or its registry number on its own site). Until then it stays `pending` and is re-checked
every RECHECK_EVERY for 48 hours, then `expired`. When a proof is verified for an application already submitted and
waiting in review (nobody assigned, no request sent), its checks run again and, if everything passes now, it is
approved automatically, exactly as at submission.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput
from verification.email_domains import is_disposable, is_free_mail
from verification.models import Application, ApplicationState
from verification.proofs import domain as d
from verification.proofs.models import DomainProof, ProofState
from verification.rules import decide
from verification.selectors import organisation_facts
from verification.services import emails
from verification.services.applications import _reasons, application_approve_automatically, application_checks_run
from verification.services.transitions import transition

logger = logging.getLogger(__name__)
RECHECK_EVERY = timedelta(minutes=10)
CHECK_NOW_MIN_INTERVAL = timedelta(seconds=5)  # "Check now" pressed twice in a row does not hit the network twice


def _record(application: Application):

    organisation = application.organisation if application.organisation_id else None
    if organisation is None:
        return None
    facts = organisation_facts(organisation=organisation)
    return d.OrganisationRecord(
        org_id=facts.org_id,
        country=facts.country,
        registry_number=organisation.registry_number,
        website=facts.website,
        email_domain=facts.email_domain,
        source=facts.source,
    )


def domain_proof_offered(*, application: Application) -> bool:
    """Worth offering: an organisation from a register, an address at a domain of its own that the register does
    not already tie to it (free mail and disposable addresses cannot be proven)."""

    record = _record(application)
    domain = d.domain_ascii(application.email)
    if record is None or not domain or is_free_mail(application.email) or is_disposable(application.email):
        return False
    return d.tie_from_register(domain=domain, record=record, now=timezone.now()) is None


def domain_proof_get_or_start(*, application: Application, now: datetime | None = None) -> DomainProof:
    """The proof for the application's email domain, started (with a fresh token) if there is none yet."""
    now = now or timezone.now()
    domain = d.domain_ascii(application.email)
    if not domain:
        raise InvalidInput(_("The email address has no domain that can be proven."), code="domain_invalid")
    proof, created = DomainProof.objects.get_or_create(
        application=application,
        domain=domain,
        defaults={
            "token": d.token_generate(),
            "created_at": now,
            "recheck_until": now + d.RECHECK_FOR,
            "next_check_at": now + RECHECK_EVERY,
        },
    )
    if created:
        audit_record(
            action="domain_proof.started",
            object_type="application",
            object_id=application.pk,
            actor_label="applicant",
            after={"domain": domain},
        )
    return proof


def _append(proof: DomainProof, entries: list[dict]) -> None:
    proof.evidence = (list(proof.evidence or []) + entries)[-d.MAX_EVIDENCE :]


def domain_proof_check(
    *, proof: DomainProof, now: datetime | None = None, actor_label: str = "applicant"
) -> DomainProof:
    """Look for the token (DNS first, then the .well-known file), then for the tie. Network calls happen outside
    any transaction; the row is written with a conditional UPDATE (a verified proof is never written back)."""
    now = now or timezone.now()
    if proof.state != ProofState.PENDING:
        return proof
    if proof.last_checked_at and now - proof.last_checked_at < CHECK_NOW_MIN_INTERVAL:
        return proof
    entries = []
    method, checked = proof.method, {}
    if not proof.control_verified_at:
        for check in (d.dns_check, d.well_known_check):
            entry = check(domain=proof.domain, token=proof.token, now=now)
            entries.append(entry)
            if entry["outcome"] == "match":
                method, checked = entry["method"], entry
                break
    control_at = proof.control_verified_at or (now if checked else None)
    tie = dict(proof.tie or {})
    if control_at and not tie:
        record = _record(proof.application)
        if record is not None:
            tie = d.tie_from_register(domain=proof.domain, record=record, now=now) or {}
            if not tie:
                found, looked = d.tie_from_site(domain=proof.domain, record=record, now=now)
                tie = found or {}
                entries.append(
                    {
                        "method": "tie_site",
                        "at": now.isoformat(),
                        "pages": looked,
                        "outcome": "match" if found else "absent",
                    }
                )
    verified = bool(control_at and tie)
    fields = {
        "last_checked_at": now,
        "checks": proof.checks + 1,
        "method": method,
        "control_verified_at": control_at,
        "tie": tie,
        "next_check_at": None if verified else now + RECHECK_EVERY,
    }
    if verified:
        fields.update(state=ProofState.VERIFIED, verified_at=now)
    _append(proof, entries)
    fields["evidence"] = proof.evidence
    with transaction.atomic():
        if not DomainProof.objects.filter(pk=proof.pk, state=ProofState.PENDING).update(**fields):
            proof.refresh_from_db()
            return proof
        for name, value in fields.items():
            setattr(proof, name, value)
        if verified:
            audit_record(
                action="domain_proof.verified",
                object_type="application",
                object_id=proof.application_id,
                actor_label=actor_label,
                before={"state": ProofState.PENDING},
                after={"state": ProofState.VERIFIED, "domain": proof.domain, "method": method, "tie": tie.get("kind")},
            )
    if verified:
        application_settle_after_proof(application=proof.application, now=now)
    return proof


def domain_proofs_recheck(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Re-check the pending proofs that are due; expire those past their 48 hours. Idempotent, safe to overlap."""
    now = now or timezone.now()
    expired = DomainProof.objects.filter(state=ProofState.PENDING, recheck_until__lte=now).update(
        state=ProofState.EXPIRED, next_check_at=None
    )
    due = list(
        DomainProof.objects.select_related(
            "application", "application__organisation", "application__organisation__source"
        )
        .filter(state=ProofState.PENDING, next_check_at__lte=now)
        .order_by("next_check_at")[:limit]
    )
    verified = 0
    for proof in due:
        if proof.application.state not in (
            ApplicationState.DRAFT,
            ApplicationState.SUBMITTED,
            ApplicationState.IN_REVIEW,
        ):
            DomainProof.objects.filter(pk=proof.pk, state=ProofState.PENDING).update(
                state=ProofState.EXPIRED, next_check_at=None
            )
            expired += 1
            continue
        try:
            if domain_proof_check(proof=proof, now=now, actor_label="system").state == ProofState.VERIFIED:
                verified += 1
        except Exception:  # one domain's failure must not stop the others
            logger.exception("domain proof %s: re-check failed", proof.pk)
    return {"checked": len(due), "verified": verified, "expired": expired}


def application_settle_after_proof(*, application: Application, now: datetime | None = None) -> str:
    """A proof (or the published contact's answer) arrived after submission: re-run the checks of an application
    still waiting in review (not taken by a reviewer). Approved automatically if everything passes now, rejected if
    a check fails now (a denial by the published contact); otherwise it stays with the reviewers. Returns the
    outcome ("approve", "reject", or "" when nothing changed)."""

    application.refresh_from_db()
    if application.state != ApplicationState.IN_REVIEW or application.assigned_to_id:
        return ""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            decision = decide(application_checks_run(application=application))
            if decision.outcome == "approve":
                application_approve_automatically(
                    application=application, now=now, allowed=[ApplicationState.IN_REVIEW]
                )
            elif decision.outcome == "reject":
                entry = transition(
                    application=application,
                    to=ApplicationState.REJECTED,
                    allowed=[ApplicationState.IN_REVIEW],
                    action="rejected",
                    actor_label="system",
                    fields={
                        "decided_at": now,
                        "decided_automatically": True,
                        "decision_reasons": _reasons(application, decision),
                    },
                )
                emails.send_rejected(application, entry)
            else:
                return ""
    except Conflict:
        return ""  # a reviewer (or another re-check) got there first
    return decision.outcome
