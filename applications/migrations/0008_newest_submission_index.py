"""Newest submission first, drafts (no submission yet) last: the order of the dataset-request
lists. PostgreSQL only (SQLite has no NULLS LAST in an index); the model does not declare it."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS application_submitted_idx ON applications_application "
    "(submitted_at DESC NULLS LAST, id DESC)"
)
DROP = "DROP INDEX IF EXISTS application_submitted_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("applications", "0007_list_indexes_for_large_tables")]

    operations = [migrations.RunPython(create, drop)]
