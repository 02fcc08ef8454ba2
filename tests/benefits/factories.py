"""Factories for the benefits tests: approved applications, agreements in any state."""

import itertools
from datetime import date, timedelta

import factory

from applications.models import Application, DatasetRequest
from benefits import services
from benefits.models import AgreementKind, ObligationKind
from tests.factories import DatasetFactory, UserFactory

_seq = itertools.count(1)


class ApprovedApplicationFactory(factory.django.DjangoModelFactory):
    """An application already approved by the committee (the applications app's job)."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory, roles=["researcher"])
    title = factory.Sequence(lambda n: f"Project {n}")
    lay_summary = "Finding out what helps people with diabetes."
    state = "approved"
    reference = factory.LazyFunction(lambda: f"DSA-2026-{next(_seq):04d}")
    commercial_involvement = False
    start_date = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    end_date = factory.LazyFunction(lambda: date.today() + timedelta(days=365))

    @factory.post_generation
    def granted_dataset(self, create, extracted, **kwargs):
        """Custodian access already granted, so a signed agreement is all activation needs."""
        if create and extracted is not False:
            DatasetRequest.objects.create(
                application=self, dataset=DatasetFactory(), state="granted"
            )


def fixed_payment(agreement, officer, *, amount_minor=150_000, currency="EUR", **extra):
    fields = {
        "kind": ObligationKind.FIXED_PAYMENT,
        "description": "Pay into the solidarity fund.",
        "beneficiary": "fund",
        "amount_minor": amount_minor,
        "currency": currency,
        "due_date": date.today() + timedelta(days=30),
        **extra,
    }
    return services.obligation_add(actor=officer, agreement=agreement, **fields)


def draft_agreement(application, officer, *, kind=AgreementKind.PUBLIC_RESEARCH, **kwargs):
    return services.agreement_draft(
        actor=officer, application=application, kind=kind, from_template=False, **kwargs
    )


def proposed_agreement(application, officer, **kwargs):
    agreement = draft_agreement(application, officer, **kwargs)
    fixed_payment(agreement, officer)
    return services.agreement_propose(actor=officer, agreement=agreement)


def signed_agreement(application, officer, **kwargs):
    agreement = proposed_agreement(application, officer, **kwargs)
    services.agreement_sign(actor=application.applicant, agreement=agreement)
    services.agreement_sign(actor=officer, agreement=agreement)
    agreement.refresh_from_db()
    return agreement
