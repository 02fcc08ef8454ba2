"""Frozen snapshots of an application and readable differences between them.

Higher apps add their own part of the snapshot (the reviews app: the applicant's
self-assessment) with ``register_snapshot_part(fn)`` from their AppConfig.ready(); ``fn``
takes the application and returns a dict of ``{key: JSON-serialisable value}`` (or None),
stored under ``content["parts"]``.
"""

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from solidarity.catalog.duo import DataUse
from solidarity.catalog.models import AccessMode
from solidarity.formatting import day

from . import hdruk
from .models import CONTENT_FIELDS, Application, Attachment, Beneficiary

_parts: list[Callable] = []
# Readers that turn a snapshot part into (label, readable text), by the part's key.
_part_readers: dict[str, Callable] = {}

SNAPSHOT_FIELDS = CONTENT_FIELDS


def register_snapshot_part(fn: Callable, *, readers: dict[str, Callable] | None = None) -> Callable:
    """Add a part to every snapshot; ``readers`` map its keys to ``value -> (label, text)``."""
    if fn not in _parts:
        _parts.append(fn)
    _part_readers.update(readers or {})
    return fn


def snapshot(application: Application) -> dict:
    """The application's content as JSON: fields, team, dataset requests, attachments."""
    fields = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(application, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        fields[name] = value
    content = {
        "fields": fields,
        "organisation": application.organisation.name if application.organisation else "",
        "team": [
            {"name": m.name, "role": m.role, "organisation": m.organisation, "email": m.email}
            for m in application.team.all()
        ],
        "datasets": [
            {
                "dataset_id": r.dataset_id,
                "dataset": r.dataset.title,
                "custodian": r.dataset.custodian.name,
                "access_mode": r.access_mode,
                "justification": r.justification,
                "variables": r.variables,
            }
            for r in application.dataset_requests.select_related("dataset__custodian")
        ],
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size}
            for a in application.attachments.all()
        ],
        "parts": {},
    }
    for part in _parts:
        extra = part(application)
        if extra:
            content["parts"].update(extra)
    return json.loads(json.dumps(content, default=str))


# ---- differences ------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str
    new: str
    segments: list = field(default_factory=list)  # [(op, text)], op in equal/insert/delete


FIELD_LABELS = {
    "title": _("Title"),
    "lay_summary": _("Plain-language summary"),
    "scientific_summary": _("Scientific summary"),
    "aims": _("Aims"),
    "methods": _("Methods"),
    "public_benefit": _("Public benefit claimed"),
    "beneficiaries": _("Who receives the benefit"),
    "funding": _("Funding"),
    "commercial_involvement": _("Commercial involvement"),
    "commercial_details": _("Commercial involvement, in detail"),
    "research_use": _("Research purpose"),
    "research_disease": _("Disease studied"),
    "research_countries": _("Countries where the data will be used"),
    "ethics_approval": _("Ethics approval obtained or applied for"),
    "will_publish": _("Results will be published"),
    "start_date": _("Intended start"),
    "end_date": _("Intended end"),
    **hdruk.LABELS,
}


