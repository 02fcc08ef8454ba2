"""``verify_audit`` reads plain rows (PostgreSQL writes the time in canonical form): the chain
it recomputes must be exactly the one ``record`` wrote, for every kind of time and payload."""

import datetime
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from solidarity import audit
from solidarity.audit import services
from solidarity.audit.chain import canonical_text
from solidarity.audit.models import AuditEvent

from .test_chain import _raw

PAYLOADS = [
    {},
    {"z": 1, "a": [3, 2, 1], "m": {"y": None, "b": True}},
    {"text": 'é ü ß — 漢字 \u2028 "quoted" \\ back', "emoji": "🙂"},
    {"float": 0.1, "big": 2**70, "neg": -5, "exp": 1e-7, "zero": 0.0},
    {"nested": [{"k": [{"deep": ["x", 1, None]}]}]},
]


def _at(microsecond):
    moment = datetime.datetime(2026, 3, 29, 1, 59, 59, microsecond, tzinfo=datetime.UTC)
    return mock.patch.object(services.timezone, "now", return_value=moment)


@pytest.fixture
def varied(db, researcher):
    made = []
    for microsecond in (0, 1, 120000, 999999):
        with _at(microsecond):
            for payload in PAYLOADS:
                made.append(audit.record(actor=researcher, action="test.varied", payload=payload))
    made.append(audit.record(actor=None, action="test.now", payload={"n": 1}))
    return made


def test_every_time_and_payload_verifies(varied, capsys):
    call_command("verify_audit")
    assert f"{len(varied)} events" in capsys.readouterr().out


def test_a_time_moved_by_one_microsecond_is_named(varied):
    first = AuditEvent.objects.filter(action="test.varied").order_by("id").first()
    _raw(
        "UPDATE audit_auditevent SET created_at = created_at + interval '1 microsecond' "
        "WHERE id = %s",
        [first.id],
    )
    with pytest.raises(CommandError, match=f"event #{first.id}"):
        call_command("verify_audit")


def test_a_payload_key_order_or_spacing_change_is_not_a_break_but_a_value_change_is(varied):
    event = AuditEvent.objects.filter(action="test.varied").order_by("id")[1]
    # jsonb stores its own key order and spacing: only the content counts.
    _raw(
        "UPDATE audit_auditevent SET payload = %s WHERE id = %s",
        ['{"m": {"b": true, "y": null}, "a": [3, 2, 1], "z": 1}', event.id],
    )
    call_command("verify_audit")
    _raw(
        "UPDATE audit_auditevent SET payload = %s WHERE id = %s",
        ['{"m": {"b": true, "y": null}, "a": [3, 2, 1], "z": 2}', event.id],
    )
    with pytest.raises(CommandError, match=f"event #{event.id}"):
        call_command("verify_audit")


def test_the_database_rows_give_the_same_canonical_text_as_the_models(varied):
    if connection.vendor != "postgresql":
        pytest.skip("the fast path is PostgreSQL's")
    connection.ensure_connection()
    with transaction.atomic():
        fast = list(services._rows_postgresql(connection))
    slow = list(services._rows_orm())
    assert len(fast) == len(slow) == len(varied)
    for a, b in zip(fast, slow, strict=True):
        assert a[1] == b[1]  # the time, as text
        payload = json.loads(a[10]) if isinstance(a[10], str) else a[10]
        assert canonical_text(*a[1:10], payload) == canonical_text(*b[1:11])
