import pytest
from django.core.management import call_command
from django.urls import reverse

from benefits import selectors, services
from benefits.models import BenefitAgreement, FundTransaction
from solidarity.accounts.models import User
from solidarity.audit.services import audit_verify

from .factories import ApprovedApplicationFactory, signed_agreement


def test_public_summary_says_what_each_project_gives_back_and_what_was_paid(
    researcher, benefit_officer, django_assert_num_queries
):
    paid = signed_agreement(ApprovedApplicationFactory(applicant=researcher), benefit_officer)
    obligation = paid.obligations.get()
    services.obligation_report(
        actor=researcher, obligation=obligation, amount_minor=150_000, text="x"
    )
    services.obligation_verify(actor=benefit_officer, obligation=obligation)
    unsigned = ApprovedApplicationFactory(applicant=researcher)
    with django_assert_num_queries(3):
        summary = selectors.public_benefit_summary([paid.application_id, unsigned.pk])
    assert set(summary) == {paid.application_id}
    entry = summary[paid.application_id]
    assert entry["paid"] == {"EUR": 150_000}
    assert entry["obligations"][0]["label"] == "Fixed payment"
    assert entry["obligations"][0]["state"] == "verified"


def test_public_summary_runs_three_queries_for_fifty_projects(
    researcher, benefit_officer, django_assert_num_queries
):
    ids = []
    for _ in range(50):
        agreement = signed_agreement(
            ApprovedApplicationFactory(applicant=researcher), benefit_officer
        )
        ids.append(agreement.application_id)
    fixed_payment_agreement = BenefitAgreement.objects.get(application_id=ids[0])
    services.fund_receive(
        actor=benefit_officer,
        amount_minor=10,
        currency="CHF",
        reason="x",
        agreement=fixed_payment_agreement,
    )
    with django_assert_num_queries(3):
        summary = selectors.public_benefit_summary(ids)
    assert len(summary) == 50
    assert summary[ids[0]]["paid"] == {"CHF": 10}
    assert selectors.public_benefit_summary([]) == {}


def test_officer_home_lists_work_to_do(client, benefit_officer, researcher, application):
    client.force_login(benefit_officer)
    body = client.get(reverse("home")).content.decode()
    assert "Agreements to draft" in body
    assert application.title in body


def test_researcher_home_lists_agreements_to_sign_and_obligations_due(
    client, researcher, benefit_officer, proposed
):
    client.force_login(researcher)
    body = client.get(reverse("home")).content.decode()
    assert "Agreements to sign" in body
    assert reverse("benefits:agreement-detail", args=[proposed.pk]) in body
    assert reverse("benefits:agreement-list") in body  # the menu shows the agreements
    services.agreement_sign(actor=researcher, agreement=proposed)
    services.agreement_sign(actor=benefit_officer, agreement=proposed)
    body = client.get(reverse("home")).content.decode()
    assert "Obligations due" in body
    assert "Agreements to sign" not in body


def test_researcher_without_agreements_has_no_benefits_menu(client, other_researcher, proposed):
    client.force_login(other_researcher)
    assert reverse("benefits:agreement-list") not in client.get(reverse("home")).content.decode()


def test_chair_home_shows_agreements_in_breach(client, chair, benefit_officer, signed):
    client.force_login(chair)
    assert "in breach" not in client.get(reverse("home")).content.decode()
    services.agreement_flag_breach(actor=benefit_officer, agreement=signed, reason="Unpaid")
    assert "Benefit agreements in breach" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_seed_demo_adds_a_fund_balance_once():
    call_command("seed_demo")
    call_command("seed_demo")
    assert FundTransaction.objects.filter(source_type="demo_seed").count() == 1
    assert selectors.fund_balance(currency="EUR") >= 250_000
    assert BenefitAgreement.objects.count() <= 1
    assert User.objects.filter(username="benefit_officer").exists()
    assert audit_verify().ok


def test_seed_is_defensive_without_an_officer(db):
    from benefits.demo import seed_benefits

    seed_benefits(users={})  # nothing to do, nothing raised


def test_benefits_menu_appears_once_an_agreement_is_drafted(
    client, researcher, benefit_officer, application, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    menu = f'href="{reverse("benefits:agreement-list")}"'
    assert menu not in client.get(reverse("home")).content.decode()  # cached: no agreement
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_draft(actor=benefit_officer, application=application, kind="mixed")
    assert menu in client.get(reverse("home")).content.decode()


def test_the_daily_obligation_check_is_scheduled():
    from solidarity.celery import app

    entry = app.conf.beat_schedule["benefits-check-obligations"]
    assert entry["task"] == "benefits.tasks.check_obligations"
