from django.core.management.base import BaseCommand

from grants.visas import signing_key_rotate


class Command(BaseCommand):
    help = (
        "Make a new visa-signing key. The old key stops signing at once but stays in "
        "/.well-known/jwks.json until the last visa it signed has expired."
    )

    def handle(self, *args, **options):
        key = signing_key_rotate(actor="manage.py rotate_visa_key")
        self.stdout.write(f"New signing key {key.kid} ({key.algorithm}).")
