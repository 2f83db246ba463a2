"""What the proofs contribute to the rules' facts (verification.selectors.applicant_facts): reads only."""

from verification.models import Application
from verification.proofs import domain as d
from verification.proofs.models import ContactConfirmation, ContactState, DomainProof, ProofState
from verification.receipts.federation import presented_receipt_facts
from verification.rules import ContactFacts, DomainProofFacts


def domain_proof_facts(*, application: Application) -> DomainProofFacts | None:
    """The verified proof for the application's current email domain, for the rules."""
    domain = d.domain_ascii(application.email)
    proof = (
        (
            DomainProof.objects.filter(application=application, domain=domain, state=ProofState.VERIFIED)
            .order_by("-verified_at")
            .first()
        )
        if domain
        else None
    )
    if proof is None or proof.verified_at is None:
        return None
    checked: dict = next(
        (
            entry
            for entry in reversed(proof.evidence or [])
            if entry.get("outcome") == "match" and entry.get("method") == proof.method
        ),
        {},
    )
    return DomainProofFacts(
        domain=proof.domain, method=proof.method, verified_at=proof.verified_at, tie=proof.tie, checked=checked
    )


def contact_facts(*, application: Application) -> ContactFacts | None:
    """The published contact's latest answer (or the pending request), for the rules."""
    confirmation = ContactConfirmation.objects.filter(application=application).order_by("-created_at").first()
    if confirmation is None:
        return None
    state = confirmation.state if confirmation.state != ContactState.EXPIRED else "expired"
    return ContactFacts(
        state=state, email=confirmation.email, source=confirmation.source, answered_at=confirmation.answered_at
    )


def receipt_facts(*, application: Application):
    """A trusted issuer's receipt the applicant presented (verification.receipts.federation), for the rules."""

    return presented_receipt_facts(application=application)
