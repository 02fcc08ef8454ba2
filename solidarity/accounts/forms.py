from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The sign-in form; django-axes counts its failures and answers a locked-out client."""


class LanguageForm(forms.Form):
    """The person's language for pages, notifications and e-mail (blank: the browser's)."""

    language = forms.ChoiceField(
        label=_("Language for pages, notifications and e-mail"),
        choices=[("", _("The browser's language")), *settings.LANGUAGES],
        required=False,
    )
