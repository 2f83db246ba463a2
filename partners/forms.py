"""Back-office forms for partners and API keys: they parse; partners.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Scope
from programs.models import Program

MAX_REQUESTS_PER_MINUTE = 100_000


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.order_by("name"), empty_label=None)
    sees_all_applications = forms.BooleanField(
        label=_("Sees every application of the program (the program's vendor)"),
        required=False,
        help_text=_("Other partners see only the applications they brought."),
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the partner a name."))
        return name


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Key name"), max_length=100, help_text=_('Where the key is used, e.g. "production checkout".')
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )
    requests_per_minute = forms.IntegerField(
        label=_("Requests per minute"), initial=120, min_value=1, max_value=MAX_REQUESTS_PER_MINUTE
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name
