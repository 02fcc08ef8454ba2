from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "solidarity.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from solidarity.accounts.home import Panel, register_panel

        from .selectors import inbox

        def unread_panel(user):
            from django.utils.translation import gettext as gettext_now

            items = list(inbox(user).filter(read_at__isnull=True)[:5])
            return Panel(
                title=gettext_now("New notifications"),
                template="accounts/panel_notifications.html",
                context={"items": items},
                order=900,
            )

        register_panel(unread_panel)
