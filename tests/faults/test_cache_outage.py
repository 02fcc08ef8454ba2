"""A patient's report is never lost because the rate limiter's cache is down: the limiter
lets the request through and logs it."""

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from harms.models import HarmReport

pytestmark = pytest.mark.django_db

DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
    }
}

FORM = {
    "r-what_happened": "A letter from my employer quoted my diagnosis.",
    "r-occurred_when": "January 2026",
    "r-affected": "self",
    "r-categories": ["privacy_breach"],
    "c-email": "dana@example.org",
}


@pytest.fixture
def cache_down():
    with override_settings(CACHES=DEAD_CACHE):
        yield


def test_anonymous_report_form_is_saved_with_the_cache_down(cache_down, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        response = client.post(reverse("harms:report"), FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("harms:receipt")
    assert HarmReport.objects.count() == 1
    assert any("rate limit" in r.getMessage().lower() for r in caplog.records)


def test_anonymous_report_api_is_saved_with_the_cache_down(cache_down, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/api/v1/harm-reports/",
            {
                "what_happened": "My records were shown to my employer.",
                "occurred_when": "2026-02",
                "affected": "self",
                "categories": ["privacy_breach"],
            },
            content_type="application/json",
        )
    assert response.status_code == 201
    assert HarmReport.objects.count() == 1
    assert any("rate limit" in r.getMessage().lower() for r in caplog.records)


def test_signing_in_and_signed_in_pages_work_with_the_cache_down(
    cache_down, researcher, password, caplog
):
    """Sessions, the account, its roles and the unread badge are read through the cache; with
    the cache down the database answers them and nobody is signed out or shown an error."""
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        response = client.post(
            reverse("login"), {"username": researcher.username, "password": password}
        )
        assert response.status_code == 302
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert researcher.get_full_name() in home.content.decode()
        assert client.get("/applications/").status_code == 200
        assert client.post(reverse("logout")).status_code == 302
    assert any("cache" in r.getMessage().lower() for r in caplog.records)


def test_the_register_answers_with_the_cache_down(cache_down):
    client = Client(raise_request_exception=False)
    assert client.get("/register/").status_code == 200
    assert client.get("/api/v1/register/").status_code == 200
    assert client.get(reverse("register:json")).status_code == 200
