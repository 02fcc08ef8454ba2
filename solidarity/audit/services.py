"""Appending to the audit trail and verifying it."""

from django.db import models, transaction
from django.utils import timezone

from .chain import GENESIS, Verification, compute_hash, verify_rows
from .models import AuditEvent, ChainHead
from .seals import broken_seals


def _target_fields(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:255]
    raise TypeError("target must be a model instance or None")


def record(
    *,
    actor,
    action: str,
    target=None,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
) -> AuditEvent:
    """Record one event in the caller's transaction; it is committed, or rolled back, with it.

    The event is appended to the hash chain at the end of the transaction, just before COMMIT
    (``solidarity.db``): the chain head row, which serialises every append, is then locked
    last and only for the moment of the append, whatever the service does after recording.
    On a database engine without that hook the event is appended at once, as before. The
    returned event has its id and hash once appended.
    """
    target_type, target_id, target_repr = _target_fields(target)
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=user,
        actor_label=(user.get_username() if user else (actor if isinstance(actor, str) else "")),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        from_state=from_state or "",
        to_state=to_state or "",
        # Normalised as it will be read back (so the hash is reproducible), and copied now.
        payload=_roundtrip(payload or {}),
    )
    connection = transaction.get_connection()
    if not getattr(connection, "defers_audit", False):
        with transaction.atomic():
            append_pending([event], using=connection.alias)
        return event
    with transaction.atomic():
        connection.audit_pending.append((tuple(connection.savepoint_ids), event))
    return event


def append_pending(events: list[AuditEvent], *, using: str) -> None:
    """Link events to the chain and save them; the caller's transaction is open.

    Appends are serialised by locking the chain head row until the transaction commits, so two
    transactions never link to the same predecessor.
    """
    heads = ChainHead.objects.using(using)
    head = heads.select_for_update().filter(pk=1).first()
    if head is None:
        heads.get_or_create(pk=1, defaults={"last_hash": GENESIS, "length": 0})
        head = heads.select_for_update().get(pk=1)
    prev, now = head.last_hash, timezone.now()
    for event in events:
        event.created_at = now
        event.prev_hash = prev
        event.hash = compute_hash(prev, event)
        prev = event.hash
    AuditEvent.objects.using(using).bulk_create(events)
    heads.filter(pk=1).update(last_hash=prev, length=head.length + len(events))


def _roundtrip(payload: dict) -> dict:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


_EVENT_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "from_state",
    "to_state",
    "payload",
    "prev_hash",
    "hash",
)

# PostgreSQL writes the time exactly as Python's ``datetime.isoformat()`` does in UTC
# (microseconds only when not zero), so that no timestamp is parsed per event.
_PG_ISO_UTC = (
    "to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN extract(microseconds FROM {c})::bigint % 1000000 = 0 THEN ''"
    " ELSE to_char({c} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)
_CHUNK = 10_000


def _rows_postgresql(connection):
    """Every event as a plain row, in id order, through a server-side cursor (psycopg)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = [connection.ops.quote_name(f) for f in _EVENT_FIELDS]
    columns[1] = _PG_ISO_UTC.format(c=columns[1])
    sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}"  # noqa: S608
    with connection.connection.cursor(name="audit_verify") as cursor:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(_CHUNK):
            yield from chunk


def _rows_orm():
    rows = AuditEvent.objects.order_by("id").values_list(*_EVENT_FIELDS).iterator(chunk_size=5000)
    for row in rows:
        yield (row[0], row[1].isoformat(), *row[2:])


def audit_verify() -> Verification:
    """Recompute the whole chain, then the sealed documents (see ``seals``); the result names
    the first broken event, or the first frozen document whose content no longer matches the
    hash its event recorded.

    Streams the trail in id order through a server-side cursor (inside a transaction, so
    PostgreSQL hands out rows as they are read rather than materialising the whole result
    first): memory stays flat whatever the length of the trail. On PostgreSQL the rows come
    straight from psycopg, with the time already in its canonical text, so no model instance,
    field converter or timestamp parser runs per event.
    """
    connection = transaction.get_connection()
    with transaction.atomic():
        head = ChainHead.objects.filter(pk=1).first()
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            rows = _rows_postgresql(connection)
        else:
            rows = _rows_orm()
        if head is None:
            result = verify_rows(rows)
        else:
            result = verify_rows(rows, head_hash=head.last_hash, head_length=head.length)
        rows.close()
    if not result.ok:
        return result
    last_id = result.last_id or 0
    for event, problem in broken_seals(up_to_id=last_id):
        return Verification(False, result.checked, event.id, problem)
    return result
