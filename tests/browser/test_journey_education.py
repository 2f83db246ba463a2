"""Journey 3: a university is told, before giving any personal data, that it cannot get the discount: the pre-check
shows the reason with its evidence, what passed, and the way to the education program."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import PROGRAM, t

JAMES_COOK = "AU-ABN-46253211955"  # James Cook University (ACNC sample): higher education


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
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="eligibility")

    # Told before giving a name or an email: the reason, its code and evidence, and the education program.
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "This organisation cannot get the discount"))
    failed = page.locator("[data-testid=precheck-failed]")
    expect(failed).to_contain_text("excluded_education")
    failed.locator("summary").first.click()
    expect(failed.locator("details").first).to_contain_text(t(lang, "Higher education"))
    link = page.get_by_role("link", name=t(lang, "See the education program"))
    expect(link).to_have_attribute("href", ready.education_program_url)
    expect(page.get_by_role("button", name=t(lang, "Continue"))).to_have_count(0)
    expect(page.locator("[data-testid=precheck-passed]")).to_contain_text("registered")
    page.shot(f"{shot}-02-precheck", near=failed)
    page.shot(f"{shot}-03-next", near=page.locator("[data-testid=precheck-next]"))

    # No way on to the personal data: the next step's address leads back here.
    page.goto(PROGRAM.format(lang=lang) + "apply/representative/", label="eligibility again")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "This organisation cannot get the discount"))
    from verification.models import Application

    [application] = Application.objects.all()
    assert application.state == "draft" and application.organisation.org_id == JAMES_COOK
    assert application.applicant_name == "" and application.email == "" and application.language == lang
    from notifications.models import OutboxEmail

    assert not OutboxEmail.objects.exists()  # nobody to write to: no address was asked for
