"""Registry monitoring end to end: real BMF sample, an approved application, a coupon redeemed in the store, then an
import that removes the organisation: the coupon is flagged, the event recorded, and the next renewal is at full
price with the invoice saying why. Plus: a failed import flags nothing; unchanged organisations cost nothing."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.urls import reverse

from billing.checkout import subscription_buy
from billing.subscriptions import subscriptions_renew_due
from core.errors import ImportFailed
from core.models import AuditEntry
from coupons.models import Coupon, CouponState
from coupons.redemption import CouponRefused, coupon_validate
from partners.services import partner_create
from programs.demo import program_demo_ensure
from registry.importers.us_irs_revocations import REASON
from registry.models import Organisation
from tests.billing.test_checkout_support import NOW, catalog, make_account, staff_user
from tests.browser.mail import Mailbox
from tests.conftest import CRAFTED
from tests.coupons.factories import make_application
from verification.services import application_approve
from verification.services.applications import application_checks_run
from webhooks.models import WebhookEvent
from webhooks.services import webhook_subscription_create

pytestmark = pytest.mark.django_db

REVOCATIONS = CRAFTED / "revocations.txt"
DANCERS = "US-EIN-010639455"  # in eo_ak.csv, active; revoked (no reinstatement) in the revocations fixture
EMAIL = "director@example.org"
BASKET = {"plan_code": "workplace-pro", "quantity": 2, "add_ons": {}, "billing_cycle": "annual"}


@pytest.fixture
def eo_ak(registries):
    return registries / "us" / "irs_eo_bmf" / "eo_ak.csv"


@pytest.fixture
def subscribed_partner(db):
    """The demo program's vendor, subscribed to every event (so that events are stored)."""
    admin = staff_user("key-admin")
    admin.is_superuser = True
    admin.save()
    partner = partner_create(name="Zoomly", program=program_demo_ensure(), actor=admin, sees_all_applications=True)
    webhook_subscription_create(partner=partner, url="https://hooks.zoomly.example/vouch")
    return partner


def _approved_coupon(org_id: str, smtp_server) -> tuple[Coupon, str]:
    """An application for the organisation, checked and approved by a reviewer; the code as the applicant got it."""
    organisation = Organisation.objects.get(org_id=org_id)
    application = make_application(
        program_demo_ensure(),
        organisation,
        state="in_review",
        email=EMAIL,
        declared_budget_minor=100_000_00,
        email_verified_at=NOW,
    )
    application_checks_run(application=application)
    application_approve(application=application, actor=staff_user("reviewer"))
    return Coupon.objects.get(reference=application.reference), Mailbox(smtp_server).coupon_code(EMAIL)


def _status_events(org_id: str):
    return list(WebhookEvent.objects.filter(type="organisation.status_changed", org_id=org_id))


def test_revocation_flags_the_coupon_and_the_next_renewal_is_at_full_price(
    import_files, eo_ak, smtp_server, subscribed_partner, client
):
    import_files("us-irs-bmf", eo_ak)
    catalog()
    coupon, code = _approved_coupon(DANCERS, smtp_server)
    account = make_account(email=EMAIL)
    subscription = subscription_buy(account=account, coupon_code=code, idempotency_key="k", now=NOW, **BASKET)
    first_invoice = subscription.invoices.get()
    assert first_invoice.discount_minor > 0

    _run, summary = import_files("us-irs-revocations", REVOCATIONS)

    assert summary.updated >= 1
    coupon.refresh_from_db()
    assert coupon.state == CouponState.REDEEMED and coupon.flagged_at is not None
    assert coupon.flag_reason == f"organisation removed in its register: {REASON}"
    assert AuditEntry.objects.filter(action="coupon.flagged", object_id=str(coupon.pk)).count() == 1
    audit = AuditEntry.objects.get(action="organisation.status_changed", object_id=DANCERS)
    assert audit.before == {"status": "active"} and audit.after["status"] == "removed"
    assert audit.actor_label.startswith("import us-irs-revocations (run ")
    [event] = _status_events(DANCERS)
    assert event.data["old_status"] == "active" and event.data["new_status"] == "removed"
    assert event.data["removal_reason"] == REASON and event.data["changed_on"] == "2019-05-15"
    assert [c["coupon_id"] for c in event.data["flagged_coupons"]] == [coupon.pk]
    # (no reference or hint: the event also reaches partners who brought another application for this organisation)
    assert set(event.data["flagged_coupons"][0]) == {"coupon_id", "state", "program", "flagged_at"}
    assert event.deliveries.count() == 1
    # Only the organisations Vouch follows get events, not the other organisations the list revoked.
    assert WebhookEvent.objects.filter(type="organisation.status_changed").count() == 1

    # Mid-term nothing changes: no refund, the paid term keeps its discount.
    subscription.refresh_from_db()
    assert subscription.is_discounted
    first_invoice.refresh_from_db()
    assert first_invoice.discount_minor > 0

    result = subscriptions_renew_due(now=datetime(2027, 3, 1, 1, tzinfo=UTC))
    assert result["renewed"] == 1
    renewal = subscription.invoices.order_by("-issued_at").first()
    assert renewal.discount_minor == 0
    assert set(renewal.lines.filter(kind="charge").values_list("explanation", flat=True)) == {
        "discount_ended_organisation_inactive"
    }
    client.force_login(account.user)
    page = client.get(reverse("billing:store_invoice", args=[renewal.number]), HTTP_ACCEPT_LANGUAGE="en")
    assert "the organisation is no longer active in its registry" in page.content.decode()

    # A second run of the same list changes no status: no new flag, audit entry or event.
    import_files("us-irs-revocations", REVOCATIONS)
    assert len(_status_events(DANCERS)) == 1
    assert AuditEntry.objects.filter(action="organisation.status_changed", object_id=DANCERS).count() == 1


