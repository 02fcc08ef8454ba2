"""Demo applications for ``manage.py seed_demo``: a draft, a submission, one in review.

The reviews app's seeder takes the one in review through the committee to approval."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from solidarity.catalog.models import Dataset

from . import services
from .models import Application

PROTOCOL = b"%PDF-1.4\n% Demo study protocol\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

BASE = {
    "scientific_summary": "A retrospective cohort study using routinely collected records.",
    "aims": "Estimate the effect and identify groups at higher risk.",
    "methods": "Federated regression analysis; no record leaves the custodian.",
    "public_benefit": "Better targeted prevention for the people whose data are used.",
    "beneficiaries": ["data_subjects", "communities"],
    "funding": "Public research grant.",
    "research_use": "DUO:0000006",
    "ethics_approval": True,
    "research_countries": "AT",
    # The fields the sector expects on a register (HDR UK), so the demo register shows them.
    "legal_basis_art6": "6_1_e",
    "legal_basis_art9": "9_2_j",
    "confidentiality_basis": "not_applicable",
    "national_opt_out": "not_applicable",
    "funders_sponsors": "Vienna Science and Technology Fund",
    "other_approval_committees": "Ethics Committee of the Medical University of Vienna",
    "accredited_researcher": "unknown",
}


def build_demo_application(actor, title, lay, dataset, complete=True, **extra):
    application = services.application_create(
        actor=actor,
        title=title,
        lay_summary=lay,
        **({**BASE, **extra} if complete else {}),
        start_date=datetime.date(timezone.localdate().year + 1, 1, 1),
        end_date=datetime.date(timezone.localdate().year + 2, 12, 31),
    )
    services.application_team_member_add(
        actor=actor,
        application=application,
        name=actor.get_full_name() or actor.username,
        role="Principal investigator",
        organisation=application.organisation.name if application.organisation else "—",
    )
    services.application_dataset_add(
        actor=actor,
        application=application,
        dataset=dataset,
        access_mode="federated",
        variables="Age band, sex, HbA1c, admissions" if complete else "",
    )
    if complete:
        for kind, name in (("protocol", "protocol.pdf"), ("ethics_approval", "ethics.pdf")):
            services.application_attachment_add(
                actor=actor,
                application=application,
                kind=kind,
                uploaded_file=SimpleUploadedFile(name, PROTOCOL, "application/pdf"),
            )
    return application


def _team_and_conversation(application, researcher, users) -> None:
    """A co-applicant who accepted the invitation, a committee question and the answer, so
    the demo shows the team and the conversation (issue 16)."""
    from .services.conversation import message_post
    from .services.team import application_member_accept, application_member_invite

    colleague, secretariat = users.get("researcher2"), users.get("secretariat")
    if colleague and colleague.email:
        _member, token = application_member_invite(
            actor=researcher, application=application, email=colleague.email, role="editor"
        )
        application_member_accept(actor=colleague, token=token)
    message_post(
        actor=researcher,
        application=application,
        body="We added the protocol and the ethics approval; the variables list is final.",
    )
    if secretariat:
        message_post(
            actor=secretariat,
            application=application,
            body="Thank you. Do you need daily counts, or would weekly counts answer the question?",
        )
    message_post(
        actor=colleague or researcher,
        application=application,
        body="Daily counts: heat waves last a few days, weekly counts would hide them.",
    )


def seed_applications(*, users, organisations=None, stdout=None, **kwargs) -> None:
    """Idempotent: each demo application is made once, recognised by its title."""
    researcher = users.get("researcher")
    secretariat, chair = users.get("secretariat"), users.get("chair")
    custodian = users.get("custodian")
    diabetes = Dataset.objects.filter(title__startswith="Diabetes outpatient").first()
    admissions = Dataset.objects.filter(title="Aggregated emergency admissions").first()
    if not (researcher and diabetes and admissions):
        return
    title = "Heat waves and diabetes control (draft)"
    if not Application.objects.filter(applicant=researcher, title=title).exists():
        build_demo_application(
            researcher,
            title,
            "Do heat waves make it harder to keep diabetes under control?",
            diabetes,
            complete=False,
        )
    title = "Emergency admissions during heat waves"
    if not Application.objects.filter(applicant=researcher, title=title).exists():
        application = build_demo_application(
            researcher,
            title,
            "We count how many more people need emergency care on very hot days.",
            admissions,
        )
        services.application_submit(actor=researcher, application=application)
        _team_and_conversation(application, researcher, users)
    title = "Diabetes care across Vienna's districts"
    if (
        secretariat
        and chair
        and custodian
        and not Application.objects.filter(applicant=researcher, title=title).exists()
    ):
        application = build_demo_application(
            researcher,
            title,
            "We compare how well diabetes is controlled in different parts of the city.",
            diabetes,
        )
        services.application_submit(actor=researcher, application=application)
        services.application_accept(actor=secretariat, application=application)
        # The committee decides it (reviews' seeder), so its record shows a type and decision.
    if stdout is not None:
        stdout.write("Demo applications ready.")
