import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse

from benefits import selectors, services
from benefits.models import BenefitAgreement, Obligation, Signature

from .factories import ApprovedApplicationFactory, draft_agreement, fixed_payment, signed_agreement


def detail(agreement):
    return reverse("benefits:agreement-detail", args=[agreement.pk])


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["researcher", "benefit_officer", "auditor", "chair"])
def test_people_concerned_see_the_agreement(client, request, proposed, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(detail(proposed))
    assert response.status_code == 200
    assert proposed.application.title in response.content.decode()


@pytest.mark.parametrize("who", ["other_researcher", "other_custodian", "outsider", "reviewer"])
def test_others_cannot_see_the_agreement(client, request, proposed, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail(proposed)).status_code == 404
    assert client.get(reverse("benefits:agreement-list")).content.decode().count("BSA-") == 0
    obligation = proposed.obligations.first()
    assert (
        client.get(reverse("benefits:obligation-report", args=[obligation.pk])).status_code == 404
    )
    url = reverse("benefits:agreement-sign", args=[proposed.pk])
    assert client.post(url, {"version": 1}).status_code == 404
    assert not Signature.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, proposed):
    response = client.get(detail(proposed))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["researcher", "custodian", "chair", "outsider", "harm_officer"])
def test_fund_page_is_for_officers_and_auditors(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("benefits:fund")).status_code == 403
    assert client.get(reverse("benefits:fund-csv")).status_code == 403


def test_researcher_cannot_use_officer_actions(client, researcher, proposed):
    client.force_login(researcher)
    assert client.get(reverse("benefits:agreement-edit", args=[proposed.pk])).status_code == 403
    url = reverse("benefits:agreement-terminate", args=[proposed.pk])
    assert client.post(url, {"reason": "mine"}).status_code == 403
    proposed.refresh_from_db()
    assert proposed.state == "proposed"


# --- the officer and the applicant in the browser ---------------------------------------------


