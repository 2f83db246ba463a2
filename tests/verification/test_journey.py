"""The applicant's journey through the real pages, on the real BMF sample, with mail over a real SMTP server."""

import pytest
from django.test import Client

from tests.staff import staff_login
from tests.verification.test_journey_helpers import (
    CODE_LINE,
    MOSES_BROWN,
    VALDEZ,
    apply_url,
    current_application,
    demo_program,
    make_staff,
    post_ok,
    submit,
    submitted_application,
    submitted_directly,
    walk_to_confirm,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(us_registry):
    return demo_program()


def test_budget_above_the_cap_points_to_sales_without_a_form(client, program):
    response = client.post(f"/en/programs/{program.slug}/", {"budget": "10000000.01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Talk to our sales team" in html and program.sales_contact_url in html
    assert 'name="budget"' not in html and "vouch_drafts" not in client.session


def test_budget_equal_to_the_cap_may_apply(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "10000000"}, apply_url(program, "country"))
    assert current_application(client, program).declared_budget_minor == program.budget_cap_minor


def test_program_page_refuses_nonsense_budgets(client, program):
    for budget in ("", "-1", "lots", "1e400"):
        response = client.post(f"/en/programs/{program.slug}/", {"budget": budget})
        assert response.status_code == 400 and b'class="error"' in response.content


def test_unknown_program_is_404(client, program):
    assert client.get("/en/programs/no-such-program/").status_code == 404


def test_whole_journey_search_code_over_smtp_submit_and_decision(client, program, smtp_server, django_user_model):
    from notifications.sender import outbox_send_due

    page = client.get(f"/en/programs/{program.slug}/")
    assert page.status_code == 200 and b"$10,000,000.00" in page.content
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "25000"}, apply_url(program, "country"))
    post_ok(client, apply_url(program, "country"), {"country": "US"}, apply_url(program, "organisation"))

    # The plain search form lists the register's organisations with a radio choice.
    found = client.get(apply_url(program, "organisation"), {"q": "valdez rifle"})
    assert found.status_code == 200
    assert b"VALDEZ JUNIOR RIFLE CLUB" in found.content and f'value="{VALDEZ}"'.encode() in found.content
    post_ok(
        client,
        apply_url(program, "organisation"),
        {"q": "valdez rifle", "org_id": VALDEZ},
        apply_url(program, "eligibility"),
    )
    # Before any personal data: what the register settles (and what a reviewer will).
    eligibility = client.get(apply_url(program, "eligibility")).content.decode()
    assert "The organisation meets the program's rules" in eligibility and "charitable_status_confirmed" in eligibility
    post_ok(client, apply_url(program, "eligibility"), {"continue": "1"}, apply_url(program, "representative"))
    post_ok(
        client, apply_url(program, "representative"), {"applicant_name": "Debbie Larcom"}, apply_url(program, "email")
    )
    email_page = client.get(apply_url(program, "email"))
    assert b"the coupon will only work for that account" in email_page.content
    post_ok(client, apply_url(program, "email"), {"email": "Debbie@ValdezRifle.ORG"}, apply_url(program, "code"))

    assert outbox_send_due()["sent"] == 1
    [message] = smtp_server.messages_to("Debbie@valdezrifle.org")
    code = CODE_LINE.search(smtp_server.text(message)).group(1)
    post_ok(client, apply_url(program, "code"), {"code": code}, apply_url(program, "confirm"))

    confirm = client.get(apply_url(program, "confirm")).content.decode()
    assert "VALDEZ JUNIOR RIFLE CLUB" in confirm and "Debbie Larcom" in confirm and "$25,000.00" in confirm
    assert "Vouch verification terms" in confirm and "Vouch privacy notice" in confirm

    application = submit(client, program)
    assert application.state == "in_review"  # no website in the BMF: the email domain needs a person
    assert application.email == "Debbie@valdezrifle.org" and application.terms_version == program.terms_version
    assert application.accepted_ip == "127.0.0.1"
    status = client.get(f"/en/programs/status/{application.token}/").content.decode()
    assert "In review" in status and "Decision due by" in status

    reviewer = make_staff(django_user_model)
    staff_login(client, reviewer)
    post_ok(
        client,
        f"/en/review/applications/{application.reference}/approve/",
        {"message": "Welcome!", "seen_state": "in_review"},
    )
    client.logout()
    status = client.get(f"/en/programs/status/{application.token}/").content.decode()
    assert "Approved" in status and "We emailed the coupon code" in status
    outbox_send_due()
    assert any(
        m["Subject"] and application.reference in smtp_server.text(m)
        for m in smtp_server.messages_to("Debbie@valdezrifle.org")[1:]
    )


