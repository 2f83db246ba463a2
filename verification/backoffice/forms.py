"""Forms of the reviewer back-office: queue filters and the four actions."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from registry.countries import country_choices
from verification.models import ApplicationState
from verification.selectors import QUEUE_STATES
from verification.services import rejection_reason_choices

MESSAGE_MAX_CHARS = 5000


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    overdue = forms.ChoiceField(
        label=_("Due date"), required=False, choices=[("", _("Any")), ("yes", _("Overdue")), ("no", _("Not overdue"))]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        states = [(value, label) for value, label in ApplicationState.choices if value in QUEUE_STATES]
        self.fields["state"].choices = [("", _("Waiting on us")), *states]
        self.fields["country"].choices = [("", _("All countries")), *country_choices()]

    def queue_arguments(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        overdue = {"yes": True, "no": False}.get(data.get("overdue", ""))
        return {"state": data.get("state") or None, "country": data.get("country") or None, "overdue": overdue}


class _ActionForm(forms.Form):
    """The application page holds several action forms with a `message` field: each gets its own ids, so every
    label points at its own field (ids must be unique on a page)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ApproveForm(_ActionForm):
    id_prefix = "approve"
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(_ActionForm):
    id_prefix = "reject"
    # The services' list: codes shared with the automatic checks, so the applicant reads the same explanation.
    reason_codes = forms.MultipleChoiceField(
        label=_("Reasons"), choices=rejection_reason_choices, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Message to the applicant"), max_length=MESSAGE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class RequestInformationForm(_ActionForm):
    id_prefix = "information"
    message = forms.CharField(
        label=_("What the applicant must send"), max_length=MESSAGE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Assign to"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        )
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
