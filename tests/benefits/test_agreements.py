from datetime import date, timedelta

import pytest

from applications.activation import missing_for_activation
from benefits import services
from benefits.models import AgreementState, BenefitAgreement, Signature, TermsVersion
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from .factories import (
    ApprovedApplicationFactory,
    draft_agreement,
    fixed_payment,
    proposed_agreement,
)


def last_event(obj):
    return AuditEvent.objects.for_target(obj).latest("id")


# --- draft ------------------------------------------------------------------------------------


def test_officer_drafts_from_the_template_for_the_kind_of_use(application, benefit_officer):
    agreement = services.agreement_draft(
        actor=benefit_officer, application=application, kind="commercial"
    )
    assert agreement.state == AgreementState.DRAFT
    assert application.title in agreement.terms
    kinds = {o.kind for o in agreement.obligations.all()}
    assert {"revenue_share", "affordable_access"} <= kinds
    event = last_event(agreement)
    assert (event.action, event.to_state, event.actor) == (
        "benefit_agreement.draft",
        "draft",
        benefit_officer,
    )


@pytest.mark.parametrize("who", ["researcher", "chair", "auditor", "custodian", "outsider"])
def test_only_benefit_officers_draft(request, application, who):
    with pytest.raises(PermissionDenied):
        services.agreement_draft(
            actor=request.getfixturevalue(who), application=application, kind="mixed"
        )
    assert not BenefitAgreement.objects.exists()


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review", "rejected", "withdrawn"])
def test_no_agreement_before_approval(researcher, benefit_officer, state):
    application = ApprovedApplicationFactory(applicant=researcher, state=state)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_draft(actor=benefit_officer, application=application, kind="mixed")


def test_one_live_agreement_per_application(application, benefit_officer):
    first = draft_agreement(application, benefit_officer)
    with pytest.raises(TransitionNotAllowed):
        draft_agreement(application, benefit_officer)
    services.agreement_terminate(actor=benefit_officer, agreement=first, reason="Wrong kind")
    second = draft_agreement(application, benefit_officer, kind="commercial")
    assert second.pk != first.pk


# --- propose ----------------------------------------------------------------------------------


def test_propose_freezes_version_one(application, benefit_officer):
    agreement = draft_agreement(application, benefit_officer)
    fixed_payment(agreement, benefit_officer)
    services.agreement_propose(actor=benefit_officer, agreement=agreement)
    agreement.refresh_from_db()
    assert (agreement.state, agreement.terms_version) == ("proposed", 1)
    version = TermsVersion.objects.get(agreement=agreement)
    assert version.content["terms"] == agreement.terms
    assert version.content["obligations"][0]["amount_minor"] == 150_000
    assert len(version.sha256) == 64
    event = last_event(agreement)
    assert (event.action, event.from_state, event.to_state) == (
        "benefit_agreement.propose",
        "draft",
        "proposed",
    )


def test_an_agreement_without_obligations_cannot_be_proposed(application, benefit_officer):
    agreement = draft_agreement(application, benefit_officer)
    with pytest.raises(DomainError, match="at least one obligation"):
        services.agreement_propose(actor=benefit_officer, agreement=agreement)


def test_commercial_use_needs_a_monetary_or_access_obligation(researcher, benefit_officer):
    application = ApprovedApplicationFactory(applicant=researcher, commercial_involvement=True)
    agreement = draft_agreement(application, benefit_officer)
    services.obligation_add(
        actor=benefit_officer,
        agreement=agreement,
        kind="open_access",
        description="Publish openly.",
        beneficiary="fund",
        due_date=date.today() + timedelta(days=90),
    )
    with pytest.raises(DomainError, match="monetary or access"):
        services.agreement_propose(actor=benefit_officer, agreement=agreement)
    services.obligation_add(
        actor=benefit_officer,
        agreement=agreement,
        kind="affordable_access",
        description="At-cost access.",
        beneficiary="custodian",
        due_date=date.today() + timedelta(days=90),
    )
    services.agreement_propose(actor=benefit_officer, agreement=agreement)


def test_researcher_cannot_propose(application, benefit_officer, researcher):
    agreement = draft_agreement(application, benefit_officer)
    fixed_payment(agreement, benefit_officer)
    with pytest.raises(PermissionDenied):
        services.agreement_propose(actor=researcher, agreement=agreement)


@pytest.mark.parametrize("fixture", ["proposed", "signed"])
def test_propose_refused_unless_draft(request, benefit_officer, fixture):
    agreement = request.getfixturevalue(fixture)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_propose(actor=benefit_officer, agreement=agreement)


# --- sign -------------------------------------------------------------------------------------


