"""Run inside a separate Vouch process (`manage.py shell -c`) by test_federation: issue receipts on one Vouch,
trust it and accept them on another. Each function prints one JSON line."""

import json
from datetime import timedelta

from django.utils import timezone

from programs.demo import program_demo_ensure
from tests.verification.proofs.factories import gb_charity
from verification.models import Application
from verification.services import application_start, application_submit

COVERS = ["registered", "charitable_status", "exclusions", "registry_income", "email_domain"]


def _draft(program, organisation, email: str) -> Application:
    application = application_start(program=program, language="en")
    Application.objects.filter(pk=application.pk).update(
        declared_budget_minor=100_000_00,
        organisation=organisation,
        country="GB",
        applicant_name="Jo Director",
        email=email,
        email_verified_at=timezone.now(),
    )
    application.refresh_from_db()
    return application


def issue() -> None:
    """Three approved applications on this Vouch: a valid receipt, one whose coupon is revoked, one expired."""
    from coupons.services import coupon_revoke
    from verification.receipts.issue import receipt_issue
    from verification.receipts.models import Receipt

    program = program_demo_ensure()
    out = {}
    for kind, number in (("valid", "1234567"), ("revoked", "1234568"), ("expired", "1234569")):
        organisation = gb_charity(number, website="https://kindness-trust.org.uk")
        application = application_submit(
            application=_draft(program, organisation, "jo@kindness-trust.org.uk"),
            ip="203.0.113.5",
            user_agent="federation test",
        )
        assert application.state == "approved", application.decision_reasons
        if kind == "revoked":
            coupon_revoke(coupon=application.coupon, actor=None, reason="false information")
        if kind == "expired":
            Receipt.objects.filter(application=application).delete()
            receipt_issue(application=application, now=timezone.now() - timedelta(days=400))
        out[kind] = Receipt.objects.get(application=application).jws
    print(json.dumps(out))


def trust(base_url: str) -> None:
    from verification.receipts.models import TrustedIssuer

    program = program_demo_ensure()
    TrustedIssuer.objects.update_or_create(
        program=program, base_url=base_url, defaults={"name": "Vouch A", "covers": COVERS, "is_active": True}
    )
    print(json.dumps({"trusted": base_url}))


def accept(token: str, number: str = "1234567") -> None:
    """The same organisation on this Vouch, without a website in its register: without the receipt the email
    check would go to a reviewer; with it the application is approved at once."""
    from core.errors import ApplicationError
    from registry.models import Organisation
    from verification.models import CheckResult
    from verification.receipts.federation import receipt_present

    program = program_demo_ensure()
    organisation = Organisation.objects.filter(org_id=f"GB-CHC-{number}").first() or gb_charity(number, website="")
    organisation.email_domain = ""
    organisation.save(update_fields=["email_domain"])
    application = _draft(program, organisation, "jo@kindness-trust.org.uk")
    try:
        receipt_present(application=application, token=token)
    except ApplicationError as error:
        print(json.dumps({"refused": error.code}))
        return
    application_submit(application=application, ip="203.0.113.6", user_agent="federation test")
    check = CheckResult.objects.get(application=application, rule="email_domain")
    print(json.dumps({"state": application.state, "email_domain": check.code, "source": check.evidence["source"]}))
