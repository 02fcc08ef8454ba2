from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benefits import selectors, services
from benefits.models import BenefitAgreement, Signature

from .factories import ApprovedApplicationFactory, fixed_payment, signed_agreement

AGREEMENTS = "/api/v1/benefit-agreements/"
OBLIGATIONS = "/api/v1/obligations/"
FUND = "/api/v1/fund/transactions/"


def test_officer_drafts_proposes_and_both_sides_sign_over_the_api(
    api_client, benefit_officer, researcher, application
):
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(
        AGREEMENTS,
        {"application": application.pk, "kind": "public_research", "from_template": False},
        format="json",
    )
    assert response.status_code == 201, response.json()
    agreement_id = response.json()["id"]
    response = api_client.post(
        OBLIGATIONS,
        {
            "agreement": agreement_id,
            "kind": "fixed_payment",
            "description": "Pay",
            "beneficiary": "fund",
            "amount": "250.00",
            "due_date": (date.today() + timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["amount_minor"], response.json()["amount"]) == (25_000, "250.00")
    response = api_client.post(f"{AGREEMENTS}{agreement_id}/propose/")
    assert response.json()["state"] == "proposed"
    assert response.json()["terms_version"] == 1
    api_client.force_authenticate(researcher)
    response = api_client.post(f"{AGREEMENTS}{agreement_id}/sign/", {"version": 1}, format="json")
    assert response.status_code == 200
    assert [s["side"] for s in response.json()["signatures"]] == ["applicant"]
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(f"{AGREEMENTS}{agreement_id}/sign/", {"version": 1}, format="json")
    assert response.json()["state"] == "in_force"


def test_illegal_moves_answer_409_and_bad_input_400(api_client, benefit_officer, signed):
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(f"{AGREEMENTS}{signed.pk}/propose/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    response = api_client.post(f"{AGREEMENTS}{signed.pk}/terminate/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = api_client.post(f"{AGREEMENTS}{signed.pk}/sign/", {"version": 1}, format="json")
    assert response.status_code == 409
    response = api_client.post(
        f"{AGREEMENTS}{signed.pk}/terminate/", {"reason": "Project revoked"}, format="json"
    )
    assert response.json()["state"] == "terminated"


@pytest.mark.parametrize("who", ["other_researcher", "other_custodian", "outsider"])
def test_others_get_404_over_the_api(api_client, request, proposed, who):
    api_client.force_authenticate(request.getfixturevalue(who))
    assert api_client.get(f"{AGREEMENTS}{proposed.pk}/").status_code == 404
    assert api_client.get(AGREEMENTS).json()["count"] == 0
    assert api_client.get(OBLIGATIONS).json()["count"] == 0
    response = api_client.post(f"{AGREEMENTS}{proposed.pk}/sign/", {"version": 1}, format="json")
    assert response.status_code == 404
    obligation = proposed.obligations.get()
    response = api_client.post(
        f"{OBLIGATIONS}{obligation.pk}/report/", {"text": "x", "amount": "1"}, format="json"
    )
    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_researcher_cannot_act_for_the_committee_over_the_api(api_client, researcher, proposed):
    api_client.force_authenticate(researcher)
    assert (
        api_client.post(f"{AGREEMENTS}{proposed.pk}/terminate/", {"reason": "x"}).status_code == 403
    )
    response = api_client.post(
        AGREEMENTS, {"application": proposed.application_id, "kind": "mixed"}, format="json"
    )
    assert response.status_code == 403
    assert BenefitAgreement.objects.count() == 1


def test_report_verify_reject_waive_over_the_api(api_client, researcher, benefit_officer, signed):
    obligation = signed.obligations.get()
    url = f"{OBLIGATIONS}{obligation.pk}"
    api_client.force_authenticate(researcher)
    response = api_client.post(f"{url}/report/", {"amount": "1.001", "text": "x"}, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]
    response = api_client.post(f"{url}/report/", {"amount": "1500.00", "text": "x"}, format="json")
    assert response.json()["state"] == "reported"
    assert api_client.post(f"{url}/verify/").status_code == 403
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(f"{url}/reject/", {"reason": "No receipt"}, format="json")
    assert response.json()["state"] == "pending"
    api_client.force_authenticate(researcher)
    api_client.post(f"{url}/report/", {"amount": "1500.00", "text": "receipt"}, format="json")
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(f"{url}/verify/")
    assert response.json()["state"] == "verified"
    assert selectors.fund_balance(currency="EUR") == 150_000
    response = api_client.post(f"{url}/waive/", {"reason": "x"}, format="json")
    assert response.status_code == 409


def test_report_with_a_file_over_the_api(api_client, researcher, signed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    obligation = signed.obligations.get()
    api_client.force_authenticate(researcher)
    response = api_client.post(
        f"{OBLIGATIONS}{obligation.pk}/report/",
        {"amount": "10", "evidence_file": SimpleUploadedFile("r.pdf", b"%PDF-1.4 ok")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert obligation.reports.get().evidence_name == "r.pdf"


@pytest.mark.parametrize("who", ["researcher", "chair", "harm_officer", "outsider"])
def test_fund_transactions_are_for_officers_and_auditors(api_client, request, who):
    api_client.force_authenticate(request.getfixturevalue(who))
    assert api_client.get(FUND).status_code == 403


def test_fund_transactions_are_read_only_and_filterable(
    api_client, auditor, benefit_officer, harm_officer
):
    services.fund_receive(actor=benefit_officer, amount_minor=1000, currency="EUR", reason="In")
    services.fund_disburse(actor=harm_officer, amount_minor=1, currency="EUR", reason="Redress")
    api_client.force_authenticate(auditor)
    body = api_client.get(FUND, {"kind": "outflow"}).json()
    assert [(r["amount_minor"], r["amount"]) for r in body["results"]] == [(-1, "-0.01")]
    assert api_client.get(FUND, {"date_from": "nonsense"}).status_code == 400
    assert api_client.get(f"{FUND}balances/").json() == {
        "EUR": {
            "amount_minor": 999,
            "amount": "9.99",
            "reserved_minor": 0,
            "reserved": "0.00",
            "available_minor": 999,
            "available": "9.99",
        }
    }
    api_client.force_authenticate(benefit_officer)
    assert api_client.post(FUND, {"amount_minor": 5}, format="json").status_code == 405
    tx = body["results"][0]["id"]
    assert api_client.delete(f"{FUND}{tx}/").status_code == 405


def _count(api_client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def test_api_lists_run_a_fixed_number_of_queries(
    api_client, benefit_officer, researcher, django_assert_num_queries
):
    first = signed_agreement(ApprovedApplicationFactory(applicant=researcher), benefit_officer)
    api_client.force_authenticate(benefit_officer)
    for url in (AGREEMENTS, OBLIGATIONS, FUND):
        api_client.get(url)  # warm-up
    counts = {url: _count(api_client, url)[0] for url in (AGREEMENTS, OBLIGATIONS)}
    services.fund_receive(actor=benefit_officer, amount_minor=5, currency="EUR", reason="x")
    counts[FUND] = _count(api_client, FUND)[0]
    services.agreement_reopen(actor=benefit_officer, agreement=first, reason="more")
    for i in range(49):
        signed_agreement(ApprovedApplicationFactory(applicant=researcher), benefit_officer)
        fixed_payment(first, benefit_officer, amount_minor=100 + i)
        services.fund_receive(actor=benefit_officer, amount_minor=5, currency="EUR", reason="x")
    for url, expected in counts.items():
        with django_assert_num_queries(expected):
            body = api_client.get(url, {"page_size": 100}).json()
        assert body["count"] >= 50, url
