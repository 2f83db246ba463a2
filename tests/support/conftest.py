"""The four roles as groups (support.roles) and one staff member in each."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

ROLE_NAMES = ("Reviewer", "Support agent", "Billing agent", "Administrator")


@pytest.fixture
def role_users(db):
    from support.roles import roles_ensure

    roles_ensure()
    users = {}
    for name in ROLE_NAMES:
        user = get_user_model().objects.create_user(username=name.lower().replace(" ", "-"), is_staff=True)
        user.groups.add(Group.objects.get(name=name))
        users[name] = user
    users["Customer"] = get_user_model().objects.create_user(username="customer")
    return users


@pytest.fixture
def as_role(role_users):
    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(role_users[role])
        return client

    return client_for
