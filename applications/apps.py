from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from celery.schedules import crontab

        from solidarity.accounts.demo import register_seeder
        from solidarity.accounts.home import register_panel, register_work
        from solidarity.audit.seals import register_seal
        from solidarity.celery import register_periodic

        from .demo import seed_applications
        from .home import custodian_panel, researcher_panel, secretariat_panel, work
        from .versioning import SUBMIT_ACTION, check_frozen_versions

        for panel in (researcher_panel, secretariat_panel, custodian_panel):
            register_panel(panel)
        register_work(work)
        register_seeder(seed_applications)
        register_periodic(
            "applications-expire-due",
            task="applications.tasks.expire_due_applications",
            schedule=crontab(hour=1, minute=15),
        )
        register_seal(SUBMIT_ACTION, check_frozen_versions)

        from solidarity.notifications.services import register_address_resolver

        from .services.team import ADDRESS_PREFIX, invitation_address

        register_address_resolver(ADDRESS_PREFIX, invitation_address)
