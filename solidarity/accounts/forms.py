from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """The sign-in form, refusing further attempts after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed sign-in attempts for this account. Please wait a few minutes and "
            "try again, or reset your password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        client = throttle.client_address(self.request) if self.request else "unknown"
        if username and throttle.is_locked(username, client):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                throttle.register_failure(username, client)
            raise
        throttle.reset(username, client)
        return cleaned
