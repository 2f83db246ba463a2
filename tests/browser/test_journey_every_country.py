"""Journey: an organisation from a country whose register Vouch does not import (New Zealand), without JavaScript.

The country step offers every country and region in one plain select (the searched registers first); New Zealand
goes straight to "add your organisation", which names the documents accepted there; the status page asks for
them by name.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import PROGRAM, t

EMAIL = "trustee@kiwicoastal.example"
COUNTRY_NAME = {"en": "New Zealand", "fr": "Nouvelle-Zélande"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_country_without_register_applies_by_hand_with_its_documents(new_page, lang, demo_program, mailbox):
    page = new_page(lang=lang, javascript=False)
    shot = f"every-country-{lang}"
    page.goto(PROGRAM.format(lang=lang), label="program")
    page.get_by_label(
        t(lang, "Annual operating budget of the organisation, in %(currency)s") % {"currency": "USD"}
    ).fill("80000")
    page.submit(page.get_by_role("button", name=t(lang, "Check eligibility")), label="country")

    select = page.get_by_label(t(lang, "Country or region where the organisation is registered"))
    groups = select.locator("optgroup")
    expect(groups).to_have_count(2)
    expect(groups.first).to_have_attribute("label", t(lang, "Countries whose official register we search"))
    expect(groups.nth(1).locator("option")).to_have_count(249 - len(demo_program.sanctioned_countries))
    select.select_option("NZ")
    page.shot(f"{shot}-01-country", near=select)
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="organisation by hand")

    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Add your organisation"))
    main = page.locator("main")
    expect(main).to_contain_text(COUNTRY_NAME[lang])
    expect(main).to_contain_text(t(lang, "Certificate of registration from the national register"))
    page.shot(f"{shot}-02-by-hand", near=page.locator("#accepted-title"))
    page.get_by_label(t(lang, "Full legal name")).fill("Kiwi Coastal Trust")
    page.get_by_label(t(lang, "Registered address")).fill("1 Queen Street\nAuckland 1010")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="eligibility")
    # No register settles a New Zealand organisation here: a reviewer will read its documents; the country passes.
    expect(page.locator("[data-testid=precheck-review]")).to_contain_text("manual_organisation_needs_documents")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="representative")

    page.get_by_label(t(lang, "Your full name")).fill("Aroha Smith")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="email")
    page.get_by_label(t(lang, "Official email of the organisation")).fill(EMAIL)
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="code")
    page.get_by_label(t(lang, "Code from the email")).fill(mailbox.verification_code(EMAIL))
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="confirm")
    page.get_by_label(t(lang, "I confirm that I represent this organisation and may apply for it.")).check()
    page.get_by_label(t(lang, "I accept the terms and the privacy policy above.")).check()
    page.submit(page.get_by_role("button", name=t(lang, "Submit the application")), label="status")

    documents = page.locator("ul.accepted-documents")
    expect(documents).to_contain_text(t(lang, "Statutes or articles of association, signed and dated"))
    expect(main).to_contain_text(COUNTRY_NAME[lang])
    page.shot(f"{shot}-03-status", near=documents)
