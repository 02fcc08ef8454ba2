"""Safe uploads: size limit, type checked by content (not only by name), SHA-256.

Files are stored under MEDIA_ROOT, which is never served from a public URL; views stream a
file after checking that the user may see the object it belongs to.
"""

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# kind -> (extensions, content type)
ALLOWED = {
    "pdf": ((".pdf",), "application/pdf"),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "docx": (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "odt": ((".odt",), "application/vnd.oasis.opendocument.text"),
    "text": ((".txt", ".csv", ".md"), "text/plain"),
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes, uploaded) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            uploaded.seek(0)
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.text"
                ):
                    return "odt"
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # the cut may fall inside a multi-byte character
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    return "text"


def check_upload(uploaded) -> CheckedUpload:
    """Validate an uploaded file; raise ValidationError with a message the user can act on."""
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(uploaded.size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = uploaded.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    uploaded.seek(0)
    head = uploaded.read(4096)
    kind = _sniff(head, uploaded)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if kind is None or extension not in ALLOWED[kind][0]:
        raise ValidationError(
            _(
                "This type of file is not accepted. Upload a PDF, image, Word, OpenDocument "
                "or text file whose content matches its name."
            ),
            code="bad_type",
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        name=name, content_type=ALLOWED[kind][1], size=uploaded.size, sha256=digest.hexdigest()
    )
