"""Receipt codes (only their keyed hash is stored) and encrypted contact details."""

import base64
import hashlib
import hmac
import json
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# No 0/O, 1/I/L, U or V/W look-alikes: a code read aloud or copied by hand still works.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTXYZ23456789"
RECEIPT_GROUPS = 4
RECEIPT_GROUP_LENGTH = 4


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        settings.SECRET_KEY.encode()
    )


def new_receipt_code() -> str:
    """A random code of four groups of four, e.g. ``K7QX-3MPA-ZT9C-84HD`` (about 77 bits)."""
    groups = (
        "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_GROUP_LENGTH))
        for _ in range(RECEIPT_GROUPS)
    )
    return "-".join(groups)


def normalise_receipt_code(code: str) -> str:
    """Forgive case, spaces and dashes, as people type codes in many ways."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _receipt_key() -> bytes:
    # Its own setting in production; derived from SECRET_KEY only in development.
    if settings.HARM_RECEIPT_KEY:
        return settings.HARM_RECEIPT_KEY.encode()
    return _derive(b"solidarity.harms.receipt")


def receipt_hash(code: str) -> str:
    """The keyed SHA-256 of a receipt code: what the database keeps instead of the code."""
    key = _receipt_key()
    return hmac.new(key, normalise_receipt_code(code).encode(), hashlib.sha256).hexdigest()


def receipt_matches(code: str, stored_hash: str) -> bool:
    return bool(stored_hash) and hmac.compare_digest(receipt_hash(code), stored_hash)


def _fernet() -> MultiFernet:
    """The contact keys, newest first: the first encrypts, any of them decrypts."""
    keys = [key.strip() for key in settings.HARM_CONTACT_KEY.split(",") if key.strip()]
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(b"solidarity.harms.contact")))])


def rotate_contact(token: str) -> str:
    """The same contact encrypted under the newest key (raises InvalidToken if unreadable)."""
    if not token:
        return token
    return _fernet().rotate(token.encode()).decode()


def encrypt_contact(contact: dict) -> str:
    """Encrypt the non-empty contact details; an empty contact stores nothing."""
    cleaned = {k: v.strip() for k, v in contact.items() if v and v.strip()}
    if not cleaned:
        return ""
    return _fernet().encrypt(json.dumps(cleaned, sort_keys=True).encode()).decode()


def decrypt_contact(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {"error": "undecryptable"}
