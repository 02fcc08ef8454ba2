"""Secrets of this app: the encryption of visa keys and webhook secrets, node credentials.

Decision: the visa private keys live in the database, Fernet-encrypted with ``VISA_KEY_SECRET``
(a Fernet key) or, when it is empty, with a key derived from SECRET_KEY by HKDF-SHA256. A copy
of the database alone does not give the signing keys; rotating SECRET_KEY without setting
VISA_KEY_SECRET means running ``rotate_visa_key`` (old visas then stop verifying at once).
"""

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

CREDENTIAL_PREFIX = "sol_node_"


def _fernet() -> Fernet:
    if settings.VISA_KEY_SECRET:
        return Fernet(settings.VISA_KEY_SECRET.encode())
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"solidarity.grants.keys"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(value: bytes) -> str:
    return _fernet().encrypt(value).decode()


def decrypt(token: str) -> bytes:
    return _fernet().decrypt(token.encode())


def secret_hash(secret: str) -> str:
    # The secret is 256 random bits: a plain SHA-256 cannot be brute-forced, and lets the
    # row be checked in constant time without a slow password hasher on every API call.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_credential() -> tuple[str, str, str]:
    """(credential shown once, prefix stored, hash stored)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{CREDENTIAL_PREFIX}{prefix}.{secret}", prefix, secret_hash(secret)


def split_credential(credential: str) -> tuple[str, str] | None:
    if not credential.startswith(CREDENTIAL_PREFIX) or "." not in credential:
        return None
    prefix, _, secret = credential[len(CREDENTIAL_PREFIX) :].partition(".")
    if not prefix or not secret or len(prefix) > 16:
        return None
    return prefix, secret


def credential_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)
