from django.urls import reverse

from applications import services

from . import factories


def test_a_custodian_does_not_read_another_organisations_reasons(
    client, api_client, researcher, custodian, other_custodian, dataset, other_dataset
):
    application = factories.submitted(researcher, datasets=[dataset, other_dataset])
    mine = application.dataset_requests.get(dataset=dataset)
    services.dataset_request_decline(
        actor=custodian, dataset_request=mine, reason="Our ethics board objects to linkage."
    )
    url = reverse("applications:detail", args=[application.pk])
    client.force_login(other_custodian)
    assert "Our ethics board objects" not in client.get(url).content.decode()
    api_client.force_authenticate(other_custodian)
    data = api_client.get(f"/api/v1/applications/{application.pk}/").json()
    assert all(r["decision_reason"] == "" for r in data["dataset_requests"])
    for who in (custodian, researcher):
        client.force_login(who)
        assert "Our ethics board objects" in client.get(url).content.decode()