def _readable(name: str, value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if name == "beneficiaries":
        labels = dict(Beneficiary.choices)
        return ", ".join(str(labels.get(v, v)) for v in value or [])
    if name == "research_use":
        return str(dict(DataUse.choices).get(value, value))
    if name in ("start_date", "end_date"):
        return day(value)
    if name in hdruk.CHOICES:
        return hdruk.label_of(name, value)
    return "" if value is None else str(value)


def _lines(content: dict) -> dict[str, tuple[str, str]]:
    """Flatten a snapshot into {key: (label, readable text)} in reading order."""
    out: dict[str, tuple[str, str]] = {}
    for name, value in (content.get("fields") or {}).items():
        out[f"field:{name}"] = (str(FIELD_LABELS.get(name, name)), _readable(name, value))
    modes = dict(AccessMode.choices)
    for member in content.get("team") or []:
        key = f"team:{member['name']}"
        out[key] = (
            str(_("Team member %(name)s") % {"name": member["name"]}),
            f"{member['role']} — {member['organisation']} {member.get('email', '')}".strip(),
        )
    for req in content.get("datasets") or []:
        out[f"dataset:{req['dataset_id']}"] = (
            str(_("Dataset %(title)s") % {"title": req["dataset"]}),
            "\n".join(
                part
                for part in [
                    str(modes.get(req["access_mode"], req["access_mode"])),
                    req.get("justification", ""),
                    req.get("variables", ""),
                ]
                if part
            ),
        )
    kinds = dict(Attachment.Kind.choices)
    for att in content.get("attachments") or []:
        # The same file may be attached twice under different kinds: the kind is part of the key.
        kind = str(kinds.get(att["kind"], att["kind"]))
        out[f"attachment:{att['kind']}:{att['sha256']}"] = (
            str(_("Attachment: %(kind)s") % {"kind": kind}),
            f"{att['name']} · sha256 {att['sha256'][:16]}…",
        )
    for key, value in (content.get("parts") or {}).items():
        reader = _part_readers.get(key)
        if reader is not None:
            out[f"part:{key}"] = tuple(str(x) for x in reader(value))
            continue
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, indent=1)
        out[f"part:{key}"] = (key.replace("_", " ").capitalize(), text)
    return out


def readable(content: dict) -> list[tuple[str, str]]:
    """A frozen version as (label, text) pairs in reading order: labels, never field codes."""
    return list(_lines(content).values())


def _segments(old: str, new: str) -> list[tuple[str, str]]:
    a, b = old.split(" "), new.split(" ")
    segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("equal", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                segments.append(("delete", " ".join(a[i1:i2])))
            if j2 > j1:
                segments.append(("insert", " ".join(b[j1:j2])))
    return segments


def diff(old_content: dict, new_content: dict) -> list[Change]:
    """The changes from one snapshot to another, one per field or item that differs."""
    old, new = _lines(old_content), _lines(new_content)
    changes = []
    for key in [*old, *[k for k in new if k not in old]]:
        label, before = old.get(key, (None, ""))
        label_new, after = new.get(key, (None, ""))
        if before == after:
            continue
        changes.append(
            Change(
                label=label or label_new,
                old=before,
                new=after,
                segments=_segments(before, after),
            )
        )
    return changes


# ---- the seal on frozen versions ---------------------------------------------------------

SUBMIT_ACTION = "application.submit"


def frozen_sha256(application: Application) -> str:
    """SHA-256 of the version just frozen for ``application``, read back as it is stored, so
    ``verify_audit`` recomputes the same hash from the database later."""
    from solidarity.audit.chain import content_sha256

    from .models import ApplicationVersion

    version = ApplicationVersion.objects.get(
        application=application, number=application.current_version
    )
    return content_sha256(version.content)


def check_frozen_versions(events):
    """For ``verify_audit``: yield ``(event, problem)`` for each submission whose frozen version
    is missing or whose content no longer matches the SHA-256 its submit event recorded.

    Reads the versions in batches (one query per 500 events).
    """
    from itertools import islice

    from solidarity.audit.chain import content_sha256

    from .models import ApplicationVersion

    events = iter(events)
    while batch := list(islice(events, 500)):
        sealed = [
            e for e in batch if isinstance(e.payload, dict) and e.payload.get("content_sha256")
        ]
        ids = {int(e.target_id) for e in sealed if str(e.target_id).isdigit()}
        versions = {
            (v.application_id, v.number): v
            for v in ApplicationVersion.objects.filter(application_id__in=ids).only(
                "id", "application_id", "number", "content"
            )
        }
        for event in sealed:
            number = event.payload.get("version")
            label = f"{event.payload.get('reference') or event.target_id} version {number}"
            version = versions.get((int(event.target_id), number))
            if version is None:
                yield event, f"application {label} has been removed since it was frozen"
            elif content_sha256(version.content) != event.payload["content_sha256"]:
                yield (
                    event,
                    f"application {label} (ApplicationVersion #{version.pk}): its content no "
                    "longer matches the SHA-256 recorded when it was submitted",
                )
