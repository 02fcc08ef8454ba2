from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from benefits import selectors, services
from benefits.models import BenefitAgreement, Obligation, ObligationReport
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.models import Notification

from .factories import draft_agreement, fixed_payment, signed_agreement


def last_event(obj):
    return AuditEvent.objects.for_target(obj).latest("id")


@pytest.fixture
def payment(signed):
    return signed.obligations.get(kind="fixed_payment")


def test_applicant_reports_a_payment_and_the_officer_verifies_it_into_the_fund(
    payment, researcher, benefit_officer
):
    report = services.obligation_report(
        actor=researcher, obligation=payment, amount_minor=150_000, text="Paid by transfer"
    )
    payment.refresh_from_db()
    assert payment.state == "reported"
    assert (report.period_due, report.currency) == (payment.due_date, "EUR")
    event = last_event(payment)
    assert (event.action, event.from_state, event.to_state) == (
        "obligation.report",
        "pending",
        "reported",
    )
    assert selectors.fund_balance(currency="EUR") == 0
    services.obligation_verify(actor=benefit_officer, obligation=payment)
    payment.refresh_from_db()
    assert payment.state == "verified"
    assert selectors.fund_balance(currency="EUR") == 150_000
    event = last_event(payment)
    assert (event.action, event.to_state) == ("obligation.verify", "verified")
    tx = payment.agreement.fund_transactions.get()
    assert (tx.kind, tx.source_type, tx.source_id) == (
        "inflow",
        "obligation_report",
        str(report.pk),
    )
    # the only obligation is met: the agreement is fulfilled
    payment.agreement.refresh_from_db()
    assert payment.agreement.state == "fulfilled"


@pytest.mark.parametrize("who", ["other_researcher", "benefit_officer", "custodian", "outsider"])
def test_only_the_applicant_reports(request, payment, who):
    with pytest.raises(PermissionDenied):
        services.obligation_report(
            actor=request.getfixturevalue(who), obligation=payment, amount_minor=1, text="x"
        )


def test_report_needs_evidence_and_the_amount_for_a_payment(payment, researcher):
    with pytest.raises(DomainError) as info:
        services.obligation_report(actor=researcher, obligation=payment)
    assert {"amount", "text"} <= set(info.value.field_errors)
    with pytest.raises(DomainError) as info:
        services.obligation_report(
            actor=researcher, obligation=payment, amount_minor=1, currency="CHF", text="x"
        )
    assert "currency" in info.value.field_errors
    assert not ObligationReport.objects.exists()


