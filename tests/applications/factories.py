"""Applications built through the services, in whatever state a test needs."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services
from applications.models import Application
from tests.factories import DatasetFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

COMPLETE = {
    "title": "Diabetes and heat waves",
    "lay_summary": "We study whether heat waves make diabetes worse.",
    "scientific_summary": "A retrospective cohort study of glycaemic control.",
    "aims": "Estimate the effect of heat on HbA1c.",
    "methods": "Federated regression across sites.",
    "public_benefit": "Better heat-wave warnings for people with diabetes.",
    "beneficiaries": ["data_subjects", "communities"],
    "funding": "National research fund, grant 42.",
    "research_use": "DUO:0000006",
    "start_date": datetime.date(2027, 1, 1),
    "end_date": datetime.date(2028, 12, 31),
}


def pdf_upload(name="protocol.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def draft(applicant, **fields) -> Application:
    return services.application_create(actor=applicant, **{"title": "A draft", **fields})


def complete_draft(applicant, *, datasets=None, **fields) -> Application:
    """A draft that passes every submission check."""
    application = services.application_create(actor=applicant, **{**COMPLETE, **fields})
    services.application_team_member_add(
        actor=applicant,
        application=application,
        name="Alice Applicant",
        role="Principal investigator",
        organisation="University of Vienna",
    )
    for dataset in datasets if datasets is not None else [DatasetFactory()]:
        services.application_dataset_add(
            actor=applicant,
            application=application,
            dataset=dataset,
            access_mode="federated",
            variables="HbA1c, age, sex, postcode",
        )
    services.application_attachment_add(
        actor=applicant, application=application, kind="protocol", uploaded_file=pdf_upload()
    )
    application.refresh_from_db()
    return application


def submitted(applicant, **kwargs) -> Application:
    application = complete_draft(applicant, **kwargs)
    return services.application_submit(actor=applicant, application=application)


def in_review(applicant, secretariat, **kwargs) -> Application:
    application = submitted(applicant, **kwargs)
    return services.application_accept(actor=secretariat, application=application)


def approved(applicant, secretariat, chair, **kwargs) -> Application:
    application = in_review(applicant, secretariat, **kwargs)
    return services.application_approve(
        actor=chair,
        application=application,
        access_expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )


def active(applicant, secretariat, chair, custodian, **kwargs) -> Application:
    application = approved(applicant, secretariat, chair, **kwargs)
    for request in application.dataset_requests.all():
        services.dataset_request_grant(actor=custodian, dataset_request=request)
    application.refresh_from_db()
    return application
