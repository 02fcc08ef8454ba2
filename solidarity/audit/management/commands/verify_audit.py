from django.core.management.base import BaseCommand, CommandError

from solidarity.audit.services import audit_verify


class Command(BaseCommand):
    help = "Recompute the audit chain and name the first broken event (exit status 1 on a break)."

    def handle(self, *args, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events."))
            return
        where = f"event #{result.broken_event_id}" if result.broken_event_id else "the tail"
        raise CommandError(f"Audit chain broken at {where}: {result.reason}.", returncode=1)
