"""Operators' endpoints, request ids, and what error reports may carry."""

import json

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_cache_and_broker():
    body = Client().get("/readyz").json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "broker"}


def test_readyz_says_unavailable_without_naming_hosts(broker):
    broker.down()
    dead_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://:hunter2@127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=dead_cache):
        response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    text = json.dumps(body)
    assert "127.0.0.1" not in text and "hunter2" not in text and "redis://" not in text


def test_every_response_carries_a_request_id():
    client = Client()
    fresh = client.get("/healthz")["X-Request-ID"]
    assert len(fresh) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-42")["X-Request-ID"] == "proxy-42"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nx")["X-Request-ID"]
    assert forged != "bad id\nx" and len(forged) == 32


def test_error_reports_carry_no_personal_data():
    from solidarity.observability import scrub_event

    event = {
        "request": {
            "url": "https://x/harms/report/",
            "data": {"r-what_happened": "my diagnosis"},
            "cookies": {"sessionid": "s"},
            "query_string": "q=dana",
            "headers": {"Cookie": "s", "X-Forwarded-For": "1.2.3.4", "Accept": "text/html"},
        },
        "user": {"id": 7, "email": "dana@example.org", "ip_address": "1.2.3.4"},
        "extra": {"contact": {"email": "dana@example.org"}, "report": 3},
        "exception": {"values": [{"stacktrace": {"frames": [{"vars": {"text": "diagnosis"}}]}}]},
    }
    text = json.dumps(scrub_event(event))
    for secret in ("my diagnosis", "dana", "1.2.3.4", "sessionid", "diagnosis"):
        assert secret not in text
    assert '"report": 3' in text and '"id": 7' in text
