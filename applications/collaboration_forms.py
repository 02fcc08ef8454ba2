"""Forms for co-applicants and the conversation (input only; the services change state)."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from .conversation import Visibility
from .services.conversation import MAX_BODY
from .team import MemberRole


class InviteForm(forms.Form):
    prefix = "invite"
    email = forms.EmailField(label=_("E-mail address of the person to invite"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MemberRole.choices,
        initial=MemberRole.EDITOR,
        help_text=_("Editors co-edit the application and answer revision requests; viewers read."),
    )


class MessageForm(forms.Form):
    """A message in the conversation; the choice of readers is offered only to those who may
    write both kinds (the committee side)."""

    prefix = "message"

    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mention someone with @ and their user name to notify them."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.COMMITTEE
    )
    file = forms.FileField(label=_("Attach a document (optional)"), required=False)

    def __init__(self, *args, access=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if access is not None:
            if access.post_committee:
                choices.append((Visibility.COMMITTEE, Visibility.COMMITTEE.label))
            if access.post_public:
                choices.append((Visibility.PUBLIC, Visibility.PUBLIC.label))
        self.fields["visibility"].choices = choices
        if len(choices) == 1:
            self.fields["visibility"].initial = choices[0][0]
            self.fields["visibility"].widget = forms.HiddenInput()


class AnswerForm(forms.Form):
    """The team's answer to a revision request."""

    prefix = "answer"

    body = forms.CharField(
        label=_("Your answer to the revision request"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Optional: the committee reads it beside your new version. Submitting the revised "
            "application is a separate step."
        ),
    )
    file = forms.FileField(label=_("Attach a document (optional)"), required=False)


class NewAccountForm(forms.Form):
    """An account for an invited address that has none yet."""

    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
