"""What the journey's confirm page shows about proofs (a read: no change)."""

from verification.proofs import domain as d
from verification.proofs.contact import contact_offered, published_contact
from verification.proofs.facts import domain_proof_facts
from verification.proofs.services import domain_proof_offered


def proof_offer(application) -> dict:
    """What the confirm page shows about proofs: an offer to prove the domain when that would spare a review, or
    the proof already made."""

    verified = domain_proof_facts(application=application)
    contact = published_contact(application=application)
    asked = application.contact_confirmations.order_by("-created_at").first()
    accepted = application.presented_receipts.filter(accepted=True).order_by("-presented_at").first()
    return {
        "receipts_trusted": application.program.trusted_issuers.filter(is_active=True).exists(),
        "receipt_accepted": accepted,
        "contact_offered": not verified and contact_offered(application=application),
        "published_contact": contact[0] if contact else "",
        "contact_asked": asked,
        "domain_proof_verified": d.domain_display(verified.domain) if verified else "",
        "domain_proof_offered": not verified and domain_proof_offered(application=application),
        "email_domain_display": d.domain_display(d.domain_ascii(application.email)),
    }
