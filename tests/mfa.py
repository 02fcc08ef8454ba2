"""The deliberate test path for the second factor (there is no setting that turns it off).

Staff users get an authenticator with a known key; a test that signs in with
``client.force_login`` has its session marked as having passed the second factor, as if the
person had typed the code. Browser journeys type a real code computed from the known key.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex


def enrol(user) -> TOTPDevice:
    """A confirmed authenticator with the known key (idempotent)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", key=TEST_TOTP_KEY, confirmed=True
        )
    return device


def current_code(device: TOTPDevice | None = None, *, key: str = TEST_TOTP_KEY) -> str:
    import binascii

    raw = binascii.unhexlify(device.key if device else key)
    return f"{totp(raw, step=30, digits=6):06d}"


def mark_verified(client, user) -> None:
    """Mark the client's session as past the second factor, enrolling the user if needed."""
    device = enrol(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
