"""Drafting: create, edit, team, dataset requests and attachments."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from solidarity import audit
from solidarity.catalog.models import AccessMode, Dataset
from solidarity.errors import DomainError
from solidarity.uploads import check_upload

from .. import permissions as perms
from ..models import (
    Application,
    Attachment,
    DatasetRequest,
    TeamMember,
)
from ._common import (
    _clean_fields,
    _locked,
    _require,
    _validate_dates,
)

# ---- drafting ---------------------------------------------------------------------------


@transaction.atomic
def application_create(*, actor, **fields) -> Application:
    """Start a draft. Only researchers may; the applicant receives the object permissions
    ``view_application_object`` and ``edit_application_object`` on it."""
    _require(perms.can_create_application(actor), _("Only researchers may file applications."))
    fields = _clean_fields(dict(fields))
    if not (fields.get("title") or "").strip():
        message = _("Give the application a title.")
        raise DomainError(message, field_errors={"title": [message]})
    if "organisation" not in fields:
        membership = actor.memberships.select_related("organisation").first()
        fields["organisation"] = membership.organisation if membership else None
    application = Application(applicant=actor, **fields)
    _validate_dates(application)
    application.save()
    assign_perm("applications.view_application_object", actor, application)
    assign_perm("applications.edit_application_object", actor, application)
    audit.record(
        actor=actor,
        action="application.create",
        target=application,
        to_state=application.state,
        payload={"title": application.title},
    )
    return application


@transaction.atomic
def application_update_draft(*, actor, application, **fields) -> Application:
    """Change the content of a draft, or of an application whose revision was requested.

    Saves whatever is given, complete or not: completeness is checked at submission."""
    application = _locked(application)
    _require(
        perms.can_edit_application(actor, application), _("You may not edit this application.")
    )
    fields = _clean_fields(dict(fields))
    if "title" in fields and not (fields["title"] or "").strip():
        message = _("Give the application a title.")
        raise DomainError(message, field_errors={"title": [message]})
    changed = [name for name, value in fields.items() if getattr(application, name) != value]
    for name in changed:
        setattr(application, name, fields[name])
    _validate_dates(application)
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor,
            action="application.update",
            target=application,
            payload={"changed": sorted(changed)},
        )
    return application


def _editable(actor, application) -> Application:
    application = _locked(application)
    _require(
        perms.can_edit_application(actor, application), _("You may not edit this application.")
    )
    return application


@transaction.atomic
def application_team_member_add(
    *, actor, application, name: str, role: str, organisation: str, email: str = ""
) -> TeamMember:
    """Add a team member to an editable application."""
    application = _editable(actor, application)
    errors = {}
    for field, value in (("name", name), ("role", role), ("organisation", organisation)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if errors:
        raise DomainError(_("Some fields are missing."), field_errors=errors)
    member = TeamMember.objects.create(
        application=application,
        name=name.strip(),
        role=role.strip(),
        organisation=organisation.strip(),
        email=(email or "").strip(),
    )
    audit.record(
        actor=actor,
        action="application.add_team_member",
        target=application,
        payload={"name": member.name, "organisation": member.organisation},
    )
    return member


@transaction.atomic
def application_team_member_remove(*, actor, member: TeamMember) -> None:
    """Remove a team member from an editable application."""
    application = _editable(actor, member.application)
    member = TeamMember.objects.get(pk=member.pk, application=application)
    member.delete()
    audit.record(
        actor=actor,
        action="application.remove_team_member",
        target=application,
        payload={"name": member.name},
    )


@transaction.atomic
def application_dataset_add(
    *,
    actor,
    application,
    dataset: Dataset,
    access_mode: str = AccessMode.FEDERATED,
    variables: str = "",
    justification: str = "",
) -> DatasetRequest:
    """Request a dataset with an access mode the dataset allows; a transfer must be justified."""
    application = _editable(actor, application)
    errors = {}
    if not dataset.is_active:
        errors["dataset"] = [_("This dataset is not open to applications.")]
    if access_mode not in AccessMode.values:
        errors["access_mode"] = [_("Unknown access mode.")]
    elif access_mode not in (dataset.access_modes or []):
        errors["access_mode"] = [
            _("%(dataset)s does not allow this access mode.") % {"dataset": dataset.title}
        ]
    if access_mode == AccessMode.TRANSFER and not (justification or "").strip():
        errors["justification"] = [_("Explain why federated analysis will not do.")]
    if application.dataset_requests.filter(dataset=dataset).exists():
        errors["dataset"] = [_("This dataset is already requested.")]
    if errors:
        raise DomainError(_("The dataset could not be added."), field_errors=errors)
    request = DatasetRequest.objects.create(
        application=application,
        dataset=dataset,
        access_mode=access_mode,
        variables=(variables or "").strip(),
        justification=(justification or "").strip(),
    )
    audit.record(
        actor=actor,
        action="application.add_dataset",
        target=application,
        payload={"dataset": dataset.title, "dataset_id": dataset.pk, "access_mode": access_mode},
    )
    return request


@transaction.atomic
def application_dataset_remove(*, actor, dataset_request: DatasetRequest) -> None:
    """Withdraw the request for one dataset from an editable application."""
    application = _editable(actor, dataset_request.application)
    request = DatasetRequest.objects.select_related("dataset").get(
        pk=dataset_request.pk, application=application
    )
    request.delete()
    audit.record(
        actor=actor,
        action="application.remove_dataset",
        target=application,
        payload={"dataset": request.dataset.title, "dataset_id": request.dataset_id},
    )


@transaction.atomic
def application_attachment_add(*, actor, application, kind: str, uploaded_file) -> Attachment:
    """Store an upload after checking size and type by content; its SHA-256 is kept."""
    application = _editable(actor, application)
    if kind not in Attachment.Kind.values:
        message = _("Unknown kind of attachment.")
        raise DomainError(message, field_errors={"kind": [message]})
    try:
        checked = check_upload(uploaded_file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field_errors={"file": exc.messages}) from exc
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(checked.name, uploaded_file, save=False)
    attachment.save()
    audit.record(
        actor=actor,
        action="application.add_attachment",
        target=application,
        payload={"name": checked.name, "kind": kind, "sha256": checked.sha256},
    )
    return attachment


@transaction.atomic
def application_attachment_remove(*, actor, attachment: Attachment) -> None:
    """Remove an attachment from an editable application (frozen versions keep its hash)."""
    application = _editable(actor, attachment.application)
    attachment = Attachment.objects.get(pk=attachment.pk, application=application)
    name = attachment.file.name
    still_used = Attachment.objects.filter(file=name).exclude(pk=attachment.pk).exists()
    attachment.delete()
    audit.record(
        actor=actor,
        action="application.remove_attachment",
        target=application,
        payload={"name": attachment.original_name, "sha256": attachment.sha256},
    )
    if not still_used:
        transaction.on_commit(lambda: default_storage.delete(name))
