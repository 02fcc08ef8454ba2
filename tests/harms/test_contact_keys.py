"""Key hygiene for harm reports (issue 17): contact details under a rotatable key list, receipt
codes under a key of their own, both required in production."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.urls import reverse

from harms.models import HarmReport
from solidarity.audit.models import AuditEvent
from tests.harms.test_reporting import FORM
from tests.kernel.test_settings_and_api import _load_settings

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _file_report(client):
    client.post(reverse("harms:report"), {**FORM, "c-email": "dana@example.org"})
    page = client.get(reverse("harms:receipt")).content.decode()
    return HarmReport.objects.get(), page.split("data-receipt-code>")[1].split("<")[0]


def _officer_sees_contact(client, harm_officer, report) -> bool:
    client.force_login(harm_officer)
    body = client.get(reverse("harms:detail", args=[report.pk])).content.decode()
    client.logout()
    return "dana@example.org" in body


def test_contact_key_rotation_re_encrypts_and_the_old_key_can_go(client, harm_officer, settings):
    settings.HARM_CONTACT_KEY = OLD
    report, _code = _file_report(client)
    before = report.contact_ciphertext
    settings.HARM_CONTACT_KEY = f"{NEW},{OLD}"
    assert _officer_sees_contact(client, harm_officer, report)
    call_command("rotate_contact_key")
    report.refresh_from_db()
    assert report.contact_ciphertext != before
    settings.HARM_CONTACT_KEY = NEW
    assert _officer_sees_contact(client, harm_officer, report)
    event = AuditEvent.objects.get(action="harm.contact_key_rotate")
    assert event.payload == {"rotated": 1, "unreadable": 0}


def test_rotation_without_the_old_key_fails_loudly_and_keeps_the_data(client, settings):
    settings.HARM_CONTACT_KEY = OLD
    report, _code = _file_report(client)
    settings.HARM_CONTACT_KEY = NEW
    with pytest.raises(CommandError, match="could not be read"):
        call_command("rotate_contact_key")
    assert HarmReport.objects.get().contact_ciphertext == report.contact_ciphertext


def test_rotating_secret_key_keeps_receipt_codes_and_contacts(client, harm_officer, settings):
    settings.HARM_CONTACT_KEY = OLD
    settings.HARM_RECEIPT_KEY = "r" * 40
    report, code = _file_report(client)
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    response = client.post(reverse("harms:status"), {"code": code})
    assert response.status_code == 302
    assert report.reference in client.get(reverse("harms:status")).content.decode()
    assert _officer_sees_contact(client, harm_officer, report)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "HARM_CONTACT_KEY must hold a Fernet key"),
        ({"HARM_CONTACT_KEY": OLD}, "HARM_RECEIPT_KEY must be 32+"),
        ({"HARM_CONTACT_KEY": "not-a-key", "HARM_RECEIPT_KEY": "r" * 40}, "each key must be"),
    ],
)
def test_production_requires_the_keys(env, message):
    production = {
        "SOLIDARITY_PRODUCTION": "true",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "example.org",
        "CACHE_URL": "locmemcache://x",
        "HARM_CONTACT_KEY": "",
        "HARM_RECEIPT_KEY": "",
    }
    result = _load_settings(**{**production, **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_loads_with_the_keys():
    result = _load_settings(
        SOLIDARITY_PRODUCTION="true",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="example.org",
        CACHE_URL="locmemcache://x",
        HARM_CONTACT_KEY=f"{NEW},{OLD}",
        HARM_RECEIPT_KEY="r" * 40,
    )
    assert result.returncode == 0, result.stderr
