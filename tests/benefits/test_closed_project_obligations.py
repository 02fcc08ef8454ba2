"""Found by the stateful test of the whole life (issue 10): once a project is closed, its
benefit obligations are no longer due — the researcher's home stops asking for them and the
overdue beat leaves them alone."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from benefits.models import ObligationState
from benefits.services import obligations_mark_overdue
from tests.benefits.factories import ApprovedApplicationFactory, signed_agreement


def test_a_closed_projects_obligations_are_no_longer_due(
    client, api_client, researcher, benefit_officer
):
    application = ApprovedApplicationFactory(applicant=researcher)
    agreement = signed_agreement(application, benefit_officer)
    application.refresh_from_db()
    assert application.state == "active"
    client.force_login(researcher)
    assert "Obligations due" in client.get(reverse("home")).content.decode()

    api_client.force_authenticate(researcher)
    closed = api_client.post(
        f"/api/v1/applications/{application.pk}/close/",
        {"final_report": "All analyses done and published."},
        format="json",
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"

    assert "Obligations due" not in client.get(reverse("home")).content.decode()
    later = timezone.localdate() + timedelta(days=400)
    assert obligations_mark_overdue(today=later) == []
    obligation = agreement.obligations.get()
    listed = api_client.get(f"/api/v1/obligations/{obligation.pk}/").json()
    assert listed["state"] == ObligationState.PENDING
