"""Journey 2: the approved applicant signs up in the store with the same email, reviews the priced order (lines,
the coupon's discount, total) before buying Workplace Pro annually with 10 licences and the coupon, sees what the
subscription costs, adds 5 licences, is offered no plan switch under the discount (a stale form is refused with the
reason), reads the invoices with seller and buyer, and finds the PDF.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import approved_application, digits_grouped, t

RE_ALLIANCE = "AU-ABN-46159949149"
EMAIL = "jo@re-alliance.org.au"
PASSWORD = "Harbour-Kettle-42"
ANNUAL_PRO = {"en": "$149.90", "fr": "149,90 $US"}
FIRST_TOTAL = {"en": "$749.50", "fr": "749,50 $US"}  # 10 x 149.90, half price, no tax in Australia
LIST_PRICE = {"en": "$1,499.00", "fr": "1 499,00 $US"}


@pytest.fixture
def coupon_code(registry, demo_program, demo_catalog, mailbox, lang):
    registry("au")
    application = approved_application(program=demo_program, org_id=RE_ALLIANCE, email=EMAIL, lang=lang)
    assert application.state == "approved", application.decision_reasons
    return mailbox.coupon_code(EMAIL)


@pytest.mark.parametrize("lang", LANGS)
def test_buy_with_the_coupon_add_licences_refused_upgrade_invoices(page, lang, coupon_code, mailbox):
    shot = f"2-store-{lang}"
    page.goto(f"/{lang}/store/plans/", label="plans")
    expect(page.locator("main")).to_contain_text(digits_grouped(ANNUAL_PRO[lang]))
    page.shot(f"{shot}-01-plans")

    # Sign up with the email the coupon is bound to, and confirm it from the email.
    page.submit(page.get_by_role("link", name=t(lang, "Create an account")).first, label="sign up")
    page.get_by_label(t(lang, "Email")).fill(EMAIL)
    page.get_by_label(t(lang, "Password")).fill(PASSWORD)
    page.get_by_label(t(lang, "Billing country")).select_option("AU")
    page.get_by_label(t(lang, "Currency")).select_option("USD")
    page.submit(page.get_by_role("button", name=t(lang, "Create the account")), label="sign up done")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Check your email"))
    page.goto(mailbox.link(EMAIL, containing="/store/verify/"), label="email confirmed")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Your email is confirmed"))

    page.goto(f"/{lang}/store/sign-in/", label="sign in")
    page.get_by_label(t(lang, "Email")).fill(EMAIL)
    page.get_by_label(t(lang, "Password")).fill(PASSWORD)
    page.submit(page.locator("main").get_by_role("button", name=t(lang, "Sign in")), label="account")

    # Workplace Pro, annual, 10 licences, with the coupon.
    page.submit(page.get_by_role("link", name=t(lang, "Buy")), label="checkout")
    page.get_by_label(t(lang, "Plan"), exact=True).select_option("workplace-pro")
    page.get_by_label(t(lang, "Licences", same=True), exact=True).fill("10")
    page.get_by_label(t(lang, "Billing cycle")).select_option("annual")
    page.get_by_label(t(lang, "Coupon code")).fill(coupon_code)
    page.submit(page.get_by_role("button", name=t(lang, "Review order")), label="order reviewed")
    summary = page.locator("section.summary")
    expect(summary).to_contain_text(t(lang, "Your order"))
    expect(summary).to_contain_text(digits_grouped(LIST_PRICE[lang]))  # 10 x 149.90 before the discount
    expect(summary.locator("tfoot")).to_contain_text(digits_grouped(FIRST_TOTAL[lang]))
    page.shot(f"{shot}-02-review-order", near=summary)
    page.submit(page.locator("main").get_by_role("button", name=t(lang, "Buy"), exact=True), label="subscription")
    main = page.locator("main")
    expect(main).to_contain_text(t(lang, "Thank you: your subscription is active."))
    expect(main).to_contain_text("50")
    expect(page.locator(".facts")).to_contain_text("Workplace Pro")
    expect(main).to_contain_text(digits_grouped(FIRST_TOTAL[lang]))  # the price per year, on the subscription
    page.shot(f"{shot}-03-subscription")

    # Five more licences, prorated.
    page.get_by_label(t(lang, "Licences to add")).fill("5")
    page.submit(page.get_by_role("button", name=t(lang, "Add licences")), label="licences added")
    expect(main).to_contain_text(
        re.compile(re.escape(t(lang, "Licences added. Invoice %(number)s was issued.").split("%(number)s")[0]))
    )
    facts = page.locator(".facts")
    expect(facts).to_contain_text("15")

    # Under the discount no plan switch is offered; Cancel is a secondary link to a confirmation page.
    expect(page.get_by_label(t(lang, "New plan"), exact=True)).to_have_count(0)
    expect(main).to_contain_text(
        t(lang, "Under the nonprofit discount, the only change possible is adding licences to your current plan.")
    )
    expect(page.get_by_role("link", name=t(lang, "Cancel the subscription…"))).to_have_class(re.compile("secondary"))
    from billing.models import Subscription

    subscription = Subscription.objects.get(account__email=EMAIL)
    assert (subscription.plan.code, subscription.quantity, subscription.is_discounted) == ("workplace-pro", 15, True)

    # The invoices: the purchase and the added licences, in the page's language.
    page.submit(page.get_by_role("link", name=t(lang, "Invoices"), exact=True), label="invoices")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.results")).to_contain_text(digits_grouped(FIRST_TOTAL[lang]))
    page.shot(f"{shot}-04-invoices")
    page.submit(rows.first.get_by_role("link"), label="invoice")
    expect(page.locator("main")).to_contain_text("Workplace Pro")
    expect(page.get_by_role("heading", name=t(lang, "Seller"))).to_be_visible()
    expect(page.get_by_role("heading", name=t(lang, "Buyer"))).to_be_visible()
    expect(page.get_by_role("link", name=t(lang, "Download as PDF"))).to_have_attribute("href", re.compile("/pdf/$"))
    page.shot(f"{shot}-05-invoice")
    # The Print button needs JavaScript, so only JavaScript shows it (this context runs scripts).
    expect(page.get_by_role("button", name=t(lang, "Print"))).to_be_visible()
