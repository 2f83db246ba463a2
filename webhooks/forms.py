from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from webhooks.models import DeliveryStatus


class DeliveryFilterForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"), required=False, queryset=Partner.objects.order_by("name"), empty_label=_("All partners")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DeliveryStatus.choices]
    )

    def log_arguments(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        partner = data.get("partner")
        return {"partner_id": partner.pk if partner else None, "status": data.get("status") or None}
