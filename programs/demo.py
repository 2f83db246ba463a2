"""The demo program, shaped like the help-centre page's: a video-meeting vendor's nonprofit discount.

`program_demo_ensure()` creates it or brings it back to these values (idempotent), so `manage.py seed_demo_program`
can run on every start. A program admin's own programs are never touched: only the demo slug.
"""

from decimal import Decimal

from django.db import transaction

from core.audit import audit_record
from programs.models import DEFAULT_EXCLUSIONS, DEFAULT_PRODUCTS, Program

DEMO_SLUG = "workplace-nonprofit"

TERMS_TEXT = """Vouch verification terms (version 2026-11)

1. You confirm that you are authorised to represent the organisation named in this application and that what you
   tell us is true.
2. We check the organisation against public registers of nonprofits and may ask you for documents. We decide
   whether the organisation is eligible for the vendor's nonprofit program according to the program's published
   rules, and we tell you the reasons for our decision.
3. If the organisation is eligible, we send a single-use coupon code to the email address you confirmed. The code is
   bound to the organisation and to that address; it must be used by its redeem-by date. It cannot be sold or
   transferred.
4. The discount applies from the moment the coupon is redeemed; fees already paid are not refunded.
5. We may revoke a coupon obtained with false information, or when the organisation stops being eligible.
6. A verification for this program is not evidence for a sales-tax exemption, which is requested separately.
"""

PRIVACY_TEXT = """Vouch privacy notice (version 2026-11)

We use your name, your email address and the organisation's public register record only to verify the
organisation's eligibility for this program, to send you emails about your application and to let the vendor bind
the coupon to your account. We record when and from which IP address and browser you accepted the terms, as proof
of the acceptance. Documents you upload are seen only by our reviewers. We keep applications for three years after
the decision, then delete them, except what the law requires us to keep. You can ask us for a copy of your data,
or to correct or delete it, at privacy@vouch.example.
"""

DEMO_VALUES = {
    "name": "Workplace for Nonprofits",
    "vendor_name": "Workplace",
    "budget_cap_minor": 10_000_000 * 100,  # US$10,000,000, inclusive
    "budget_currency": "USD",
    "exchange_rates": {"GBP": "1.27", "EUR": "1.08", "AUD": "0.66"},  # US dollars per unit
    "discount_percent": "50",
    "eligible_products": DEFAULT_PRODUCTS,
    "supported_countries": [],  # every country and region but the sanctioned ones
    "exclusions": DEFAULT_EXCLUSIONS,
    "sanctioned_countries": ["CU", "IR", "KP", "SY", "RU", "BY"],
    "terms_version": "2026-11",
    "terms_text": TERMS_TEXT,
    "privacy_version": "2026-11",
    "privacy_text": PRIVACY_TEXT,
    "review_sla_business_days": 3,
    "application_expiry_days": 30,
    "coupon_redeem_days": 90,
    "education_program_url": "https://workplace.example/education",
    "sales_contact_url": "https://workplace.example/contact-sales",
    "support_contact": "https://workplace.example/support",
    "is_active": True,
}


def program_demo_ensure() -> Program:
    """The demo program, created or reset to the values above; nothing is written when it already has them."""
    with transaction.atomic():
        program, created = Program.objects.select_for_update().get_or_create(slug=DEMO_SLUG, defaults=DEMO_VALUES)
        if created:
            audit_record(
                action="program.created",
                object_type="program",
                object_id=program.pk,
                actor_label="seed_demo_program",
                after={"slug": DEMO_SLUG},
            )
            return program
        changed = {name: value for name, value in DEMO_VALUES.items() if not _same(getattr(program, name), value)}
        if changed:
            before = {name: _comparable(getattr(program, name)) for name in changed}
            for name, value in changed.items():
                setattr(program, name, value)
            program.save(update_fields=list(changed))
            program.refresh_from_db()
            audit_record(
                action="program.reset",
                object_type="program",
                object_id=program.pk,
                actor_label="seed_demo_program",
                before=before,
                after={name: _comparable(value) for name, value in changed.items()},
            )
    return program


def _same(current, wanted) -> bool:
    return current == Decimal(str(wanted)) if isinstance(current, Decimal) else current == wanted


def _comparable(value):
    return str(value) if isinstance(value, Decimal) else value
