from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The sign-in form; django-axes counts its failures and answers a locked-out client."""
