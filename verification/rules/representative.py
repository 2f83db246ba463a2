"""Rules about the person applying (email, domain, published contact, trusted receipts) and duplicates."""

from verification.email_domains import is_disposable, is_free_mail, registered_domain
from verification.rules.explanations import explain
from verification.rules.facts import (
    FAIL,
    PASS,
    REVIEW,
    ApplicantFacts,
    OrganisationFacts,
    Verdict,
    _day,
    applicant_evidence,
    org_evidence,
)

# --- the representative ----------------------------------------------------------------------------------------


def check_email_verified(applicant: ApplicantFacts) -> Verdict:
    evidence = applicant_evidence("email", applicant.email, verified=applicant.email_verified)
    if not applicant.email_verified:
        return Verdict(
            "email_verified",
            FAIL,
            "email_not_verified",
            explain("email_not_verified"),
            evidence,
        )
    return Verdict("email_verified", PASS, "email_verified", explain("email_verified"), evidence)


def check_email_domain(applicant: ApplicantFacts, org: OrganisationFacts | None) -> Verdict:
    """The organisation's own domain is evidence the applicant speaks for it; anything else is for a reviewer."""
    domain = registered_domain(applicant.email)
    evidence = applicant_evidence("email_domain", domain)
    if is_disposable(applicant.email):
        return Verdict(
            "email_domain",
            REVIEW,
            "email_disposable",
            explain("email_disposable"),
            {**evidence, "kind": "disposable"},
        )
    answered = published_contact_verdict(applicant)
    if answered is not None:  # the organisation itself answered, whatever the applicant's address
        return answered
    if is_free_mail(applicant.email):
        return Verdict(
            "email_domain",
            REVIEW,
            "email_domain_unverified",
            explain("email_domain_unverified.free_mail"),
            {**evidence, "kind": "free_mail"},
        )
    if org is None:
        return Verdict(
            "email_domain",
            REVIEW,
            "email_domain_unverified",
            explain("email_domain_unverified.no_record"),
            {**evidence, "kind": "no_record"},
        )
    known = [("website", org.website, registered_domain(org.website))]
    if org.email_domain and not is_free_mail(org.email_domain):  # a charity using gmail proves nothing
        known.append(("email_domain", org.email_domain, registered_domain(org.email_domain)))
    for field_name, value, registered in known:
        if registered and registered == domain:
            return Verdict(
                "email_domain",
                PASS,
                "email_domain_matches",
                explain("email_domain_matches", domain=domain, field=field_name),
                org_evidence(org, field_name, value, email_domain=domain, kind="match"),
            )
    proven = domain_control_verdict(applicant, domain)
    if proven is not None:
        return proven
    if not any(registered for *_, registered in known):
        return Verdict(
            "email_domain",
            REVIEW,
            "email_domain_unverified",
            explain("email_domain_unverified.unknown"),
            org_evidence(org, "website", "", email_domain=domain, kind="unknown"),
        )
    return Verdict(
        "email_domain",
        REVIEW,
        "email_domain_unverified",
        explain("email_domain_unverified", domain=domain or "?"),
        org_evidence(
            org, "website", org.website, email_domain=domain, kind="different", registered_email_domain=org.email_domain
        ),
    )


def domain_control_verdict(applicant: ApplicantFacts, domain: str) -> Verdict | None:
    """Control of a domain tied to the organisation (verification.proofs.domain) with an email at that domain
    proven by code settles the representative check; None when there is no such proof."""
    proof = applicant.domain_proof
    if proof is not None and applicant.email_verified and domain and proof.domain == domain and proof.tie:
        return Verdict(
            "email_domain",
            PASS,
            "domain_control_proven",
            explain("domain_control_proven", domain=domain),
            {
                "record": "application",
                "field": "domain_proof",
                "value": domain,
                "source": proof.method,
                "source_date": _day(proof.verified_at),
                "kind": "domain_control",
                "tie": dict(proof.tie),
                "check": dict(proof.checked),
            },
        )
    return None


def published_contact_verdict(applicant: ApplicantFacts) -> Verdict | None:
    """The answer of the contact the register publishes (verification.proofs.contact): a confirmation settles the
    representative check, a denial rejects; None while there is no answer."""
    contact = applicant.contact
    if contact is not None and contact.state in ("confirmed", "denied"):
        evidence = {
            "record": "application",
            "field": "published_contact",
            "value": contact.email,
            "source": contact.source,
            "source_date": _day(contact.answered_at),
            "kind": "published_contact",
            "answer": contact.state,
        }
        if contact.state == "confirmed":
            return Verdict(
                "email_domain",
                PASS,
                "published_contact_confirmed",
                explain("published_contact_confirmed", email=contact.email),
                evidence,
            )
        return Verdict(
            "email_domain",
            FAIL,
            "published_contact_denied",
            explain("published_contact_denied", email=contact.email),
            evidence,
        )
    return None


def apply_trusted_receipt(verdicts: list[Verdict], applicant: ApplicantFacts, org_id: str) -> list[Verdict]:
    """A valid receipt from a trusted issuer, for this organisation, settles the checks it covers that would
    otherwise go to a reviewer. It never overrides a failure: this program's own rules still reject. The
    representative check only for an email proven by code at the domain the receipt names."""
    receipt = applicant.receipt
    if receipt is None or receipt.org_id != org_id or not org_id:
        return verdicts
    settled = []
    for verdict in verdicts:
        same_domain = (
            applicant.email_verified
            and bool(receipt.representative_domain)
            and registered_domain(applicant.email) == receipt.representative_domain
        )
        if (
            verdict.outcome == REVIEW
            and verdict.rule in receipt.covers
            and (verdict.rule != "email_domain" or same_domain)
        ):
            verdict = Verdict(
                verdict.rule,
                PASS,
                "trusted_receipt",
                explain("trusted_receipt", issuer=receipt.issuer),
                {
                    "record": receipt.receipt_id,
                    "field": verdict.rule,
                    "value": verdict.code,
                    "source": receipt.issuer,
                    "source_date": _day(receipt.valid_until),
                    "kind": "trusted_receipt",
                    "replaced": verdict.code,
                },
            )
        settled.append(verdict)
    return settled


# --- duplicates -----------------------------------------------------------------------------------------------


def check_duplicates(*, org_id: str, has_active_coupon: bool, has_open_application: bool = False) -> Verdict:
    evidence = {
        "record": org_id,
        "field": "coupons",
        "value": has_active_coupon,
        "source": "vouch",
        "source_date": None,
        "open_application": has_open_application,
    }
    if has_active_coupon:
        return Verdict(
            "duplicates",
            FAIL,
            "duplicate_active_coupon",
            explain("duplicate_active_coupon"),
            evidence,
        )
    if has_open_application:
        return Verdict(
            "duplicates",
            REVIEW,
            "duplicate_open_application",
            explain("duplicate_open_application"),
            evidence,
        )
    return Verdict(
        "duplicates",
        PASS,
        "no_duplicate",
        explain("no_duplicate"),
        evidence,
    )
