"""A US charity in the register (a 501(c)(3) with no website: the case every US application is today)."""

from django.utils import timezone

from registry.models import Organisation, Source


def us_charity(ein: str = "123456789", *, name: str = "Helping Hands Inc", website: str = "") -> Organisation:
    source, _ = Source.objects.get_or_create(
        slug="us-irs-bmf",
        defaults={"name": "IRS BMF", "country": "US", "licence": "public domain", "last_imported_at": timezone.now()},
    )
    return Organisation.objects.create(
        org_id=f"US-EIN-{ein}",
        registry_number=ein,
        country="US",
        source=source,
        name=name,
        search_name=name.lower(),
        updated_at=timezone.now(),
        website=website,
        raw_codes={"us-irs-bmf": {"SUBSECTION": "03", "FOUNDATION": "15"}},
    )


def gb_charity(
    number: str = "1234567", *, contact_email: str = "info@kindness-trust.org.uk", website: str = ""
) -> Organisation:
    source, _ = Source.objects.get_or_create(
        slug="gb-ccew",
        defaults={"name": "Charity Commission", "country": "GB", "licence": "OGL", "last_imported_at": timezone.now()},
    )
    return Organisation.objects.create(
        org_id=f"GB-CHC-{number}",
        registry_number=number,
        country="GB",
        source=source,
        name="Kindness Trust",
        search_name="kindness trust",
        updated_at=timezone.now(),
        website=website,
        email_domain=contact_email.rsplit("@", 1)[-1] if contact_email else "",
        raw_codes={"gb-ccew": {"charity_type": "CIO", "contact_email": contact_email}},
    )
