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
# Every content type a stored upload is served with (the API schema documents these).
MEDIA_TYPES = tuple(sorted({content_type for _extensions, content_type in ALLOWED.values()}))


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


class _ArchiveRefused(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


# Extensions of archives that must not sit inside an uploaded document.
_ARCHIVE_NAMES = (".zip", ".jar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!")


def _sniff_zip(uploaded) -> str | None:
    """docx or odt by their markers, reading only the central directory and a few bytes.

    The sizes in the directory are what ``ZipFile.open`` stops at, so a lying entry cannot
    make us inflate more than it declares; the declared total and ratio are capped, and an
    archive inside the document is refused (each entry's first bytes are looked at).
    """
    uploaded.seek(0)
    with zipfile.ZipFile(uploaded) as archive:
        entries = archive.infolist()
        if len(entries) > settings.UPLOAD_ARCHIVE_MAX_ENTRIES:
            raise _ArchiveRefused(
                _("This document holds too many parts (%(count)s); the limit is %(limit)s.")
                % {"count": len(entries), "limit": settings.UPLOAD_ARCHIVE_MAX_ENTRIES},
                "archive_entries",
            )
        total = sum(entry.file_size for entry in entries)
        if total > settings.UPLOAD_ARCHIVE_MAX_BYTES:
            raise _ArchiveRefused(
                _(
                    "This document would unpack to %(size)s MB; the limit is %(limit)s MB. "
                    "Upload it as PDF or split it."
                )
                % {
                    "size": round(total / 1048576),
                    "limit": round(settings.UPLOAD_ARCHIVE_MAX_BYTES / 1048576),
                },
                "archive_too_large",
            )
        if total > settings.UPLOAD_ARCHIVE_MAX_RATIO * max(uploaded.size, 1):
            raise _ArchiveRefused(
                _(
                    "This document is compressed more than %(ratio)s times, which is how "
                    "compression bombs are built. Upload it as PDF."
                )
                % {"ratio": settings.UPLOAD_ARCHIVE_MAX_RATIO},
                "archive_ratio",
            )
        heads = {}
        for entry in entries:
            if entry.is_dir():
                continue
            with archive.open(entry) as member:
                heads[entry.filename] = member.read(64)
            if entry.filename.lower().endswith(_ARCHIVE_NAMES) or heads[entry.filename].startswith(
                _ARCHIVE_MAGIC
            ):
                raise _ArchiveRefused(
                    _("This document contains another archive, which is not accepted."),
                    "archive_nested",
                )
        if "word/document.xml" in heads:
            return "docx"
        if heads.get("mimetype", b"").startswith(b"application/vnd.oasis.opendocument.text"):
            return "odt"
    return None


def _sniff(head: bytes, uploaded) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            return _sniff_zip(uploaded)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
            return None
        except (KeyError, OSError, RuntimeError, ValueError):
            # encrypted entries, unsupported compression, truncated archives
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
    try:
        kind = _sniff(head, uploaded)
    except _ArchiveRefused as refused:
        raise ValidationError(refused.message, code=refused.code) from None
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
