"""Every transition: the legal move, illegal starting states, the refused actor, the audit."""

import datetime

import pytest
from django.utils import timezone

from applications import services
from applications.models import ApplicationState, ApplicationVersion
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from . import factories

S = ApplicationState


def last_event(application):
    return AuditEvent.objects.for_target(application).latest("id")


def test_create_grants_the_applicant_object_permissions(researcher):
    application = factories.draft(researcher)
    assert researcher.has_perm("applications.view_application_object", application)
    assert researcher.has_perm("applications.edit_application_object", application)
    assert last_event(application).action == "application.create"


@pytest.mark.parametrize("who", ["outsider", "custodian", "secretariat"])
def test_only_researchers_create_applications(request, who):
    with pytest.raises(PermissionDenied):
        services.application_create(actor=request.getfixturevalue(who), title="X")


def test_submit_freezes_a_version_and_assigns_a_reference(researcher, draft):
    application = services.application_submit(actor=researcher, application=draft)
    assert application.state == S.SUBMITTED
    year = timezone.localdate().year
    assert application.reference == f"DSA-{year}-0001"
    version = ApplicationVersion.objects.get(application=application)
    assert version.number == 1
    assert version.content["fields"]["title"] == "Diabetes and heat waves"
    assert version.content["datasets"][0]["dataset"] == "Diabetes records"
    assert version.content["team"][0]["name"] == "Alice Applicant"
    assert len(version.content["attachments"][0]["sha256"]) == 64
    event = last_event(application)
    assert (event.action, event.from_state, event.to_state) == (
        "application.submit",
        "draft",
        "submitted",
    )


def test_references_count_up_within_the_year(researcher, dataset):
    first = factories.submitted(researcher, datasets=[dataset])
    second = factories.submitted(researcher, datasets=[dataset])
    assert first.reference[-4:] == "0001"
    assert second.reference[-4:] == "0002"


def test_submit_lists_everything_missing_and_changes_nothing(researcher):
    application = factories.draft(researcher, lay_summary="Kept text")
    with pytest.raises(DomainError) as caught:
        services.application_submit(actor=researcher, application=application)
    fields = caught.value.field_errors
    for name in ["scientific_summary", "aims", "methods", "team", "datasets", "attachments"]:
        assert name in fields
    assert "lay_summary" not in fields
    application.refresh_from_db()
    assert application.state == S.DRAFT
    assert application.lay_summary == "Kept text"
    assert application.reference is None
    assert not ApplicationVersion.objects.filter(application=application).exists()


def test_another_researcher_cannot_submit_or_edit(other_researcher, draft):
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=other_researcher, application=draft)
    with pytest.raises(PermissionDenied):
        services.application_update_draft(actor=other_researcher, application=draft, title="X")


def test_submit_refused_once_submitted(researcher, submitted):
    with pytest.raises((TransitionNotAllowed, PermissionDenied)):
        services.application_submit(actor=researcher, application=submitted)


def test_revision_and_resubmission_makes_version_two(researcher, secretariat, submitted):
    services.application_request_revision(
        actor=secretariat, application=submitted, message="Clarify the methods."
    )
    submitted.refresh_from_db()
    assert submitted.state == S.REVISION_REQUESTED
    assert submitted.state_reason == "Clarify the methods."
    assert last_event(submitted).action == "application.request_revision"
    services.application_update_draft(
        actor=researcher, application=submitted, methods="Federated mixed models."
    )
    application = services.application_submit(actor=researcher, application=submitted)
    assert application.current_version == 2
    assert application.reference.endswith("0001")
    versions = list(application.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content["fields"]["methods"] == "Federated regression across sites."
    assert versions[1].content["fields"]["methods"] == "Federated mixed models."


def test_revision_needs_a_message(secretariat, submitted):
    with pytest.raises(DomainError):
        services.application_request_revision(actor=secretariat, application=submitted, message="")


@pytest.mark.parametrize("who", ["researcher", "custodian", "reviewer", "auditor"])
def test_only_secretariat_or_chair_request_revision(request, who, submitted):
    with pytest.raises(PermissionDenied):
        services.application_request_revision(
            actor=request.getfixturevalue(who), application=submitted, message="x"
        )


def test_revision_refused_from_draft(secretariat, draft):
    with pytest.raises(TransitionNotAllowed):
        services.application_request_revision(actor=secretariat, application=draft, message="x")


def test_accept_moves_into_review(secretariat, submitted):
    application = services.application_accept(actor=secretariat, application=submitted)
    assert application.state == S.IN_REVIEW
    assert last_event(application).action == "application.accept"


@pytest.mark.parametrize("who", ["researcher", "chair", "custodian", "outsider"])
def test_only_secretariat_accepts(request, who, submitted):
    with pytest.raises(PermissionDenied):
        services.application_accept(actor=request.getfixturevalue(who), application=submitted)


def test_accept_refused_outside_submitted(secretariat, in_review, draft):
    for application in (in_review, draft):
        with pytest.raises(TransitionNotAllowed):
            services.application_accept(actor=secretariat, application=application)


def test_secretariat_rejects_out_of_scope_at_screening(secretariat, submitted):
    application = services.application_reject(
        actor=secretariat, application=submitted, reason="Not health research."
    )
    assert application.state == S.REJECTED
    event = last_event(application)
    assert event.action == "application.reject"
    assert event.payload["reason"] == "Not health research."


def test_after_screening_nobody_rejects_outside_the_committee(secretariat, chair, in_review):
    # The committee's decision (reviews' decision_record) is the only way after screening.
    for actor in (secretariat, chair):
        with pytest.raises(TransitionNotAllowed):
            services.application_reject(actor=actor, application=in_review, reason="No.")
    in_review.refresh_from_db()
    assert in_review.state == S.IN_REVIEW


def test_reject_refused_from_draft(chair, draft):
    with pytest.raises(TransitionNotAllowed):
        services.application_reject(actor=chair, application=draft, reason="No.")


def test_applicant_withdraws_before_decision(researcher, in_review):
    application = services.application_withdraw(actor=researcher, application=in_review)
    assert application.state == S.WITHDRAWN
    assert last_event(application).action == "application.withdraw"


def test_withdraw_refused_after_decision_and_to_others(researcher, other_researcher, active):
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=other_researcher, application=active)
    with pytest.raises(TransitionNotAllowed):
        services.application_withdraw(actor=researcher, application=active)