def test_back_and_continue_keep_what_was_entered(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "1234.5"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ})
    # Back with a valid value keeps it, and goes to the previous step.
    post_ok(
        client,
        apply_url(program, "representative"),
        {"applicant_name": "Jo Smith", "back": "1"},
        apply_url(program, "eligibility"),
    )
    post_ok(client, apply_url(program, "eligibility"), {"back": "1"}, apply_url(program, "organisation"))
    organisation = client.get(apply_url(program, "organisation")).content.decode()
    assert "VALDEZ JUNIOR RIFLE CLUB" in organisation and "checked" in organisation
    post_ok(client, apply_url(program, "organisation"), {"back": "1"}, apply_url(program, "country"))
    assert '<option value="US" selected>' in client.get(apply_url(program, "country")).content.decode()
    post_ok(client, apply_url(program, "country"), {"country": "US", "back": "1"}, f"/en/programs/{program.slug}/")
    assert 'value="1234.50"' in client.get(f"/en/programs/{program.slug}/").content.decode()
    # Forward again: everything is still there.
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "1234.50"}, apply_url(program, "email"))
    assert 'value="Jo Smith"' in client.get(apply_url(program, "representative")).content.decode()
    assert current_application(client, program).declared_budget_minor == 123450


def test_steps_cannot_be_skipped(client, program):
    assert client.get(apply_url(program, "country"))["Location"] == f"/en/programs/{program.slug}/"
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    for step in ("organisation", "representative", "email", "code", "confirm"):
        response = client.get(apply_url(program, step))
        assert response.status_code == 302 and response["Location"] == apply_url(program, "country"), step
    refused = client.post(apply_url(program, "confirm"), {"represents": "on", "accepts": "on"})
    assert refused["Location"] == apply_url(program, "country")
    assert current_application(client, program).state == "draft"
    assert client.get(apply_url(program, "nonsense")).status_code == 404


def test_email_must_be_verified_before_confirming(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ})
    post_ok(client, apply_url(program, "representative"), {"applicant_name": "Jo"})
    post_ok(client, apply_url(program, "email"), {"email": "jo@valdezrifle.org"})
    assert client.get(apply_url(program, "confirm"))["Location"] == apply_url(program, "code")


def test_organisation_must_be_in_the_chosen_country(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "GB"})
    response = client.post(apply_url(program, "organisation"), {"org_id": VALDEZ})
    assert response.status_code == 400 and b"Choose your organisation in the list." in response.content
    assert client.post(apply_url(program, "organisation"), {"org_id": "US-EIN-000000000"}).status_code == 400


def test_changing_country_drops_the_chosen_organisation(client, program):
    walk_to_confirm(client, program)
    post_ok(client, apply_url(program, "country"), {"country": "GB"})
    application = current_application(client, program)
    assert application.organisation_id is None
    assert client.get(apply_url(program, "confirm"))["Location"] == apply_url(program, "organisation")


