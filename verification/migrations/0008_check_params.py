"""Check explanations as a key and parameters (verification.rules.explanations), rendered in the reader's language.

Existing rows were stored as text in the applicant's language. For each, the key and parameters are derived from
what the row kept (its rule, code and evidence) and from the application's organisation and program; where they
cannot be (a wording that depends on something not kept), the key stays empty and the stored text is shown as
before. Decision reasons get the key of the check they came from, or `rejection.<code>` for a reviewer's reason.
"""

from django.db import migrations, models

# Keys whose template takes no parameters and equals the code.
PLAIN = {
    "manual_organisation_needs_documents",
    "not_excluded",
    "excluded_government",
    "excluded_political",
    "excluded_religious",
    "excluded_health",
    "excluded_private_foundation",
    "excluded_professional",
    "budget_not_declared",
    "no_registry_income",
    "not_sanctioned",
    "country_supported",
    "email_not_verified",
    "email_verified",
    "email_disposable",
    "duplicate_active_coupon",
    "duplicate_open_application",
    "no_duplicate",
}
# The reasons a reviewer could choose (verification.reasons.REJECTION_REASONS) when this migration was written.
REVIEWER_CODES = {
    "not_registered",
    "registration_inactive",
    "not_charitable_status",
    "excluded_education",
    "excluded_government",
    "excluded_political",
    "excluded_religious",
    "excluded_health",
    "excluded_private_foundation",
    "excluded_professional",
    "over_budget_cap",
    "sanctioned_country",
    "country_not_supported",
    "duplicate_active_coupon",
    "representative_not_confirmed",
    "documents_insufficient",
    "not_public_benefit",
    "fiscally_sponsored_project",
    "other",
}


def _money(amount, currency):
    if amount is None or not currency:
        return None
    return {"money": int(amount), "currency": str(currency).upper()}


def _over_cap(rule, evidence, message, sales_url):
    if rule == "declared_budget":
        amount = _money(evidence.get("value"), evidence.get("currency"))
        cap = _money(evidence.get("cap_minor"), evidence.get("currency"))
        key = "over_budget_cap.declared"
    else:
        cap_currency = evidence.get("cap_currency")
        amount = _money(evidence.get("converted_minor"), cap_currency)
        cap = _money(evidence.get("cap_minor"), cap_currency)
        original = _money(evidence.get("value"), evidence.get("currency"))
        if amount and original and original["currency"] != amount["currency"]:
            amount = [original, amount]
        key = "over_budget_cap.reported"
    if amount is None or cap is None:
        return None
    params = {"amount": amount, "cap": cap}
    if sales_url and sales_url in message:  # the wording named the sales contact: it is still the program's
        return f"{key}.sales", {**params, "sales": sales_url}
    if "://" not in message:
        return key, params
    return None  # the program's sales contact changed since: keep the text


def derive(*, rule, code, evidence, message, org_name, sales_url):
    """(key, params) for a stored check, or None where what it said cannot be rebuilt from what was kept."""
    evidence = evidence or {}
    field = evidence.get("field")
    if code in PLAIN:
        return code, {}
    if code == "within_budget_cap":
        return ("within_budget_cap" if rule == "declared_budget" else "within_budget_cap.reported"), {}
    if code == "not_registered":
        return code, {"org_id": evidence.get("record") or "?"}
    if code in ("registered", "registration_inactive", "charitable_status_confirmed") and field in (None, "status"):
        if not org_name:
            return None
        if code == "registered":
            return code, {"name": org_name, "source": evidence.get("source") or ""}
        if code == "registration_inactive":
            removed = evidence.get("removed_on")
            return code, {
                "name": org_name,
                "date": {"date": removed} if removed else "?",
                "reason": evidence.get("removal_reason") or "?",
            }
    if code == "charitable_status_confirmed":
        variants = {"SUBSECTION": ".bmf", "deductibility": ".pub78", "exemption_type": ".reinstated"}
        if field in variants:
            return code + variants[field], {}
        if field == "source" and org_name:
            return code, {"name": org_name, "source": evidence.get("value") or ""}
        return None
    if code == "not_charitable_status":
        if field == "SUBSECTION":
            return "not_charitable_status.bmf", {"subsection": str(evidence.get("value") or "").lstrip("0") or "?"}
        return code, {}
    if code == "excluded_education":
        url = evidence.get("education_program_url")
        return ("excluded_education.url", {"url": url}) if url else (code, {})
    if code.startswith("excluded_"):
        return "excluded", {"category": code.removeprefix("excluded_")}
    if code == "over_budget_cap":
        return _over_cap(rule, evidence, message, sales_url)
    if code == "budget_unverifiable":
        return code, {"currency": evidence.get("currency") or "?"}
    if code in ("sanctioned_country", "country_not_supported"):
        return code, {"country": {"country": str(evidence.get("value") or "").upper()}}
    if code == "email_domain_unverified":
        kind = evidence.get("kind")
        if kind in ("free_mail", "no_record", "unknown"):
            return f"{code}.{kind}", {}
        return code, {"domain": evidence.get("email_domain") or evidence.get("value") or "?"}
    if code == "email_domain_matches":
        return code, {"domain": evidence.get("email_domain") or "?", "field": field or "website"}
    if code == "domain_control_proven":
        return code, {"domain": evidence.get("value") or "?"}
    if code in ("published_contact_confirmed", "published_contact_denied"):
        return code, {"email": evidence.get("value") or "?"}
    if code == "trusted_receipt":
        return code, {"issuer": evidence.get("source") or "?"}
    return None


def forwards(apps, schema_editor):
    CheckResult = apps.get_model("verification", "CheckResult")
    Application = apps.get_model("verification", "Application")
    checks = CheckResult.objects.filter(message_key="").select_related(
        "application__organisation", "application__program"
    )
    derived_by_application: dict = {}
    for check in checks.iterator(chunk_size=500):
        application = check.application
        organisation = application.organisation
        found = derive(
            rule=check.rule,
            code=check.code,
            evidence=check.evidence,
            message=check.message,
            org_name=organisation.name if organisation else "",
            sales_url=application.program.sales_contact_url,
        )
        if found is None:
            continue
        check.message_key, check.params = found
        check.save(update_fields=["message_key", "params"])
        derived_by_application.setdefault(application.pk, {}).setdefault(check.code, found)
    for application in Application.objects.exclude(decision_reasons=[]).iterator(chunk_size=500):
        reasons, changed = [], False
        for reason in application.decision_reasons or []:
            if isinstance(reason, dict) and "key" not in reason:
                code = reason.get("code", "")
                if application.decided_automatically:
                    found = derived_by_application.get(application.pk, {}).get(code)
                    if found is None and code in PLAIN:
                        found = (code, {})
                elif code in REVIEWER_CODES:
                    found = (f"rejection.{code}", {})
                else:
                    found = None
                if found is not None:
                    reason = {**reason, "key": found[0], "params": found[1]}
                    changed = True
            reasons.append(reason)
        if changed:
            application.decision_reasons = reasons
            application.save(update_fields=["decision_reasons"])


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0007_rules_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkresult",
            name="message_key",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="checkresult",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
