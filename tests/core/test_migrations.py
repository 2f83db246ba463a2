"""The one-way architecture moved data: Program to the programs app (same table), and the coupon's link to its
application turned around (Application.coupon; the coupon keeps the verification reference). Upgrading a database
that holds coupons keeps every link; programs get their first rules version and their texts as versioned rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# Every app whose later migrations add columns to these tables is taken back too (programs: NOT NULL columns the
# old state would not fill).
BEFORE = [
    ("coupons", "0004_program_moved_to_programs"),
    ("verification", "0003_program_moved_to_programs"),
    ("programs", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_coupons_keep_their_application_and_reference_through_the_upgrade():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    try:
        program = old.get_model("programs", "Program").objects.create(
            slug="old",
            name="Old",
            vendor_name="V",
            terms_version="t",
            terms_text="t",
            privacy_version="p",
            privacy_text="p",
        )
        application = old.get_model("verification", "Application").objects.create(
            program=program,
            token="t" * 40,
            reference="VCH-OLD00001",
            state="approved",
            email="a@example.org",
            expires_at=timezone.now(),
            manual_name="Hand-added",
        )
        coupon = old.get_model("coupons", "Coupon").objects.create(
            code_hash="h" * 64,
            code_hint="ABCD",
            program=program,
            application=application,
            organisation_key="manual:VCH-OLD00001",
            email="a@example.org",
            redeem_by=timezone.now(),
        )
        old.get_model("verification", "CheckResult").objects.create(
            application=application, rule="registered", outcome="pass", code="registered", message="m"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    from coupons.models import Coupon
    from verification.models import Application

    upgraded = Application.objects.get(pk=application.pk)
    assert upgraded.coupon_id == coupon.pk
    assert Coupon.objects.get(pk=coupon.pk).reference == "VCH-OLD00001"
    assert upgraded.program.slug == "old"  # the program table did not move
    # Rules versions and texts (programs 0003, verification 0007): version 1 for the program, the check applied it,
    # and the one terms and privacy text became the English rows of their versions.
    version = upgraded.program.rules_versions.get()
    assert version.number == 1 and version.snapshot["budget_cap"] == {"amount_minor": 1_000_000_000, "currency": "USD"}
    assert upgraded.checks.get().rules_version == version
    texts = {(t.kind, t.version, t.language): t.text for t in upgraded.program.texts.all()}
    assert texts == {("terms", "t", "en"): "t", ("privacy", "p", "en"): "p"}
