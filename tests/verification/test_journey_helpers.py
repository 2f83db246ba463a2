"""Helpers shared by the web tests of the journey, the status page and the back-office (no tests here).

They drive the real pages with Django's test client, so what they build is what an applicant would have built.
"""

import re
from datetime import timedelta

from django.utils import timezone

VALDEZ = "US-EIN-010564885"  # VALDEZ JUNIOR RIFLE CLUB, AK: an active 501(c)(3); no website, so a review follows
MOSES_BROWN = "US-EIN-050258906"  # MOSES BROWN SCHOOL, RI: a school, rejected at once (excluded_education)
CODE_LINE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)


def demo_program():
    from programs.demo import program_demo_ensure

    return program_demo_ensure()


def apply_url(program, step: str, lang: str = "en") -> str:
    return f"/{lang}/programs/{program.slug}/apply/{step}/"


def outbox_code(email: str) -> str:
    """The code in the latest verification email queued for `email` (the OutboxEmail row is the email as sent)."""
    from notifications.models import OutboxEmail

    message = OutboxEmail.objects.filter(template="verification_code", to__iexact=email).order_by("-pk").first()
    assert message is not None, f"no verification email to {email}"
    return CODE_LINE.search(message.body_text).group(1)


def current_application(client, program):
    from verification.models import Application

    token = client.session["vouch_drafts"][program.slug]
    return Application.objects.get(token=token)


def post_ok(client, url: str, data: dict, expect: str | None = None):
    """POST and require a redirect (to `expect` when given): a step accepted its input."""
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.status_code, response.content.decode()[:3000])
    if expect:
        assert response["Location"] == expect, (url, response["Location"])
    return response


def walk_to_confirm(
    client,
    program,
    *,
    org_id: str | None = VALDEZ,
    manual: dict | None = None,
    country: str = "US",
    name: str = "Jo Director",
    email: str = "jo@valdezrifle.org",
    budget: str = "25000",
):
    """From the program page to the last step, through every page; returns the draft Application."""
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": budget}, apply_url(program, "country"))
    post_ok(client, apply_url(program, "country"), {"country": country}, apply_url(program, "organisation"))
    if manual is not None:
        post_ok(
            client,
            f"/en/programs/{program.slug}/apply/organisation/manual/",
            manual,
            apply_url(program, "eligibility"),
        )
    else:
        post_ok(client, apply_url(program, "organisation"), {"org_id": org_id}, apply_url(program, "eligibility"))
    post_ok(client, apply_url(program, "eligibility"), {"continue": "1"}, apply_url(program, "representative"))
    post_ok(client, apply_url(program, "representative"), {"applicant_name": name}, apply_url(program, "email"))
    post_ok(client, apply_url(program, "email"), {"email": email}, apply_url(program, "code"))
    post_ok(client, apply_url(program, "code"), {"code": outbox_code(email)}, apply_url(program, "confirm"))
    return current_application(client, program)


def submit(client, program):
    """Accept and submit; returns the submitted Application (fresh from the database)."""
    application = current_application(client, program)
    post_ok(
        client,
        apply_url(program, "confirm"),
        {"represents": "on", "accepts": "on"},
        f"/en/programs/status/{application.token}/",
    )
    application.refresh_from_db()
    return application


def submitted_application(client, program, **walk):
    walk_to_confirm(client, program, **walk)
    return submit(client, program)


def submitted_directly(program, org_id: str, *, email: str, name: str = "Jo Director"):
    """An application submitted without the web journey (as a partner's API draft is): the journey stops an
    ineligible organisation at its eligibility step, so a refused application can only be built this way."""
    from registry.models import Organisation
    from verification.models import Application
    from verification.services import application_start, application_submit

    organisation = Organisation.objects.get(org_id=org_id)
    application = application_start(program=program, language="en")
    Application.objects.filter(pk=application.pk).update(
        declared_budget_minor=25_000_00,
        organisation=organisation,
        country=organisation.country,
        applicant_name=name,
        email=email,
        email_verified_at=timezone.now(),
    )
    application.refresh_from_db()
    application_submit(application=application, ip="127.0.0.1", user_agent="test")
    application.refresh_from_db()
    return application


def make_staff(django_user_model, username: str = "reviewer", **fields):
    return django_user_model.objects.create_user(
        username=username, password="a-long-Passw0rd!", is_staff=True, **fields
    )


def expire_challenges(application) -> None:
    application.email_challenges.update(expires_at=timezone.now() - timedelta(seconds=1))
