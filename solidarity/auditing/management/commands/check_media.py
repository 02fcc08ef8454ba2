"""Check that every file the database names is in the media storage (after a restore).

    manage.py check_media [--orphans]

Walks every FileField of every model; prints each row whose file is missing and exits with
status 1 if there is one. ``--orphans`` also lists files in MEDIA_ROOT that no row names.
Run it after restoring a backup, with ``manage.py verify_audit``.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models


class Command(BaseCommand):
    help = "Check that every file named in the database exists in the media storage."

    def add_arguments(self, parser):
        parser.add_argument("--orphans", action="store_true", help="also list unreferenced files")

    def handle(self, *args, orphans=False, **options):
        missing, checked, named = [], 0, set()
        for model in apps.get_models():
            fields = [f for f in model._meta.get_fields() if isinstance(f, models.FileField)]
            for field in fields:
                rows = (
                    model._default_manager.exclude(**{field.name: ""})
                    .exclude(**{f"{field.name}__isnull": True})
                    .values_list("pk", field.name)
                    .iterator(chunk_size=2000)
                )
                for pk, name in rows:
                    checked += 1
                    named.add(name)
                    if not field.storage.exists(name):
                        missing.append(f"{model._meta.label}#{pk}.{field.name}: {name}")
        for line in missing:
            self.stderr.write(f"missing: {line}")
        if orphans:
            root = Path(settings.MEDIA_ROOT)
            for path in sorted(root.rglob("*")) if root.exists() else []:
                if path.is_file() and str(path.relative_to(root)) not in named:
                    self.stdout.write(f"orphan: {path.relative_to(root)}")
        if missing:
            raise CommandError(
                f"{len(missing)} of {checked} files named in the database are missing.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"Media consistent: {checked} files present."))
