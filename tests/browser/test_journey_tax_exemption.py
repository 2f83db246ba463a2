"""Journey 5: a customer asks to be exempt from sales tax, in a real browser.

The customer signs in to the store and requests exemption for New York. A nonprofit determination letter (an IRS
501(c)(3) letter, as a real PDF) is refused at once, with the reason on the page; the state's exemption certificate
is taken and waits for review. Meanwhile an invoice with New York tax is issued. A reviewer reads the certificate in
the browser and approves it: the tax of that invoice is credited, and the customer sees the exemption granted.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import digits_grouped, expect_field_error, t, tab_to
from tests.browser.journeys_b import (
    customer,
    customer_signs_in,
    date_shown,
    open_document,
    pdf_file,
    reviewer_signs_in,
    staff_member,
)

EMAIL = "treasurer@harbour-food-bank.example"
REASON = {
    "en": "We are a charitable food bank; New York exempts our purchases from sales tax.",
    "fr": "Banque alimentaire caritative : l\u2019État de New York exonère nos achats de la taxe de vente.",
}
# Workplace Pro, 2 licences, annual: 2 x US$149.90 = US$299.80; New York's 4% tax is US$11.99, credited back.
CREDIT = {"en": "-$11.99", "fr": "-11,99 $US"}


@pytest.fixture
def documents_dir(settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    return settings.DOCUMENTS_DIR


@pytest.mark.parametrize("lang", LANGS)
def test_customer_is_exempted_with_the_state_certificate_not_the_irs_letter(
    page, new_page, lang, demo_catalog, documents_dir, tmp_path
):
    from billing.checkout import subscription_buy
    from billing.models import TaxExemption

    shot = f"5-tax-exemption-{lang}"
    account = customer(EMAIL)
    staff_member("rita")

    customer_signs_in(page, lang, EMAIL)
    page.submit(page.get_by_role("link", name=t(lang, "Tax exemption"), exact=True), label="tax exemption")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Sales-tax exemption"))
    expect(page.locator("main")).to_contain_text(t(lang, "You have not requested an exemption."))
    send = page.get_by_role("button", name=t(lang, "Send the exemption request"))

    # An empty request: each missing answer is announced next to its own field.
    page.submit(send, label="tax exemption: refused")
    for label in ("Certificate", "Why you are exempt", "Certificate file", "Signature: your full name"):
        expect_field_error(page, page.get_by_label(t(lang, label), exact=True))
    expect_field_error(
        page,
        page.get_by_label(
            t(
                lang,
                "I certify that the information and the certificate are "
                "correct and that I am authorised to sign for the organisation.",
            )
        ),
    )
    page.shot(f"{shot}-01-errors")

    # The IRS determination letter proves charitable status, not exemption from sales tax: refused at once.
    fill_request(
        page,
        lang,
        certificate="nonprofit_determination_letter",
        document=pdf_file(
            tmp_path,
            "irs-determination-letter.pdf",
            "Internal Revenue Service",
            "Determination letter: exempt under section 501(c)(3)",
        ),
    )
    page.submit(send, label="tax exemption: letter refused")
    explanation = t(
        lang,
        "A nonprofit determination letter (for example an IRS 501(c)(3) letter) proves charitable "
        "status, not exemption from sales tax. Submit the exemption certificate of the jurisdiction "
        "instead: a state exemption certificate, a resale certificate or a direct-pay permit.",
    )
    expect(page.locator(".messages")).to_contain_text(explanation)
    refused = page.get_by_role("row", name=re.compile(re.escape(t(lang, "Rejected"))))
    expect(refused).to_contain_text(explanation)
    expect(refused).to_contain_text(date_shown(TaxExemption.objects.get().requested_at, lang))
    page.shot(f"{shot}-02-letter-refused")

    # The state's exemption certificate is taken and waits for a reviewer.
    fill_request(
        page,
        lang,
        certificate="state_exemption_certificate",
        document=pdf_file(
            tmp_path, "ny-st-119-certificate.pdf", "New York State", "Exempt Organization Certification (ST-119.1)"
        ),
    )
    tab_to(page, send)
    with page.navigation(label="tax exemption: certificate sent"):
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(t(lang, "Your request was received; we will review it."))
    expect(page.get_by_role("row", name=re.compile(re.escape(t(lang, "Pending review"))))).to_contain_text("US-NY")
    exemption = TaxExemption.objects.get(status="pending")

    # Before the decision, a purchase is invoiced with New York's tax.
    subscription = subscription_buy(
        account=account,
        plan_code="workplace-pro",
        quantity=2,
        add_ons={},
        billing_cycle="annual",
        idempotency_key="journey-5",
    )
    invoice = subscription.invoices.get()
    assert invoice.tax_minor == 1199

    # The reviewer reads the certificate in the browser and approves the exemption.
    reviewer = new_page(lang=lang)
    reviewer_signs_in(reviewer, lang, "rita", next_path=f"/{lang}/review/tax-exemptions/")
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(t(lang, "Tax exemptions waiting for review"))
    waiting = reviewer.get_by_role("row", name=re.compile(re.escape(EMAIL)))
    expect(waiting).to_contain_text(
        str(exemption.get_certificate_type_display()) if lang == "en" else t(lang, "State exemption certificate")
    )
    reviewer.submit(waiting.get_by_role("link"), label="back-office tax exemption")
    open_document(
        reviewer, reviewer.get_by_role("link", name="ny-st-119-certificate.pdf"), shot=f"{shot}-03-certificate-viewer"
    )
    reviewer.submit(reviewer.get_by_role("button", name=t(lang, "Approve the exemption")), label="exemption approved")
    expect(reviewer.locator(".messages")).to_contain_text(
        t(lang, "Exemption approved; %(count)d credit note(s) issued.") % {"count": 1}
    )
    expect(reviewer.locator("main")).to_contain_text(digits_grouped(CREDIT[lang]))
    expect(reviewer.locator("main")).to_contain_text(invoice.number)
    reviewer.shot(f"{shot}-04-approved")

    # The customer sees the exemption granted, next to the refused letter.
    page.goto(f"/{lang}/store/tax-exemption/", label="tax exemption: approved")
    expect(page.get_by_role("row", name=re.compile(re.escape(t(lang, "Exempt"))))).to_contain_text("US-NY")
    expect(page.get_by_role("row", name=re.compile(re.escape(t(lang, "Rejected"))))).to_be_visible()
    page.shot(f"{shot}-05-exempt")
    exemption.refresh_from_db()
    assert exemption.status == "exempt" and exemption.decided_by.username == "rita"
    assert exemption.credits.get().invoice == invoice


def fill_request(page, lang: str, *, certificate: str, document) -> None:
    page.get_by_label(t(lang, "Country"), exact=True).select_option("US")
    page.get_by_label(t(lang, "Region")).fill("NY")
    page.get_by_label(t(lang, "Certificate"), exact=True).select_option(certificate)
    page.get_by_label(t(lang, "Why you are exempt")).fill(REASON[lang])
    page.get_by_label(t(lang, "Certificate file")).set_input_files(document)
    page.get_by_label(t(lang, "Signature: your full name")).fill("Dana Whitfield")
    # From the signature, the keyboard alone: Tab to the attestation, Space ticks it.
    attest = page.get_by_label(
        t(
            lang,
            "I certify that the information and the certificate are correct and that I "
            "am authorised to sign for the organisation.",
        )
    )
    tab_to(page, attest)
    page.keyboard.press("Space")
    expect(attest).to_be_checked()
