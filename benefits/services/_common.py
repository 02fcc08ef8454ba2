"""Helpers shared by the benefit services: locking, notifying, the people on each side."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from solidarity.accounts.roles import Role
from solidarity.notifications.services import notify

from ..locks import lock_agreement, lock_application_of, lock_obligation

logger = logging.getLogger(__name__)

__all__ = [
    "agreement_url",
    "applicant_side",
    "lock_agreement",
    "lock_application_of",
    "lock_obligation",
    "officers",
    "tell",
    "users_with_role",
]


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


def tell(recipients, *, subject, body, url: str, kind: str = "benefits") -> None:
    """Notify after commit, so nobody hears of a change that was rolled back.

    ``subject`` and ``body`` are texts or callables returning them; callables are called in
    each recipient's language (``notify``).
    """
    recipients = list(recipients)
    transaction.on_commit(
        lambda: notify(
            recipients=recipients,
            kind=kind,
            context=lambda: {
                "subject": subject() if callable(subject) else subject,
                "body": body() if callable(body) else body,
            },
            url=url,
        )
    )


def agreement_url(agreement) -> str:
    return reverse("benefits:agreement-detail", args=[agreement.pk])


def officers() -> list:
    return users_with_role(Role.BENEFIT_OFFICER)
