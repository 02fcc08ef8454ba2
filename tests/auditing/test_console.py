import pytest
from django.urls import reverse
from django.utils import timezone

from benefits import services
from solidarity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_console_row_shows_time_action_and_short_hash(client, auditor, benefit_officer):
    tx = services.fund_receive(
        actor=benefit_officer, amount_minor=1050, currency="EUR", reason="Payment"
    )
    event = AuditEvent.objects.for_target(tx).get()
    client.force_login(auditor)
    body = client.get(reverse("auditing:console")).content.decode()
    row = body[body.index(f"<tr><td>{event.pk}</td>") :]
    row = row[: row.index("</tr>")]
    local = timezone.localtime(event.created_at)
    assert f'<time datetime="{local.isoformat()}">' in row
    assert f"<code>{event.action}</code>" in row
    assert f'<code title="{event.hash}">{event.hash[:12]}…</code>' in row


def test_console_is_refused_to_others(client, benefit_officer):
    client.force_login(benefit_officer)
    assert client.get(reverse("auditing:console")).status_code == 403
