"""Money takes the digits 0-9 only; due dates fall within a sane window (1900-2200)."""

import pytest
from django.urls import reverse

from benefits.models import Obligation
from harms.models import RedressAction
from tests.benefits.factories import ApprovedApplicationFactory, draft_agreement
from tests.harms.factories import make_report

pytestmark = pytest.mark.django_db

ARABIC_INDIC = "\u0661\u0662\u0663"  # 123
FULL_WIDTH = "\uff11\uff12\uff13"  # 123


@pytest.fixture
def agreement(researcher, benefit_officer):
    return draft_agreement(ApprovedApplicationFactory(applicant=researcher), benefit_officer)


def _form(**overrides):
    return {
        "kind": "fixed_payment",
        "description": "A payment to the fund",
        "beneficiary": "fund",
        "amount": "123.00",
        "currency": "EUR",
        "recurrence": "once",
        "due_date": "2030-01-01",
        **overrides,
    }


@pytest.mark.parametrize(
    "field,value",
    [
        ("amount", ARABIC_INDIC),
        ("amount", FULL_WIDTH),
        ("due_date", "0001-01-01"),
        ("due_date", "9999-12-31"),
    ],
)
def test_obligation_form_refuses_foreign_digits_and_absurd_dates(
    client, benefit_officer, agreement, field, value
):
    client.force_login(benefit_officer)
    response = client.post(
        reverse("benefits:obligation-add", args=[agreement.pk]), _form(**{field: value})
    )
    assert response.status_code in (200, 400)
    assert "field-error" in response.content.decode() or "error" in response.content.decode()
    assert not Obligation.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("amount", ARABIC_INDIC),
        ("amount", FULL_WIDTH),
        ("due_date", "0001-01-01"),
        ("due_date", "9999-12-31"),
    ],
)
def test_obligation_api_refuses_foreign_digits_and_absurd_dates(
    api_client, benefit_officer, agreement, field, value
):
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(
        "/api/v1/obligations/",
        {**_form(**{field: value}), "agreement": agreement.pk},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Obligation.objects.exists()


def test_ascii_amounts_and_dates_still_pass(api_client, benefit_officer, agreement):
    api_client.force_authenticate(benefit_officer)
    response = api_client.post(
        "/api/v1/obligations/",
        {**_form(due_date="2199-12-31"), "agreement": agreement.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["amount_minor"] == 12_300


@pytest.mark.parametrize("value", [ARABIC_INDIC, FULL_WIDTH])
def test_redress_amounts_take_ascii_digits_only(client, api_client, harm_officer, value):
    from harms import services

    report, _ = make_report()
    services.harm_report_triage(actor=harm_officer, report=report, severity="severe")
    client.force_login(harm_officer)
    response = client.post(
        reverse("harms:action", args=[report.pk, "offer-redress"]),
        {
            "offer-redress-kind": "financial",
            "offer-redress-description": "x",
            "offer-redress-amount": value,
        },
    )
    assert response.status_code == 400
    api_client.force_authenticate(harm_officer)
    response = api_client.post(
        f"/api/v1/harm-reports/{report.pk}/offer-redress/",
        {"kind": "financial", "description": "x", "amount_minor": value},
        format="json",
    )
    assert response.status_code == 400
    assert not RedressAction.objects.exists()
