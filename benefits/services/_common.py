"""Helpers shared by the benefit services: locking, notifying, the people on each side."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction

from solidarity.accounts.roles import Role
from solidarity.notifications.services import notify

from ..models import BenefitAgreement, Obligation

logger = logging.getLogger(__name__)


def lock_application_of(agreement) -> None:
    """Lock the agreement's application first: the system's one lock order is application →
    agreement → fund account → audit chain head (README, "Lock order"), so signing an agreement
    can never wait on an application that a custodian's grant holds while it waits on us."""
    from applications.models import Application

    application_id = (
        getattr(agreement, "application_id", None)
        or (
            BenefitAgreement.objects.filter(pk=agreement.pk).values_list(
                "application_id", flat=True
            )[0]
        )
    )
    list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk=application_id)
        .values_list("pk", flat=True)
    )


def lock_agreement(agreement) -> BenefitAgreement:
    lock_application_of(agreement)
    return (
        BenefitAgreement.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=agreement.pk)
    )


def lock_obligation(obligation) -> Obligation:
    """Lock an obligation, its application and agreement first: every service takes the locks
    in the same order (application, agreement, then obligation), so two of them can never
    deadlock."""
    agreement_id = (
        obligation.agreement_id
        or Obligation.objects.filter(pk=obligation.pk).values_list("agreement_id", flat=True)[0]
    )
    lock_application_of(BenefitAgreement(pk=agreement_id))
    list(
        BenefitAgreement.objects.select_for_update()
        .filter(pk=agreement_id)
        .values_list("pk", flat=True)
    )
    return (
        Obligation.objects.select_for_update(of=("self",))
        .select_related("agreement__application")
        .get(pk=obligation.pk)
    )


def users_with_role(role: str):
    return list(get_user_model().objects.filter(groups__name=role, is_active=True).distinct())


def applicant_side(agreement) -> list:
    """The applicant and the members of the applicant's organisation."""
    application = agreement.application
    people = [application.applicant]
    if application.organisation_id:
        people += list(
            get_user_model().objects.filter(
                memberships__organisation_id=application.organisation_id, is_active=True
            )
        )
    return people


def tell(recipients, *, subject: str, body: str, url: str, kind: str = "benefits") -> None:
    """Notify after commit, so nobody hears of a change that was rolled back."""
    recipients = list(recipients)
    transaction.on_commit(
        lambda: notify(
            recipients=recipients, kind=kind, context={"subject": subject, "body": body}, url=url
        )
    )


def agreement_url(agreement) -> str:
    from django.urls import reverse

    return reverse("benefits:agreement-detail", args=[agreement.pk])


def officers() -> list:
    return users_with_role(Role.BENEFIT_OFFICER)
