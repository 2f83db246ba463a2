"""Journey 1: a newcomer applies for the nonprofit discount and receives the coupon, in a real browser.

Over the cap they are sent to sales; under it they search their organisation with a typo (English: the
autocomplete, keyboard only; French: the plain search form with JavaScript off), prove their email with the code
the email brings over SMTP, are approved at once (the ACNC record's website matches the email's domain) and read
the coupon from the approval email.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import PROGRAM, digits_grouped, expect_field_error, t, tab_to
from tests.browser.mail import COUPON_CODE

RE_ALLIANCE = "AU-ABN-46159949149"  # RE-Alliance Limited (ACNC sample), website www.re-alliance.org.au
EMAIL = "jo@re-alliance.org.au"
CAP = {"en": "10,000,000.00", "fr": "10 000 000,00"}
BUDGET_SHOWN = {"en": "25,000.00", "fr": "25 000,00"}


@pytest.fixture
def ready(registry, demo_program, mailbox):
    registry("au")
    return demo_program


@pytest.mark.parametrize("lang", LANGS)
def test_newcomer_applies_and_receives_the_coupon(page, new_page, lang, ready, mailbox):
    program_url = PROGRAM.format(lang=lang)
    shot = f"1-apply-{lang}"

    # Over the cap: the sales team, and no application is started.
    page.goto(program_url, label="program")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("main")).to_contain_text(digits_grouped(CAP[lang]))
    page.shot(f"{shot}-01-budget")
    page.get_by_label(
        t(lang, "Annual operating budget of the organisation, in %(currency)s") % {"currency": "USD"}
    ).fill("12000000")
    page.submit(page.get_by_role("button", name=t(lang, "Check eligibility")), label="over the cap")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Talk to our sales team"))
    expect(page.get_by_role("link", name=t(lang, "Contact sales"))).to_have_attribute("href", ready.sales_contact_url)
    page.shot(f"{shot}-02-sales")
    page.submit(page.get_by_role("link", name=t(lang, "I entered the wrong budget")), label="program")

    # A nonsense budget is refused next to the field; then a budget under the cap.
    page.locator("#id_budget").fill("-5")
    page.submit(page.get_by_role("button", name=t(lang, "Check eligibility")), label="budget refused")
    expect_field_error(page, page.locator("#id_budget"))
    page.locator("#id_budget").fill("25000")
    page.submit(page.get_by_role("button", name=t(lang, "Check eligibility")), label="country")
    page.get_by_label(t(lang, "Country or region where the organisation is registered")).select_option("AU")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="organisation")

    # The organisation, searched with a typo.
    if lang == "en":
        search = page.get_by_label(t(lang, "Full legal name or registry number"))
        tab_to(page, search)
        page.keyboard.type("re aliance", delay=20)
        expect(page.get_by_role("option", name=re.compile("RE-Alliance Limited"))).to_be_visible()
        page.shot(f"{shot}-03-organisation")
        page.keyboard.press("ArrowDown")
        with page.navigation(label="eligibility"):
            page.keyboard.press("Enter")
        eligibility = page
    else:
        plain = page.cookies_to(new_page(lang=lang, javascript=False))
        plain.goto(page.path, label="organisation (no JavaScript)")
        plain.get_by_label(t(lang, "Full legal name or registry number")).fill("Re-Aliance")
        with plain.navigation(label="organisation results (no JavaScript)"):
            plain.keyboard.press("Enter")
        plain.get_by_label(re.compile("RE-Alliance Limited")).check()
        plain.shot(f"{shot}-03-organisation", near=plain.locator("fieldset"))
        plain.submit(plain.get_by_role("button", name=t(lang, "Continue")), label="eligibility (no JavaScript)")
        eligibility = plain

    # Before the name and email: what the register settles, with its evidence (no JavaScript needed to read it).
    expect(eligibility.get_by_role("heading", level=1)).to_have_text(
        t(lang, "The organisation meets the program's rules")
    )
    passed = eligibility.locator("[data-testid=precheck-passed]")
    expect(passed).to_contain_text("charitable_status_confirmed")
    evidence = passed.locator("li[data-code=registered] details")
    evidence.locator("summary").click()
    expect(evidence).to_contain_text(RE_ALLIANCE)
    expect(evidence).to_contain_text("au-acnc")
    eligibility.shot(f"{shot}-03-eligibility", near=passed)
    label = "representative" if lang == "en" else "representative (no JavaScript)"
    eligibility.submit(eligibility.get_by_role("button", name=t(lang, "Continue")), label=label)
    if lang != "en":
        page.goto(eligibility.path, label="representative")

    # Keyboard only: Tab to the name, type it, Enter continues.
    expect(page.locator("main")).to_contain_text("RE-Alliance Limited")
    tab_to(page, page.get_by_label(t(lang, "Your full name")))
    page.keyboard.type("Jo Director")
    with page.navigation(label="email"):
        page.keyboard.press("Enter")

    page.get_by_label(t(lang, "Official email of the organisation")).fill(EMAIL)
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="code")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Check your email"))

    # A wrong code is announced next to the field; the emailed one is accepted.
    code_field = page.get_by_label(t(lang, "Code from the email"))
    code = mailbox.verification_code(EMAIL)
    code_field.fill("000000" if code != "000000" else "111111")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="code refused")
    expect_field_error(page, page.get_by_label(t(lang, "Code from the email")))
    page.shot(f"{shot}-04-code-error")
    page.get_by_label(t(lang, "Code from the email")).fill(code)
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="confirm")

    main = page.locator("main")
    expect(main).to_contain_text("RE-Alliance Limited")
    expect(main).to_contain_text(digits_grouped(BUDGET_SHOWN[lang]))
    page.get_by_label(t(lang, "I confirm that I represent this organisation and may apply for it.")).check()
    page.get_by_label(t(lang, "I accept the terms and the privacy policy above.")).check()
    page.submit(page.get_by_role("button", name=t(lang, "Submit the application")), label="status")

    # Approved at once; the coupon comes by email, in the applicant's language.
    expect(page.locator(".state")).to_have_text(t(lang, "Approved"))
    page.shot(f"{shot}-05-approved")
    checks = page.locator("[data-testid=passed-checks]")
    expect(checks).to_contain_text("charitable_status_confirmed")
    page.shot(f"{shot}-06-checks", near=checks)
    approval = mailbox.latest(EMAIL, containing=page.path.rstrip("/").rsplit("/", 1)[-1])
    assert COUPON_CODE.search(mailbox.text(approval)), mailbox.text(approval)
    assert "[charitable_status_confirmed]" in mailbox.text(approval) and RE_ALLIANCE in mailbox.text(approval)
    from coupons.services import coupon_find
    from verification.models import Application

    coupon = coupon_find(code=mailbox.coupon_code(EMAIL))
    application = Application.objects.get(coupon=coupon)  # the application holds its coupon (one-to-one)
    assert application.organisation_id and application.organisation.org_id == RE_ALLIANCE
    assert application.language == lang and coupon.email == EMAIL
