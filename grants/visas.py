"""GA4GH Passport v1.2 ``ControlledAccessGrants`` visas, signed ES256 with a published key.

Each visa is a Visa Document Token: header ``{"alg": "ES256", "typ": "JWT", "kid", "jku"}``,
claims ``iss``, ``sub``, ``iat``, ``exp``, ``jti`` and ``ga4gh_visa_v1`` (``type``, ``asserted``,
``value`` = the dataset's stable URL, ``source``, ``by``, ``conditions`` absent), plus a
``solidarity`` claim with what a node needs to enforce the decision: DUO codes, access mode,
project reference, type, expiry and the grant id.

A visa lives at most ``VISA_LIFETIME_SECONDS`` and never past the access expiry, so a retired
key stays published for that long after retirement: every visa it signed has expired by then.
"""

import datetime
import json
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from jwt.algorithms import ECAlgorithm

from solidarity import audit

from . import crypto
from .models import Grant, SigningKey

VISA_TYPE = "ControlledAccessGrants"
ALGORITHM = "ES256"


def issuer() -> str:
    return settings.VISA_ISSUER.rstrip("/") + "/"


def jwks_url() -> str:
    return settings.VISA_ISSUER.rstrip("/") + reverse("grants-jwks")


def dataset_url(dataset_id: int) -> str:
    return settings.VISA_ISSUER.rstrip("/") + reverse("catalog:dataset-detail", args=[dataset_id])


# ---- keys --------------------------------------------------------------------------------


def _new_key_row() -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    kid = f"{timezone.now():%Y%m%d}-{uuid.uuid4().hex[:12]}"
    public = json.loads(ECAlgorithm.to_jwk(private.public_key()))
    public.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningKey.objects.create(
        kid=kid, algorithm=ALGORITHM, public_jwk=public, private_key_encrypted=crypto.encrypt(pem)
    )


@transaction.atomic
def signing_key_rotate(*, actor) -> SigningKey:
    """Make a new current key; the old one is retired but stays in the JWKS until the last
    visa it can have signed has expired. Audited."""
    now = timezone.now()
    lifetime = datetime.timedelta(seconds=settings.VISA_LIFETIME_SECONDS)
    retired = list(
        SigningKey.objects.select_for_update().filter(retired_at__isnull=True).order_by("id")
    )
    for key in retired:
        key.retired_at = now
        key.publish_until = now + lifetime
        key.save(update_fields=["retired_at", "publish_until"])
    key = _new_key_row()
    audit.record(
        actor=actor,
        action="visa_key.rotate",
        target=key,
        payload={
            "kid": key.kid,
            "retired": [k.kid for k in retired],
            "published_until": (now + lifetime).isoformat() if retired else None,
        },
    )
    return key


def current_key() -> SigningKey:
    """The key that signs now; the first one is made (and audited) on first use."""
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-id").first()
    if key is not None:
        return key
    with transaction.atomic():
        # Serialise the first creation on the table's newest row, if any, else just create.
        key = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first()
        if key is not None:
            return key
        key = _new_key_row()
        audit.record(actor="system", action="visa_key.create", target=key, payload={"kid": key.kid})
        return key


def published_keys():
    now = timezone.now()
    return SigningKey.objects.filter(Q(retired_at__isnull=True) | Q(publish_until__gt=now))


def jwks() -> dict:
    return {"keys": [key.public_jwk for key in published_keys().order_by("-id")]}


def _private_key(key: SigningKey):
    return serialization.load_pem_private_key(crypto.decrypt(key.private_key_encrypted), None)


# ---- visas -------------------------------------------------------------------------------


def _epoch(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def _expiry_moment(grant: Grant) -> datetime.datetime | None:
    if grant.expires_on is None:
        return None
    end_of_day = datetime.datetime.combine(
        grant.expires_on + datetime.timedelta(days=1), datetime.time.min
    )
    return timezone.make_aware(end_of_day)


def visa_claims(grant: Grant, *, now: datetime.datetime, use_type: str) -> dict:
    """The claims of one grant's visa (the grant must be current; see ``grants.selectors``)."""
    application = grant.application
    dataset = grant.dataset
    exp = now + datetime.timedelta(seconds=settings.VISA_LIFETIME_SECONDS)
    access_end = _expiry_moment(grant)
    if access_end is not None:
        exp = min(exp, access_end)
    return {
        "iss": issuer(),
        "sub": grant.user.get_username(),
        "iat": _epoch(now),
        "exp": _epoch(exp),
        "jti": str(uuid.uuid4()),
        "ga4gh_visa_v1": {
            "type": VISA_TYPE,
            "asserted": _epoch(grant.resumed_at or grant.started_at),
            "value": dataset_url(dataset.pk),
            "source": issuer(),
            "by": "dac",
        },
        "solidarity": {
            "grant": grant.pk,
            "project": application.reference,
            "project_url": settings.VISA_ISSUER.rstrip("/")
            + reverse("register:detail", args=[application.reference]),
            "type": use_type or None,
            "duo": [application.research_use, *dataset.consent_modifiers],
            "access_mode": grant.access_mode,
            "custodian": grant.organisation.slug,
            "access_expires": grant.expires_on.isoformat() if grant.expires_on else None,
        },
    }


def sign(claims: dict, *, key: SigningKey | None = None) -> str:
    key = key or current_key()
    return jwt.encode(
        claims,
        _private_key(key),
        algorithm=key.algorithm,
        headers={"kid": key.kid, "jku": jwks_url(), "typ": "JWT"},
    )


def verify(token: str, keyset: dict, *, issuer_url: str | None = None) -> dict:
    """Verify a visa against a JWKS document (the node-side check); raises ``jwt`` errors.

    Only ES256 and RS256 are accepted, the ``kid`` must be in the set, ``exp``, ``iat``,
    ``iss`` and ``sub`` must be present and the visa must be a ControlledAccessGrants one."""
    header = jwt.get_unverified_header(token)
    jwk_set = jwt.PyJWKSet.from_dict(keyset)
    try:
        signing_key = jwk_set[header.get("kid", "")]
    except KeyError:
        raise jwt.InvalidKeyError(f"No published key with kid {header.get('kid')!r}") from None
    options = {"require": ["exp", "iat", "iss", "sub"]}
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["ES256", "RS256"],
        options=options,
        issuer=issuer_url,
    )
    visa = claims.get("ga4gh_visa_v1") or {}
    if visa.get("type") != VISA_TYPE:
        raise jwt.InvalidTokenError("Not a ControlledAccessGrants visa")
    return claims
