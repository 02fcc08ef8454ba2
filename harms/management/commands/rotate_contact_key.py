"""Re-encrypt every reporter's contact details under the newest HARM_CONTACT_KEY.

Put the new key first in HARM_CONTACT_KEY (keeping the old ones after it), run this, then
remove the old keys. Safe to run again; one audit event records the rotation.
"""

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from harms import crypto
from harms.models import HarmReport
from solidarity.audit import services as audit

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt reporters' contact details under the first key of HARM_CONTACT_KEY."

    def handle(self, *args, **options):
        rotated, unreadable = 0, []
        ids = list(
            HarmReport.objects.exclude(contact_ciphertext="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                reports = HarmReport.objects.select_for_update().filter(
                    pk__in=ids[start : start + BATCH]
                )
                for report in reports:
                    try:
                        new = crypto.rotate_contact(report.contact_ciphertext)
                    except InvalidToken:
                        unreadable.append(report.pk)
                        continue
                    report.contact_ciphertext = new
                    report.save(update_fields=["contact_ciphertext"])
                    rotated += 1
        with transaction.atomic():
            audit.record(
                actor="manage.py rotate_contact_key",
                action="harm.contact_key_rotate",
                payload={"rotated": rotated, "unreadable": len(unreadable)},
            )
        self.stdout.write(f"Re-encrypted {rotated} contact record(s).")
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} record(s) could not be read with any configured key "
                f"(report ids {unreadable[:20]}); keep their old key in HARM_CONTACT_KEY."
            )
