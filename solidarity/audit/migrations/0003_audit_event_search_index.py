"""Free-text search in the audit console (issue 16): a GIN index on the text of each event
(action, actor, object); the action's dots and underscores are spaces, so that "submit"
finds ``application.submit``. An expression index, not a stored column: events are append-only
and never updated. ``solidarity.audit.selectors.AUDIT_SEARCH_VECTOR`` is the same expression,
which the planner must see to use the index. PostgreSQL only."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS audit_search_idx ON audit_auditevent USING gin "
    "(to_tsvector('english'::regconfig, "
    "translate(action, '._', '  ') || ' ' || actor_label || ' ' || target_repr))"
)
DROP = "DROP INDEX IF EXISTS audit_search_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head_and_append_only_trigger")]

    operations = [migrations.RunPython(create, drop)]
