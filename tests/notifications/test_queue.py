"""Queueing emails: rendered in the recipient's language, written in the caller's transaction, never twice."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxEmail, OutboxState
from notifications.services import TEMPLATES, email_queue, email_render

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
CONTEXTS = {
    "account_verify_email": {"verify_url": "https://vouch.test/en/store/verify/tok/", "days_valid": 3},
    "account_password_reset": {"reset_url": "https://vouch.test/en/store/password-reset/x/y/"},
    "account_exists": {
        "sign_in_url": "https://vouch.test/en/store/sign-in/",
        "reset_url": "https://vouch.test/en/store/password-reset/",
    },
    "coupon_reissued": {
        "reference": "VCH-7K3M",
        "code": "WP-ABCD-EFGH-JKMN",
        "redeem_by": date(2027, 3, 1),
        "vendor_name": "Workplace",
        "status_url": "https://vouch.test/en/programs/status/t/",
    },
    "invoice_issued": {
        "number": "INV-2027-000001",
        "total": "1,239.70 USD",
        "issued_at": date(2027, 1, 1),
        "period_start": date(2027, 1, 1),
        "period_end": date(2028, 1, 1),
        "invoice_url": "https://vouch.test/en/store/invoices/INV-2027-000001/",
        "pdf_url": "https://vouch.test/en/store/invoices/INV-2027-000001/pdf/",
    },
    "legacy_discount_ending": {
        "period_end": date(2027, 1, 1),
        "percent": Decimal("20"),
        "partner": "TechSoup",
        "program_url": "https://vouch.test/en/programs/workplace-nonprofit/",
    },
    "verification_code": {
        "code": "482913",
        "minutes_valid": 15,
        "reference": "VCH-7K3M",
        "program_name": "Workplace for Nonprofits",
    },
    "application_received": {
        "reference": "VCH-7K3M",
        "due_date": date(2026, 3, 9),
        "status_url": "https://vouch.test/s/abc",
    },
    "information_needed": {
        "reference": "VCH-7K3M",
        "message": "Please send your <statutes>.",
        "status_url": "https://vouch.test/s/abc",
    },
    "application_approved": {
        "reference": "VCH-7K3M",
        "code": "7KQ2-XM4D-9RTB-HC31",
        "redeem_by": NOW,
        "vendor_name": "Zoomly",
        "products": ["Workplace Pro", "Webinars"],
        "discount_percent": Decimal("50.00"),
        "support_contact": "help@zoomly.test",
        "status_url": "https://vouch.test/s/abc",
    },
    "application_rejected": {
        "reference": "VCH-7K3M",
        "appeal_url": "https://vouch.test/appeal/abc",
        "reasons": [{"code": "excluded_education", "message": "Schools are not eligible."}],
        "education_program_url": "https://zoomly.test/education",
    },
    "expiry_reminder": {"reference": "VCH-7K3M", "expires_at": NOW, "status_url": "https://vouch.test/s/abc"},
    "application_expired": {"reference": "VCH-7K3M", "program_url": "https://vouch.test/programs/demo/"},
    "application_continue": {
        "reference": "VCH-7K3M",
        "continue_url": "https://vouch.test/s/abc",
        "partner_name": "Acme Store",
        "expires_at": NOW,
        "organisation_name": "Club",
        "program_name": "Workplace for Nonprofits",
    },
    "contact_confirmation": {
        "reference": "VCH-7K3M",
        "applicant_name": "Jo Director",
        "applicant_email": "jo@x.test",
        "organisation_name": "Kindness Trust",
        "program_name": "Workplace for Nonprofits",
        "vendor_name": "Zoomly",
        "answer_url": "https://vouch.test/en/programs/contact/abc/",
        "expires_at": NOW,
    },
}


def test_every_template_has_a_test_context():
    assert set(CONTEXTS) == set(TEMPLATES)


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_template_renders(template, language):
    subject, text, html = email_render(template=template, context=CONTEXTS[template], language=language)
    assert subject and "\n" not in subject
    if "reference" in TEMPLATES[template]:  # the applicant's emails quote their application
        assert "VCH-7K3M" in text and "VCH-7K3M" in html
    assert f'<html lang="{language}">' in html
    assert "{%" not in text + html and "{{" not in text + html


def test_approval_email_says_how_to_use_the_code():
    _, text, html = email_render(
        template="application_approved", context=CONTEXTS["application_approved"], language="en"
    )
    for expected in (
        "7KQ2-XM4D-9RTB-HC31",
        "buy or renew",
        "annual",
        "Workplace Pro, Webinars",
        "Zoomly",
        "50%",
        "March 4, 2026",
        "help@zoomly.test",
        "https://vouch.test/s/abc",
    ):
        assert expected in text, expected
        assert expected in html, expected


def test_approval_shows_catalog_slugs_as_names_and_the_reviewers_note():
    context = {
        **CONTEXTS["application_approved"],
        "products": ["workplace-pro", "cloud-storage", "Webinars"],
        "message": "Welcome aboard.",
        "applicant_name": "Ada Lovelace",
    }
    _, text, html = email_render(template="application_approved", context=context, language="en")
    assert "Workplace Pro, Cloud Storage, Webinars." in text and "Welcome aboard." in text
    assert text.startswith("Hello Ada Lovelace,") and "Hello Ada Lovelace," in html


def test_received_lists_what_a_reviewer_will_look_at():
    context = {
        **CONTEXTS["application_received"],
        "reasons": [{"code": "email_domain_free_mail", "message": "The email is a free-mail address."}],
    }
    _, text, _ = email_render(template="application_received", context=context, language="en")
    assert "A reviewer will look at:\n- The email is a free-mail address." in text


def test_rejection_lists_reasons_and_the_education_program_only_when_given():
    context = CONTEXTS["application_rejected"]
    _, text, _ = email_render(template="application_rejected", context=context, language="en")
    assert "Schools are not eligible. [excluded_education]" in text
    assert "https://zoomly.test/education" in text and "https://vouch.test/appeal/abc" in text
    assert "sales team" not in text
    without = {**context, "education_program_url": "", "appeal_url": ""}
    _, text, _ = email_render(template="application_rejected", context=without, language="en")
    assert "education program" not in text and "appeal" not in text
    over_cap = {**without, "sales_contact_url": "https://zoomly.test/sales"}
    _, text, _ = email_render(template="application_rejected", context=over_cap, language="en")
    assert "https://zoomly.test/sales" in text


def test_text_is_not_escaped_and_html_is():
    _, text, html = email_render(template="information_needed", context=CONTEXTS["information_needed"], language="en")
    assert "Please send your <statutes>." in text
    assert "Please send your &lt;statutes&gt;." in html and "<statutes>" not in html


def test_dates_follow_the_language():
    context = CONTEXTS["application_received"]
    assert "March 9, 2026" in email_render(template="application_received", context=context, language="en")[1]
    assert "9 mars 2026" in email_render(template="application_received", context=context, language="fr")[1]


def test_unknown_template_or_missing_context_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown email template"):
        email_render(template="../../secrets", context={}, language="en")
    with pytest.raises(ValueError, match="needs"):
        email_render(template="application_approved", context={"reference": "X"}, language="en")


def test_subject_is_one_line():
    context = {**CONTEXTS["application_expired"], "reference": "VCH-1\r\nBcc: victim@example.org"}
    subject, _, _ = email_render(template="application_expired", context=context, language="en")
    assert "\n" not in subject and "\r" not in subject


@pytest.mark.django_db
def test_queue_stores_the_rendered_email(django_capture_on_commit_callbacks, settings):
    settings.DEFAULT_FROM_EMAIL = "Vouch <no-reply@mail.vouch.test>"
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            to="director@example.org",
            template="application_received",
            context=CONTEXTS["application_received"],
            language="fr",
            dedupe_key="received:VCH-7K3M",
        )
    email.refresh_from_db()
    assert email.state == OutboxState.PENDING and email.attempts == 0
    assert email.to == "director@example.org" and email.language == "fr" and email.template == "application_received"
    assert "9 mars 2026" in email.body_text and email.body_html.startswith("<!doctype html>")
    assert email.message_id.startswith("<") and email.message_id.endswith("@mail.vouch.test>")
    # The sending task was queued once the transaction committed.
    assert DBTaskResult.objects.filter(task_path="notifications.tasks.send_pending_emails").count() == 1


@pytest.mark.django_db
def test_unsupported_language_falls_back_to_the_default():
    email = email_queue(
        to="a@example.org",
        template="application_expired",
        context=CONTEXTS["application_expired"],
        language="xx",
        dedupe_key="expired:1",
    )
    assert email.language == "en"
    assert (
        email_queue(
            to="a@example.org",
            template="application_expired",
            language="fr-ca",
            context=CONTEXTS["application_expired"],
            dedupe_key="expired:2",
        ).language
        == "fr"
    )


@pytest.mark.django_db
def test_same_dedupe_key_never_queues_a_second_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = email_queue(
            to="a@example.org",
            template="application_expired",
            context=CONTEXTS["application_expired"],
            language="en",
            dedupe_key="expired:VCH-7K3M",
        )
        second = email_queue(
            to="a@example.org", template="application_expired", context={}, language="en", dedupe_key="expired:VCH-7K3M"
        )
    assert second.pk == first.pk and second.message_id == first.message_id
    assert OutboxEmail.objects.count() == 1 and len(callbacks) == 1


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_email_and_no_task(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email_queue(
            to="a@example.org",
            template="application_expired",
            context=CONTEXTS["application_expired"],
            language="en",
            dedupe_key="expired:rolled-back",
        )
        raise RuntimeError("the change failed")
    assert not OutboxEmail.objects.exists() and not callbacks
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_task_backend_failure_does_not_lose_the_email(django_capture_on_commit_callbacks, monkeypatch):
    from notifications.tasks import send_pending_emails

    def broken(*args, **kwargs):
        raise ConnectionError("task queue unreachable")

    monkeypatch.setattr(type(send_pending_emails), "enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to="a@example.org",
            template="application_expired",
            context=CONTEXTS["application_expired"],
            language="en",
            dedupe_key="expired:no-queue",
        )
    assert OutboxEmail.objects.get().state == OutboxState.PENDING


@pytest.mark.django_db
def test_one_sending_pass_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for i in range(3):
            email_queue(
                to=f"u{i}@example.org",
                template="application_expired",
                context=CONTEXTS["application_expired"],
                language="en",
                dedupe_key=f"expired:{i}",
            )
    assert OutboxEmail.objects.count() == 3 and len(callbacks) == 1
    assert DBTaskResult.objects.count() == 1
