"""Frozen versions stay frozen (issue 10, item 8): the database refuses changes, and the submit
event seals the content's SHA-256 so ``verify_audit`` names a version that was changed."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from applications.models import ApplicationVersion
from solidarity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

BASE = "/api/v1/applications/"
VERIFY = "/api/v1/audit-events/verify/"


@pytest.fixture
def frozen(api_client, researcher, draft):
    api_client.force_authenticate(researcher)
    response = api_client.post(f"{BASE}{draft.pk}/submit/")
    assert response.status_code == 200, response.content
    return ApplicationVersion.objects.get(application=draft)


def _sha(content) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _tamper(version, **content):
    """Change a frozen row behind the application's back, as an intruder with SQL access."""
    table = ApplicationVersion._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser can switch triggers off
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            f"UPDATE {table} SET content = %s WHERE id = %s", [json.dumps(content), version.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_the_submit_event_carries_the_sha256_of_the_frozen_content(frozen):
    event = AuditEvent.objects.filter(action="application.submit").latest("id")
    assert event.payload["version"] == frozen.number
    assert event.payload["content_sha256"] == _sha(frozen.content)


def test_the_orm_refuses_to_change_or_delete_a_version(frozen):
    from applications.models import FrozenVersionError

    with pytest.raises(FrozenVersionError):
        ApplicationVersion.objects.filter(pk=frozen.pk).update(content={"fields": {}})
    frozen.content = {"fields": {"title": "Something else"}}
    with pytest.raises(FrozenVersionError):
        frozen.save()
    with pytest.raises(FrozenVersionError):
        frozen.delete()
    with pytest.raises(FrozenVersionError):
        ApplicationVersion.objects.filter(pk=frozen.pk).delete()
    frozen.refresh_from_db()
    assert frozen.content["fields"]["title"] != "Something else"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_a_version(frozen):
    table = ApplicationVersion._meta.db_table
    for sql in (
        f"UPDATE {table} SET content = '{{}}' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="frozen"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [frozen.pk])
    assert ApplicationVersion.objects.filter(pk=frozen.pk).exists()


def test_verify_audit_names_a_version_whose_content_was_changed(
    frozen, api_client, auditor, capsys
):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    _tamper(frozen, **{**frozen.content, "fields": {**frozen.content["fields"], "aims": "Sell"}})
    with pytest.raises(CommandError) as info:
        call_command("verify_audit")
    message = str(info.value)
    reference = frozen.application.reference
    assert f"{reference} version 1" in message
    assert f"ApplicationVersion #{frozen.pk}" in message
    assert "no longer matches the SHA-256" in message
    api_client.force_authenticate(auditor)
    body = api_client.get(VERIFY).json()
    assert body["ok"] is False
    assert reference in body["reason"]
    submit = AuditEvent.objects.filter(action="application.submit").latest("id")
    assert body["broken_event_id"] == submit.pk


def test_resubmitted_versions_are_each_sealed(frozen, api_client, researcher, secretariat):
    application = frozen.application
    api_client.force_authenticate(secretariat)
    response = api_client.post(
        f"{BASE}{application.pk}/request-revision/", {"message": "Say more about the aims."}
    )
    assert response.status_code == 200, response.content
    api_client.force_authenticate(researcher)
    assert api_client.post(f"{BASE}{application.pk}/submit/").status_code == 200
    second = ApplicationVersion.objects.get(application=application, number=2)
    events = AuditEvent.objects.filter(action="application.submit").order_by("id")
    assert [e.payload["content_sha256"] for e in events] == [
        _sha(frozen.content),
        _sha(second.content),
    ]
    call_command("verify_audit")
    _tamper(frozen, fields={})
    with pytest.raises(CommandError, match="version 1"):
        call_command("verify_audit")
