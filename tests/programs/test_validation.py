"""A bad value in a program's typed fields is refused, with a message naming it, in the admin and by
`manage.py check` (the issue's examples first)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.forms.models import modelform_factory

from programs.admin import ProgramAdmin
from programs.models import Program
from programs.validation import program_problems
from tests.staff import staff_login

ADMIN_FIELDS = [name for _title, opts in ProgramAdmin.fieldsets for name in opts["fields"] if name != "rules_version"]


def _form(program, **changes):
    """The admin's form for `program`, posted with its current values and `changes` (JSON fields as text)."""
    form_class = modelform_factory(Program, fields=ADMIN_FIELDS)
    data = {}
    for name in form_class.base_fields:
        value = changes.get(name, getattr(program, name))
        data[name] = json.dumps(value) if isinstance(value, list | dict) else value
    data["is_active"] = "on"
    return form_class(data=data, instance=program)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("supported_countries", '["fr", "Britain"]', "Not ISO 3166 country codes: 'Britain'"),
        ("sanctioned_countries", '["CU", "USSR"]', "Not ISO 3166 country codes: 'USSR'"),
        ("exclusions", '["churchs"]', "Unknown exclusion categories: 'churchs'"),
        ("budget_currency", "XYZ", "Not an ISO 4217 currency code: 'XYZ'"),
        ("exchange_rates", '{"GBP": "abc"}', "Exchange rates must be positive numbers: GBP: 'abc'"),
        ("exchange_rates", '{"GBP": "-1.2"}', "Exchange rates must be positive numbers: GBP: '-1.2'"),
        ("exchange_rates", '{"XYZ": "1.2"}', "Not ISO 4217 currency codes: 'XYZ'"),
        ("eligible_products", '["workplace-pro", "holodeck"]', "Not products of the store catalog: 'holodeck'"),
        ("country_documents", '{"Britain": ["statutes"]}', "Not ISO 3166 country codes nor \"*\": 'Britain'"),
        ("country_documents", '{"*": ["passport"]}', "Unknown document kinds: *: 'passport'"),
        ("supported_countries", '"FR"', "Enter a list"),
    ],
)
def test_the_admin_form_refuses_a_bad_value_with_a_message(program, field, value, message):
    form = _form(program, **{field: value})
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors


def test_the_admin_form_accepts_good_values_and_normalises_the_case(program):
    form = _form(program, supported_countries='["fr", "GB", "de"]', exchange_rates='{"gbp": 1.27, "EUR": "1.08"}')
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.supported_countries == ["FR", "GB", "DE"]
    assert saved.exchange_rates == {"GBP": 1.27, "EUR": "1.08"}


def test_the_terms_version_in_force_must_have_its_text(program):
    form = _form(program, terms_version="2099-01")
    assert not form.is_valid()
    assert "No terms text of version 2099-01 in English yet" in form.errors["terms_version"][0]


def test_manage_py_check_refuses_every_bad_value_of_every_program(program):
    call_command("check")  # the demo program is clean
    Program.objects.filter(pk=program.pk).update(
        supported_countries=["fr", "Britain"],
        exclusions=["churchs"],
        budget_currency="XYZ",
        exchange_rates={"GBP": "abc"},
    )
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    text = str(refused.value)
    assert "programs.E001" in text
    for expected in ("'Britain'", "'churchs'", "'XYZ'", "GBP: 'abc'"):
        assert expected in text
    assert f"Program '{program.slug}', supported_countries" in text


def test_the_same_validators_explain_themselves_as_plain_data(program):
    assert program_problems(program) == []
    program.exclusions = ["churchs", "school"]
    [(field, message)] = program_problems(program)
    assert field == "exclusions" and message.startswith("Unknown exclusion categories: 'churchs' (known:")
    with pytest.raises(ValidationError) as refused:
        program.full_clean()
    assert "exclusions" in refused.value.message_dict


def test_a_program_admin_sees_the_refusal_in_the_admin_page(program, program_admin, client):
    staff_login(client, program_admin)
    url = f"/admin/programs/program/{program.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "rules version" in page.content.decode()
    form = _form(program, supported_countries='["fr", "Britain"]')
    posted = client.post(url, {k: ("on" if v is True else v) for k, v in form.data.items() if v is not False})
    assert posted.status_code == 200  # the form again, with the error
    assert "Not ISO 3166 country codes: &#x27;Britain&#x27;" in posted.content.decode()
    program.refresh_from_db()
    assert program.supported_countries == []  # unchanged: the demo program takes every country
