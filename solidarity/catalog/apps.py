from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "solidarity.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from solidarity.accounts.home import register_panel

        from .home import custodian_panel

        register_panel(custodian_panel)
