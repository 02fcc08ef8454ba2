"""A new applicant files, submits, revises and resubmits; the secretariat screens; the
custodian decides on its dataset — all in the browser."""

import datetime

import pytest
from django.utils import timezone

from applications import services
from applications.models import Application
from solidarity.accounts.roles import Role
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_file_submit_revise_screen_and_decide(page, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    hospital = OrganisationFactory(name="Journey Hospital")
    DatasetFactory(custodian=hospital, title="Journey diabetes records")
    UserFactory(username="e2e_alice", roles=[Role.RESEARCHER])
    UserFactory(username="e2e_sami", roles=[Role.SECRETARIAT])
    UserFactory.member_of(hospital, username="e2e_carla", roles=[Role.CUSTODIAN])
    chair = UserFactory(username="e2e_chiara", roles=[Role.CHAIR])
    protocol = tmp_path / "protocol.pdf"
    protocol.write_bytes(PDF)

    # The applicant starts from the menu, as a new user would.
    login("e2e_alice")
    page.get_by_role("link", name="My applications").first.click()
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Title").fill("Heat waves and diabetes")
    page.get_by_role("button", name="Create the draft").click()

    page.get_by_label("Plain-language summary").fill("Do heat waves worsen diabetes?")
    page.get_by_label("Scientific summary").fill("Retrospective cohort.")
    page.get_by_label("Aims", exact=True).fill("Estimate the effect of heat.")
    page.get_by_label("Methods").fill("Federated regression.")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Research purpose").select_option("DUO:0000006")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Public benefit claimed").fill("Better heat warnings.")
    page.get_by_label("People whose data are used").check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Funding").fill("Public grant.")
    page.get_by_role("button", name="Save and continue").click()

    # Save a draft half-way, then see what is still missing.
    page.get_by_label("Intended start").fill("2027-01-01")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("link", name="Check and submit").click()
    missing = page.get_by_role("alert").inner_text()
    assert "Give the intended end." in missing
    assert "Name at least one team member." in missing
    page.get_by_role("link", name="Give the intended end.").click()
    assert page.get_by_label("Intended start").input_value() == "2027-01-01"
    page.get_by_label("Intended end").fill("2028-12-31")
    page.get_by_role("button", name="Save and continue").click()

    # The legal basis and governance facts the register publishes (HDR UK fields).
    page.get_by_label("Legal basis under GDPR article 6").select_option(value="6_1_e")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Name").fill("Alice Applicant")
    page.get_by_label("Role in the project").fill("Principal investigator")
    page.get_by_label("Organisation").fill("University of Vienna")
    page.get_by_role("button", name="Add to the team").click()
    page.get_by_role("link", name="Continue to the next step").click()

    page.get_by_label("Dataset").select_option(label="Journey diabetes records — Journey Hospital")
    page.get_by_label("Variables needed").fill("HbA1c, age, sex")
    page.get_by_role("button", name="Add the dataset").click()
    assert "Remove Journey diabetes records" in page.locator("main").inner_text()
    page.get_by_role("link", name="Continue to the next step").click()

    page.get_by_label("Kind of document").select_option("protocol")
    page.get_by_label("File").set_input_files(str(protocol))
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("link", name="Continue to the next step").click()

    page.get_by_role("button", name="Submit the application").click()
    application = Application.objects.get(title="Heat waves and diabetes")
    assert application.state == "submitted"
    assert application.reference in page.locator("main").inner_text()

    # The secretariat asks for a revision from its queue.
    login("e2e_sami")
    page.get_by_role("link", name="Application queue").first.click()
    page.get_by_role("link", name="Heat waves and diabetes").click()
    page.get_by_label("What must be revised").fill("Please name the sites.")
    page.get_by_role("button", name="Request a revision").click()
    assert "Revision requested" in page.locator("main").inner_text()

    # The applicant revises and resubmits as version 2, and sees the diff.
    login("e2e_alice")
    page.get_by_role("link", name="My applications").first.click()
    page.get_by_role("link", name="Heat waves and diabetes").click()
    assert "Please name the sites." in page.locator("main").inner_text()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Methods").fill("Federated regression at three named sites.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_role("button", name="Submit the revised version").click()
    application.refresh_from_db()
    assert application.state == "submitted" and application.current_version == 2
    page.get_by_role("link", name="Compare versions").click()
    assert "three named sites" in page.locator("ins").all_inner_texts()[0]

    # The secretariat accepts it into review; the chair approves (the reviews app's work).
    login("e2e_sami")
    page.goto(f"/applications/{application.pk}/")
    page.get_by_role("button", name="Accept into review").click()
    application.refresh_from_db()
    assert application.state == "in_review"
    services.application_approve(
        actor=chair,
        application=application,
        access_expires_on=timezone.localdate() + datetime.timedelta(days=365),
    )

    # The custodian grants its dataset with a condition.
    login("e2e_carla")
    page.get_by_role("link", name="Data requests").first.click()
    page.get_by_role("link", name="Decide on Journey diabetes records").click()
    page.get_by_label("Grant access").check()
    page.get_by_label("Conditions").fill("Federated analysis only.")
    page.get_by_role("button", name="Record the decision").click()
    assert "Your decision was recorded." in page.locator("main").inner_text()
    request = application.dataset_requests.get()
    assert request.state == "granted"
    assert request.decision_conditions == "Federated analysis only."
