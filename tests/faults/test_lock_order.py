"""One lock order for the whole system: application → agreement → fund account → audit chain
head. Transitions that touch the same application, raced over real PostgreSQL connections,
never deadlock (a deadlock answers 500)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from applications.models import DatasetRequest
from benefits import services as benefit_services
from benefits.models import AgreementState
from solidarity.audit.services import audit_verify
from tests.benefits.factories import ApprovedApplicationFactory, proposed_agreement
from tests.factories import DatasetFactory, OrganisationFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

ROUNDS = 6


def _race(*posts):
    """Each callable runs in its own thread (its own connection), released at once."""
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(i, post):
        try:
            barrier.wait()
            results[i] = post()
        except Exception as exc:  # pragma: no cover - shows up in the assertion
            results[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_custodian_grant_and_agreement_signature_never_deadlock(
    researcher, custodian, organisation, benefit_officer
):
    custodian_client = _client(custodian)
    officer_client = _client(benefit_officer)
    statuses = []
    for _ in range(ROUNDS):
        application = ApprovedApplicationFactory(
            applicant=researcher,
            organisation=OrganisationFactory(kind="university"),
            granted_dataset=False,
        )
        pending = DatasetRequest.objects.create(
            application=application, dataset=DatasetFactory(custodian=organisation)
        )
        agreement = proposed_agreement(application, benefit_officer)
        benefit_services.agreement_sign(actor=researcher, agreement=agreement)
        agreement.refresh_from_db()
        results = _race(
            lambda pending=pending: (
                custodian_client.post(
                    reverse("applications:decide", args=[pending.pk]),
                    {"decision": "grant", "reason": "Fine."},
                ).status_code
            ),
            lambda agreement=agreement: (
                officer_client.post(
                    reverse("benefits:agreement-sign", args=[agreement.pk]),
                    {"version": agreement.terms_version},
                ).status_code
            ),
        )
        statuses.append(results)
        application.refresh_from_db()
        agreement.refresh_from_db()
        pending.refresh_from_db()
        # Both transitions happened, whatever their order, and the project became active.
        assert pending.state == DatasetRequest.State.GRANTED
        assert agreement.state in {AgreementState.SIGNED, AgreementState.IN_FORCE}
        assert application.state == "active", statuses
    assert all(s in (200, 302) for pair in statuses for s in pair), statuses
    assert audit_verify().ok


def test_two_custodians_and_the_signature_at_once_activate_the_project_once(
    researcher, custodian, organisation, other_custodian, other_organisation, benefit_officer
):
    clients = [_client(custodian), _client(other_custodian), _client(benefit_officer)]
    grant = {"decision": "grant", "reason": "Fine."}
    for _ in range(3):
        application = ApprovedApplicationFactory(
            applicant=researcher,
            organisation=OrganisationFactory(kind="university"),
            granted_dataset=False,
        )
        requests = [
            DatasetRequest.objects.create(
                application=application, dataset=DatasetFactory(custodian=org)
            )
            for org in (organisation, other_organisation)
        ]
        agreement = proposed_agreement(application, benefit_officer)
        benefit_services.agreement_sign(actor=researcher, agreement=agreement)
        agreement.refresh_from_db()
        results = _race(
            lambda r=requests[0]: (
                clients[0].post(reverse("applications:decide", args=[r.pk]), grant).status_code
            ),
            lambda r=requests[1]: (
                clients[1].post(reverse("applications:decide", args=[r.pk]), grant).status_code
            ),
            lambda a=agreement: (
                clients[2]
                .post(reverse("benefits:agreement-sign", args=[a.pk]), {"version": a.terms_version})
                .status_code
            ),
        )
        assert all(s in (200, 302) for s in results), results
        application.refresh_from_db()
        assert application.state == "active"
        from solidarity.audit.models import AuditEvent

        activations = AuditEvent.objects.filter(
            action="application.activate", target_id=str(application.pk)
        )
        assert activations.count() == 1
    assert audit_verify().ok