def test_approval_waits_for_every_custodian(approved, custodian, other_custodian):
    assert approved.state == S.APPROVED
    first, second = approved.dataset_requests.order_by("id")
    services.dataset_request_grant(actor=custodian, dataset_request=first, conditions="Federated")
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    services.dataset_request_grant(actor=other_custodian, dataset_request=second)
    approved.refresh_from_db()
    assert approved.state == S.ACTIVE
    assert last_event(approved).action == "application.activate"


def test_activation_checks_from_other_apps_are_respected(approved, custodian, other_custodian):
    from applications import activation

    def unsigned(application):
        return ["The benefit-sharing agreement is not signed."]

    activation.register_activation_check(unsigned)
    try:
        for request, who in zip(
            approved.dataset_requests.order_by("id"), [custodian, other_custodian], strict=False
        ):
            services.dataset_request_grant(actor=who, dataset_request=request)
        approved.refresh_from_db()
        assert approved.state == S.APPROVED
    finally:
        activation._checks.remove(unsigned)
    assert services.application_try_activate(actor=None, application=approved) is True


def test_approve_only_by_chair_and_needs_future_expiry(secretariat, chair, in_review):
    later = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(PermissionDenied):
        services.application_approve(
            actor=secretariat, application=in_review, access_expires_on=later
        )
    with pytest.raises(DomainError):
        services.application_approve(
            actor=chair, application=in_review, access_expires_on=timezone.localdate()
        )


def test_approve_refused_from_submitted(chair, submitted):
    later = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(TransitionNotAllowed):
        services.application_approve(actor=chair, application=submitted, access_expires_on=later)


def test_mark_awaiting_decision(secretariat, in_review, submitted, researcher):
    application = services.application_mark_awaiting_decision(
        actor=secretariat, application=in_review
    )
    assert application.state == S.AWAITING_DECISION
    with pytest.raises(TransitionNotAllowed):
        services.application_mark_awaiting_decision(actor=secretariat, application=submitted)
    with pytest.raises(PermissionDenied):
        services.application_mark_awaiting_decision(actor=researcher, application=submitted)


def test_suspend_reinstate_revoke(chair, active, researcher):
    with pytest.raises(PermissionDenied):
        services.application_suspend(actor=researcher, application=active, reason="x")
    with pytest.raises(DomainError):
        services.application_suspend(actor=chair, application=active, reason=" ")
    application = services.application_suspend(actor=chair, application=active, reason="Breach")
    assert application.state == S.SUSPENDED
    assert last_event(application).action == "application.suspend"
    with pytest.raises(TransitionNotAllowed):
        services.application_suspend(actor=chair, application=application, reason="Again")
    application = services.application_reinstate(actor=chair, application=application)
    assert application.state == S.ACTIVE
    with pytest.raises(TransitionNotAllowed):
        services.application_reinstate(actor=chair, application=application)
    application = services.application_revoke(actor=chair, application=application, reason="Harm")
    assert application.state == S.REVOKED
    assert last_event(application).action == "application.revoke"
    with pytest.raises(TransitionNotAllowed):
        services.application_revoke(actor=chair, application=application, reason="Again")


def test_revoke_refused_before_approval(chair, in_review):
    with pytest.raises(TransitionNotAllowed):
        services.application_revoke(actor=chair, application=in_review, reason="x")


