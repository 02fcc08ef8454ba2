"""Irreversible moves (withdraw, reject, suspend, revoke, close) ask for confirmation on a page
that says what will happen, without JavaScript; the rulebook's ``irreversible`` flag drives it."""

import pytest

from applications import rules
from applications.models import Application
from tests.applications import factories


@pytest.fixture(autouse=True)
def only_dataset_grants(monkeypatch):
    from applications import activation

    monkeypatch.setattr(activation, "_checks", [activation.datasets_granted])


def test_the_irreversible_moves_are_flagged_in_the_rulebook():
    flagged = {t.name for t in rules.APPLICATION if t.irreversible}
    assert flagged == {"withdraw", "reject", "suspend", "revoke", "close"}
    assert all(rules.APPLICATION[name].consequence for name in flagged)


def test_suspending_asks_for_confirmation_first(
    client, chair, researcher, secretariat, custodian, dataset
):
    project = factories.active(researcher, secretariat, chair, custodian, datasets=[dataset])
    assert project.state == "active"
    client.force_login(chair)
    url = f"/applications/{project.pk}/suspend/"
    page = client.get(f"/applications/{project.pk}/").content.decode()
    assert f'href="{url}"' in page and f'action="{url}"' not in page
    confirmation = client.get(url).content.decode()
    assert "This cannot be undone." in confirmation
    assert str(rules.APPLICATION["suspend"].consequence) in confirmation
    assert 'name="confirm" value="yes"' in confirmation
    unconfirmed = client.post(url, {"text": "A breach was reported."})
    assert unconfirmed.status_code == 200
    assert "This cannot be undone." in unconfirmed.content.decode()
    assert Application.objects.get(pk=project.pk).state == "active"
    done = client.post(url, {"text": "A breach was reported.", "confirm": "yes"})
    assert done.status_code == 302
    assert Application.objects.get(pk=project.pk).state == "suspended"


def test_withdrawing_asks_the_applicant_to_confirm(client, researcher, dataset):
    application = factories.submitted(researcher, datasets=[dataset])
    client.force_login(researcher)
    url = f"/applications/{application.pk}/withdraw/"
    assert "This cannot be undone." in client.get(url).content.decode()
    client.post(url)
    assert Application.objects.get(pk=application.pk).state == "submitted"
    client.post(url, {"confirm": "yes"})
    assert Application.objects.get(pk=application.pk).state == "withdrawn"


def test_reversible_moves_need_no_confirmation(client, secretariat, researcher, dataset):
    application = factories.submitted(researcher, datasets=[dataset])
    client.force_login(secretariat)
    client.post(f"/applications/{application.pk}/accept/")
    assert Application.objects.get(pk=application.pk).state == "in_review"
