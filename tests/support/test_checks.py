"""`check --deploy` refuses a deployment whose error messages would route to nobody (support/checks.py)."""

import pytest
from django.core.checks import registry
from django.test import override_settings

from support.checks import support_contacts_check
from tests.coupons.factories import make_program

pytestmark = pytest.mark.django_db


def _ids(**kwargs):
    return {e.id for e in support_contacts_check(None, **kwargs)}


def test_registered_as_a_deployment_check():
    assert "support" in registry.registry.tags_available(deployment_checks=True)


@override_settings(VERIFIER_SUPPORT_CONTACT="")
def test_the_verifiers_contact_is_required():
    assert "support.E001" in _ids()


@override_settings(VERIFIER_SUPPORT_CONTACT="help@vouch.example")
def test_each_active_program_needs_the_vendors_contact():
    make_program(support_contact="support@zoomly.example")
    assert _ids(databases=["default"]) == set()
    make_program(support_contact="")
    assert _ids(databases=["default"]) == {"support.E002"}
