from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from celery.schedules import crontab

        from applications.activation import (
            register_activation_check,
            register_detail_links,
            register_submission_hook,
        )
        from applications.versioning import register_snapshot_part
        from solidarity.accounts.demo import register_seeder
        from solidarity.accounts.home import register_panel, register_work
        from solidarity.celery import register_periodic

        from .home import committee_panel, reviewer_panel, self_assessment_panel, work
        from .hooks import (
            application_links,
            read_self_assessment_part,
            seed_committee_demo,
            seed_decided_demo,
            seed_default_framework,
            self_assessment_snapshot,
        )
        from .services.conditions import conditions_before_activation_missing

        register_panel(reviewer_panel)
        register_panel(committee_panel)
        register_panel(self_assessment_panel)
        register_work(work)
        register_seeder(seed_default_framework)
        register_seeder(seed_committee_demo)
        register_seeder(seed_decided_demo)
        register_periodic(
            "reviews-remind-due",
            task="reviews.tasks.remind_due_reviews",
            schedule=crontab(hour=7, minute=30),
        )
        register_snapshot_part(
            self_assessment_snapshot, readers={"self_assessment": read_self_assessment_part}
        )
        register_detail_links(application_links)
        register_periodic(
            "reviews-conditions-due",
            task="reviews.tasks.check_conditions_due",
            schedule=crontab(hour=7, minute=45),
        )
        register_periodic(
            "reviews-due-reminders",
            task="reviews.tasks.send_due_reminders",
            schedule=crontab(hour=7, minute=15),
        )
        register_activation_check(conditions_before_activation_missing)
        from .services.committee import committee_open_round

        register_submission_hook(committee_open_round)
        from applications.conversation import register_reviewer_standing

        from .hooks import reviewer_standing

        register_reviewer_standing(reviewer_standing)
        from applications.activation import register_decision_due_hook

        from .services.committee import committee_tell_vote_due

        register_decision_due_hook(committee_tell_vote_due)