def test_both_sides_sign_then_the_project_activates_and_the_agreement_is_in_force(
    proposed, application, researcher, benefit_officer
):
    assert missing_for_activation(application) == ["A signed benefit-sharing agreement"]
    first = services.agreement_sign(actor=researcher, agreement=proposed, version=1)
    assert (first.side, first.version, first.signer) == ("applicant", 1, researcher)
    proposed.refresh_from_db()
    assert proposed.state == "proposed"
    services.agreement_sign(actor=benefit_officer, agreement=proposed, version=1)
    proposed.refresh_from_db()
    application.refresh_from_db()
    assert application.state == "active"
    assert proposed.state == AgreementState.IN_FORCE
    actions = list(
        AuditEvent.objects.for_target(proposed).order_by("id").values_list("action", "to_state")
    )
    assert ("benefit_agreement.sign", "signed") in actions
    assert actions[-1] == ("benefit_agreement.enter_force", "in_force")
    signatures = Signature.objects.filter(agreement=proposed)
    assert {s.terms_sha256 for s in signatures} == {proposed.versions.get().sha256}


def test_signed_agreement_waits_for_other_activation_conditions(researcher, benefit_officer):
    application = ApprovedApplicationFactory(applicant=researcher, granted_dataset=False)
    agreement = proposed_agreement(application, benefit_officer)
    services.agreement_sign(actor=researcher, agreement=agreement)
    services.agreement_sign(actor=benefit_officer, agreement=agreement)
    agreement.refresh_from_db()
    application.refresh_from_db()
    assert (agreement.state, application.state) == ("signed", "approved")
    assert missing_for_activation(application) == ["No dataset is requested."]
    # once active, the daily check brings the agreement into force (idempotently)
    type(application).objects.filter(pk=application.pk).update(state="active")
    assert services.agreements_enter_force() == 1
    assert services.agreements_enter_force() == 0
    agreement.refresh_from_db()
    assert agreement.state == "in_force"


@pytest.mark.parametrize("who", ["other_researcher", "custodian", "chair", "auditor", "outsider"])
def test_only_the_applicant_and_a_benefit_officer_sign(request, proposed, who):
    with pytest.raises(PermissionDenied):
        services.agreement_sign(actor=request.getfixturevalue(who), agreement=proposed)
    assert not Signature.objects.exists()


def test_a_side_signs_once(proposed, researcher):
    services.agreement_sign(actor=researcher, agreement=proposed)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_sign(actor=researcher, agreement=proposed)


def test_signing_a_stale_version_is_refused(proposed, researcher):
    with pytest.raises(TransitionNotAllowed, match="changed"):
        services.agreement_sign(actor=researcher, agreement=proposed, version=2)


def test_sign_refused_unless_proposed(application, benefit_officer, researcher):
    agreement = draft_agreement(application, benefit_officer)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_sign(actor=researcher, agreement=agreement)


def test_a_change_makes_a_new_version_that_must_be_signed_again(
    signed, researcher, benefit_officer
):
    services.agreement_reopen(actor=benefit_officer, agreement=signed, reason="Add a payment")
    signed.refresh_from_db()
    assert signed.state == "draft"
    event = last_event(signed)
    assert (event.action, event.from_state) == ("benefit_agreement.reopen", "in_force")
    fixed_payment(signed, benefit_officer, amount_minor=99)
    services.agreement_propose(actor=benefit_officer, agreement=signed)
    signed.refresh_from_db()
    assert (signed.state, signed.terms_version) == ("proposed", 2)
    with pytest.raises(TransitionNotAllowed):  # read version 1, the terms are now version 2
        services.agreement_sign(actor=researcher, agreement=signed, version=1)
    services.agreement_sign(actor=researcher, agreement=signed, version=2)
    services.agreement_sign(actor=benefit_officer, agreement=signed, version=2)
    signed.refresh_from_db()
    assert signed.state == "in_force"  # the project is already active
    assert Signature.objects.filter(agreement=signed).count() == 4
    v1, v2 = signed.versions.order_by("number")
    assert len(v1.content["obligations"]) == 1
    assert len(v2.content["obligations"]) == 2


def test_reopen_needs_a_reason_and_an_officer(proposed, researcher, benefit_officer):
    with pytest.raises(PermissionDenied):
        services.agreement_reopen(actor=researcher, agreement=proposed, reason="x")
    with pytest.raises(DomainError):
        services.agreement_reopen(actor=benefit_officer, agreement=proposed, reason="  ")


def test_terms_can_only_be_edited_in_draft(proposed, benefit_officer):
    with pytest.raises(TransitionNotAllowed):
        services.agreement_update(actor=benefit_officer, agreement=proposed, terms="New terms")


# --- terminate, breach, suspension --------------------------------------------------------------


