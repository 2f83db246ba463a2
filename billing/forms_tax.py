"""Forms of the tax-exemption pages. They parse input; billing.tax_exemptions decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.forms import billing_country_choices
from billing.models import TaxCertificateType
from core.errors import ApplicationError


class TaxExemptionRequestForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(
        label=_("Region"),
        required=False,
        max_length=3,
        help_text=_("For the United States: the state code, for example NY."),
    )
    certificate_type = forms.ChoiceField(
        label=_("Certificate"),
        choices=TaxCertificateType.choices,
        help_text=_("A nonprofit determination letter (IRS 501(c)(3)) is not evidence of exemption from sales tax."),
    )
    reason = forms.CharField(label=_("Why you are exempt"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    document = forms.FileField(
        label=_("Certificate file"),
        help_text=_("PDF, PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    signature = forms.CharField(label=_("Signature: your full name"), max_length=200)
    attest = forms.BooleanField(
        label=_(
            "I certify that the information and the certificate are correct and that "
            "I am authorised to sign for the organisation."
        )
    )

    ERROR_FIELDS = {
        "country_invalid": "country",
        "region_invalid": "region",
        "region_required": "region",
        "certificate_type_invalid": "certificate_type",
        "reason_missing": "reason",
        "reason_too_long": "reason",
        "signature_missing": "signature",
        "document_empty": "document",
        "document_too_large": "document",
        "document_type_not_allowed": "document",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country")), *billing_country_choices()]
        # No type chosen for the customer: a request must say which document it is (the IRS letter is refused).
        self.fields["certificate_type"].choices = [("", _("Choose…")), *TaxCertificateType.choices]

    def add_service_error(self, error: ApplicationError) -> None:
        self.add_error(self.ERROR_FIELDS.get(error.code), error.message)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "country": data["country"],
            "region": data["region"],
            "certificate_type": data["certificate_type"],
            "reason": data["reason"],
            "signature": data["signature"],
            "uploaded_file": data["document"],
        }


class TaxExemptionRejectForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the customer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
