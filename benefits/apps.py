from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = _("Benefits")

    def ready(self):
        from celery.schedules import crontab

        from applications.activation import register_activation_check, register_detail_links
        from solidarity.accounts.demo import register_seeder
        from solidarity.accounts.home import register_panel, register_work
        from solidarity.celery import register_periodic

        from .activation import agreement_links, signed_agreement_check
        from .demo import seed_benefits
        from .home import benefit_officer_panel, breach_panel, researcher_panel, work

        register_activation_check(signed_agreement_check)
        register_detail_links(agreement_links)
        register_panel(benefit_officer_panel)
        register_panel(researcher_panel)
        register_panel(breach_panel)
        register_work(work)
        register_seeder(seed_benefits)
        register_periodic(
            "benefits-check-obligations",
            task="benefits.tasks.check_obligations",
            schedule=crontab(hour=3, minute=15),
        )
