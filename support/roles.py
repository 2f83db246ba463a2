"""The staff roles as Django groups with permissions. `roles_ensure()` creates or resets the four groups (run by
`manage.py ensure_roles`, which `seed_demo` and the deployment call after `migrate`); a person gets a role by being
put in its group (the admin, or `manage.py ensure_roles --add USER ROLE`). Members must be staff (is_staff) to sign
in to the back-office.

Each page checks a permission, never a group name, so an operator may compose other roles from the same
permissions. What each role may do (docs/support.md has the table):
- Reviewer: the review queue, and reading the support console (a decided application stays findable).
- Support agent: the console, its coupon actions, resending emails, closing cases; reading billing.
- Billing agent: the billing back-office (invoices, subscriptions, accounts), recording payments, voiding,
  CSV exports; reading the console to find a store account.
- Administrator: everything above, plus partners' API keys.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

CONSOLE_READ = ["support.use_console"]
BILLING_READ = ["billing.view_invoice", "billing.view_subscription", "billing.view_customeraccount"]
ROLES: dict[str, list[str]] = {
    "Reviewer": [*CONSOLE_READ, "verification.view_application", "verification.change_application"],
    "Support agent": [
        *CONSOLE_READ,
        "support.act_on_coupons",
        "support.resend_email",
        "support.handle_case",
        *BILLING_READ,
    ],
    "Billing agent": [
        *CONSOLE_READ,
        *BILLING_READ,
        "billing.mark_invoice_paid",
        "billing.void_invoice",
        "billing.export_billing",
    ],
}
ROLES["Administrator"] = sorted({p for perms in ROLES.values() for p in perms} | {"partners.add_apikey"})


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is None:
            raise LookupError(f"permission {name} does not exist: run migrate first")
        found.append(permission)
    return found


def roles_ensure() -> dict[str, int]:
    """Create the role groups or bring their permissions back to ROLES (idempotent). Returns permissions per role."""
    counts = {}
    with transaction.atomic():
        for name, names in ROLES.items():
            group, _created = Group.objects.get_or_create(name=name)
            group.permissions.set(_permissions(names))
            counts[name] = len(names)
    return counts
