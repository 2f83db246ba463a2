import pytest

from tests.coupons.factories import make_organisation, make_program


@pytest.fixture
def program(db):
    return make_program()


@pytest.fixture
def organisation(db):
    return make_organisation("US-EIN-123456789")
