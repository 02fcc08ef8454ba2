"""The public's ways in, and an anonymous reporter who comes back to give payment details."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from benefits.services import fund_receive
from harms import services
from harms.models import RedressAction
from solidarity.audit.models import AuditEvent
from solidarity.notifications.models import Notification

from .factories import make_report

pytestmark = pytest.mark.django_db

IBAN = "AT61 1904 3002 3457 3201"


def test_anonymous_visitors_get_a_landing_page_not_a_sign_in_form(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Solidarity decides how health data may be used" in page
    for name in ("register:list", "harms:report", "harms:status", "login"):
        assert f'href="{reverse(name)}"' in page, name


@pytest.mark.parametrize(
    "path",
    [
        reverse("home"),
        reverse("login"),
        reverse("harms:report"),
        reverse("register:list"),
    ],
)
def test_the_status_page_is_reachable_from_every_public_page(client, path):
    page = client.get(path).content.decode()
    assert f'href="{reverse("harms:status")}"' in page


def test_signed_in_people_still_get_their_home(client, researcher):
    client.force_login(researcher)
    page = client.get("/").content.decode()
    assert "Waiting for you" in page


@pytest.fixture
def accepted_support(harm_officer, researcher):
    """An anonymous report with financial support offered; the reporter's code."""
    from tests.harms.factories import make_application

    fund_receive(actor=harm_officer, amount_minor=100_000, currency="EUR", reason="Seed")
    app = make_application(researcher)
    report, code = make_report(actor=None, application=app)
    services.harm_report_triage(
        actor=harm_officer, report=report, severity="moderate", applications=[app]
    )
    action = services.redress_offer(
        actor=harm_officer,
        report=report,
        kind="financial",
        description="Costs of changing insurer",
        amount_minor=50_000,
        currency="EUR",
    )
    return report, code, action


def _come_back(client, code):
    """The reporter returns through the landing page and follows the report with the code."""
    landing = client.get("/").content.decode()
    assert reverse("harms:status") in landing
    assert client.post(reverse("harms:status"), {"code": code}).status_code == 302
    return client.get(reverse("harms:status")).content.decode()


def test_an_anonymous_reporter_gives_payment_details_only_the_panel_reads(
    client, accepted_support, harm_officer, auditor, django_capture_on_commit_callbacks
):
    report, code, action = accepted_support
    page = _come_back(client, code)
    assert "Where should we pay the money?" not in page  # not accepted yet
    client.post(reverse("harms:redress-answer", args=[action.pk, "accept"]))
    page = client.get(reverse("harms:status")).content.decode()
    assert "Where should we pay the money?" in page

    # A wrong IBAN is refused with a clear message and nothing is stored.
    bad = client.post(
        reverse("harms:redress-payment-details", args=[action.pk]),
        {"payment-account_holder": "P. Private", "payment-iban": "AT61 1904 3002 3457 3202"},
    )
    assert bad.status_code == 400
    assert "This is not a valid IBAN" in bad.content.decode()
    action.refresh_from_db()
    assert action.payment_details_ciphertext == ""

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        good = client.post(
            reverse("harms:redress-payment-details", args=[action.pk]),
            {"payment-account_holder": "P. Private", "payment-iban": IBAN},
        )
    assert good.status_code == 302 and good.url == reverse("harms:status")
    action.refresh_from_db()
    assert action.payment_details_ciphertext and "AT61" not in action.payment_details_ciphertext
    page = client.get(reverse("harms:status")).content.decode()
    assert "We received your bank details" in page
    assert "AT611904300234573201" not in page  # never shown back

    event = AuditEvent.objects.filter(action="redress.payment_details").get()
    assert event.actor_label == "reporter (receipt code)"
    assert "AT61" not in str(event.payload) and "Private" not in str(event.payload)
    assert Notification.objects.filter(
        recipient=harm_officer, subject__contains=report.reference
    ).exists()

    officer = Client()
    officer.force_login(harm_officer)
    detail = officer.get(reverse("harms:detail", args=[report.pk])).content.decode()
    assert "AT611904300234573201" in detail and "P. Private" in detail

    reader = Client()
    reader.force_login(auditor)
    response = reader.get(reverse("harms:detail", args=[report.pk]))
    assert "AT611904300234573201" not in response.content.decode()


def test_payment_details_are_refused_to_others_and_before_acceptance(
    client, accepted_support, other_researcher
):
    _report, code, action = accepted_support
    url = reverse("harms:redress-payment-details", args=[action.pk])
    data = {"payment-account_holder": "Someone", "payment-iban": IBAN}
    assert client.post(url, data).status_code == 404  # no code on this device
    client.force_login(other_researcher)
    assert client.post(url, data).status_code == 404
    client.logout()
    _come_back(client, code)
    response = client.post(url, data, follow=True)  # offered, not yet accepted
    assert "once the support is accepted" in response.content.decode()
    action.refresh_from_db()
    assert action.payment_details_ciphertext == ""
    assert not RedressAction.objects.exclude(payment_details_ciphertext="").exists()


def test_the_landing_page_names_no_internal_codes(client):
    page = client.get("/").content.decode()
    assert not re.search(r"\b[a-z]+_[a-z_]+\b(?![^<]*>)", re.sub(r"<[^>]+>", " ", page))
