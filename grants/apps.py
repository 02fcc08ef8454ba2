from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants and nodes")

    def ready(self):
        from applications.activation import register_detail_links
        from applications.lifecycle import register_lifecycle_listener
        from solidarity.accounts.home import register_panel
        from solidarity.celery import register_periodic

        from . import auth  # noqa: F401  (the OpenAPI extension for node credentials)
        from .home import custodian_nodes_panel
        from .services import on_project_changed
        from .views import project_links

        register_lifecycle_listener(on_project_changed)
        register_detail_links(project_links)
        register_panel(custodian_nodes_panel)
        register_periodic(
            "grants-retry-webhooks", task="grants.tasks.retry_due_webhooks", schedule=60.0
        )
