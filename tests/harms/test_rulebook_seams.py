"""Seams where one entrance offered what another refused, closed by reading ``harms.rules``."""

import re

import pytest

from harms import services
from harms.models import HarmReport
from tests.factories import DatasetFactory


@pytest.fixture
def managed_dataset(organisation):
    return DatasetFactory(custodian=organisation, title="Diabetes records")


def test_custodian_is_not_offered_the_delivery_of_an_apology_naming_their_dataset(
    client, harm_officer, custodian, managed_dataset, report, receipt_code
):
    """The custodian's redress page offered "Mark as carried out" for any accepted action on a
    dataset they manage, while only a correction or deletion is theirs to deliver."""
    services.harm_report_triage(actor=harm_officer, report=report, severity="low")
    apology = services.redress_offer(
        actor=harm_officer,
        report=report,
        kind="apology",
        description="A written apology from the research team.",
        dataset=managed_dataset,
    )
    services.redress_accept(actor=harm_officer, action=apology)
    client.force_login(custodian)
    url = f"/harms/redress/{apology.pk}/deliver/"
    page = client.get(f"/harms/redress/{apology.pk}/")
    assert page.status_code == 200
    assert f'action="{url}"' not in page.content.decode()
    client.post(url, {"deliver-note": "Done."})
    apology.refresh_from_db()
    assert apology.state == "accepted"


def test_resolve_is_not_offered_while_redress_waits_for_an_answer(
    client, api_client, harm_officer, report
):
    """The report page offered the "Resolve" form as soon as redress was offered, while the
    service refuses to resolve until every offer is answered and delivered."""
    services.harm_report_triage(actor=harm_officer, report=report, severity="low")
    services.redress_offer(
        actor=harm_officer, report=report, kind="apology", description="An apology."
    )
    client.force_login(harm_officer)
    body = client.get(f"/harms/{report.pk}/").content.decode()
    assert f'action="/harms/{report.pk}/resolve/"' not in body
    assert f'action="/harms/{report.pk}/refer/"' not in body
    api_client.force_authenticate(harm_officer)
    detail = api_client.get(f"/api/v1/harm-reports/{report.pk}/").json()
    assert "resolve" not in detail["actions"] and "offer-redress" in detail["actions"]
    refused = api_client.post(
        f"/api/v1/harm-reports/{report.pk}/resolve/", {"outcome": "Done."}, format="json"
    )
    assert refused.status_code == 409
    assert HarmReport.objects.get(pk=report.pk).state == "redress_offered"


def test_a_project_under_amendment_can_be_recommended_for_suspension(
    client, harm_officer, chair, researcher, report
):
    """The chair may suspend a project while its amendment is reviewed (applications rulebook);
    the panel's recommendation form and service used to accept only an active project."""
    from django.utils import timezone

    from .factories import make_application

    project = make_application(researcher, state="in_review")
    project.activated_at = timezone.now()
    project.save(update_fields=["activated_at"])
    services.harm_report_triage(
        actor=harm_officer, report=report, severity="severe", applications=[project]
    )
    client.force_login(harm_officer)
    body = client.get(f"/harms/{report.pk}/").content.decode()
    assert f'action="/harms/{report.pk}/recommend-suspension/"' in body
    assert re.search(rf'<option value="{project.pk}"', body)
    response = client.post(
        f"/harms/{report.pk}/recommend-suspension/",
        {
            "recommend-suspension-application": project.pk,
            "recommend-suspension-reason": "Data leaked during the amendment.",
        },
    )
    assert response.status_code == 302
    assert report.suspension_recommendations.filter(application=project).exists()


def test_the_report_page_says_what_the_report_awaits(client, harm_officer, report):
    client.force_login(harm_officer)
    page = client.get(f"/harms/{report.pk}/").content.decode()
    assert re.search(r"data-awaiting>Acknowledgement \(the harm panel\)<", page)
    services.harm_report_acknowledge(actor=harm_officer, report=report, message="Read.")
    page = client.get(f"/harms/{report.pk}/").content.decode()
    assert re.search(r"data-awaiting>Triage \(the harm panel\)<", page)
