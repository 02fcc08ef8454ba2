"""Full-text search of applications (issue 16): a stored tsvector written by triggers, so every
entrance (services, bulk loads, COPY) keeps it right, with a GIN index. PostgreSQL only; on
SQLite the column stays empty and ``solidarity.search`` falls back to ``icontains``.

Weights: A reference and title; B the public summaries (plain-language summary, public
benefit); C the applicant's organisation, the requested datasets and their custodians; D the
scientific summary (not on the public register, which searches A-C only)."""

import django.contrib.postgres.search
from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION application_search_vector_fill() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english'::regconfig,
                coalesce(NEW.reference, '') || ' ' || coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig,
                coalesce(NEW.lay_summary, '') || ' ' || coalesce(NEW.public_benefit, '')), 'B')
            || setweight(to_tsvector('english'::regconfig,
                coalesce((SELECT o.name FROM catalog_organisation o
                          WHERE o.id = NEW.organisation_id), '')
                || ' ' ||
                coalesce((SELECT string_agg(d.title || ' ' || coalesce(o.name, ''), ' ')
                          FROM applications_datasetrequest r
                          JOIN catalog_dataset d ON d.id = r.dataset_id
                          LEFT JOIN catalog_organisation o ON o.id = d.custodian_id
                          WHERE r.application_id = NEW.id), '')), 'C')
            || setweight(to_tsvector('english'::regconfig,
                coalesce(NEW.scientific_summary, '')), 'D');
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER application_search_vector
    BEFORE INSERT OR UPDATE OF reference, title, lay_summary, public_benefit,
        scientific_summary, organisation_id, search_vector
    ON applications_application
    FOR EACH ROW EXECUTE FUNCTION application_search_vector_fill()
    """,
    # A change of requested datasets refreshes the application's vector: the UPDATE names
    # search_vector, so the row trigger above recomputes it. One statement per batch (COPY too).
    """
    CREATE OR REPLACE FUNCTION application_search_vector_touch() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            UPDATE applications_application SET search_vector = NULL
            WHERE id IN (SELECT application_id FROM old_rows);
        ELSE
            UPDATE applications_application SET search_vector = NULL
            WHERE id IN (SELECT application_id FROM new_rows);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER application_search_datasets_added
    AFTER INSERT ON applications_datasetrequest
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION application_search_vector_touch()
    """,
    """
    CREATE TRIGGER application_search_datasets_removed
    AFTER DELETE ON applications_datasetrequest
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION application_search_vector_touch()
    """,
    "UPDATE applications_application SET search_vector = NULL",
    "CREATE INDEX application_search_idx ON applications_application USING gin (search_vector)",
]
DROP = [
    "DROP INDEX IF EXISTS application_search_idx",
    "DROP TRIGGER IF EXISTS application_search_datasets_removed ON applications_datasetrequest",
    "DROP TRIGGER IF EXISTS application_search_datasets_added ON applications_datasetrequest",
    "DROP TRIGGER IF EXISTS application_search_vector ON applications_application",
    "DROP FUNCTION IF EXISTS application_search_vector_touch()",
    "DROP FUNCTION IF EXISTS application_search_vector_fill()",
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
        ("applications", "0011_team_members_and_conversation"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, editable=False, null=True
            ),
        ),
        migrations.RunPython(create, drop),
    ]
