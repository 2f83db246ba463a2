"""Deployment checks (`manage.py check --deploy`, and `--database default` for the programs): the routes of the
error messages need somewhere to lead. The verifier's contact (VERIFIER_SUPPORT_CONTACT) is quoted when a coupon
was already used; each active program's support_contact is quoted for every other coupon problem."""

from django.conf import settings
from django.core.checks import Error, register


@register("support", deploy=True)
def support_contacts_check(app_configs, databases=None, **kwargs):
    errors = []
    if not (getattr(settings, "VERIFIER_SUPPORT_CONTACT", "") or "").strip():
        errors.append(
            Error(
                "VERIFIER_SUPPORT_CONTACT is empty: 'contact Vouch, the verifier' would lead nowhere.",
                hint="Set it to the verifier's support email or page (see .env.example).",
                id="support.E001",
            )
        )
    if databases:
        from programs.models import Program

        for slug in (
            Program.objects.using(databases[0])
            .filter(is_active=True, support_contact="")
            .values_list("slug", flat=True)
        ):
            errors.append(
                Error(
                    f"Program {slug!r} has no support_contact: coupon refusals cannot say whom to contact.",
                    hint="Set it in the programs admin.",
                    id="support.E002",
                )
            )
    return errors
