import pytest

from billing.demo import catalog_demo_ensure
from programs.demo import program_demo_ensure


@pytest.fixture
def program(db):
    catalog_demo_ensure()  # the store's products: a program's products are checked against them
    return program_demo_ensure()


@pytest.fixture
def program_admin(django_user_model):
    return django_user_model.objects.create_superuser("pat", "pat@vendor.example", "x")
