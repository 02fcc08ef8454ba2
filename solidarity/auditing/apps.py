from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditingConfig(AppConfig):
    name = "solidarity.auditing"
    label = "auditing"
    verbose_name = _("Auditing")

    def ready(self):
        from solidarity.accounts.home import register_panel

        from . import builders  # noqa: F401  (registers the cross-app report builders)
        from .home import auditor_panel

        register_panel(auditor_panel)
