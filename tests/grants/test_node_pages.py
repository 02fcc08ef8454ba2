"""Custodians register nodes in the browser: the credential is shown once and kept hashed."""

import re

from rest_framework.test import APIClient

from grants.models import Node
from solidarity.audit.models import AuditEvent


def _register(client, organisation, **extra):
    data = {"organisation": organisation.pk, "name": "Vienna TRE", "webhook_url": "", **extra}
    return client.post("/grants/nodes/", data)


def test_custodian_registers_a_node_and_sees_the_credential_once(client, custodian, organisation):
    client.force_login(custodian)
    response = _register(client, organisation)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    credential = re.search(r'id="node-credential">([^<]+)<', page).group(1)
    secret = re.search(r'id="node-webhook-secret">([^<]+)<', page).group(1)
    assert credential.startswith("sol_node_") and secret.startswith("whsec_")

    node = Node.objects.get()
    stored = " ".join(str(getattr(node, f.attname)) for f in Node._meta.concrete_fields)
    assert credential not in stored and credential.split(".")[1] not in stored
    assert secret not in stored
    event = AuditEvent.objects.get(action="node.register")
    assert credential not in str(event.payload) and secret not in str(event.payload)

    # Never shown again.
    for url in ("/grants/nodes/", f"/grants/nodes/{node.pk}/", "/"):
        again = client.get(url).content.decode()
        assert credential not in again and secret not in again

    # And it works.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
    assert api.get("/api/v1/grants/").status_code == 200


def test_bad_node_forms_save_nothing(client, custodian, organisation, other_organisation):
    client.force_login(custodian)
    for blank in ("", "   "):
        response = _register(client, organisation, name=blank)
        assert response.status_code == 200 and "node-credential" not in response.content.decode()
        assert "This field is required." in response.content.decode()
    response = _register(client, organisation, webhook_url="ftp://x.example.org/")
    page = response.content.decode()
    assert "http://" in page and "node-credential" not in page
    # Not a member of the other organisation: it is not even offered.
    response = _register(client, other_organisation)
    assert "node-credential" not in response.content.decode()
    assert not Node.objects.exists()


def test_people_who_are_not_custodians_have_no_node_pages(client, researcher, outsider, chair):
    for user in (researcher, outsider, chair):
        client.force_login(user)
        assert client.get("/grants/nodes/").status_code == 404
    client.logout()
    assert client.get("/grants/nodes/").status_code == 302


def test_another_organisations_custodian_cannot_see_or_revoke_our_node(
    client, node_with_credential, other_custodian
):
    node, _, _ = node_with_credential
    client.force_login(other_custodian)
    assert client.get(f"/grants/nodes/{node.pk}/").status_code == 404
    assert client.post(f"/grants/nodes/{node.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert client.post(f"/grants/nodes/{node.pk}/webhook/", {"webhook_url": ""}).status_code == 404
    node.refresh_from_db()
    assert node.revoked_at is None
    assert "Vienna TRE" not in client.get("/grants/nodes/").content.decode()


def test_custodian_changes_the_webhook_and_revokes_the_node(
    client, node_with_credential, custodian
):
    node, credential, _ = node_with_credential
    client.force_login(custodian)
    client.post(f"/grants/nodes/{node.pk}/webhook/", {"webhook_url": "https://tre.example.org/h"})
    node.refresh_from_db()
    assert node.webhook_url == "https://tre.example.org/h"
    assert AuditEvent.objects.filter(action="node.webhook").exists()
    client.post(f"/grants/nodes/{node.pk}/webhook/", {"webhook_url": "gopher://x"})
    node.refresh_from_db()
    assert node.webhook_url == "https://tre.example.org/h"

    response = client.post(f"/grants/nodes/{node.pk}/revoke/", {"reason": "Decommissioned"})
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.revoked_at is not None and node.revoked_by == custodian
    event = AuditEvent.objects.get(action="node.revoke")
    assert event.payload["reason"] == "Decommissioned"
    # A second revocation is refused and changes nothing.
    client.post(f"/grants/nodes/{node.pk}/revoke/", {"reason": "again"})
    assert AuditEvent.objects.filter(action="node.revoke").count() == 1
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
    assert api.get("/api/v1/grants/").status_code == 401


def test_the_custodians_home_lists_their_nodes(client, node_with_credential, custodian):
    client.force_login(custodian)
    page = client.get("/").content.decode()
    assert "Your nodes" in page and "Vienna TRE" in page