def test_a_school_is_told_before_any_personal_data_and_sent_to_the_education_program(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation"), {"org_id": MOSES_BROWN}, apply_url(program, "eligibility"))
    page = client.get(apply_url(program, "eligibility")).content.decode()
    assert "This organisation cannot get the discount" in page and "excluded_education" in page
    assert f'href="{program.education_program_url}"' in page and "See the education program" in page
    assert "charitable_status_confirmed" in page  # what passed is shown too, with its evidence
    assert "<dt>SUBSECTION</dt><dd>03</dd>" in page and "<dt>Source</dt><dd>us-irs-bmf</dd>" in page
    assert 'name="continue"' not in page  # no way on to the name and email
    # Neither Continue nor a later address leads on: every later step sends back here.
    post_ok(client, apply_url(program, "eligibility"), {"continue": "1"}, apply_url(program, "organisation"))
    for step in ("representative", "email", "code", "confirm"):
        assert client.get(apply_url(program, step))["Location"] == apply_url(program, "eligibility"), step
    refused = client.post(apply_url(program, "representative"), {"applicant_name": "Jo"})
    assert refused["Location"] == apply_url(program, "eligibility")
    application = current_application(client, program)
    assert application.applicant_name == "" and application.email == "" and application.state == "draft"
    # Choosing another organisation opens the way again.
    post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ}, apply_url(program, "eligibility"))
    post_ok(client, apply_url(program, "eligibility"), {"continue": "1"}, apply_url(program, "representative"))


def test_a_draft_already_holding_personal_data_goes_on_to_the_refusal(client, program):
    """A partner's draft arrives with the name and email: stopping it would protect nothing and take the appeal."""
    from verification.models import Application

    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation"), {"org_id": MOSES_BROWN})
    application = current_application(client, program)
    assert client.get(apply_url(program, "email"))["Location"] == apply_url(program, "eligibility")
    Application.objects.filter(pk=application.pk).update(applicant_name="Pat Head", email="head@mosesbrown.org")
    assert client.get(apply_url(program, "email")).status_code == 200


def test_a_school_submitted_another_way_is_rejected_at_once_with_the_education_program(client, program):
    application = submitted_directly(program, MOSES_BROWN, email="head@mosesbrown.org")
    assert application.state == "rejected"
    status = client.get(f"/en/programs/status/{application.token}/").content.decode()
    assert "Not approved" in status and "excluded_education" in status
    assert program.education_program_url in status and "Appeal the decision" in status


def test_eligibility_step_in_french(client, program):
    post_ok(client, f"/fr/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country", "fr"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation", "fr"), {"org_id": MOSES_BROWN})
    page = client.get(apply_url(program, "eligibility", "fr")).content.decode()
    assert "Cet organisme ne peut pas bénéficier de la remise" in page and "Ce qui a réussi" in page
    assert "Source" in page and "Registre importé le" in page


def test_an_organisation_needing_a_reviewer_may_go_on(client, program):
    from programs.models import Program

    Program.objects.filter(pk=program.pk).update(budget_currency="EUR", exchange_rates={}, budget_cap_minor=10**12)
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ})
    page = client.get(apply_url(program, "eligibility")).content.decode()
    assert "A reviewer will settle some points" in page and "What a reviewer will settle" in page
    assert "budget_unverifiable" in page and 'name="continue"' in page
    post_ok(client, apply_url(program, "eligibility"), {"continue": "1"}, apply_url(program, "representative"))


def test_organisation_added_by_hand_is_asked_for_documents(client, program):
    manual = {
        "manual_name": "Tiny Helpers Collective",
        "manual_registry_number": "",
        "manual_website": "https://tinyhelpers.example",
        "manual_address": "1 Main St\nJuneau AK",
    }
    application = submitted_application(client, program, org_id=None, manual=manual, email="jo@tinyhelpers.org")
    assert application.is_manual and application.state == "needs_information"
    status = client.get(f"/en/programs/status/{application.token}/").content.decode()
    assert "What we still need" in status and 'type="file"' in status
    assert "registration as a nonprofit" in status  # the request the service wrote


