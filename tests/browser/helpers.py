"""Small helpers for the journeys: translated text, keyboard-only moves, accessible error checks."""

import re

from playwright.sync_api import Locator, Page, expect

PROGRAM = "/{lang}/programs/workplace-nonprofit/"


def t(lang: str, text: str, *, same: bool = False) -> str:
    """`text` as the page shows it in `lang` (the real catalogs). French must really be translated, unless the
    word is the same in both languages (`same=True`: "Licences", "Total")."""
    from django.utils import translation

    with translation.override(lang):
        translated = translation.gettext(text)
    assert lang == "en" or same or translated != text, f"{text!r} has no {lang} translation"
    return translated


def tab_to(page: Page, target: Locator, *, limit: int = 40) -> None:
    """Press Tab (from wherever the focus is) until `target` has the focus: it is reachable by keyboard."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("element => document.activeElement === element", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def expect_field_error(page: Page, field: Locator, message: str = "") -> None:
    """An error shown next to its field and announced: aria-invalid, described by the error, role=alert."""
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    errors = [page.locator(f"#{ident}") for ident in described if ident.endswith("_error")]
    assert errors, f"{field} is not described by its error (aria-describedby={described})"
    expect(errors[0]).to_have_attribute("role", "alert")
    if message:
        expect(errors[0]).to_contain_text(message)


def digits_grouped(text: str) -> re.Pattern:
    """A number as a language writes it, whatever space it groups digits with: '10 000 000,00'."""
    return re.compile(re.escape(text).replace(r"\ ", r"[\s\u202f\u00a0]"))


def approved_application(*, program, org_id: str, email: str, lang: str, budget_minor: int = 25_000_00):
    """What journey 1 leaves behind, made through the services (each journey test starts from a clean database):
    a submitted application for `org_id` with `email` proven. Returns it, decided."""
    from django.utils import timezone

    from registry.selectors import organisation_get
    from verification.models import Application
    from verification.services import application_start, application_submit

    organisation = organisation_get(org_id=org_id)
    application = application_start(program=program, language=lang)
    Application.objects.filter(pk=application.pk).update(
        declared_budget_minor=budget_minor,
        country=organisation.country,
        organisation=organisation,
        applicant_name="Jo Director",
        email=email,
        email_verified_at=timezone.now(),
    )
    application.refresh_from_db()
    application_submit(application=application, ip="127.0.0.1", user_agent="browser test")
    application.refresh_from_db()
    return application
