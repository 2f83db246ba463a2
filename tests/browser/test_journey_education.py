"""Journey 3: a university applies and is refused at once, with the reason and the pointer to the education program
(on the status page and in the email)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import PROGRAM, t

JAMES_COOK = "AU-ABN-46253211955"  # James Cook University (ACNC sample): higher education
EMAIL = "grants@jcu.edu.au"


@pytest.fixture
def ready(registry, demo_program, mailbox):
    registry("au")
    return demo_program


@pytest.mark.parametrize("lang", LANGS)
def test_university_is_pointed_to_the_education_program(page, lang, ready, mailbox):
    shot = f"3-education-{lang}"
    page.goto(PROGRAM.format(lang=lang), label="program")
    page.locator("#id_budget").fill("4000000")
    page.submit(page.get_by_role("button", name=t(lang, "Check eligibility")), label="country")
    page.get_by_label(t(lang, "Country or region where the organisation is registered")).select_option("AU")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="organisation")

    # The plain search form (its button), then the radio list.
    page.get_by_label(t(lang, "Full legal name or registry number")).fill("james cook university")
    page.submit(page.get_by_role("button", name=t(lang, "Search")), label="organisation results")
    page.locator(f"input[name=org_id][value='{JAMES_COOK}']").check()
    page.shot(f"{shot}-01-organisation", near=page.locator("fieldset"))
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="representative")
    page.get_by_label(t(lang, "Your full name")).fill("Pat Head")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="email")
    page.get_by_label(t(lang, "Official email of the organisation")).fill(EMAIL)
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="code")
    page.get_by_label(t(lang, "Code from the email")).fill(mailbox.verification_code(EMAIL))
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="confirm")
    page.get_by_label(t(lang, "I confirm that I represent this organisation and may apply for it.")).check()
    page.get_by_label(t(lang, "I accept the terms and the privacy policy above.")).check()
    page.submit(page.get_by_role("button", name=t(lang, "Submit the application")), label="status")

    # Refused at once: the reason, its code, and the way to the education program.
    expect(page.locator(".state")).to_have_text(t(lang, "Rejected"))
    expect(page.get_by_role("heading", name=t(lang, "Not approved"))).to_be_visible()
    reasons = page.locator("ul.reasons")
    expect(reasons).to_contain_text("excluded_education")
    link = page.get_by_role("link", name=t(lang, "See the education program"))
    expect(link).to_have_attribute("href", ready.education_program_url)
    page.shot(f"{shot}-02-refused", near=reasons)

    email = mailbox.text(mailbox.latest(EMAIL, containing="excluded_education"))
    assert ready.education_program_url in email
    from verification.models import Application

    application = Application.objects.get(email=EMAIL)
    assert application.state == "rejected" and application.decided_automatically
    assert application.organisation.org_id == JAMES_COOK and application.language == lang
