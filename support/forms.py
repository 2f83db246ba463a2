from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Reference, email, organisation, org-id, coupon code or hint"), max_length=200,
                        required=False, widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class ExtendForm(ReasonForm):
    redeem_by = forms.DateField(label=_("New redeem-by date"), widget=forms.DateInput(attrs={"type": "date"}))


class ResendForm(ReasonForm):
    email = forms.TypedChoiceField(label=_("Email to send again"), coerce=int)

    def __init__(self, *args, emails=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].choices = [(e.pk, f"{e.subject} ({e.created_at:%Y-%m-%d})") for e in emails]


class CloseCaseForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution (kept in the audit log)"), max_length=300)


class NotMeForm(forms.Form):
    message = forms.CharField(label=_("What happened? (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
