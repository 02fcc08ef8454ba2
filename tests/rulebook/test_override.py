"""Seam 4: an override that would let the chair decide alone where the computed type would not
(above all away from D) needs a quorate vote; computed type, effective type and the reason are
shown together on the register and in the dossier."""

import datetime

import pytest
from django.utils import timezone

from applications.models import Application
from tests.reviews import factories

API = "/api/v1"


@pytest.fixture
def computed_d(researcher, secretariat, reviewer, other_reviewer, dataset, framework):
    application = factories.in_review(researcher, secretariat, datasets=[dataset])
    for who in (reviewer, other_reviewer):
        factories.file_review(
            factories.assign(application, secretariat, who), framework, benefit="low", safety="low"
        )
    return application


def _decide(api_client, application):
    expires = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    return api_client.post(
        f"{API}/applications/{application.pk}/decide/",
        {"outcome": "approved", "reason": "Fine.", "access_expires_on": expires},
        format="json",
    )


def test_overriding_a_computed_d_to_a_does_not_let_the_chair_approve_alone(
    api_client, chair, computed_d, reviewer, other_reviewer
):
    api_client.force_authenticate(chair)
    override = api_client.post(
        f"{API}/applications/{computed_d.pk}/classification/",
        {"type": "A", "reason": "I disagree"},
        format="json",
    )
    assert override.status_code == 200, override.content
    body = override.json()
    assert (body["computed_type"], body["type"]) == ("D", "A")
    refused = _decide(api_client, computed_d)
    assert refused.status_code == 409, refused.content
    assert "quorate" in refused.json()["error"]["message"]
    assert Application.objects.get(pk=computed_d.pk).state == "in_review"
    for member in (reviewer, other_reviewer):
        api_client.force_authenticate(member)
        vote = api_client.post(
            f"{API}/applications/{computed_d.pk}/vote/", {"choice": "approve"}, format="json"
        )
        assert vote.status_code == 201
    api_client.force_authenticate(chair)
    decided = _decide(api_client, computed_d)
    assert decided.status_code == 200, decided.content
    assert decided.json()["computed_type"] == "D" and decided.json()["type"] == "A"


def test_the_register_shows_computed_and_effective_type_with_the_reason(
    api_client, client, chair, computed_d, reviewer, other_reviewer
):
    api_client.force_authenticate(chair)
    api_client.post(
        f"{API}/applications/{computed_d.pk}/classification/",
        {"type": "A", "reason": "The reviewers misread the safeguards."},
        format="json",
    )
    for member in (reviewer, other_reviewer):
        api_client.force_authenticate(member)
        api_client.post(
            f"{API}/applications/{computed_d.pk}/vote/", {"choice": "approve"}, format="json"
        )
    api_client.force_authenticate(chair)
    assert _decide(api_client, computed_d).status_code == 200
    reference = Application.objects.get(pk=computed_d.pk).reference
    page = client.get(f"/register/{reference}/").content.decode()
    assert "Type A" in page
    assert "computed type D" in page
    assert "The reviewers misread the safeguards." in page
    entry = client.get(f"/register/{reference}.json")
    if entry.status_code == 200:
        assert entry.json().get("computed_type") in (None, "D")


def test_a_computed_a_is_still_decided_by_the_chair_alone(
    api_client, chair, researcher, secretariat, reviewer, dataset, framework
):
    application = factories.in_review(researcher, secretariat, datasets=[dataset])
    factories.file_review(factories.assign(application, secretariat, reviewer), framework)
    api_client.force_authenticate(chair)
    assert _decide(api_client, application).status_code == 200
