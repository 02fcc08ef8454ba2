"""Visas: GA4GH Passport v1.2 ControlledAccessGrants JWTs that verify against our JWKS."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from solidarity.audit.models import AuditEvent


def _passport(api_client, user, username=None):
    api_client.force_authenticate(user)
    response = api_client.get(f"/api/v1/permissions/{username or user.username}/")
    api_client.force_authenticate(None)
    return response


def _verify(token, keyset):
    header = jwt.get_unverified_header(token)
    key = jwt.PyJWKSet.from_dict(keyset)[header["kid"]]
    return jwt.decode(token, key.key, algorithms=["ES256", "RS256"])


def test_a_visa_verifies_with_pyjwt_against_the_served_jwks(
    client, api_client, active, researcher, dataset, settings
):
    response = _passport(api_client, researcher)
    assert response.status_code == 200
    tokens = response.json()["ga4gh_passport_v1"]
    assert len(tokens) == 2
    keyset = client.get("/.well-known/jwks.json").json()
    assert keyset["keys"] and all("d" not in k for k in keyset["keys"])  # public only
    by_value = {}
    for token in tokens:
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "ES256" and header["kid"] and header["typ"] == "JWT"
        assert header["jku"].endswith("/.well-known/jwks.json")
        claims = _verify(token, keyset)
        by_value[claims["ga4gh_visa_v1"]["value"]] = claims
    claims = by_value[f"{settings.VISA_ISSUER}/datasets/{dataset.pk}/"]
    assert claims["sub"] == "alice"
    assert claims["iss"] == settings.VISA_ISSUER + "/"
    assert claims["exp"] - claims["iat"] <= settings.VISA_LIFETIME_SECONDS
    visa = claims["ga4gh_visa_v1"]
    assert visa["type"] == "ControlledAccessGrants"
    assert visa["by"] == "dac" and visa["source"] == settings.VISA_ISSUER + "/"
    assert isinstance(visa["asserted"], int) and visa["asserted"] <= claims["iat"]
    ours = claims["solidarity"]
    assert ours["project"] == active.reference
    assert ours["access_mode"] == "federated"
    assert ours["duo"] == ["DUO:0000006", "DUO:0000046"]  # the approved use + the consent's NCU
    assert ours["access_expires"] == active.access_expires_on.isoformat()
    assert "type" in ours


def test_the_visa_carries_the_committee_type(api_client, active, researcher, chair):
    from reviews.models import CommitteeFile

    CommitteeFile.objects.update_or_create(
        application=active, defaults={"quorum": 2, "decided_type": "C"}
    )
    token = _passport(api_client, researcher).json()["ga4gh_passport_v1"][0]
    assert jwt.decode(token, options={"verify_signature": False})["solidarity"]["type"] == "C"


def test_a_visa_never_outlives_the_access_expiry(api_client, active, researcher, settings):
    settings.VISA_LIFETIME_SECONDS = 10 * 365 * 86400
    token = _passport(api_client, researcher).json()["ga4gh_passport_v1"][0]
    claims = jwt.decode(token, options={"verify_signature": False})
    end = datetime.datetime.combine(
        active.access_expires_on + datetime.timedelta(days=1), datetime.time.min
    )
    assert claims["exp"] == int(timezone.make_aware(end).timestamp())


def test_rotation_keeps_old_visas_valid_until_their_key_is_unpublished(
    client, api_client, active, researcher, settings, monkeypatch
):
    settings.VISA_LIFETIME_SECONDS = 600
    old_token = _passport(api_client, researcher).json()["ga4gh_passport_v1"][0]
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    call_command("rotate_visa_key")
    assert AuditEvent.objects.filter(action="visa_key.rotate").count() == 1

    new_token = _passport(api_client, researcher).json()["ga4gh_passport_v1"][0]
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    keyset = client.get("/.well-known/jwks.json").json()
    assert len(keyset["keys"]) == 2
    _verify(old_token, keyset)  # the old key is still published: old visas verify
    _verify(new_token, keyset)

    # Once every visa the old key signed has expired, the key leaves the JWKS.
    later = timezone.now() + datetime.timedelta(seconds=601)
    monkeypatch.setattr("grants.visas.timezone.now", lambda: later)
    keyset = client.get("/.well-known/jwks.json").json()
    assert [k["kid"] for k in keyset["keys"]] == [jwt.get_unverified_header(new_token)["kid"]]
    with pytest.raises(KeyError):
        _verify(old_token, keyset)
    _verify(new_token, keyset)


def test_a_revoked_projects_visas_stop_being_issued(api_client, active, researcher, chair):
    assert len(_passport(api_client, researcher).json()["ga4gh_passport_v1"]) == 2
    api_client.force_authenticate(chair)
    response = api_client.post(
        f"/api/v1/applications/{active.pk}/revoke/", {"reason": "Breach"}, format="json"
    )
    assert response.status_code == 200
    assert _passport(api_client, researcher).json() == {"ga4gh_passport_v1": []}


def test_a_suspended_projects_visas_stop_and_return_on_reinstatement(
    api_client, active, researcher, chair
):
    api_client.force_authenticate(chair)
    api_client.post(f"/api/v1/applications/{active.pk}/suspend/", {"reason": "x"}, format="json")
    assert _passport(api_client, researcher).json()["ga4gh_passport_v1"] == []
    api_client.force_authenticate(chair)
    api_client.post(f"/api/v1/applications/{active.pk}/reinstate/", format="json")
    assert len(_passport(api_client, researcher).json()["ga4gh_passport_v1"]) == 2


def test_nobody_else_reads_a_users_visas(api_client, active, researcher, chair, outsider):
    assert _passport(api_client, outsider, username="alice").status_code == 404
    assert _passport(api_client, chair, username="alice").status_code == 404
    assert api_client.get("/api/v1/permissions/alice/").status_code in (401, 403)


def test_the_jwks_needs_no_sign_in_and_publishes_a_key_before_any_visa(client, db):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert key["use"] == "sig" and "d" not in key


def test_private_keys_are_stored_encrypted(client, db):
    from grants.models import SigningKey

    client.get("/.well-known/jwks.json")
    stored = SigningKey.objects.get().private_key_encrypted
    assert "PRIVATE KEY" not in stored and stored.startswith("gAAAA")  # a Fernet token


class _JWKSHandler(BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_verify_visa_command_with_a_file_and_a_url(
    client, api_client, active, researcher, tmp_path, capsys
):
    token = _passport(api_client, researcher).json()["ga4gh_passport_v1"][0]
    body = client.get("/.well-known/jwks.json").content
    path = tmp_path / "jwks.json"
    path.write_bytes(body)
    call_command("verify_visa", token, jwks=str(path))
    out = capsys.readouterr().out
    assert "The visa verifies." in out
    assert json.loads(out[: out.rindex("}") + 1])["sub"] == "alice"

    handler = type("Handler", (_JWKSHandler,), {"body": body})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
        call_command("verify_visa", token, jwks=url)
        assert "The visa verifies." in capsys.readouterr().out
    finally:
        server.shutdown()
        server.server_close()

    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload[:-4]}AAAA.{signature}"
    with pytest.raises(CommandError, match="does not verify"):
        call_command("verify_visa", tampered, jwks=str(path))
    with pytest.raises(CommandError, match="does not verify"):
        call_command("verify_visa", "not-a-jwt", jwks=str(path))