def test_terminate_with_reason_waives_open_obligations(signed, benefit_officer):
    services.agreement_terminate(actor=benefit_officer, agreement=signed, reason="Revoked")
    signed.refresh_from_db()
    assert (signed.state, signed.state_reason) == ("terminated", "Revoked")
    assert set(signed.obligations.values_list("state", flat=True)) == {"waived"}
    event = last_event(signed)
    assert (event.action, event.from_state, event.to_state) == (
        "benefit_agreement.terminate",
        "in_force",
        "terminated",
    )


def test_terminate_closes_reports_waiting_for_verification(signed, researcher, benefit_officer):
    from solidarity.audit.models import AuditEvent

    obligation = signed.obligations.first()
    services.obligation_report(
        actor=researcher, obligation=obligation, text="Paid", amount_minor=150_000, currency="EUR"
    )
    services.agreement_terminate(actor=benefit_officer, agreement=signed, reason="Project ended")
    report = obligation.reports.get()
    assert report.state == "rejected"
    assert report.review_reason == "Project ended"
    assert AuditEvent.objects.for_target(obligation).filter(action="obligation.waive").exists()


def test_terminate_needs_reason_officer_and_a_live_agreement(signed, researcher, benefit_officer):
    with pytest.raises(DomainError):
        services.agreement_terminate(actor=benefit_officer, agreement=signed, reason="")
    with pytest.raises(PermissionDenied):
        services.agreement_terminate(actor=researcher, agreement=signed, reason="x")
    services.agreement_terminate(actor=benefit_officer, agreement=signed, reason="x")
    with pytest.raises(TransitionNotAllowed):
        services.agreement_terminate(actor=benefit_officer, agreement=signed, reason="again")


def test_chair_suspends_the_project_of_an_agreement_in_breach(
    signed, application, chair, benefit_officer
):
    with pytest.raises(TransitionNotAllowed):  # not in breach yet
        services.agreement_suspend_project(actor=chair, agreement=signed, reason="x")
    services.agreement_flag_breach(actor=benefit_officer, agreement=signed, reason="Unpaid")
    with pytest.raises(PermissionDenied):
        services.agreement_suspend_project(actor=benefit_officer, agreement=signed, reason="x")
    services.agreement_suspend_project(actor=chair, agreement=signed, reason="Unpaid for months")
    application.refresh_from_db()
    assert application.state == "suspended"
    assert last_event(signed).action == "benefit_agreement.suspend_project"


def test_activation_check_for_commercial_projects(researcher, benefit_officer):
    application = ApprovedApplicationFactory(applicant=researcher, commercial_involvement=True)
    from benefits.activation import signed_agreement_check

    assert signed_agreement_check(application) == ["A signed benefit-sharing agreement"]
    agreement = proposed_agreement(application, benefit_officer)  # has a fixed payment
    BenefitAgreement.objects.filter(pk=agreement.pk).update(state="signed")
    assert signed_agreement_check(application) == []
    agreement.obligations.filter(kind="fixed_payment").update(kind="open_access")
    assert "monetary or access" in signed_agreement_check(application)[0]


def test_reopen_refused_from_draft_and_after_the_end(application, benefit_officer, signed):
    services.agreement_terminate(actor=benefit_officer, agreement=signed, reason="x")
    with pytest.raises(TransitionNotAllowed):
        services.agreement_reopen(actor=benefit_officer, agreement=signed, reason="x")
    fresh = draft_agreement(application, benefit_officer)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_reopen(actor=benefit_officer, agreement=fresh, reason="x")


def test_officer_edits_draft_terms_and_it_is_audited(client, application, benefit_officer):
    from django.urls import reverse

    agreement = draft_agreement(application, benefit_officer)
    client.force_login(benefit_officer)
    url = reverse("benefits:agreement-edit", args=[agreement.pk])
    response = client.post(url, {"kind": "mixed", "terms": "", "grace_days": 10})
    assert response.status_code == 200  # the terms are required; nothing saved
    response = client.post(url, {"kind": "mixed", "terms": "New terms.", "grace_days": 10})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.kind, agreement.terms, agreement.grace_days) == ("mixed", "New terms.", 10)
    event = last_event(agreement)
    assert (event.action, sorted(event.payload["changed"])) == (
        "benefit_agreement.update",
        ["grace_days", "kind", "terms"],
    )
    with pytest.raises(PermissionDenied):
        services.agreement_update(actor=application.applicant, agreement=agreement, terms="Mine")


def test_flag_breach_only_by_benefit_officers(signed, researcher, chair):
    with pytest.raises(PermissionDenied):
        services.agreement_flag_breach(actor=researcher, agreement=signed, reason="x")
    with pytest.raises(PermissionDenied):
        services.agreement_flag_breach(actor=chair, agreement=signed, reason="x")


def test_flag_breach_refused_unless_in_force(application, benefit_officer):
    agreement = proposed_agreement(application, benefit_officer)
    with pytest.raises(TransitionNotAllowed):
        services.agreement_flag_breach(actor=benefit_officer, agreement=agreement, reason="x")