def test_manual_organisation_needs_a_name_and_address(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    response = client.post(f"/en/programs/{program.slug}/apply/organisation/manual/", {"manual_name": ""})
    assert response.status_code == 400
    assert response.content.decode().count('class="error"') >= 2


def test_hostile_names_are_escaped(client, program, django_user_model):
    hostile = '<script>alert("x")</script>'
    manual = {"manual_name": hostile + " Org", "manual_address": "<img src=x onerror=alert(1)>"}
    walk_to_confirm(client, program, org_id=None, manual=manual, name=hostile, email="jo@example.org")
    confirm = client.get(apply_url(program, "confirm")).content
    assert b"<script>alert" not in confirm and b"&lt;script&gt;alert" in confirm
    application = submit(client, program)
    staff_login(client, make_staff(django_user_model))
    page = client.get(f"/en/review/applications/{application.reference}/").content
    assert b"<script>alert" not in page and b"<img src=x" not in page and b"&lt;script&gt;" in page


def test_forms_refuse_a_post_without_the_csrf_token(program):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/en/programs/{program.slug}/", {"budget": "100"}).status_code == 403
    page = client.get(f"/en/programs/{program.slug}/")
    token = page.cookies["csrftoken"].value
    response = client.post(f"/en/programs/{program.slug}/", {"budget": "100", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.post(apply_url(program, "country"), {"country": "US"}).status_code == 403


def test_submitted_application_cannot_be_edited(client, program):
    application = submitted_application(client, program)
    client.session.save()
    # The browser forgets the draft on submission; bringing the token back leads to the status page, not the form.
    session = client.session
    session["vouch_drafts"] = {program.slug: application.token}
    session.save()
    assert client.get(apply_url(program, "country"))["Location"] == f"/en/programs/status/{application.token}/"
    client.post(apply_url(program, "representative"), {"applicant_name": "Someone Else"})
    application.refresh_from_db()
    assert application.applicant_name == "Jo Director"


def test_journey_pages_in_french(client, program):
    assert client.get(f"/fr/programs/{program.slug}/").status_code == 200
    post_ok(client, f"/fr/programs/{program.slug}/", {"budget": "100"}, f"/fr/programs/{program.slug}/apply/country/")
    assert client.get(f"/fr/programs/{program.slug}/apply/country/").status_code == 200


def test_confirm_needs_both_boxes_ticked(client, program):
    walk_to_confirm(client, program)
    for data in ({}, {"represents": "on"}, {"accepts": "on"}):
        response = client.post(apply_url(program, "confirm"), data)
        assert response.status_code == 400 and b'id="id_' in response.content and b'_error"' in response.content
    assert current_application(client, program).state == "draft"


def test_organisation_added_by_hand_is_kept_or_replaced(client, program):
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "100"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(
        client,
        f"/en/programs/{program.slug}/apply/organisation/manual/",
        {"manual_name": "Little Helpers", "manual_address": "1 Road"},
        apply_url(program, "eligibility"),
    )
    eligibility = client.get(apply_url(program, "eligibility")).content.decode()
    assert "added by hand" in eligibility and "manual_organisation_needs_documents" in eligibility
    assert "country_supported" in eligibility and 'name="continue"' in eligibility
    page = client.get(apply_url(program, "organisation")).content.decode()
    assert "You added <strong>Little Helpers</strong> by hand." in page
    post_ok(client, apply_url(program, "organisation"), {}, apply_url(program, "eligibility"))
    assert (
        'value="Little Helpers"'
        in client.get(f"/en/programs/{program.slug}/apply/organisation/manual/").content.decode()
    )
    post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ}, apply_url(program, "eligibility"))
    application = current_application(client, program)
    assert application.organisation.org_id == VALDEZ and application.manual_name == ""


@pytest.mark.parametrize(
    "name", ["Jo\nDirector", "Jo\rDirector", "Jo\tDirector", "Jo\u2028Director", "Jo\u202eDirector", "Jo\x85Director"]
)
def test_the_applicants_name_is_one_line_without_control_characters(program, us_registry, name):
    """applicant_name goes into email greetings and certificates: a newline (or any control character) is refused
    at the journey's door, at the API's (tests/api) and by the model's validator (the admin)."""
    from django.core.exceptions import ValidationError

    client = Client()
    post_ok(client, f"/en/programs/{program.slug}/", {"budget": "25000"})
    post_ok(client, apply_url(program, "country"), {"country": "US"})
    post_ok(client, apply_url(program, "organisation"), {"org_id": VALDEZ})
    response = client.post(apply_url(program, "representative"), {"applicant_name": name})
    assert response.status_code == 400 and b'id="id_applicant_name_error"' in response.content
    application = current_application(client, program)
    assert application.applicant_name == ""
    application.applicant_name = name
    with pytest.raises(ValidationError):
        application.full_clean(
            exclude=[field.name for field in application._meta.fields if field.name != "applicant_name"]
        )
