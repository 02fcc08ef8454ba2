"""Grant changes racing runs and node revocations never deadlock (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from applications.services import application_reinstate, application_suspend
from grants import services
from grants.models import Grant, Run
from solidarity.audit.services import audit_verify


def _race(*jobs):
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_runs_pushes_and_revocations_race_project_life_without_deadlock(
    active, chair, custodian, dataset, node_with_credential
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    node, _, _ = node_with_credential
    services.node_update_webhook(actor=custodian, node=node, webhook_url="http://127.0.0.1:9/")
    pusher, _, _ = services.node_register(
        actor=custodian, organisation=node.organisation, name="Other", webhook_url=""
    )
    grant = Grant.objects.get(application=active, dataset=dataset)
    for round_ in range(4):
        life = application_suspend if round_ % 2 == 0 else application_reinstate
        kwargs = {"reason": "race"} if life is application_suspend else {}
        errors = _race(
            lambda life=life, kwargs=kwargs: life(actor=chair, application=active, **kwargs),
            *[
                lambda: services.run_report(
                    node=node,
                    grant_id=grant.pk,
                    ran_at=timezone.now(),
                    verdict="released",
                    job_reference="job",
                )
                for _ in range(3)
            ],
            lambda: services.node_update_webhook(
                actor=custodian, node=pusher, webhook_url="http://127.0.0.1:9/x"
            ),
        )
        assert errors == [], [str(e) for e in errors]
    assert Run.objects.count() == 12
    assert audit_verify().ok
