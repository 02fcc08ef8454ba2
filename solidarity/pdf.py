"""PDF rendering with WeasyPrint, fetching nothing but the app's own static files.

Reports are rendered from the app's templates. User-written text may contain markup such as
``<img src="http://…">`` or ``file:///etc/passwd``; the URL fetcher refuses every URL that is
not one of our static files, so rendering never reaches the network or the file system.
"""

import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

# A base URL that can never resolve to anything real: relative static URLs join onto it.
BASE_URL = "https://solidarity.invalid/"
ARCHIVAL_VARIANT = "pdf/a-3b"  # PDF/A-3 allows the embedded JSON data file


class RefusedURL(ValueError):
    """The report tried to load something that is not one of the app's static files."""


@dataclass
class StaticOnlyFetcher:
    """A WeasyPrint URL fetcher that serves only files found by Django's staticfiles finders."""

    refused: list[str] = field(default_factory=list)
    _fail_on_errors: bool = False  # read by WeasyPrint's fetch() helper

    def __call__(self, url: str, headers=None):
        from weasyprint.urls import URLFetcherResponse

        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"refused to fetch {url!r}: only the app's static files are allowed")
        found = finders.find(path)
        if not found:
            self.refused.append(url)
            raise RefusedURL(f"no static file {path!r}")
        with open(found, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    fetch = __call__

    @staticmethod
    def _static_path(url: str) -> str | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
            return None
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if not parts.path.startswith(prefix):
            return None
        relative = unquote(parts.path[len(prefix) :])
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or not relative:
            return None
        return str(pure)


@dataclass
class RenderedReport:
    pdf: bytes
    refused_urls: list[str]


def render_pdf(
    *,
    template: str,
    context: dict,
    archival: bool = False,
    data: dict | list | None = None,
    data_name: str = "report-data.json",
) -> RenderedReport:
    """Render a report template to PDF.

    ``data`` is attached inside the PDF as JSON (the facts behind the report); ``archival``
    produces PDF/A-3b. The rendering fetches only our static files.
    """
    from weasyprint import HTML, Attachment

    fetcher = StaticOnlyFetcher()
    context = {"generated_at": timezone.now(), "archival": archival, **context}
    html = render_to_string(template, context)
    attachments = []
    if data is not None:
        payload = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        attachments.append(
            Attachment(
                string=payload,
                name=data_name,
                description="Data behind this report (JSON)",
                url_fetcher=fetcher,
                relationship="Data",
            )
        )
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    pdf = document.write_pdf(
        attachments=attachments,
        pdf_variant=ARCHIVAL_VARIANT if archival else None,
        pdf_identifier=None,
        custom_metadata=True,
    )
    return RenderedReport(pdf=pdf, refused_urls=fetcher.refused)