def test_a_snapshot_that_no_longer_lists_the_organisation_flags_its_unredeemed_coupon(
    import_files, eo_ak, smtp_server, subscribed_partner, tmp_path
):
    import_files("us-irs-bmf", eo_ak)
    coupon, _code = _approved_coupon(DANCERS, smtp_server)
    without = tmp_path / "eo_ak.csv"
    without.write_text(
        "".join(
            line
            for line in eo_ak.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("010639455,")
        ),
        encoding="utf-8",
    )

    _run, summary = import_files("us-irs-bmf", without, snapshot=True)

    assert summary.removed == 1
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE and coupon.flagged_at is not None
    assert "no longer listed by" in coupon.flag_reason
    # A flagged coupon cannot start a discount: the store and the API refuse it, pointing to the verifier.
    with pytest.raises(CouponRefused) as refused:
        coupon_validate(code=_code, email=coupon.email, product_codes=["workplace-pro"], billing_cycle="annual")
    assert refused.value.code == "coupon_suspended" and refused.value.details["contact"]["party"] == "verifier"
    [event] = _status_events(DANCERS)
    assert event.data["new_status"] == "removed" and event.data["flagged_coupons"][0]["state"] == "active"


def test_an_organisation_listed_again_sends_the_event_and_keeps_the_flag(
    import_files, eo_ak, smtp_server, subscribed_partner, tmp_path
):
    import_files("us-irs-bmf", eo_ak)
    coupon, _code = _approved_coupon(DANCERS, smtp_server)
    import_files("us-irs-revocations", REVOCATIONS)
    reinstated = tmp_path / "revocations.txt"
    reinstated.write_text(
        "010639455|PAVVA INUPIAQ DANCERS||4783 DRAKE ST|FAIRBANKS|AK|99709-3009|United States|03|"
        "15-MAY-2019|10-JUN-2019|01-JAN-2021\n",
        encoding="utf-8",
    )

    import_files("us-irs-revocations", reinstated)

    assert Organisation.objects.get(org_id=DANCERS).status == "active"
    back = _status_events(DANCERS)[0]  # newest first
    assert (back.data["old_status"], back.data["new_status"], back.data["flagged_coupons"]) == ("removed", "active", [])
    coupon.refresh_from_db()
    assert coupon.flagged_at is not None  # cleared only by reverify_coupons, once every check passes


def _fail_on_flag(install: bool) -> None:
    """A database trigger refusing to flag a coupon: a failure inside the run's transaction, after its writes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS refuse_flag")
            if install:
                cursor.execute(
                    "CREATE TRIGGER refuse_flag BEFORE UPDATE OF flagged_at ON coupons_coupon "
                    "BEGIN SELECT RAISE(ABORT, 'flagging refused'); END"
                )
            return
        cursor.execute("DROP TRIGGER IF EXISTS refuse_flag ON coupons_coupon")
        if install:
            cursor.execute(
                "CREATE OR REPLACE FUNCTION refuse_flag() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'flagging refused'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_flag BEFORE UPDATE OF flagged_at ON coupons_coupon "
                "FOR EACH ROW EXECUTE FUNCTION refuse_flag()"
            )


def test_a_failed_run_flags_nothing_and_changes_no_status(import_files, eo_ak, smtp_server, subscribed_partner):
    import_files("us-irs-bmf", eo_ak)
    coupon, _code = _approved_coupon(DANCERS, smtp_server)
    _fail_on_flag(True)
    try:
        with pytest.raises(ImportFailed):
            import_files("us-irs-revocations", REVOCATIONS)
    finally:
        _fail_on_flag(False)
    assert Organisation.objects.get(org_id=DANCERS).status == "active"
    assert Organisation.objects.filter(org_id="US-EIN-012345678").count() == 0  # the run's inserts are gone too
    coupon.refresh_from_db()
    assert coupon.flagged_at is None
    assert not _status_events(DANCERS)
    assert not AuditEntry.objects.filter(action="organisation.status_changed").exists()


def test_the_hook_reads_the_followed_organisations_twice_whatever_the_file_size(
    import_files, eo_ak, smtp_server, subscribed_partner, django_assert_max_num_queries
):
    """The unchanged majority costs no query: a re-import of the same file with a coupon holder in it."""
    import_files("us-irs-bmf", eo_ak)
    _approved_coupon(DANCERS, smtp_server)
    from registry.watch import registry_status_watch

    with django_assert_max_num_queries(1):
        watch = registry_status_watch()
    assert list(watch.before.values()) == ["active"]
    with django_assert_max_num_queries(1):
        assert watch.finish(actor_label="test") == []
