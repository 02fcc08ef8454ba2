from django.db import migrations

PG_FORBID = """
CREATE OR REPLACE FUNCTION benefits_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the solidarity-fund ledger is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER benefits_fundtransaction_no_update_delete
    BEFORE UPDATE OR DELETE ON benefits_fundtransaction
    FOR EACH ROW EXECUTE FUNCTION benefits_ledger_append_only();
CREATE TRIGGER benefits_fundentry_no_update_delete
    BEFORE UPDATE OR DELETE ON benefits_fundentry
    FOR EACH ROW EXECUTE FUNCTION benefits_ledger_append_only();
"""
PG_ALLOW = """
DROP TRIGGER IF EXISTS benefits_fundtransaction_no_update_delete ON benefits_fundtransaction;
DROP TRIGGER IF EXISTS benefits_fundentry_no_update_delete ON benefits_fundentry;
DROP FUNCTION IF EXISTS benefits_ledger_append_only();
"""


def forbid_changes(apps, schema_editor):
    # PostgreSQL only: SQLite (the embedded demo) flushes tables with DELETE.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORBID)


def allow_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ALLOW)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_agreements_obligations_and_fund_ledger")]
    operations = [migrations.RunPython(forbid_changes, allow_changes)]
