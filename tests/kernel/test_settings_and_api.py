import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env):
    full = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SOLIDARITY_PRODUCTION"}}
    full.update(env)
    full["DJANGO_SETTINGS_MODULE"] = "solidarity.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"UPLOAD_MAX_BYTES": "20MB"}, "UPLOAD_MAX_BYTES='20MB' is not an integer"),
        ({"LOGIN_FAILURE_LIMIT": "0"}, "LOGIN_FAILURE_LIMIT=0 must be at least 1"),
        ({"SOLIDARITY_PRODUCTION": "true"}, "SECRET_KEY must be set"),
        (
            {
                "SOLIDARITY_PRODUCTION": "true",
                "SECRET_KEY": "k" * 60,
                "ALLOWED_HOSTS": "example.org",
                "CACHE_URL": "",
            },
            "CACHE_URL must name a shared cache",
        ),
        ({"DATABASE_URL": "nonsense://x"}, ""),
    ],
)
def test_malformed_settings_fail_loudly(env, message):
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_well_formed_settings_load():
    assert _load_settings(DEBUG="yes").returncode == 0


def test_content_security_policy_is_sent(client, db):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/datasets/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_api_errors_have_one_shape(api_client, researcher):
    response = api_client.get("/api/v1/datasets/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    api_client.force_authenticate(researcher)
    response = api_client.get("/api/v1/datasets/999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_token_authentication(api_client, researcher, password):
    response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": password})
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/datasets/").status_code == 200


def test_tasks_reach_the_real_broker(db):
    """In CI the broker is this machine's Redis: a queued task must land there."""
    if not django_settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("no Redis broker configured (the embedded default runs tasks eagerly)")
    import redis

    from solidarity.audit.tasks import verify_audit_chain
    from solidarity.celery import app as celery_app

    queue = "solidarity-ci-probe"
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete(queue)
    celery_app.conf.task_always_eager = False
    try:
        verify_audit_chain.apply_async(queue=queue)
    finally:
        celery_app.conf.task_always_eager = True
    assert client.llen(queue) == 1
    client.delete(queue)


def test_token_endpoint_shares_the_sign_in_lockout(api_client, researcher, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": "x"})
        assert response.status_code == 400
    response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": "x"})
    assert response.status_code == 429
    response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": password})
    assert response.status_code == 429


def test_api_settings_load_in_a_fresh_development_process():
    """``make run`` serves with ``DEBUG=true``: DRF's pagination check may be the first to read
    the API settings, importing ``solidarity.api`` before ``rest_framework.views``; the browsable
    renderer named in the settings must then still be importable (it once was not: a circular
    import made ``migrate`` fail at random, depending on the order of the system checks)."""
    env = {k: v for k, v in os.environ.items() if k not in {"SOLIDARITY_PRODUCTION"}}
    env.update(
        DEBUG="true",
        DATABASE_URL="sqlite:///:memory:",
        CELERY_BROKER_URL="",
        DJANGO_SETTINGS_MODULE="solidarity.settings",
    )
    env.pop("CACHE_URL", None)
    code = (
        "import django; django.setup()\n"
        "from rest_framework.settings import api_settings\n"
        "print(api_settings.DEFAULT_PAGINATION_CLASS.__name__)\n"
        "print([r.__name__ for r in api_settings.DEFAULT_RENDERER_CLASSES])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Pagination" in result.stdout
    assert "BrowsableAPIRenderer" in result.stdout
