"""E-mails are plain text people can read, and their links point where the site is served."""

import os
import subprocess
import sys
from pathlib import Path

from django.core import mail
from django.urls import reverse

from tests.factories import DatasetFactory
from tests.reviews import factories as review_factories

ROOT = Path(__file__).resolve().parents[2]


def test_plain_text_emails_carry_no_html_entities(
    client, researcher, custodian, organisation, django_capture_on_commit_callbacks
):
    app = review_factories.draft(
        researcher, datasets=[DatasetFactory(custodian=organisation)], title='Heat & "diabetes"'
    )
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:action", args=[app.pk, "submit"]))
    assert response.status_code == 302
    to_custodian = [m for m in mail.outbox if custodian.email in m.to]
    assert to_custodian, "the custodian was not e-mailed"
    body = to_custodian[0].body
    assert "organisation's" in body
    assert 'Heat & "diabetes"' in body
    assert "&#x27;" not in body and "&amp;" not in body and "&quot;" not in body


def _setting(name, **env):
    full = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PORT", "SITE_URL"}}
    full.update(env, DJANGO_SETTINGS_MODULE="solidarity.settings")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; "
            f"print(settings.{name})",
        ],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_email_links_follow_the_served_port():
    assert _setting("SITE_URL") == "http://127.0.0.1:8000"
    assert _setting("SITE_URL", PORT="8123") == "http://127.0.0.1:8123"
    assert _setting("SITE_URL", PORT="8123", SITE_URL="https://sol.example.org/") == (
        "https://sol.example.org"
    )


def test_make_run_serves_on_the_port_it_is_given():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "runserver 127.0.0.1:8123" in result.stdout
    default = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "runserver 127.0.0.1:8000" in default.stdout
