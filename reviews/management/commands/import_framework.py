"""Import a public-value questionnaire: ``import_framework --format pluto FILE``.

``--bundled`` imports the copy of PLUTO v1.0.0 shipped in ``reviews/frameworks/``;
``--if-missing`` makes it a no-op when a default framework exists, so deployment scripts may run
it after every ``migrate``.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.models import AssessmentFramework
from reviews.services import framework_import
from reviews.services.frameworks import BUNDLED_PLUTO, FORMATS, FrameworkImportError


class Command(BaseCommand):
    help = "Import an assessment framework (questionnaire) from a file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the questionnaire file (JSON)")
        parser.add_argument("--format", default="pluto", choices=FORMATS)
        parser.add_argument(
            "--bundled", action="store_true", help="import the bundled PLUTO v1.0.0 questionnaire"
        )
        parser.add_argument(
            "--no-default",
            action="store_true",
            help="do not make the imported framework the default",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a default framework exists already",
        )

    def handle(self, *args, **options):
        if options["if_missing"] and AssessmentFramework.objects.filter(is_default=True).exists():
            self.stdout.write("A default framework exists; nothing imported.")
            return
        if options["bundled"]:
            path = BUNDLED_PLUTO
        elif options["file"]:
            path = Path(options["file"])
        else:
            raise CommandError("Name a file, or use --bundled.")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file.") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not valid JSON ({exc}).") from None
        make_default = not options["no_default"]
        try:
            framework = framework_import(
                actor=None, data=data, fmt=options["format"], make_default=make_default
            )
        except FrameworkImportError as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        questions = sum(g.questions.count() for g in framework.groups.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {framework} with {questions} questions"
                + (" as the default framework." if make_default else ".")
            )
        )
