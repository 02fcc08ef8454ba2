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

        from django.db.models.signals import post_delete, post_save

        from .models import Notification
        from .selectors import forget_unread

        def _changed(sender, instance, **kwargs):
            forget_unread([instance.recipient_id])

        # The header's unread badge is cached per person (selectors.unread_count_cached).
        uid = "solidarity.notifications.unread"
        post_save.connect(_changed, sender=Notification, dispatch_uid=f"{uid}.save", weak=False)
        post_delete.connect(_changed, sender=Notification, dispatch_uid=f"{uid}.delete", weak=False)
