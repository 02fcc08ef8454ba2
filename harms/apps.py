from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarmsConfig(AppConfig):
    name = "harms"
    verbose_name = _("Harms")

    def ready(self):
        from celery.schedules import crontab

        from solidarity.accounts.demo import register_seeder
        from solidarity.accounts.home import register_panel, register_work
        from solidarity.celery import register_periodic
        from solidarity.notifications.services import register_address_resolver

        from .demo import seed_harms
        from .home import (
            chair_panel,
            custodian_requests_panel,
            officer_panel,
            reporter_panel,
            work,
        )

        for panel in (officer_panel, chair_panel, reporter_panel, custodian_requests_panel):
            register_panel(panel)
        register_work(work)
        register_seeder(seed_harms)
        from .tasks import reporter_address

        register_address_resolver("harm_reporter", reporter_address)
        register_periodic(
            "harms-remind-overdue",
            task="harms.tasks.remind_overdue_reports",
            schedule=crontab(hour=7, minute=15),
        )
        register_periodic(
            "harms-open-harm-reviews",
            task="harms.tasks.open_harm_reviews",
            schedule=crontab(minute=40),
        )
