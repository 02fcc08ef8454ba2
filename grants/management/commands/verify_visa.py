import json
import sys
from pathlib import Path

import jwt
from django.core.management.base import BaseCommand, CommandError

from grants.visas import verify


def load_jwks(source: str) -> dict:
    """A JWKS from an http(s) URL or a local file."""
    if source.startswith(("http://", "https://")):
        return jwt.PyJWKClient(source, cache_keys=False).fetch_data()
    try:
        return json.loads(Path(source).read_text())
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the JWKS at {source}: {exc}") from None


class Command(BaseCommand):
    help = (
        "Verify a GA4GH ControlledAccessGrants visa against a JWKS (URL or file), as a node "
        "would: signature, kid, expiry, required claims. Prints the claims; exit status 1 if "
        "the visa does not verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("token", help="the visa (a JWT); '-' reads it from stdin")
        parser.add_argument("--jwks", required=True, help="URL or file of the issuer's JWKS")
        parser.add_argument("--issuer", default=None, help="require this 'iss' value")

    def handle(self, *args, token, jwks, issuer, **options):
        if token == "-":
            token = sys.stdin.read().strip()
        try:
            keyset = load_jwks(jwks)
        except jwt.PyJWKClientError as exc:
            raise CommandError(f"Cannot fetch the JWKS at {jwks}: {exc}") from None
        try:
            claims = verify(token, keyset, issuer_url=issuer)
        except (jwt.PyJWTError, ValueError) as exc:
            raise CommandError(f"The visa does not verify: {exc}") from None
        self.stdout.write(json.dumps(claims, indent=2, sort_keys=True))
        self.stdout.write(self.style.SUCCESS("The visa verifies."))
