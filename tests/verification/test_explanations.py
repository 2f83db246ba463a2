"""Check explanations are stored as a key and parameters and read in the reader's language: the applicant's
status page and emails in theirs, the reviewer's back-office in the reviewer's, the API in the request's; rows
stored before the keys are migrated (0008)."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from notifications.models import OutboxEmail
from tests.staff import staff_login
from tests.verification.conftest import FAITH_SCHOOL
from verification.models import Application, CheckResult
from verification.reasons import reason_text
from verification.rules import TEMPLATES, explain
from verification.services import application_submit

pytestmark = pytest.mark.django_db

EN_SCHOOL = "Schools, colleges and universities are not eligible for the nonprofit discount"
FR_SCHOOL = "Les écoles, collèges, lycées et universités ne sont pas éligibles à la réduction"


def _french_school(make_draft) -> Application:
    application = make_draft(FAITH_SCHOOL, language="fr")
    application_submit(application=application, ip="203.0.113.5", user_agent="test")
    application.refresh_from_db()
    return application


def test_every_template_has_its_parameters_filled_in_both_languages():
    for key, template in TEMPLATES.items():
        for lang in ("en", "fr"):
            with translation.override(lang):
                text = str(template)
                assert "%(" not in text % {
                    name: "x"
                    for name in (
                        "org_id",
                        "name",
                        "date",
                        "reason",
                        "source",
                        "subsection",
                        "url",
                        "category",
                        "amount",
                        "cap",
                        "sales",
                        "currency",
                        "country",
                        "domain",
                        "field",
                        "email",
                        "issuer",
                    )
                }, key


def test_explanations_render_values_as_the_reader_writes_them():
    over = explain(
        "over_budget_cap.declared",
        amount={"money": 1_234_567_89, "currency": "EUR"},
        cap={"money": 10_000_000_00, "currency": "USD"},
    )
    sanctioned = explain("sanctioned_country", country={"country": "IR"})
    with translation.override("en"):
        assert "(€1,234,567.89)" in str(over) and "$10,000,000.00" in str(over)
        assert str(sanctioned) == "Organisations registered in Iran cannot be served (sanctions)."
    with translation.override("fr"):
        assert "1\u202f234\u202f567,89\xa0€" in str(over) and "10\u202f000\u202f000,00\xa0$US" in str(over)
        assert "Iran" in str(sanctioned) and "sanctions" in str(sanctioned)


def test_checked_in_french_read_in_english_by_the_reviewer_and_in_french_by_the_applicant(
    us_registry, make_draft, django_user_model
):
    application = _french_school(make_draft)
    assert application.state == "rejected"
    check = application.checks.get(code="excluded_education")
    assert FR_SCHOOL in check.message and check.message_key == "excluded_education.url"
    assert check.params == {"url": application.program.education_program_url}
    reason = application.decision_reasons[0]
    assert reason["key"] == "excluded_education.url" and FR_SCHOOL in reason["message"]

    reviewer = staff_login(Client(), django_user_model.objects.create_user("eve", "eve@v.example", "x", is_staff=True))
    english = reviewer.get(f"/en/review/applications/{application.reference}/").content.decode().replace("&#x27;", "'")
    assert EN_SCHOOL in english and FR_SCHOOL not in english
    french = reviewer.get(f"/fr/review/applications/{application.reference}/").content.decode().replace("&#x27;", "'")
    assert FR_SCHOOL in french and EN_SCHOOL not in french

    status = Client().get(f"/fr/programs/status/{application.token}/").content.decode().replace("&#x27;", "'")
    assert FR_SCHOOL in status
    email = OutboxEmail.objects.get(template="application_rejected", to=application.email)
    assert email.language == "fr" and FR_SCHOOL in email.body_text


def test_checked_in_english_read_in_french_by_a_french_reviewer(us_registry, make_draft, django_user_model):
    application = make_draft(FAITH_SCHOOL, language="en")
    application_submit(application=application, ip="203.0.113.5", user_agent="test")
    reviewer = staff_login(Client(), django_user_model.objects.create_user("eve", "eve@v.example", "x", is_staff=True))
    french = reviewer.get(f"/fr/review/applications/{application.reference}/").content.decode().replace("&#x27;", "'")
    assert FR_SCHOOL in french and EN_SCHOOL not in french


def test_the_api_explains_in_the_request_language(us_registry, make_draft):
    from api.applications import application_out

    application = _french_school(make_draft)
    with translation.override("en"):
        out = application_out(application, api_key=None)  # no partner: no links
    assert EN_SCHOOL in out["decision_reasons"][0]["message"]
    assert any(EN_SCHOOL in check["message"] for check in out["checks"])


def _migration():
    return importlib.import_module("verification.migrations.0008_check_params")


def test_rows_stored_before_the_keys_are_migrated_and_read_in_any_language(us_registry, make_draft):
    application = _french_school(make_draft)
    stored_fr = {check.code: check.message for check in application.checks.all()}
    # What an older release stored: the text alone, in the applicant's language.
    CheckResult.objects.filter(application=application).update(message_key="", params={})
    Application.objects.filter(pk=application.pk).update(
        decision_reasons=[{"code": r["code"], "message": r["message"]} for r in application.decision_reasons]
    )
    CheckResult.objects.filter(application=application, code="registered").update(
        evidence={"record": FAITH_SCHOOL, "field": "status", "value": "active", "source": "us-irs-bmf"}
    )
    _migration().forwards(apps, None)

    registered = application.checks.get(code="registered")
    assert registered.message_key == "registered"
    assert registered.params == {"name": "FAITH COMMUNITY CHRISTIAN SCHOOL", "source": "us-irs-bmf"}
    assert registered.message == stored_fr["registered"]  # the text the applicant was told is kept
    with translation.override("en"):
        assert registered.explanation == "FAITH COMMUNITY CHRISTIAN SCHOOL is registered and active (us-irs-bmf)."
        school = application.checks.get(code="excluded_education")
        assert school.message_key == "excluded_education.url" and EN_SCHOOL in school.explanation
        application.refresh_from_db()
        assert application.decision_reasons[0]["key"] == "excluded_education.url"
        assert EN_SCHOOL in reason_text(application.decision_reasons[0])
    with translation.override("fr"):
        assert application.checks.get(code="excluded_education").explanation == stored_fr["excluded_education"]


def test_a_row_that_cannot_be_rebuilt_keeps_its_text(us_registry, make_draft):
    application = _french_school(make_draft)
    CheckResult.objects.filter(application=application).update(message_key="", params={})
    check = application.checks.get(code="registered")
    CheckResult.objects.filter(pk=check.pk).update(code="some_retired_code", message="Texte d'une ancienne version.")
    _migration().forwards(apps, None)
    check.refresh_from_db()
    assert check.message_key == "" and check.params == {}
    with translation.override("en"):
        assert check.explanation == "Texte d'une ancienne version."
    assert reason_text({"code": "x", "message": "Stored."}) == "Stored."
    with translation.override("en"):
        assert reason_text({"code": "other", "key": "rejection.other", "message": "Autre."}).startswith("Another")
