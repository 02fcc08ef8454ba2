from django.db import migrations

PG_FORBID = """
CREATE OR REPLACE FUNCTION applications_version_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'application versions are frozen (append-only)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER applications_version_no_update_delete
    BEFORE UPDATE OR DELETE ON applications_applicationversion
    FOR EACH ROW EXECUTE FUNCTION applications_version_frozen();
"""
PG_ALLOW = """
DROP TRIGGER IF EXISTS applications_version_no_update_delete ON applications_applicationversion;
DROP FUNCTION IF EXISTS applications_version_frozen();
"""


def forbid_changes(apps, schema_editor):
    # PostgreSQL only, as for the audit trail and the fund ledger: SQLite (the embedded demo)
    # flushes tables with DELETE.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORBID)


def allow_changes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_ALLOW)


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_consent_acknowledgements")]
    operations = [migrations.RunPython(forbid_changes, allow_changes)]