def test_officer_drafts_adds_an_obligation_and_proposes(client, benefit_officer, application):
    client.force_login(benefit_officer)
    response = client.get(reverse("benefits:agreement-draft") + f"?application={application.pk}")
    assert response.status_code == 200
    response = client.post(
        reverse("benefits:agreement-draft"),
        {"application": application.pk, "kind": "public_research", "grace_days": 30},
    )
    agreement = BenefitAgreement.objects.get(application=application)
    assert response["Location"] == detail(agreement)
    assert agreement.obligations.count() == 0  # the template box was left unticked
    response = client.post(
        reverse("benefits:obligation-add", args=[agreement.pk]),
        {
            "kind": "fixed_payment",
            "description": "A payment to the fund",
            "beneficiary": "fund",
            "amount": "1500.50",
            "currency": "EUR",
            "recurrence": "once",
            "due_date": (date.today() + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Obligation.objects.get(agreement=agreement).amount_minor == 150_050
    response = client.post(reverse("benefits:agreement-propose", args=[agreement.pk]), follow=True)
    assert "proposed to the applicant" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == "proposed"


def test_obligation_form_keeps_input_and_refuses_too_many_decimals(
    client, benefit_officer, application
):
    agreement = draft_agreement(application, benefit_officer)
    client.force_login(benefit_officer)
    response = client.post(
        reverse("benefits:obligation-add", args=[agreement.pk]),
        {
            "kind": "fixed_payment",
            "description": "Kept description",
            "beneficiary": "fund",
            "amount": "10.005",
            "currency": "EUR",
            "recurrence": "once",
            "due_date": "2030-01-01",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "at most 2 decimals" in body
    assert "Kept description" in body
    assert not Obligation.objects.exists()


def test_proposing_without_obligations_shows_the_reason(client, benefit_officer, application):
    agreement = draft_agreement(application, benefit_officer)
    client.force_login(benefit_officer)
    response = client.post(reverse("benefits:agreement-propose", args=[agreement.pk]), follow=True)
    assert response.status_code == 200
    assert "at least one obligation" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == "draft"


def test_both_sides_sign_in_the_browser(client, researcher, benefit_officer, proposed):
    client.force_login(researcher)
    page = client.get(detail(proposed)).content.decode()
    assert "Sign for the applicant" in page
    client.post(reverse("benefits:agreement-sign", args=[proposed.pk]), {"version": 1})
    client.force_login(benefit_officer)
    response = client.post(
        reverse("benefits:agreement-sign", args=[proposed.pk]), {"version": 1}, follow=True
    )
    assert "Your signature was recorded" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.state == "in_force"


def test_stale_signature_is_refused_with_a_message(client, researcher, proposed):
    client.force_login(researcher)
    response = client.post(
        reverse("benefits:agreement-sign", args=[proposed.pk]), {"version": 7}, follow=True
    )
    assert "The terms changed since you read them" in response.content.decode()
    assert not Signature.objects.exists()


def test_applicant_reports_through_the_form_and_officer_verifies(
    client, researcher, benefit_officer, signed, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    obligation = signed.obligations.get()
    client.force_login(researcher)
    url = reverse("benefits:obligation-report", args=[obligation.pk])
    response = client.post(url, {"amount": "1500.001", "text": "Kept text"})
    assert response.status_code == 200
    assert "Kept text" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt = SimpleUploadedFile("receipt.txt", b"Bank transfer 1500.00 EUR")
    response = client.post(url, {"amount": "1500.00", "text": "Paid", "evidence_file": receipt})
    assert response.status_code == 302
    report = obligation.reports.get()
    assert report.amount_minor == 150_000
    evidence = reverse("benefits:report-evidence", args=[report.pk])
    assert b"".join(client.get(evidence).streaming_content) == b"Bank transfer 1500.00 EUR"
    client.force_login(benefit_officer)
    page = client.get(detail(signed)).content.decode()
    assert "€1,500.00" in page
    client.post(reverse("benefits:obligation-verify", args=[obligation.pk]))
    assert selectors.fund_balance(currency="EUR") == 150_000


def test_evidence_is_hidden_from_others(
    client, researcher, other_researcher, signed, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = services.obligation_report(
        actor=researcher,
        obligation=signed.obligations.get(),
        amount_minor=1,
        evidence_file=SimpleUploadedFile("r.txt", b"secret"),
    )
    client.force_login(other_researcher)
    assert client.get(reverse("benefits:report-evidence", args=[report.pk])).status_code == 404


def test_chair_sees_the_suspend_button_only_for_a_breach(client, chair, benefit_officer, signed):
    client.force_login(chair)
    assert "Suspend the project" not in client.get(detail(signed)).content.decode()
    services.agreement_flag_breach(actor=benefit_officer, agreement=signed, reason="Unpaid")
    assert "Suspend the project" in client.get(detail(signed)).content.decode()
    response = client.post(
        reverse("benefits:agreement-suspend-project", args=[signed.pk]),
        {"reason": "Unpaid for months"},
        follow=True,
    )
    assert "The project was suspended" in response.content.decode()
    signed.application.refresh_from_db()
    assert signed.application.state == "suspended"


# --- fund page ----------------------------------------------------------------------------------


def _fill_fund(officer, n):
    for i in range(n):
        services.fund_receive(
            actor=officer,
            amount_minor=100 + i,
            currency="EUR" if i % 2 else "CHF",
            reason=f"Payment {i}",
            source_type="obligation_report",
            source_id=str(i),
            community="Patients" if i % 3 == 0 else "",
        )


def test_fund_page_shows_balances_and_filters(client, benefit_officer, harm_officer):
    services.fund_receive(actor=benefit_officer, amount_minor=12_345, currency="EUR", reason="In")
    services.fund_disburse(
        actor=harm_officer, amount_minor=345, currency="EUR", reason="Redress", source_type="harm"
    )
    client.force_login(benefit_officer)
    body = client.get(reverse("benefits:fund")).content.decode()
    assert "€120.00" in body
    body = client.get(reverse("benefits:fund"), {"kind": "outflow"}).content.decode()
    assert "Redress" in body and "-€3.45" in body
    assert ">In<" not in body
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    body = client.get(reverse("benefits:fund"), {"date_from": tomorrow}).content.decode()
    assert "No entry matches" in body


def test_fund_csv_exports_exact_amounts(client, auditor, benefit_officer):
    services.fund_receive(
        actor=benefit_officer, amount_minor=1, currency="EUR", reason='=HYPERLINK("x")'
    )
    client.force_login(auditor)
    response = client.get(reverse("benefits:fund-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["entry", "recorded_at", "kind", "amount"]
    assert rows[1][3:6] == ["0.01", "EUR", "1"]
    assert rows[1][6].startswith("'=")  # a formula is neutralised


def test_officer_corrects_an_entry(client, benefit_officer):
    tx = services.fund_receive(actor=benefit_officer, amount_minor=1000, currency="EUR", reason="x")
    client.force_login(benefit_officer)
    url = reverse("benefits:fund-adjust")
    response = client.post(url, {"corrects": tx.pk, "amount": "-20.00", "reason": "Too much"})
    assert response.status_code == 200  # would go below zero
    assert "below zero" in response.content.decode()
    response = client.post(url, {"corrects": tx.pk, "amount": "-2.50", "reason": "Typo"})
    assert response.status_code == 302
    assert selectors.fund_balance(currency="EUR") == 750


def test_fund_page_query_count_is_constant(client, benefit_officer, django_assert_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(benefit_officer)
    url = reverse("benefits:fund")
    _fill_fund(benefit_officer, 1)
    client.get(url)  # warm-up: session, content types
    # Both counts start from an empty cache (the page's totals are kept per ledger state).
    cache.clear()
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _fill_fund(benefit_officer, 49)
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('<th scope="row">FT-') == 50


def test_agreement_pages_query_counts_are_constant(
    client, benefit_officer, researcher, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = signed_agreement(ApprovedApplicationFactory(applicant=researcher), benefit_officer)
    client.force_login(benefit_officer)
    list_url = reverse("benefits:agreement-list")
    client.get(list_url)
    client.get(detail(first))
    # Each count starts from an empty cache, so the session, account, roles and badge (read
    # through the cache, solidarity/held_cache.py) cost the same in both.
    cache.clear()
    with CaptureQueriesContext(connection) as list_one:
        client.get(list_url)
    cache.clear()
    with CaptureQueriesContext(connection) as detail_one:
        client.get(detail(first))
    for _ in range(49):
        signed_agreement(ApprovedApplicationFactory(applicant=researcher), benefit_officer)
    services.agreement_reopen(actor=benefit_officer, agreement=first, reason="more")
    for i in range(49):
        fixed_payment(first, benefit_officer, amount_minor=100 + i)
    cache.clear()
    with django_assert_num_queries(len(list_one.captured_queries)):
        response = client.get(list_url, {"page": 1})
    assert response.content.decode().count('<th scope="row"><a href=') == 25
    cache.clear()
    with django_assert_num_queries(len(detail_one.captured_queries)):
        response = client.get(detail(first))
    assert response.content.decode().count('id="obligation-') == 50
