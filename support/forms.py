from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Reference, email, organisation, org-id, coupon code or hint"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit log)"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


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
    message = forms.CharField(
        label=_("What happened? (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DashboardForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=None, required=False, empty_label=_("All programs"))
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        initial="30d",
        choices=[("30d", _("Last 30 days")), ("12m", _("Last 12 months")), ("custom", _("Custom"))],
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from programs.models import Program

        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.order_by("name")
