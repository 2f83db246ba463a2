"""What the cluster check sets up inside Vouch: a register of organisations with websites (so their directors are
approved at once from their own domain), a partner with an API key and a webhook subscription, and a few
applications for organisations added by hand, waiting for documents."""

import csv
from pathlib import Path

from stdnum.au import abn

ACNC_HEADER = [
    "ABN",
    "Charity_Legal_Name",
    "Other_Organisation_Names",
    "Town_City",
    "State",
    "Postcode",
    "Country",
    "Charity_Website",
    "Registration_Date",
    "Charity_Size",
    "PBI",
    "HPC",
    "Advancing_Education",
    "Advancing_Religion",
    "Advancing_social_or_public_welfare",
]


def write_register(path: Path, *, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACNC_HEADER)
        writer.writeheader()
        for index in range(count):
            base = f"{800000000 + index:09d}"
            writer.writerow(
                {
                    "ABN": abn.calc_check_digits(base) + base,
                    "Charity_Legal_Name": f"Cluster Community Alliance {index}",
                    "Other_Organisation_Names": "",
                    "Town_City": "SYDNEY",
                    "State": "NSW",
                    "Postcode": "2000",
                    "Country": "Australia",
                    "Charity_Website": f"https://www.cluster{index}.org.au/",
                    "Registration_Date": "03/12/2012",
                    "Charity_Size": "Small",
                    "PBI": "",
                    "HPC": "",
                    "Advancing_Education": "",
                    "Advancing_Religion": "",
                    "Advancing_social_or_public_welfare": "Y",
                }
            )
    return path


# Run with `manage.py shell -c`; prints one JSON line.
SEED_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from partners.services import api_key_create, partner_create
from programs.models import Program
from registry.models import Organisation
from verification.models import Application
from verification.services import application_start, application_submit
from webhooks.services import webhook_subscription_create

admin = get_user_model().objects.create_superuser("cluster-admin", "admin@vouch.example", "cluster-admin-password")
program = Program.objects.get(slug="workplace-nonprofit")
partner = partner_create(name="Vendor", program=program, actor=admin, sees_all_applications=True)
_key, raw = api_key_create(partner=partner, name="cluster", scopes=["coupons:redeem", "applications:read"],
                           actor=admin, requests_per_minute=100000)
webhook_subscription_create(partner=partner, url="{hook}")
organisations = [[o.org_id, o.website.split("//www.")[1].strip("/")]
                 for o in Organisation.objects.filter(name__startswith="Cluster Community Alliance").order_by("pk")]
pages = []
for index in range(10):
    application = application_start(program=program, language="en")
    Application.objects.filter(pk=application.pk).update(
        declared_budget_minor=2500000, country="AU", manual_name=f"Hand-added Association {{index}}",
        manual_address="1 George St, Sydney", applicant_name="Jo Director", email=f"manual{{index}}@example.org",
        email_verified_at=timezone.now())
    application.refresh_from_db()
    application_submit(application=application, ip="127.0.0.1", user_agent="cluster check")
    pages.append(f"/en/programs/status/{{application.token}}/")
print(json.dumps({{"api_key": raw, "organisations": organisations, "document_status_pages": pages}}))
"""
