"""Expiry, warnings, custodian decisions, drafting parts and the demo seeder."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from applications import services
from applications.models import Application, ApplicationState, ReferenceCounter
from applications.tasks import expire_due_applications
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.models import Notification

from . import factories

S = ApplicationState


def set_expiry(application, days):
    Application.objects.filter(pk=application.pk).update(
        access_expires_on=timezone.localdate() + datetime.timedelta(days=days),
        expiry_warned_days=None,
    )


def test_expired_projects_are_closed_by_the_task(active):
    set_expiry(active, -1)
    result = expire_due_applications.delay().get()
    assert result["closed"] == 1
    active.refresh_from_db()
    assert active.state == S.CLOSED
    event = AuditEvent.objects.for_target(active).latest("id")
    assert (event.action, event.actor_label) == ("application.expire", "system")
    assert expire_due_applications.delay().get() == {"closed": 0, "warned": 0}


def test_warnings_at_30_and_7_days_are_sent_once(active, researcher):
    today = timezone.localdate()
    set_expiry(active, 30)
    assert services.application_expire_due(today=today)["warned"] == 1
    assert services.application_expire_due(today=today)["warned"] == 0
    assert services.application_expire_due(today=today + datetime.timedelta(days=10))["warned"] == 0
    assert services.application_expire_due(today=today + datetime.timedelta(days=23))["warned"] == 1
    assert services.application_expire_due(today=today + datetime.timedelta(days=24))["warned"] == 0
    warnings = Notification.objects.filter(recipient=researcher, subject__startswith="Access ends")
    assert warnings.count() == 2
    active.refresh_from_db()
    assert active.state == S.ACTIVE


def test_project_not_yet_due_is_left_alone(active):
    set_expiry(active, 90)
    assert services.application_expire_due(today=timezone.localdate()) == {
        "closed": 0,
        "warned": 0,
    }


def test_decision_refused_on_a_draft_or_terminal_application(custodian, draft, researcher):
    request = draft.dataset_requests.get()
    with pytest.raises(TransitionNotAllowed):
        services.dataset_request_grant(actor=custodian, dataset_request=request)
    submitted = services.application_submit(actor=researcher, application=draft)
    services.application_withdraw(actor=researcher, application=submitted)
    with pytest.raises(TransitionNotAllowed):
        services.dataset_request_decline(actor=custodian, dataset_request=request, reason="No")


@pytest.mark.parametrize("who", ["other_custodian", "researcher", "secretariat", "chair"])
def test_only_the_datasets_custodian_decides(request, submitted, who):
    dataset_request = submitted.dataset_requests.get()
    with pytest.raises(PermissionDenied):
        services.dataset_request_grant(
            actor=request.getfixturevalue(who), dataset_request=dataset_request
        )
    dataset_request.refresh_from_db()
    assert dataset_request.state == "pending"


def test_grant_and_decline_are_audited_and_final(custodian, submitted):
    dataset_request = submitted.dataset_requests.get()
    services.dataset_request_decline(
        actor=custodian, dataset_request=dataset_request, reason="Too identifying"
    )
    event = AuditEvent.objects.for_target(dataset_request).latest("id")
    assert (event.action, event.from_state, event.to_state) == (
        "dataset_request.decline",
        "pending",
        "declined",
    )
    assert event.payload["reason"] == "Too identifying"
    with pytest.raises(TransitionNotAllowed):
        services.dataset_request_grant(actor=custodian, dataset_request=dataset_request)


def test_decline_needs_reasons(custodian, submitted):
    with pytest.raises(DomainError):
        services.dataset_request_decline(
            actor=custodian, dataset_request=submitted.dataset_requests.get(), reason=""
        )


def test_try_activate_refuses_who_may_not_see(outsider, approved):
    with pytest.raises(PermissionDenied):
        services.application_try_activate(actor=outsider, application=approved)


def test_submission_notifies_secretariat_and_custodians(
    researcher, secretariat, custodian, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=researcher, application=draft)
    assert Notification.objects.filter(recipient=secretariat).exists()
    assert Notification.objects.filter(recipient=custodian).exists()
    assert any(secretariat.email in m.to for m in mail.outbox)


def test_team_dataset_and_attachment_removal(researcher, draft):
    member = draft.team.get()
    services.application_team_member_remove(actor=researcher, member=member)
    request = draft.dataset_requests.get()
    services.application_dataset_remove(actor=researcher, dataset_request=request)
    attachment = draft.attachments.get()
    services.application_attachment_remove(actor=researcher, attachment=attachment)
    assert not draft.team.exists()
    assert not draft.dataset_requests.exists()
    assert not draft.attachments.exists()
    actions = list(AuditEvent.objects.for_target(draft).values_list("action", flat=True))
    for verb in ("remove_team_member", "remove_dataset", "remove_attachment"):
        assert f"application.{verb}" in actions


def test_access_mode_must_be_allowed_by_the_dataset(researcher):
    from tests.factories import DatasetFactory

    dataset = DatasetFactory(access_modes=["federated"])
    application = factories.draft(researcher)
    with pytest.raises(DomainError) as caught:
        services.application_dataset_add(
            actor=researcher,
            application=application,
            dataset=dataset,
            access_mode="trusted_environment",
        )
    assert "access_mode" in caught.value.field_errors


def test_submitted_content_is_frozen(researcher, submitted):
    with pytest.raises(PermissionDenied):
        services.application_update_draft(actor=researcher, application=submitted, title="X")
    with pytest.raises(PermissionDenied):
        services.application_team_member_add(
            actor=researcher, application=submitted, name="N", role="R", organisation="O"
        )


def test_demo_seeder_is_idempotent(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = Application.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Application.objects.count() == first >= 3
    states = set(Application.objects.values_list("state", flat=True))
    assert {"draft", "submitted"} <= states


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_share_a_reference(researcher, dataset):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    drafts = [factories.complete_draft(researcher, datasets=[dataset]) for _ in range(6)]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def submit(application):
        from django.db import connections

        try:
            barrier.wait()
            services.application_submit(actor=researcher, application=application)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    references = list(Application.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(drafts)
    assert ReferenceCounter.objects.get(year=timezone.localdate().year).last == len(drafts)
