"""The subscription page shows what it costs (prices, the nonprofit discount, tax, total), offers only the plan
changes the policy allows, and makes "Cancel" a secondary action confirmed on its own page."""

import re
from datetime import date

import pytest

from billing.plan_changes import NONPROFIT_DISCOUNT, STANDARD, plan_change_targets
from tests.billing.test_checkout_support import catalog
from tests.billing.test_store_pages import _subscribed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalog():
    catalog()


def test_targets_follow_the_policy():
    assert plan_change_targets(from_plan="workplace-pro", condition=NONPROFIT_DISCOUNT) == ()
    assert plan_change_targets(from_plan="workplace-pro", condition=STANDARD) == ("workplace-pro", "workplace-business")
    assert plan_change_targets(from_plan="workplace-business", condition=STANDARD) == (
        "workplace-pro",
        "workplace-business",
    )


def test_discounted_subscription_shows_prices_and_offers_no_plan_change():
    _account, client, subscription = _subscribed()
    html = client.get(f"/en/store/subscriptions/{subscription.pk}/").content.decode()
    # Workplace Pro 3 x 149.90 and Webinars 1 x 790.00 a year, 50% off, 4% NY tax on the net.
    assert "Price per year" in html and "$449.70" in html and "$790.00" in html
    assert "Nonprofit discount (50%)" in html and "\u2212$619.85" in html
    assert "$644.64" in html  # (1239.70 - 619.85) * 1.04, rounded per line
    assert 'name="to_plan"' not in html
    assert "the only change possible is adding licences" in html and 'name="quantity"' in html
    assert "(exclusive)" not in html


def test_standard_subscription_offers_the_allowed_plans():
    _account, client, subscription = _subscribed(coupon=False)
    html = client.get(f"/en/store/subscriptions/{subscription.pk}/").content.decode()
    options = re.findall(r'<option value="([a-z-]+)"', html.split('name="to_plan"')[1].split("</select>")[0])
    assert options == ["workplace-business", "workplace-pro"]


def test_term_and_renewal_dates_are_written_as_the_language_writes_dates():
    _account, client, subscription = _subscribed()
    subscription.current_period_start, subscription.current_period_end = date(2027, 1, 1), date(2028, 1, 1)
    subscription.save()
    english = client.get(f"/en/store/subscriptions/{subscription.pk}/").content.decode()
    assert "January 1, 2027 to December 31, 2027" in english and "Renews automatically on January 1, 2028" in english
    french = client.get(f"/fr/store/subscriptions/{subscription.pk}/").content.decode()
    assert "1 janvier 2027" in french and "31 décembre 2027" in french


def test_cancel_is_secondary_and_confirmed():
    _account, client, subscription = _subscribed()
    html = client.get(f"/en/store/subscriptions/{subscription.pk}/").content.decode()
    assert f'class="button secondary" href="/en/store/subscriptions/{subscription.pk}/cancel/"' in html
    assert f'action="/en/store/subscriptions/{subscription.pk}/cancel/"' not in html  # no one-click cancel
    confirm = client.get(f"/en/store/subscriptions/{subscription.pk}/cancel/").content.decode()
    assert "Yes, cancel at the end of the term" in confirm and "Keep my subscription" in confirm
    subscription.refresh_from_db()
    assert not subscription.cancel_at_period_end  # looking at the confirmation changes nothing
    assert client.post(f"/en/store/subscriptions/{subscription.pk}/cancel/").status_code == 302
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end


def test_the_previous_partners_discount_shows_while_its_term_runs_and_not_after():
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import LegacyDiscount, Subscription

    account, client, subscription = _subscribed(coupon=False)
    started = timezone.now() - timedelta(days=30)
    Subscription.objects.filter(pk=subscription.pk).update(
        created_at=started, current_period_start=timezone.localdate(started)
    )
    LegacyDiscount.objects.create(
        email=account.email, percent=30, partner="GoodCause Partners", imported_at=timezone.now() - timedelta(days=1)
    )
    html = client.get(f"/en/store/subscriptions/{subscription.pk}/").content.decode()
    assert "30% discount from the previous verification partner" in html
    # The term is over (renewed): the discount is gone from the page.
    subscription.refresh_from_db()
    Subscription.objects.filter(pk=subscription.pk).update(
        current_period_start=subscription.current_period_end,
        current_period_end=subscription.current_period_end + timedelta(days=365),
    )
    html = client.get(f"/en/store/subscriptions/{subscription.pk}/").content.decode()
    assert "previous verification partner" not in html