def test_report_evidence_file_is_checked_and_kept(payment, researcher, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("receipt.pdf", b"MZ\x00\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError) as info:
        services.obligation_report(
            actor=researcher, obligation=payment, amount_minor=5, evidence_file=bad
        )
    assert "evidence_file" in info.value.field_errors
    good = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    report = services.obligation_report(
        actor=researcher, obligation=payment, amount_minor=5, evidence_file=good
    )
    assert report.evidence_name == "receipt.pdf"
    assert len(report.sha256) == 64
    assert report.evidence_file.read() == b"%PDF-1.4 receipt"


def test_reports_only_on_pending_or_overdue_obligations_of_signed_agreements(
    application, benefit_officer, researcher, payment
):
    services.obligation_report(actor=researcher, obligation=payment, amount_minor=1, text="x")
    with pytest.raises(TransitionNotAllowed):  # already reported
        services.obligation_report(actor=researcher, obligation=payment, amount_minor=1, text="x")
    services.agreement_terminate(actor=benefit_officer, agreement=payment.agreement, reason="x")
    with pytest.raises(TransitionNotAllowed):
        services.obligation_report(actor=researcher, obligation=payment, amount_minor=1, text="x")


def test_no_report_before_signature(researcher, benefit_officer, other_researcher):
    from .factories import ApprovedApplicationFactory

    application = ApprovedApplicationFactory(applicant=researcher)
    agreement = draft_agreement(application, benefit_officer)
    obligation = fixed_payment(agreement, benefit_officer)
    with pytest.raises(TransitionNotAllowed):
        services.obligation_report(
            actor=researcher, obligation=obligation, amount_minor=1, text="x"
        )


def test_officer_rejects_with_a_reason_and_the_applicant_reports_again(
    payment, researcher, benefit_officer, django_capture_on_commit_callbacks
):
    services.obligation_report(actor=researcher, obligation=payment, amount_minor=100, text="x")
    with pytest.raises(DomainError):
        services.obligation_reject(actor=benefit_officer, obligation=payment, reason="")
    with pytest.raises(PermissionDenied):
        services.obligation_reject(actor=researcher, obligation=payment, reason="no")
    with django_capture_on_commit_callbacks(execute=True):
        services.obligation_reject(
            actor=benefit_officer, obligation=payment, reason="The amount is 1500.00 EUR"
        )
    payment.refresh_from_db()
    assert (payment.state, payment.state_reason) == ("pending", "The amount is 1500.00 EUR")
    assert payment.reports.get().state == "rejected"
    assert last_event(payment).action == "obligation.reject"
    assert Notification.objects.filter(recipient=researcher, subject__contains="not accepted")
    assert selectors.fund_balance(currency="EUR") == 0
    services.obligation_report(actor=researcher, obligation=payment, amount_minor=150_000, text="x")


@pytest.mark.parametrize("verb", ["verify", "reject"])
def test_verify_and_reject_need_a_report(payment, benefit_officer, verb):
    kwargs = {"reason": "x"} if verb == "reject" else {}
    with pytest.raises(TransitionNotAllowed):
        getattr(services, f"obligation_{verb}")(actor=benefit_officer, obligation=payment, **kwargs)


@pytest.mark.parametrize("who", ["researcher", "chair", "auditor", "harm_officer"])
def test_only_benefit_officers_verify(request, payment, researcher, who):
    services.obligation_report(actor=researcher, obligation=payment, amount_minor=1, text="x")
    with pytest.raises(PermissionDenied):
        services.obligation_verify(actor=request.getfixturevalue(who), obligation=payment)
    assert selectors.fund_balance(currency="EUR") == 0


def test_waive_with_reason(payment, benefit_officer, researcher):
    with pytest.raises(DomainError):
        services.obligation_waive(actor=benefit_officer, obligation=payment, reason=" ")
    with pytest.raises(PermissionDenied):
        services.obligation_waive(actor=researcher, obligation=payment, reason="please")
    services.obligation_waive(actor=benefit_officer, obligation=payment, reason="Hardship")
    payment.refresh_from_db()
    assert payment.state == "waived"
    assert last_event(payment).action == "obligation.waive"
    with pytest.raises(TransitionNotAllowed):
        services.obligation_waive(actor=benefit_officer, obligation=payment, reason="again")


def test_revenue_share_recurs_each_quarter_until_the_project_ends(researcher, benefit_officer):
    from .factories import ApprovedApplicationFactory

    today = date.today()
    application = ApprovedApplicationFactory(
        applicant=researcher, end_date=today + timedelta(days=200)
    )
    agreement = draft_agreement(application, benefit_officer, kind="commercial")
    share = services.obligation_add(
        actor=benefit_officer,
        agreement=agreement,
        kind="revenue_share",
        description="2.5 % of revenue",
        beneficiary="community",
        community="Diabetes patients' association",
        share_basis_points=250,
        due_date=today + timedelta(days=10),
        recurrence="quarterly",
    )
    services.agreement_propose(actor=benefit_officer, agreement=agreement)
    services.agreement_sign(actor=researcher, agreement=agreement)
    services.agreement_sign(actor=benefit_officer, agreement=agreement)
    with pytest.raises(DomainError) as info:
        services.obligation_report(actor=researcher, obligation=share, amount_minor=250, text="x")
    assert "revenue" in info.value.field_errors
    periods = 0
    while True:
        share.refresh_from_db()
        if share.state == "verified":
            break
        services.obligation_report(
            actor=researcher, obligation=share, revenue_minor=10_000, amount_minor=250, text="Q"
        )
        assert services.expected_amount(share, 10_000) == 250
        services.obligation_verify(actor=benefit_officer, obligation=share)
        periods += 1
        assert periods < 10
    # due in 10 days, then each quarter, and a last short period due on the project's end
    assert periods == 4
    assert share.periods_verified == 4
    assert share.due_date == today + timedelta(days=200)
    assert selectors.fund_balance(currency="EUR") == 1000
    totals = selectors.fund_totals_by_community(selectors.fund_transactions())
    assert totals == [
        {"community": "Diabetes patients' association", "currency": "EUR", "total": 1000}
    ]


def test_obligations_change_only_in_draft(signed, benefit_officer):
    with pytest.raises(TransitionNotAllowed):
        fixed_payment(signed, benefit_officer)
    with pytest.raises(TransitionNotAllowed):
        services.obligation_remove(actor=benefit_officer, obligation=signed.obligations.first())


def test_obligation_fields_are_validated(application, benefit_officer):
    agreement = draft_agreement(application, benefit_officer)
    with pytest.raises(DomainError) as info:
        services.obligation_add(
            actor=benefit_officer,
            agreement=agreement,
            kind="fixed_payment",
            description="",
            beneficiary="community",
            due_date=None,
        )
    assert {"amount", "description", "community", "due_date"} <= set(info.value.field_errors)
    assert not Obligation.objects.exists()


# --- overdue and breach -------------------------------------------------------------------------


def test_overdue_task_marks_notifies_and_is_idempotent(
    payment, researcher, benefit_officer, django_capture_on_commit_callbacks
):
    from benefits.tasks import check_obligations

    Obligation.objects.filter(pk=payment.pk).update(due_date=date.today() - timedelta(days=1))
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert check_obligations.delay().get()["overdue"] == 1
    payment.refresh_from_db()
    assert (payment.state, payment.overdue_since) == ("overdue", date.today())
    assert last_event(payment).action == "obligation.overdue"
    told = set(
        Notification.objects.filter(subject__contains="overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert {researcher.username, benefit_officer.username} <= told
    after_first = Notification.objects.count()
    assert after_first > before
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert check_obligations.delay().get() == {"in_force": 0, "overdue": 0, "breached": 0}
    assert Notification.objects.count() == after_first
    assert AuditEvent.objects.count() == events


def test_breach_after_the_grace_period_for_the_chair(
    payment, researcher, chair, benefit_officer, django_capture_on_commit_callbacks
):
    agreement = payment.agreement
    Obligation.objects.filter(pk=payment.pk).update(due_date=date.today() - timedelta(days=40))
    services.obligations_mark_overdue(today=date.today() - timedelta(days=35))
    assert services.agreements_flag_breaches(today=date.today() - timedelta(days=10)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.agreements_flag_breaches(today=date.today()) == [agreement.pk]
    assert services.agreements_flag_breaches(today=date.today()) == []  # idempotent
    agreement.refresh_from_db()
    assert agreement.state == "breached"
    assert list(selectors.agreements_in_breach()) == [agreement]
    assert Notification.objects.filter(recipient=chair, subject__contains="breach").count() == 1
    event = last_event(agreement)
    assert (event.action, event.actor_label, event.to_state) == (
        "benefit_agreement.breach",
        "system",
        "breached",
    )
    # the applicant reports late; verification cures the breach
    services.obligation_report(actor=researcher, obligation=payment, amount_minor=150_000, text="x")
    services.obligation_verify(actor=benefit_officer, obligation=payment)
    agreement.refresh_from_db()
    assert agreement.state == "fulfilled"


def test_grace_period_is_configurable_per_agreement(researcher, benefit_officer, settings):
    from .factories import ApprovedApplicationFactory

    settings.BENEFITS_BREACH_GRACE_DAYS = 3
    agreement = signed_agreement(ApprovedApplicationFactory(applicant=researcher), benefit_officer)
    assert agreement.grace_days == 3
    payment = agreement.obligations.get()
    Obligation.objects.filter(pk=payment.pk).update(due_date=date.today() - timedelta(days=10))
    services.obligations_mark_overdue(today=date.today() - timedelta(days=5))
    assert services.agreements_flag_breaches() == [agreement.pk]
    assert BenefitAgreement.objects.get(pk=agreement.pk).state == "breached"


def test_officer_adds_and_removes_obligations_of_a_draft_and_it_is_audited(
    application, benefit_officer, researcher
):
    agreement = draft_agreement(application, benefit_officer)
    obligation = fixed_payment(agreement, benefit_officer)
    event = last_event(obligation)
    assert (event.action, event.to_state, event.payload["kind"]) == (
        "obligation.add",
        "pending",
        "fixed_payment",
    )
    with pytest.raises(PermissionDenied):
        fixed_payment(agreement, researcher)
    with pytest.raises(PermissionDenied):
        services.obligation_remove(actor=researcher, obligation=obligation)
    services.obligation_remove(actor=benefit_officer, obligation=obligation)
    assert not Obligation.objects.filter(pk=obligation.pk).exists()
    assert AuditEvent.objects.filter(
        action="obligation.remove", target_id=str(obligation.pk)
    ).exists()
