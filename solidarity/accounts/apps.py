from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "solidarity.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from .home import register_panel, role_duties_panel, waiting_panel

        register_panel(waiting_panel)
        register_panel(role_duties_panel)
