"""Build the whole register's PDF now (beat builds it nightly): ``manage.py build_register_pdf``."""

from django.core.management.base import BaseCommand

from solidarity.register.printing import whole_register_build


class Command(BaseCommand):
    help = "Build the PDF of the whole public register into MEDIA_ROOT/register/."

    def handle(self, *args, **options):
        path = whole_register_build()
        self.stdout.write(f"Built {path}")
