"""The register in print: a PDF of one entry, of a filtered selection, and of the whole register.

How each is made (WeasyPrint lays out about a hundred table rows a second on a small machine,
so the size decides):
- **One entry**: rendered on request; it is a few pages.
- **A filtered selection** of at most ``REGISTER_PDF_LIMIT`` entries: rendered on request.
- **The whole register**: built by a Celery task (``solidarity.register.tasks``), daily and on
  demand by ``manage.py``, into ``MEDIA_ROOT/register/``; the public link serves the latest
  file. While the register is no larger than the limit and no file was built yet, the
  unfiltered PDF is rendered on request like a selection.

Every PDF carries the same public fields as the CSV and JSON exports (attached inside it as
JSON), never a person's name or contact.
"""

import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from . import selectors

REGISTER_PDF_LIMIT = 200
WHOLE_REGISTER_NAME = "solidarity-register.pdf"


def whole_register_path() -> Path:
    return Path(settings.MEDIA_ROOT) / "register" / WHOLE_REGISTER_NAME


def _entries(qs) -> list:
    entries = []
    for start in range(0, qs.count(), 500):
        entries.extend(selectors.register_entries(qs[start : start + 500]))
    return entries


def register_pdf(qs, *, filtered: bool) -> bytes:
    """The PDF of these register entries (the caller bounds their number)."""
    from solidarity.pdf import render_pdf

    entries = _entries(qs)
    rendered = render_pdf(
        template="reports/register.html",
        context={
            "report_title": _("Public register of approved data uses"),
            "report_subtitle": _("Selected entries") if filtered else _("All entries"),
            "generated_by": _("Solidarity public register"),
            "sections": [{"id": "entries", "title": _("Approved data uses")}],
            "entries": entries,
            "filtered": filtered,
        },
        data={"entries": [asdict(e) for e in entries]},
        data_name="register.json",
    )
    return rendered.pdf


def register_entry_pdf(reference: str) -> bytes | None:
    """The PDF of one entry with why it was allowed and its harm counts; None if unknown."""
    from solidarity.pdf import render_pdf

    found = selectors.register_entry_with_why(reference)
    if found is None:
        return None
    entry, why = found
    rendered = render_pdf(
        template="reports/register_entry.html",
        context={
            "report_title": f"{entry.reference}: {entry.title}",
            "report_subtitle": _("Entry of the public register of approved data uses"),
            "generated_by": _("Solidarity public register"),
            "sections": [
                {"id": "facts", "title": _("The data use")},
                {"id": "why", "title": _("Why it was allowed")},
                {"id": "harms", "title": _("Reported harms")},
            ],
            "entry": entry,
            "why": why,
        },
        data={**asdict(entry), "why": why},
        data_name=f"{entry.reference}.json",
    )
    return rendered.pdf


def whole_register_build() -> Path:
    """Build the whole register's PDF and replace the published file in one step.

    Written to a temporary file in the same folder and renamed over the old one, so a
    download never sees half a file. Returns the path.
    """
    path = whole_register_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = register_pdf(selectors.register_queryset(), filtered=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pdf)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