def test_applicant_closes_with_final_report(researcher, other_researcher, active):
    with pytest.raises(PermissionDenied):
        services.application_close(actor=other_researcher, application=active, final_report="x")
    with pytest.raises(DomainError):
        services.application_close(actor=researcher, application=active, final_report="")
    application = services.application_close(
        actor=researcher, application=active, final_report="We found it."
    )
    assert application.state == S.CLOSED
    assert application.final_report == "We found it."
    assert last_event(application).action == "application.close"


def test_close_refused_before_activation(researcher, in_review):
    with pytest.raises(TransitionNotAllowed):
        services.application_close(actor=researcher, application=in_review, final_report="x")


def test_copy_of_rejected_application_is_a_new_draft(researcher, secretariat, submitted):
    services.application_reject(actor=secretariat, application=submitted, reason="Scope")
    copy = services.application_copy(actor=researcher, application=submitted)
    assert copy.pk != submitted.pk
    assert copy.state == S.DRAFT
    assert copy.copied_from == submitted
    assert copy.reference is None
    assert copy.title == submitted.title
    assert copy.team.count() == 1
    original, copied = submitted.attachments.get(), copy.attachments.get()
    assert copied.sha256 == original.sha256
    assert copied.file.name != original.file.name
    with copied.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    request = copy.dataset_requests.get()
    assert request.state == "pending"
    assert last_event(copy).action == "application.copy"


def test_copy_refused_for_open_applications_and_others(
    researcher, other_researcher, secretariat, submitted
):
    with pytest.raises(TransitionNotAllowed):
        services.application_copy(actor=researcher, application=submitted)
    services.application_reject(actor=secretariat, application=submitted, reason="Scope")
    with pytest.raises(PermissionDenied):
        services.application_copy(actor=other_researcher, application=submitted)


def test_amendment_goes_back_through_review_as_a_new_version(
    researcher, secretariat, chair, active, other_dataset, other_custodian
):
    application = services.application_amend(
        actor=researcher, application=active, reason="Add the cancer registry."
    )
    assert application.state == S.REVISION_REQUESTED
    assert last_event(application).action == "application.amend"
    services.application_dataset_add(
        actor=researcher,
        application=application,
        dataset=other_dataset,
        variables="Diagnosis date",
    )
    services.application_update_draft(
        actor=researcher, application=application, end_date=datetime.date(2029, 6, 30)
    )
    application = services.application_submit(actor=researcher, application=application)
    assert application.current_version == 2
    services.application_accept(actor=secretariat, application=application)
    application = services.application_approve(
        actor=chair,
        application=application,
        access_expires_on=timezone.localdate() + datetime.timedelta(days=400),
    )
    assert application.state == S.APPROVED  # the new dataset awaits its custodian
    new_request = application.dataset_requests.get(dataset=other_dataset)
    services.dataset_request_grant(actor=other_custodian, dataset_request=new_request)
    application.refresh_from_db()
    assert application.state == S.ACTIVE


def test_amend_refused_unless_active(researcher, submitted, other_researcher, active):
    with pytest.raises(TransitionNotAllowed):
        services.application_amend(actor=researcher, application=submitted, reason="x")
    with pytest.raises(PermissionDenied):
        services.application_amend(actor=other_researcher, application=active, reason="x")


def test_draft_edits_are_audited_and_keep_partial_content(researcher):
    application = factories.draft(researcher)
    services.application_update_draft(actor=researcher, application=application, aims="Half")
    application.refresh_from_db()
    assert application.aims == "Half"
    assert last_event(application).payload == {"changed": ["aims"]}


def test_dates_must_be_ordered(researcher):
    application = factories.draft(researcher)
    with pytest.raises(DomainError):
        services.application_update_draft(
            actor=researcher,
            application=application,
            start_date=datetime.date(2027, 5, 1),
            end_date=datetime.date(2027, 1, 1),
        )


def test_a_project_under_amendment_cannot_be_withdrawn_but_stays_governed(
    researcher, chair, active
):
    application = services.application_amend(
        actor=researcher, application=active, reason="Extend the end date."
    )
    with pytest.raises(TransitionNotAllowed):
        services.application_withdraw(actor=researcher, application=application)
    application = services.application_suspend(
        actor=chair, application=application, reason="A harm report needs investigating."
    )
    assert application.state == S.SUSPENDED
    application = services.application_revoke(
        actor=chair, application=application, reason="Confirmed harm."
    )
    assert application.state == S.REVOKED


def test_a_project_under_amendment_closes_with_a_final_report(researcher, active):
    application = services.application_amend(
        actor=researcher, application=active, reason="Extend the end date."
    )
    application = services.application_close(
        actor=researcher, application=application, final_report="Done; results published."
    )
    assert application.state == S.CLOSED
