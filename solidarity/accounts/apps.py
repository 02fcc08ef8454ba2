from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "solidarity.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from solidarity import choices

        choices.install()  # every model is loaded by now (see solidarity/choices.py)

        from . import session_user

        session_user.connect()

        from .home import register_panel, role_duties_panel, waiting_panel

        register_panel(waiting_panel)
        register_panel(role_duties_panel)

        from django.contrib.auth.signals import user_logged_in

        from .language import note_sign_in_language
        from .mfa import note_sign_in

        def _note(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                note_sign_in(request, user)
            if request is not None:
                note_sign_in_language(request, user)

        # weak=False: ``_note`` is local to ready(); a weak reference would die with it.
        user_logged_in.connect(
            _note, dispatch_uid="solidarity.accounts.mfa.note_sign_in", weak=False
        )
