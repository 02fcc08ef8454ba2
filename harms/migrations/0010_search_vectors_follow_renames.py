"""Search vectors follow renames (issue 16 follow-up): an application's vector holds its
organisation's name and its requested datasets' titles and custodians; a harm report's holds its
linked projects' references and titles and its linked datasets' titles. Renaming any of those
now refreshes the vectors that quote it (the UPDATE names ``search_vector``, so each row's own
trigger recomputes it). Row triggers fire only when the quoted text really changed. PostgreSQL
only, like the vectors."""

from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION search_vector_organisation_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE applications_application SET search_vector = NULL
        WHERE organisation_id = NEW.id
           OR id IN (SELECT r.application_id FROM applications_datasetrequest r
                     JOIN catalog_dataset d ON d.id = r.dataset_id
                     WHERE d.custodian_id = NEW.id);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER organisation_search_renamed
    AFTER UPDATE OF name ON catalog_organisation
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION search_vector_organisation_renamed()
    """,
    """
    CREATE OR REPLACE FUNCTION search_vector_dataset_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE applications_application SET search_vector = NULL
        WHERE id IN (SELECT application_id FROM applications_datasetrequest
                     WHERE dataset_id = NEW.id);
        IF OLD.title IS DISTINCT FROM NEW.title THEN
            UPDATE harms_harmreport SET search_vector = NULL
            WHERE id IN (SELECT harmreport_id FROM harms_harmreport_datasets
                         WHERE dataset_id = NEW.id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER dataset_search_renamed
    AFTER UPDATE OF title, custodian_id ON catalog_dataset
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
                       OR OLD.custodian_id IS DISTINCT FROM NEW.custodian_id)
    EXECUTE FUNCTION search_vector_dataset_renamed()
    """,
    """
    CREATE OR REPLACE FUNCTION search_vector_application_renamed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE harms_harmreport SET search_vector = NULL
        WHERE id IN (SELECT harmreport_id FROM harms_harmreport_applications
                     WHERE application_id = NEW.id);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER application_search_renamed
    AFTER UPDATE OF reference, title ON applications_application
    FOR EACH ROW WHEN (OLD.reference IS DISTINCT FROM NEW.reference
                       OR OLD.title IS DISTINCT FROM NEW.title)
    EXECUTE FUNCTION search_vector_application_renamed()
    """,
]
DROP = [
    "DROP TRIGGER IF EXISTS application_search_renamed ON applications_application",
    "DROP FUNCTION IF EXISTS search_vector_application_renamed()",
    "DROP TRIGGER IF EXISTS dataset_search_renamed ON catalog_dataset",
    "DROP FUNCTION IF EXISTS search_vector_dataset_renamed()",
    "DROP TRIGGER IF EXISTS organisation_search_renamed ON catalog_organisation",
    "DROP FUNCTION IF EXISTS search_vector_organisation_renamed()",
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
        ("harms", "0009_harm_report_filing_language"),
        ("applications", "0012_application_search_vector"),
        ("catalog", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
