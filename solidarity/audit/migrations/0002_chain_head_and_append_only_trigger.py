from django.db import migrations

GENESIS = "0" * 64

PG_FORBID = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
PG_ALLOW = """
DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def create_head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.get_or_create(
        pk=1, defaults={"last_hash": GENESIS, "length": 0}
    )


def forbid_changes(apps, schema_editor):
    # PostgreSQL only: SQLite (the embedded demo) flushes tables with DELETE.
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORBID)


def allow_changes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_ALLOW)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(forbid_changes, allow_changes),
    ]
