from django import forms
from django.utils.translation import gettext_lazy as _


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        strip=True,
        help_text=_("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    @staticmethod
    def wrong_code() -> str:
        return str(_("This code is not right, or it was already used. Try the code your app shows now."))
