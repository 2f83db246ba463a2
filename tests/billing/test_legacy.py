"""The previous partner's discount: the CSV import (bad rows, idempotence) and the once-per-term notice."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.legacy import legacy_discount_notices_send, legacy_discounts_import
from billing.models import LegacyDiscount
from core.errors import InvalidInput
from notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

CSV = (
    """ Account Email ;PERCENT;Partner
""".replace(";", ",")
    + """Alice@Example.ORG,50,TechSoup
bob@example.org,25.5%,TechSoup
not-an-email,50,TechSoup
carol@example.org,150,TechSoup
dave@example.org,-1,TechSoup
erin@example.org,abc,TechSoup
alice@example.org,40,TechSoup

frank@example.org,10,
"""
)


def _import(text: str):
    return legacy_discounts_import(lines=StringIO(text))


def test_import_reports_bad_rows_with_line_numbers():
    summary = _import(CSV)
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    rejected = {(row.line, row.code) for row in summary.rejected}
    assert rejected == {
        (4, "email_invalid"),
        (5, "percent_out_of_range"),
        (6, "percent_out_of_range"),
        (7, "percent_invalid"),
        (8, "duplicate"),
        (10, "partner_missing"),
    }
    assert "line 2" in next(r.reason for r in summary.rejected if r.code == "duplicate")
    rows = dict(LegacyDiscount.objects.values_list("email", "percent"))
    assert rows == {"alice@example.org": Decimal("50.00"), "bob@example.org": Decimal("25.50")}


def test_import_is_idempotent_and_updates():
    _import(CSV)
    again = _import(CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert LegacyDiscount.objects.count() == 2
    changed = _import("percent,partner,account_email\n30,OldPartner,ALICE@example.org\n")
    assert (changed.created, changed.updated) == (0, 1)
    alice = LegacyDiscount.objects.get(email="alice@example.org")
    assert (alice.percent, alice.partner) == (Decimal("30.00"), "OldPartner")
    assert LegacyDiscount.objects.count() == 2


def test_import_refuses_a_file_without_the_columns():
    with pytest.raises(InvalidInput) as error:
        _import("email address,discount\na@example.org,50\n")
    assert error.value.code == "csv_columns_missing"


def test_import_command(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_text("\ufeff" + CSV, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_legacy_discounts", str(path), stdout=out, stderr=err)
    assert "created=2 updated=0 unchanged=0 rejected=6" in out.getvalue()
    assert "line 4: rejected (email_invalid)" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_legacy_discounts", str(tmp_path / "missing.csv"))


NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _terms(**ends):
    return lambda email: ends.get(email.split("@")[0])


def test_one_notice_per_term_even_when_run_twice_then_one_for_the_next_term():
    _import(CSV)
    terms = _terms(alice=date(2027, 3, 20), bob=date(2027, 6, 1))  # bob's term ends outside the 30 days
    first = legacy_discount_notices_send(now=NOW, period_end_for=terms)
    assert (first.queued, first.not_due) == (1, 1)
    second = legacy_discount_notices_send(now=NOW, period_end_for=terms)
    assert (second.queued, second.already_sent) == (0, 1)
    later = legacy_discount_notices_send(now=datetime(2027, 3, 15, tzinfo=UTC), period_end_for=terms)
    assert later.queued == 0

    sent = OutboxEmail.objects.get(template="legacy_discount_ending")
    assert sent.to == "alice@example.org"
    assert sent.dedupe_key == "legacy_discount_ending:alice@example.org:2027-03-20"
    assert "50% discount from TechSoup" in sent.body_text
    assert "/en/programs/workplace-nonprofit/" in sent.body_text
    assert LegacyDiscount.objects.get(email="alice@example.org").notice_sent_for_period_end == date(2027, 3, 20)

    # The account renewed (with a new coupon, say): the next term gets its own notice when it comes near.
    next_term = _terms(alice=date(2028, 3, 20), bob=date(2027, 6, 1))
    assert legacy_discount_notices_send(now=datetime(2027, 4, 1, tzinfo=UTC), period_end_for=next_term).queued == 0
    result = legacy_discount_notices_send(now=datetime(2028, 2, 25, tzinfo=UTC), period_end_for=next_term)
    assert result.queued == 1
    assert OutboxEmail.objects.filter(template="legacy_discount_ending", to="alice@example.org").count() == 2
    assert LegacyDiscount.objects.get(email="alice@example.org").notice_sent_for_period_end == date(2028, 3, 20)


def test_notice_window_bounds_and_accounts_without_a_term():
    _import(CSV)
    on_the_day = legacy_discount_notices_send(
        now=NOW, days_before=30, period_end_for=_terms(alice=date(2027, 3, 31), bob=None)
    )
    assert (on_the_day.queued, on_the_day.no_term) == (1, 1)  # 30 days ahead is inside the window
    past = legacy_discount_notices_send(now=NOW, period_end_for=_terms(alice=date(2027, 2, 28)))
    assert past.queued == 0 and past.not_due == 1


def test_the_command_uses_subscriptions_when_there_are_none():
    _import(CSV)
    out = StringIO()
    call_command("send_legacy_discount_notices", "--now", "2027-03-01T09:00:00", stdout=out)
    assert "queued=0" in out.getvalue() and "no_term=2" in out.getvalue()
    assert not OutboxEmail.objects.exists()


def test_the_default_term_end_is_the_active_subscriptions_period_end():
    from django.apps import apps

    from billing.accounts import account_sign_up
    from billing.demo import catalog_demo_ensure
    from billing.legacy import subscription_period_end
    from billing.models import Product

    try:
        subscription_model = apps.get_model("billing", "Subscription")
    except LookupError:
        pytest.skip("subscriptions are not built yet")
    catalog_demo_ensure()
    account = account_sign_up(
        email="alice@example.org",
        password="correct horse battery 42",
        billing_country="US",
        billing_region="NY",
        currency="USD",
        language="en",
    )
    subscription_model.objects.create(
        account=account,
        plan=Product.objects.get(code="workplace-pro"),
        quantity=3,
        billing_cycle="annual",
        currency="USD",
        billing_anchor=date(2026, 3, 20),
        current_period_start=date(2026, 3, 20),
        current_period_end=date(2027, 3, 20),
    )
    assert subscription_period_end("alice@example.org") == date(2027, 3, 20)
    assert subscription_period_end("bob@example.org") is None
    _import(CSV)
    out = StringIO()
    call_command("send_legacy_discount_notices", "--now", "2027-03-01T09:00:00", stdout=out)
    assert "queued=1" in out.getvalue()
    call_command("send_legacy_discount_notices", "--now", "2027-03-02T09:00:00", stdout=out)
    assert OutboxEmail.objects.filter(template="legacy_discount_ending").count() == 1


def test_the_notice_is_written_in_the_language_the_customer_signed_up_in(settings):
    from billing.accounts import account_sign_up

    settings.LANGUAGE_CODE = "en"
    _import(CSV)
    account_sign_up(
        email="alice@example.org", password="a long passphrase 42", billing_country="FR", currency="EUR", language="fr"
    )
    terms = _terms(alice=date(2027, 3, 20), bob=date(2027, 3, 25))
    assert legacy_discount_notices_send(now=NOW, period_end_for=terms).queued == 2

    alice = OutboxEmail.objects.get(template="legacy_discount_ending", to="alice@example.org")
    assert alice.language == "fr" and "/fr/programs/workplace-nonprofit/" in alice.body_text
    bob = OutboxEmail.objects.get(template="legacy_discount_ending", to="bob@example.org")  # no store account
    assert bob.language == "en" and "/en/programs/workplace-nonprofit/" in bob.body_text
