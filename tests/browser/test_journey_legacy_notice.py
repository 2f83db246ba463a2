"""Journey 6: a customer of the previous verification partner learns that their discount ends, in a real browser.

The partner's list is imported (`import_legacy_discounts`) while the customer's annual term runs; three weeks before
it ends the daily job (`send_legacy_discount_notices`) emails the notice, which the worker delivers over SMTP. The
customer reads it (its HTML part, in the browser), follows its link to the nonprofit program, then signs in to the
store and finds the same change on the subscription: the discount holds until the term's end, and only until then.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import PROGRAM, t
from tests.browser.journeys_b import customer, customer_signs_in, date_shown

EMAIL = "office@riverside-choir.example"
PARTNER = "GoodCause Partners"
PERCENT = {"en": r"\b30%", "fr": r"\b30[\s\u202f\u00a0]%"}  # French puts a space before %


@pytest.mark.parametrize("lang", LANGS)
def test_legacy_discount_holder_reads_the_notice_and_sees_the_change(
    page, lang, demo_catalog, demo_program, mailbox, settings, tmp_path
):
    from billing.checkout import subscription_buy
    from billing.models import LegacyDiscount, Subscription

    shot = f"6-legacy-notice-{lang}"
    # The deployment's language: accounts do not record one, so the job writes in the site's default language.
    settings.LANGUAGE_CODE = lang
    account = customer(EMAIL)
    started = timezone.now() - timedelta(days=345)  # an annual term that ends in about three weeks
    subscription = subscription_buy(
        account=account,
        plan_code="workplace-pro",
        quantity=3,
        add_ons={},
        billing_cycle="annual",
        idempotency_key="journey-6",
        now=started,
    )
    Subscription.objects.filter(pk=subscription.pk).update(created_at=started)  # it existed before the import
    subscription.refresh_from_db()
    period_end = subscription.current_period_end

    partner_list = tmp_path / "partner-discounts.csv"
    partner_list.write_text(f"Account email,Percent,Partner\n{EMAIL.upper()},30,{PARTNER}\n", encoding="utf-8")
    call_command("import_legacy_discounts", str(partner_list), stdout=StringIO())
    call_command("send_legacy_discount_notices", stdout=StringIO())
    call_command("send_legacy_discount_notices", stdout=StringIO())  # daily: once per term
    assert LegacyDiscount.objects.get().notice_sent_for_period_end == period_end

    # The email, in the language, with the term's end as the language writes dates, and the way to apply.
    subject = t(lang, "Your nonprofit discount ends at your next renewal")
    [notice] = [m for m in mailbox.all_to(EMAIL) if str(m["Subject"]) == subject]  # besides the invoice's email
    text = mailbox.text(notice)
    assert re.search(PERCENT[lang], text) and PARTNER in text and date_shown(period_end, lang) in text, text
    program_link = mailbox.link(EMAIL, containing="/programs/")
    assert program_link.endswith(PROGRAM.format(lang=lang)), program_link

    # Read as the customer's mail program shows it (the HTML part), then the link to the program.
    page.set_content(mailbox.server.html(notice))
    page.audit("legacy notice email")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("body")).to_contain_text(date_shown(period_end, lang))
    page.shot(f"{shot}-01-email")
    page.submit(page.get_by_role("link", name=program_link), label="program from the notice")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        demo_program.name_fr if lang == "fr" else demo_program.name
    )
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # The store account: the subscription says the same, in the same words and dates.
    customer_signs_in(page, lang, EMAIL)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Your account"))
    page.submit(page.get_by_role("link", name=t(lang, "Subscriptions"), exact=True), label="subscriptions")
    page.submit(page.get_by_role("link", name=re.compile("Workplace Pro")), label="subscription")
    with_date = page.locator("main dd").filter(has_text=date_shown(period_end, lang))
    expect(with_date.first).to_be_visible()
    explanation = t(
        lang,
        "%(percent)s%% discount from the previous verification partner on what you add during "
        "this term (annual billing), until %(end)s. It ends with this term: apply through the "
        "nonprofit program for a coupon to use at renewal.",
    ) % {"percent": "30", "end": date_shown(period_end, lang)}
    expect(page.locator("main")).to_contain_text(explanation)
    page.shot(f"{shot}-02-subscription")
