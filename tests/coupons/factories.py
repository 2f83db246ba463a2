"""Small builders for programs, organisations and applications (used by coupon and document tests)."""

import secrets
from datetime import timedelta

from django.utils import timezone


def make_program(**fields):
    from programs.models import Program

    defaults = {
        "slug": f"p-{secrets.token_hex(3)}",
        "name": "Workplace for Nonprofits",
        "vendor_name": "Zoomly",
        "terms_version": "t1",
        "privacy_version": "p1",
    }
    return Program.objects.create(**{**defaults, **fields})


def make_organisation(org_id: str):
    from registry.models import Organisation, Source

    source, _ = Source.objects.get_or_create(
        slug="test-source", defaults={"name": "Test", "country": "US", "licence": "test"}
    )
    return Organisation.objects.create(
        org_id=org_id,
        registry_number=org_id.rsplit("-", 1)[-1],
        country="US",
        source=source,
        name=f"Org {org_id}",
        search_name=f"org {org_id}".lower(),
        updated_at=timezone.now(),
    )


def make_application(program, organisation=None, **fields):
    from verification.models import Application

    reference = fields.pop("reference", f"VCH-{secrets.token_hex(3).upper()}")
    defaults = {
        "token": secrets.token_urlsafe(32),
        "reference": reference,
        "state": "approved",
        "email": "director@example.org",
        "expires_at": timezone.now() + timedelta(days=30),
        "organisation": organisation,
    }
    if organisation is None:
        defaults["manual_name"] = "Hand-added Association"
    return Application.objects.create(program=program, **{**defaults, **fields})
