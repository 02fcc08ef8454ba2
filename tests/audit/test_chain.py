import itertools
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from solidarity import audit
from solidarity.audit.models import AppendOnlyError, AuditEvent, ChainHead
from solidarity.audit.services import audit_verify


@pytest.fixture
def events(db, researcher):
    return [
        audit.record(actor=researcher, action=f"test.step{i}", payload={"n": i, "text": "é"})
        for i in range(5)
    ]


def _raw(sql, params):
    """Tamper as an attacker with database access would, bypassing the append-only guard."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Replica mode skips ordinary triggers: what a superuser could do.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_intact_chain_verifies(events):
    result = audit_verify()
    assert result.ok
    assert result.checked == ChainHead.objects.get().length


def test_each_event_links_to_the_previous(events):
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash


def test_edited_event_is_named(events):
    _raw("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"n": 99}', events[2].id])
    result = audit_verify()
    assert not result.ok
    assert result.broken_event_id == events[2].id
    assert "content" in result.reason


def test_deleted_event_breaks_the_next_link(events):
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    result = audit_verify()
    assert not result.ok
    assert result.broken_event_id == events[2].id


SWAP_SQL = (
    "UPDATE audit_auditevent SET action = %s, payload = %s, hash = %s, prev_hash = %s WHERE id = %s"
)


def test_reordered_events_are_detected(events):
    a, b = events[1], events[3]
    # Swap the two rows' contents (keeping their ids), as a reordering would.
    _raw(
        SWAP_SQL,
        ["tmp", "{}", "x" * 64, "y" * 64, a.id],
    )
    _raw(
        SWAP_SQL,
        [a.action, '{"n": 1, "text": "é"}', a.hash, a.prev_hash, b.id],
    )
    _raw(
        SWAP_SQL,
        [b.action, '{"n": 3, "text": "é"}', b.hash, b.prev_hash, a.id],
    )
    result = audit_verify()
    assert not result.ok
    assert result.broken_event_id == a.id


def test_removed_tail_is_detected(events):
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
    result = audit_verify()
    assert not result.ok
    assert "ends early" in result.reason


def test_events_refuse_update_and_delete(events):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_database_refuses_update_on_postgresql(events):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[0].id])


def test_verify_audit_command_exit_status(events, capsys):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", events[3].id])
    with pytest.raises(SystemExit) as exc:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "verify_audit"])
    assert exc.value.code == 1
    assert f"event #{events[3].id}" in capsys.readouterr().err


def test_nightly_task_reports_the_break(events):
    from solidarity.audit.tasks import verify_audit_chain

    assert verify_audit_chain.delay().get()["ok"] is True
    _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", events[0].id])
    assert verify_audit_chain.delay().get()["broken_event_id"] == events[0].id


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (CI runs it)")
    threads, errors = [], []
    barrier = threading.Barrier(6)

    def worker(n):
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    audit.record(actor=None, action="test.concurrent", payload={"t": n, "i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    for n in range(6):
        threads.append(threading.Thread(target=worker, args=(n,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 60
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == len(set(prevs)), (
        "two events link to the same predecessor: the chain forked"
    )
    assert audit_verify().ok


def test_auditor_console_verifies_and_outsider_is_refused(client, events, auditor, outsider):
    from django.urls import reverse

    client.force_login(outsider)
    assert client.get(reverse("audit-console")).status_code == 403
    client.force_login(auditor)
    response = client.get(reverse("audit-console"), {"verify": "1"})
    assert response.status_code == 200
    assert "The chain is intact" in response.content.decode()
    _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", events[1].id])
    response = client.get(reverse("audit-console"), {"verify": "1"})
    assert f"broken at event #{events[1].id}" in response.content.decode()


def test_audit_events_api_is_for_auditors_only(api_client, events, auditor, researcher):
    api_client.force_authenticate(researcher)
    assert api_client.get("/api/v1/audit-events/").status_code == 403
    api_client.force_authenticate(auditor)
    response = api_client.get("/api/v1/audit-events/", {"action": "test.step"})
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert api_client.get("/api/v1/audit-events/verify/").json()["ok"] is True


def test_console_filters_by_actor_action_object_and_period(client, events, auditor, researcher):
    from django.urls import reverse
    from django.utils import timezone

    audit.record(actor=auditor, action="other.thing", payload={})
    client.force_login(auditor)
    url = reverse("audit-console")
    body = client.get(url, {"action": "test.step"}).content.decode()
    assert "test.step3" in body and "other.thing" not in body
    body = client.get(url, {"actor": "aude"}).content.decode()
    assert "other.thing" in body and "test.step1" not in body
    today = timezone.localdate().isoformat()
    assert "test.step1" in client.get(url, {"since": today, "until": today}).content.decode()
    assert "test.step1" not in client.get(url, {"until": "2000-01-01"}).content.decode()
    assert client.get(url, {"since": "2026-02-30"}).status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_console_runs_a_fixed_number_of_queries(client, auditor, django_assert_num_queries, rows):
    from django.urls import reverse

    for i in range(rows):
        audit.record(actor=auditor, action="test.row", payload={"i": i})
    client.force_login(auditor)
    client.get(reverse("audit-console"))
    with django_assert_num_queries(CONSOLE_QUERIES):
        assert client.get(reverse("audit-console")).status_code == 200


# The session and the unread badge come from the cache (solidarity/held_cache.py).
CONSOLE_QUERIES = 4


def test_an_event_appended_during_verification_is_not_a_break(events):
    from solidarity.audit.chain import verify_events

    head = ChainHead.objects.get()
    audit.record(actor=None, action="test.later", payload={})
    result = verify_events(
        AuditEvent.objects.order_by("id"), head_hash=head.last_hash, head_length=head.length
    )
    assert result.ok
