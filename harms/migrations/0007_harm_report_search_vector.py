"""Full-text search of harm reports for the panel (issue 16): a stored tsvector written by
triggers (reports, and their links to projects and datasets), with a GIN index. PostgreSQL
only; on SQLite ``solidarity.search`` falls back to ``icontains``.

Weights: A the project as the reporter named it and the linked projects' references and
titles; B what happened; C when, the outcome, the referral and the linked datasets."""

import django.contrib.postgres.search
from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION harm_report_search_vector_fill() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english'::regconfig,
                coalesce(NEW.project_hint, '') || ' ' ||
                coalesce((SELECT string_agg(coalesce(a.reference, '') || ' ' || a.title, ' ')
                          FROM harms_harmreport_applications l
                          JOIN applications_application a ON a.id = l.application_id
                          WHERE l.harmreport_id = NEW.id), '')), 'A')
            || setweight(to_tsvector('english'::regconfig,
                coalesce(NEW.what_happened, '')), 'B')
            || setweight(to_tsvector('english'::regconfig,
                coalesce(NEW.occurred_when, '') || ' ' || coalesce(NEW.outcome, '') || ' ' ||
                coalesce(NEW.referred_to, '') || ' ' ||
                coalesce((SELECT string_agg(d.title, ' ')
                          FROM harms_harmreport_datasets l
                          JOIN catalog_dataset d ON d.id = l.dataset_id
                          WHERE l.harmreport_id = NEW.id), '')), 'C');
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER harm_report_search_vector
    BEFORE INSERT OR UPDATE OF what_happened, occurred_when, project_hint, outcome,
        referred_to, search_vector
    ON harms_harmreport
    FOR EACH ROW EXECUTE FUNCTION harm_report_search_vector_fill()
    """,
    """
    CREATE OR REPLACE FUNCTION harm_report_search_vector_touch() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            UPDATE harms_harmreport SET search_vector = NULL
            WHERE id IN (SELECT harmreport_id FROM old_rows);
        ELSE
            UPDATE harms_harmreport SET search_vector = NULL
            WHERE id IN (SELECT harmreport_id FROM new_rows);
        END IF;
        RETURN NULL;
    END $$
    """,
]
for table in ("harms_harmreport_applications", "harms_harmreport_datasets"):
    CREATE += [
        f"""
        CREATE TRIGGER {table}_search_added AFTER INSERT ON {table}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION harm_report_search_vector_touch()
        """,
        f"""
        CREATE TRIGGER {table}_search_removed AFTER DELETE ON {table}
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION harm_report_search_vector_touch()
        """,
    ]
CREATE += [
    "UPDATE harms_harmreport SET search_vector = NULL",
    "CREATE INDEX harm_report_search_idx ON harms_harmreport USING gin (search_vector)",
]
DROP = [
    "DROP INDEX IF EXISTS harm_report_search_idx",
    *(
        f"DROP TRIGGER IF EXISTS {table}_search_{kind} ON {table}"
        for table in ("harms_harmreport_applications", "harms_harmreport_datasets")
        for kind in ("added", "removed")
    ),
    "DROP TRIGGER IF EXISTS harm_report_search_vector ON harms_harmreport",
    "DROP FUNCTION IF EXISTS harm_report_search_vector_touch()",
    "DROP FUNCTION IF EXISTS harm_report_search_vector_fill()",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("harms", "0006_lessons_and_harm_reviews"),
        ("applications", "0012_application_search_vector"),
    ]

    operations = [
        migrations.AddField(
            model_name="harmreport",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, editable=False, null=True
            ),
        ),
        migrations.RunPython(create, drop),
    ]
