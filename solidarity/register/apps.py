from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "solidarity.register"
    label = "register"
    verbose_name = _("Register")

    def ready(self):
        from celery.schedules import crontab

        from solidarity.celery import register_periodic

        register_periodic(
            "register-build-pdf",
            task="solidarity.register.tasks.build_register_pdf",
            schedule=crontab(hour=3, minute=10),
        )
