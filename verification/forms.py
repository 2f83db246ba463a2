"""Forms of the applicant's pages. They parse and check input; the services decide."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.money import minor_exponent
from core.number_input import LocalizedDecimalField
from programs.models import Program
from programs.selectors import program_countries
from registry.countries import country_has_register
from verification.models import Application

MAX_UPLOADS = 5
STATEMENT_MAX_CHARS = 5000


class BudgetForm(forms.Form):
    budget = LocalizedDecimalField(min_value=Decimal(0), max_digits=18)  # "250 000" in French, "250,000" in English

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["budget"]
        assert isinstance(field, forms.DecimalField)
        field.decimal_places = minor_exponent(program.budget_currency)
        field.label = _("Annual operating budget of the organisation, in %(currency)s") % {
            "currency": program.budget_currency
        }
        field.help_text = _("The organisation's total yearly spending, as in its latest accounts.")


class CountryForm(forms.ModelForm):
    """Every country and region the program takes (about 250), in one native select that works without
    JavaScript: the countries whose register Vouch searches first, then all of them (those too, where a reader
    scanning the alphabet expects them), each group sorted by the name in the active language."""

    class Meta:
        model = Application
        fields = ["country"]
        labels = {"country": _("Country or region where the organisation is registered")}

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        countries = program_countries(program)
        searched = [(code, name) for code, name in countries if country_has_register(code)]
        choices: list = [("", _("Choose…"))]
        several = bool(searched) and len(searched) < len(countries)
        if several:
            choices += [
                (_("Countries whose official register we search"), searched),
                (_("All countries and regions"), countries),
            ]
        else:
            choices += countries
        field = forms.ChoiceField(label=self.Meta.labels["country"], choices=choices)
        if several:
            field.help_text = _(
                "Elsewhere you describe the organisation yourself and send documents that a person checks."
            )
        self.fields["country"] = field

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Full legal name or registry number"),
        required=False,
        strip=True,
        max_length=settings.SEARCH_MAX_QUERY_CHARS,
    )


class OrganisationChoiceForm(forms.Form):
    # Checked against the registry by the view (the organisation must exist and be in the chosen country).
    org_id = forms.CharField(
        label=_("Your organisation"),
        max_length=48,
        error_messages={"required": _("Choose your organisation in the list.")},
    )


class ManualOrganisationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["manual_name", "manual_registry_number", "manual_website", "manual_address"]
        labels = {
            "manual_name": _("Full legal name"),
            "manual_registry_number": _("Registry number"),
            "manual_website": _("Website"),
            "manual_address": _("Registered address"),
        }
        help_texts = {
            "manual_registry_number": _("The number the regulator gave the organisation, if it has one."),
            "manual_website": _("For example: https://www.example.org"),
        }
        widgets = {"manual_address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("manual_name", "manual_address"):
            self.fields[name].required = True


class RepresentativeForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["applicant_name"]
        labels = {"applicant_name": _("Your full name")}
        help_texts = {"applicant_name": _("You apply as a representative of the organisation.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant_name"].required = True


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Official email of the organisation"),
        max_length=254,
        help_text=_(
            "It must be the email of your account with the vendor (or of the account you will create): "
            "the coupon will only work for that account."
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the email"),
        max_length=12,
        strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ConfirmForm(forms.Form):
    represents = forms.BooleanField(label=_("I confirm that I represent this organisation and may apply for it."))
    accepts = forms.BooleanField(label=_("I accept the terms and the privacy policy above."))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern): a list of uploaded files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            super().clean(None, initial)  # raises "required" when the field is
            return []
        if len(files) > MAX_UPLOADS:
            raise forms.ValidationError(_("Send at most %(n)d files at once.") % {"n": MAX_UPLOADS})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


_FILES_HELP = _("PDF, PNG or JPEG, up to %(mb)d MB each.")


class DocumentsForm(forms.Form):
    # A field named like the form's `files` attribute (the uploads), on purpose: it reads them.
    files = MultipleFileField(label=_("Documents"))  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _FILES_HELP % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=_("Why should the decision change?"),
        max_length=STATEMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    files = MultipleFileField(label=_("Documents"), required=False)  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _FILES_HELP % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
