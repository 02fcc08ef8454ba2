"""Pushes: every grant change POSTed to the node's webhook, signed, retried, delivered once."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from grants import services, webhooks
from grants.models import WebhookDelivery
from solidarity.audit.models import AuditEvent


class Receiver:
    """A real HTTP receiver on 127.0.0.1 that answers 500 to the first ``fail`` requests."""

    def __init__(self, *, fail: int):
        self.fail = fail
        self.requests: list[dict] = []
        self.accepted: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                seen = {"headers": dict(self.headers), "body": body}
                receiver.requests.append(seen)
                if len(receiver.requests) <= receiver.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.accepted.append(seen)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/solidarity-hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    settings.GRANTS_WEBHOOK_BACKOFF_SECONDS = 1
    settings.GRANTS_WEBHOOK_TIMEOUT_SECONDS = 5


def test_revocation_reaches_the_node_signed_once_after_two_failures(
    api_client, active, chair, custodian, organisation, django_capture_on_commit_callbacks
):
    with Receiver(fail=2) as receiver:
        node, _, secret = services.node_register(
            actor=custodian, organisation=organisation, name="TRE", webhook_url=receiver.url
        )
        api_client.force_authenticate(chair)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(
                f"/api/v1/applications/{active.pk}/revoke/", {"reason": "Breach"}, format="json"
            )
        assert response.status_code == 200
        # Beat finds nothing left to do: the event is not sent again.
        assert services.webhook_retry_due() == 0

    assert len(receiver.requests) == 3  # failed, failed, delivered
    assert len(receiver.accepted) == 1
    event_ids = {r["headers"][webhooks.EVENT_HEADER] for r in receiver.requests}
    assert len(event_ids) == 1  # the same event id on every retry: idempotent at the node

    accepted = receiver.accepted[0]
    headers, body = accepted["headers"], accepted["body"]
    assert webhooks.verify(
        secret,
        timestamp=headers[webhooks.TIMESTAMP_HEADER],
        body=body,
        signature=headers[webhooks.SIGNATURE_HEADER],
    )
    assert not webhooks.verify(
        "whsec_wrong",
        timestamp=headers[webhooks.TIMESTAMP_HEADER],
        body=body,
        signature=headers[webhooks.SIGNATURE_HEADER],
    )
    assert not webhooks.verify(
        secret,
        timestamp=headers[webhooks.TIMESTAMP_HEADER],
        body=body.replace(b"revoked", b"resumed"),
        signature=headers[webhooks.SIGNATURE_HEADER],
    )
    # Outside the replay window the same signed request is refused.
    assert not webhooks.verify(
        secret,
        timestamp=headers[webhooks.TIMESTAMP_HEADER],
        body=body,
        signature=headers[webhooks.SIGNATURE_HEADER],
        now=time.time() + 301,
    )
    payload = json.loads(body)
    assert payload["type"] == "grant.ended"
    assert payload["id"] == headers[webhooks.EVENT_HEADER]
    assert payload["grant"]["end_reason"] == "revoked"
    assert payload["grant"]["project"] == active.reference

    delivery = WebhookDelivery.objects.get(node=node)
    assert delivery.state == "delivered" and delivery.attempts == 3
    assert str(delivery.event_id) == payload["id"]
    assert AuditEvent.objects.filter(action="webhook.deliver", target_id=str(delivery.pk)).exists()


def test_every_grant_change_is_pushed(
    api_client, active, chair, custodian, organisation, django_capture_on_commit_callbacks
):
    with Receiver(fail=0) as receiver:
        services.node_register(
            actor=custodian, organisation=organisation, name="TRE", webhook_url=receiver.url
        )
        api_client.force_authenticate(chair)
        url = f"/api/v1/applications/{active.pk}/"
        with django_capture_on_commit_callbacks(execute=True):
            api_client.post(url + "suspend/", {"reason": "Harm"}, format="json")
        with django_capture_on_commit_callbacks(execute=True):
            api_client.post(url + "reinstate/", format="json")
    types = [json.loads(r["body"])["type"] for r in receiver.accepted]
    assert types == ["grant.ended", "grant.resumed"]


def test_a_node_that_never_answers_is_given_up_and_shown_to_the_custodian(
    client,
    api_client,
    active,
    chair,
    custodian,
    organisation,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.GRANTS_WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver(fail=99) as receiver:
        node, _, _ = services.node_register(
            actor=custodian,
            organisation=organisation,
            name="Broken TRE",
            webhook_url=receiver.url,
        )
        api_client.force_authenticate(chair)
        with django_capture_on_commit_callbacks(execute=True):
            api_client.post(
                f"/api/v1/applications/{active.pk}/suspend/", {"reason": "x"}, format="json"
            )
    assert len(receiver.requests) == 3
    delivery = WebhookDelivery.objects.get(node=node)
    assert delivery.state == "failed" and delivery.last_status == 500
    assert AuditEvent.objects.filter(action="webhook.fail").count() == 1
    client.force_login(custodian)
    page = client.get(f"/grants/nodes/{node.pk}/").content.decode()
    assert "Given up" in page and "HTTP 500" in page and str(delivery.event_id) in page


def test_a_dead_broker_leaves_the_push_in_the_outbox_for_beat(
    api_client, active, chair, custodian, organisation, django_capture_on_commit_callbacks
):
    from solidarity.celery import app as celery_app

    with Receiver(fail=0) as receiver:
        services.node_register(
            actor=custodian, organisation=organisation, name="TRE", webhook_url=receiver.url
        )
        celery_app.conf.task_always_eager = False
        old = celery_app.conf.broker_url
        celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
        celery_app.conf.broker_connection_retry = False
        celery_app.conf.broker_connection_max_retries = 0
        try:
            api_client.force_authenticate(chair)
            with django_capture_on_commit_callbacks(execute=True):
                response = api_client.post(
                    f"/api/v1/applications/{active.pk}/suspend/", {"reason": "x"}, format="json"
                )
        finally:
            celery_app.conf.broker_url = old
            celery_app.conf.task_always_eager = True
        assert response.status_code == 200
        assert receiver.requests == []
        assert WebhookDelivery.objects.get().state == "pending"
        assert services.webhook_retry_due() == 1
        assert services.webhook_retry_due() == 0
    assert len(receiver.accepted) == 1


def test_nodes_without_a_webhook_or_revoked_get_no_push(
    active, chair, custodian, organisation, api_client
):
    services.node_register(actor=custodian, organisation=organisation, name="Poller")
    hooked, _, _ = services.node_register(
        actor=custodian, organisation=organisation, name="Gone", webhook_url="http://127.0.0.1:9/"
    )
    services.node_revoke(actor=custodian, node=hooked)
    api_client.force_authenticate(chair)
    api_client.post(f"/api/v1/applications/{active.pk}/suspend/", {"reason": "x"}, format="json")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/hook", "file:///etc/passwd", "http://user:pw@example.org/", "not a url"],
)
def test_bad_webhook_addresses_are_refused(custodian, organisation, url):
    from solidarity.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.node_register(
            actor=custodian, organisation=organisation, name="TRE", webhook_url=url
        )
    assert "webhook_url" in refused.value.field_errors


def test_production_demands_https_webhooks(custodian, organisation, settings):
    from solidarity.errors import DomainError

    settings.GRANTS_WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(DomainError):
        services.node_register(
            actor=custodian,
            organisation=organisation,
            name="TRE",
            webhook_url="http://tre.example.org/hook",
        )
    node, _, _ = services.node_register(
        actor=custodian,
        organisation=organisation,
        name="TRE",
        webhook_url="https://tre.example.org/hook",
    )
    assert node.webhook_url == "https://tre.example.org/hook"


def test_production_refuses_internal_webhook_addresses(
    custodian, organisation, settings, active, chair, api_client, django_capture_on_commit_callbacks
):
    from solidarity.errors import DomainError

    settings.GRANTS_WEBHOOK_ALLOW_INTERNAL = False
    for url in ("http://127.0.0.1:8000/x", "http://10.0.0.5/x", "http://169.254.169.254/latest"):
        with pytest.raises(DomainError) as refused:
            services.node_register(
                actor=custodian, organisation=organisation, name="TRE", webhook_url=url
            )
        assert "internal network" in refused.value.field_errors["webhook_url"][0]
    # An address that became internal after registration is not posted to either.
    with Receiver(fail=0) as receiver:
        settings.GRANTS_WEBHOOK_ALLOW_INTERNAL = True
        node, _, _ = services.node_register(
            actor=custodian, organisation=organisation, name="TRE", webhook_url=receiver.url
        )
        settings.GRANTS_WEBHOOK_ALLOW_INTERNAL = False
        settings.GRANTS_WEBHOOK_MAX_ATTEMPTS = 1
        api_client.force_authenticate(chair)
        with django_capture_on_commit_callbacks(execute=True):
            api_client.post(
                f"/api/v1/applications/{active.pk}/suspend/", {"reason": "x"}, format="json"
            )
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(node=node)
    assert delivery.state == "failed" and "internal network" in delivery.last_error
