"""Forms of the store's pages. They parse and check input; the services (billing.accounts) decide."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from billing.accounts import account_email_normalise, account_password_reset_queue
from billing.models import Currency
from core.errors import ApplicationError

# The countries the store bills in (the catalog's tax table and the registries Vouch knows), by name.
BILLING_COUNTRIES = {
    "AU": _("Australia"),
    "CA": _("Canada"),
    "DE": _("Germany"),
    "ES": _("Spain"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "NL": _("Netherlands"),
    "US": _("United States"),
}


def billing_country_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(name)) for code, name in BILLING_COUNTRIES.items()), key=lambda item: item[1])


class SignUpForm(forms.Form):
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        help_text=_(
            "Use your organisation's email if you will apply for the nonprofit discount: the coupon is bound to it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    billing_country = forms.ChoiceField(label=_("Billing country"))
    billing_region = forms.CharField(
        label=_("Billing region"),
        required=False,
        max_length=3,
        help_text=_("For the United States: the state code, for example NY."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial=Currency.USD)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_country"].choices = [("", _("Choose a country")), *billing_country_choices()]

    # Which field a service error belongs next to.
    ERROR_FIELDS = {
        "email_invalid": "email",
        "email_taken": "email",
        "password_invalid": "password",
        "country_invalid": "billing_country",
        "region_invalid": "billing_region",
        "currency_invalid": "currency",
    }

    def add_service_error(self, error: ApplicationError) -> None:
        field = self.ERROR_FIELDS.get(error.code)
        messages = error.details.get("messages") or [error.message]
        for message in messages:
            self.add_error(field, message)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the typed email normalised. Failed attempts are limited by django-axes, per
    account and per client address, like every sign-in form (security.throttle)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or the password is not right."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget.attrs["autocomplete"] = "email"
        self.fields["password"].label = _("Password")

    def clean(self):
        typed = self.cleaned_data.get("username") or ""
        try:
            self.cleaned_data["username"] = account_email_normalise(typed)
        except ApplicationError:
            self.cleaned_data["username"] = typed.strip().lower()
        return super().clean()


class StorePasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email goes through the outbox (notifications.services.email_queue)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        try:
            return account_email_normalise(email)
        except ApplicationError:
            return email.strip().lower()

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        path = reverse("billing:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        account_password_reset_queue(user=context["user"], reset_path=path, language=translation.get_language() or "en")


class InvoiceDetailsForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200, required=False)
    billing_address = forms.CharField(
        label=_("Billing address"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tax_id = forms.CharField(label=_("Tax identifier (VAT, EIN, ABN…)"), max_length=40, required=False)
