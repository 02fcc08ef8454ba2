"""A custodian registers a node, sees its credential once, then its pushes and runs."""

import json
import urllib.request

import pytest

from applications import activation
from applications.services import application_suspend
from solidarity.accounts.roles import Role
from tests.applications import factories as app_factories
from tests.e2e.test_accessibility import _violations
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory
from tests.grants.test_webhooks import Receiver


def _api(live_server, credential, path, data=None):
    request = urllib.request.Request(
        live_server.url + path,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Authorization": f"Bearer {credential}", "Content-Type": "application/json"},
        method="POST" if data is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_custodian_registers_a_node_and_follows_its_pushes_and_runs(
    page, login, live_server, monkeypatch
):
    monkeypatch.setattr(activation, "_checks", [activation.datasets_granted])
    hospital = OrganisationFactory(name="Graz University Hospital")
    custodian = UserFactory.member_of(hospital, username="e2e_carla", roles=[Role.CUSTODIAN])
    researcher = UserFactory(username="e2e_alice", roles=[Role.RESEARCHER])
    secretariat = UserFactory(username="e2e_sami", roles=[Role.SECRETARIAT])
    chair = UserFactory(username="e2e_chiara", roles=[Role.CHAIR])
    dataset = DatasetFactory(custodian=hospital, title="Heart failure cohort")
    project = app_factories.active(researcher, secretariat, chair, custodian, datasets=[dataset])

    with Receiver(fail=0) as receiver:
        # The custodian registers a node from the home page.
        login("e2e_carla")
        page.get_by_role("link", name="Manage nodes").click()
        page.get_by_label("Name of the node").fill("Graz trusted research environment")
        page.get_by_label("Webhook URL").fill(receiver.url)
        page.get_by_role("button", name="Register the node").click()
        main = page.locator("main")
        assert "shown only once" in main.inner_text()
        credential = page.locator("#node-credential").inner_text().strip()
        assert credential.startswith("sol_node_")
        assert _violations(page) == []

        # Reloading shows the node, never the credential again.
        page.goto("/grants/nodes/")
        assert credential not in page.content()
        assert "Graz trusted research environment" in main.inner_text()

        # The node syncs its grants and reports a run.
        status, body = _api(live_server, credential, "/api/v1/grants/")
        assert status == 200
        (grant,) = body["results"]
        assert grant["project"] == project.reference and grant["current"] is True
        status, run = _api(
            live_server,
            credential,
            "/api/v1/runs/",
            {
                "grant": grant["id"],
                "ran_at": grant["started_at"],
                "job_reference": "cox-model-7",
                "outputs": [{"name": "hazard_ratios.csv"}],
                "verdict": "needs_review",
            },
        )
        assert status == 201, run

        # The chair suspends the project: the node is told.
        application_suspend(actor=chair, application=project, reason="Harm finding")
        assert [json.loads(r["body"])["type"] for r in receiver.accepted] == ["grant.ended"]

    # The custodian sees the push delivered and the run, on the node's page.
    page.get_by_role("link", name="Graz trusted research environment").click()
    text = main.inner_text()
    assert "grant.ended" in text and "Delivered" in text
    assert "cox-model-7" in text and "Needs review" in text
    assert _violations(page) == []

    # And on the project, reached from the application page, where the run can be flagged.
    page.goto(f"/applications/{project.pk}/")
    page.get_by_role("link", name="Access grants and runs reported by nodes").click()
    assert "hazard_ratios.csv" in main.inner_text()
    assert _violations(page) == []
    page.get_by_label("Why flag this run for the committee?").fill("Outputs not yet checked")
    page.get_by_role("button", name="Flag").click()
    assert "flagged for the committee" in main.inner_text()
    assert "Flagged" in main.inner_text()
