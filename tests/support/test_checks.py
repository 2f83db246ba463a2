"""`check --deploy` refuses a deployment whose error messages would route to nobody."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from tests.coupons.factories import make_program

pytestmark = pytest.mark.django_db


def _ids(**kwargs):
    return {e.id for e in run_checks(include_deployment_checks=True, tags=["support"], **kwargs)}


@override_settings(VERIFIER_SUPPORT_CONTACT="")
def test_the_verifiers_contact_is_required():
    assert "support.E001" in _ids()


@override_settings(VERIFIER_SUPPORT_CONTACT="help@vouch.example")
def test_each_active_program_needs_the_vendors_contact():
    make_program(support_contact="support@zoomly.example")
    assert _ids(databases=["default"]) == set()
    make_program(support_contact="")
    assert _ids(databases=["default"]) == {"support.E002"}
